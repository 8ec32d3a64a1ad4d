"""Registration cards of a stay's guests, and the guest-report export (managers)."""

from __future__ import annotations

import base64
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from frontoffice.core.audit import log_access
from frontoffice.core.decorators import require
from frontoffice.core.forms import add_service_error
from frontoffice.core.models import Branch

from .. import selectors, selectors_coverage, services
from .. import services_registration as cards
from ..forms_coverage import CardForm, GuestExportForm
from ..models import RegistrationCard, VisitGuest
from ..permissions import DeskPermission

VIEW = DeskPermission.VIEW_VISITS.perm
EDIT = DeskPermission.EDIT_VISITS.perm
MANAGE = DeskPermission.MANAGE_VISIT_TYPES.perm


def _card(guest: VisitGuest) -> RegistrationCard | None:
    return RegistrationCard.objects.filter(guest=guest).first()


@require(VIEW)
def stay_cards(request: HttpRequest, pk: int) -> HttpResponse:
    """Every guest of the stay with the state of their card and what is missing."""
    visit = selectors.visit_get(user=request.user, pk=pk)
    if not visit.is_stay:
        return redirect("desk:visit_detail", pk=visit.pk)
    missing = {guest.pk for guest in cards.incomplete_guests(visit)}
    guests = [
        {"guest": guest, "card": _card(guest), "complete": guest.pk not in missing}
        for guest in visit.guests.select_related("client")
    ]
    return render(request, "desk/coverage/stay_cards.html", {"visit": visit, "guests": guests})


def _card_page(request: HttpRequest, guest: VisitGuest, *, form: CardForm | None = None, status: int = 200) -> Any:
    card = _card(guest)
    if form is None:
        data = cards.card_data_of(card) if card is not None else cards.prefill(guest)
        form = CardForm(initial=CardForm.initial_from(data, card))
    nationality = (form.data.get("nationality") if form.is_bound else form.initial.get("nationality")) or ""
    if card is not None:
        log_access(
            user=request.user,
            target=card,
            organisation=guest.visit.organisation,
            purpose="registration card",
            path=request.path,
        )
    context = {
        "visit": guest.visit,
        "guest": guest,
        "card": card,
        "form": form,
        "signature_url": (
            "data:image/png;base64," + base64.b64encode(bytes(card.signature_png or b"")).decode()
            if card is not None and card.has_signature
            else ""
        ),
        "document_required": bool(nationality) and cards.is_foreigner(nationality),
        "can_edit": request.user.has_perm(EDIT),
    }
    return render(request, "desk/coverage/registration_card.html", context, status=status)


@require(VIEW)
def registration_card(request: HttpRequest, pk: int, guest_pk: int) -> HttpResponse:
    guest = selectors_coverage.guest_get(user=request.user, visit_pk=pk, guest_pk=guest_pk)
    return _card_page(request, guest)


@require(EDIT)
@require_POST
def registration_card_save(request: HttpRequest, pk: int, guest_pk: int) -> HttpResponse:
    guest = selectors_coverage.guest_get(user=request.user, visit_pk=pk, guest_pk=guest_pk)
    form = CardForm(request.POST)
    if form.is_valid():
        try:
            signature = cards.decode_signature(form.cleaned_data["signature"])
            cards.registration_card_save(
                guest=guest,
                actor=request.user,
                data=form.card_data(),
                signature_png=signature,
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as error:
            add_service_error(form, error)
            if hasattr(error, "error_dict") and "signature" in error.error_dict:
                form.add_error(None, error.error_dict["signature"])
        else:
            messages.success(request, _("Registration card of %(name)s saved.") % {"name": guest.client.display_name})
            return redirect("desk:stay_cards", pk=guest.visit_id)
    return _card_page(request, guest, form=form, status=400)


# --- guest-report export (managers) -------------------------------------------------------------


@require(MANAGE)
def guest_exports(request: HttpRequest) -> HttpResponse:
    return _exports_page(request)


def _exports_page(request: HttpRequest, form: GuestExportForm | None = None, status: int = 200) -> HttpResponse:
    branches = selectors.desk_branches(user=request.user)
    branch_qs = Branch.objects.filter(pk__in=[branch.pk for branch in branches])
    if form is None:
        default = branches[0] if branches else None
        initial: dict[str, Any] = {"branch": default.pk if default else None}
        if default is not None:
            initial["day"] = services.branch_today(default)
        form = GuestExportForm(initial=initial, branches=branch_qs)
    exports = selectors_coverage.guest_export_list(user=request.user)[:50]
    return render(request, "desk/coverage/guest_exports.html", {"form": form, "exports": exports}, status=status)


@require(MANAGE)
@require_POST
def guest_export_run(request: HttpRequest) -> HttpResponse:
    branches = selectors.desk_branches(user=request.user)
    form = GuestExportForm(request.POST, branches=Branch.objects.filter(pk__in=[branch.pk for branch in branches]))
    if not form.is_valid():
        return _exports_page(request, form=form, status=400)
    export = cards.guest_export_run(
        branch=form.cleaned_data["branch"], day=form.cleaned_data["day"], actor=request.user
    )
    messages.success(
        request,
        _("Export for %(day)s written (foreign guests: %(count)s). Nothing was sent.")
        % {"day": export.day.isoformat(), "count": export.row_count},
    )
    return redirect("desk:guest_exports")


@require(MANAGE)
def guest_export_download(request: HttpRequest, pk: int) -> HttpResponse:
    export = selectors_coverage.guest_export_get(user=request.user, pk=pk)
    log_access(
        user=request.user,
        target=export,
        organisation=export.branch.organisation,
        purpose="guest report",
        path=request.path,
    )
    response = HttpResponse(export.content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="guests-{export.branch.code}-{export.day.isoformat()}.csv"'
    response["Cache-Control"] = "private, no-store"
    return response


urlpatterns = [
    path("visits/<int:pk>/cards/", stay_cards, name="stay_cards"),
    path("visits/<int:pk>/guests/<int:guest_pk>/card/", registration_card, name="registration_card"),
    path("visits/<int:pk>/guests/<int:guest_pk>/card/save/", registration_card_save, name="registration_card_save"),
    path("guest-reports/", guest_exports, name="guest_exports"),
    path("guest-reports/run/", guest_export_run, name="guest_export_run"),
    path("guest-reports/<int:pk>/download/", guest_export_download, name="guest_export_download"),
]
