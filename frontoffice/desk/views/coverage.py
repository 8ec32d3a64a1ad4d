"""Coverage pages: the payer directory (managers), a client's policies, card images, a visit's eligibility."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from frontoffice.clients import selectors as client_selectors
from frontoffice.clients.models import Client
from frontoffice.core.audit import log_access
from frontoffice.core.choices import BusinessKind
from frontoffice.core.decorators import require
from frontoffice.core.files import content_type_for, serve_private
from frontoffice.core.forms import add_service_error
from frontoffice.core.selectors import organisation_for

from .. import selectors, selectors_coverage, services_coverage
from ..forms_coverage import CoverageForm, PayerForm
from ..models import Coverage, Payer
from ..permissions import DeskPermission

VIEW = DeskPermission.VIEW_VISITS.perm
EDIT = DeskPermission.EDIT_VISITS.perm
MANAGE = DeskPermission.MANAGE_VISIT_TYPES.perm


# --- payers (managers) ----------------------------------------------------------------------------


@require(MANAGE)
def payer_list(request: HttpRequest) -> HttpResponse:
    payers = selectors_coverage.payer_list(user=request.user, include_inactive=True)
    return render(request, "desk/coverage/payer_list.html", {"payers": payers})


@require(MANAGE)
@require_http_methods(["GET", "POST"])
def payer_create(request: HttpRequest) -> HttpResponse:
    organisation = organisation_for(request.user)
    form = PayerForm(request.POST or None, instance=Payer(organisation=organisation))
    if request.method == "POST" and form.is_valid():
        try:
            payer = services_coverage.payer_create(organisation=organisation, actor=request.user, **form.model_fields())
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Payer %(name)s added.") % {"name": payer.name})
            return redirect("desk:payer_list")
    return render(request, "desk/coverage/payer_form.html", {"form": form}, status=400 if form.errors else 200)


@require(MANAGE)
@require_http_methods(["GET", "POST"])
def payer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    payer = selectors_coverage.payer_get(user=request.user, pk=pk)
    form = PayerForm(request.POST or None, instance=payer)
    if request.method == "POST" and form.is_valid():
        try:
            services_coverage.payer_update(
                payer=payer, actor=request.user, expected_version=form.cleaned_data["version"], **form.model_fields()
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Payer %(name)s saved.") % {"name": payer.name})
            return redirect("desk:payer_list")
    context = {"form": form, "payer": payer}
    return render(request, "desk/coverage/payer_form.html", context, status=400 if form.errors else 200)


# --- a client's policies --------------------------------------------------------------------------


def _client(request: HttpRequest, client_pk: int) -> Client:
    return client_selectors.client_get(user=request.user, pk=client_pk, follow_merges=False)


@require(VIEW)
def client_coverage(request: HttpRequest, client_pk: int) -> HttpResponse:
    client = _client(request, client_pk)
    log_access(
        user=request.user, target=client, organisation=client.organisation, purpose="coverage", path=request.path
    )
    context = {
        "client": client,
        "coverages": list(selectors_coverage.coverage_list(user=request.user, client=client)),
        "checks": selectors_coverage.client_checks(user=request.user, client=client),
        "can_edit": request.user.has_perm(EDIT) and client.is_active_record,
    }
    return render(request, "desk/coverage/client_coverage.html", context)


def _coverage_form(request: HttpRequest, *, coverage: Coverage | None = None) -> CoverageForm:
    visit_types = selectors.visit_type_list(user=request.user, vertical=BusinessKind.CLINIC)
    initial = CoverageForm.initial_for(coverage) if coverage is not None else {}
    return CoverageForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        initial=initial,
        payers=selectors_coverage.payer_list(user=request.user, include_inactive=coverage is not None),
        visit_types=visit_types,
    )


def _subscriber(request: HttpRequest, form: CoverageForm) -> tuple[bool, Client | None]:
    """The subscriber from the picker: (ok, client). Needed unless the relationship is "self"."""
    raw = request.POST.get("subscriber", "")
    if raw.isdigit():
        return True, client_selectors.client_get(user=request.user, pk=int(raw), follow_merges=False)
    if form.cleaned_data.get("relationship") not in (None, "self"):
        form.add_error(None, _("Choose the subscriber (and confirm the choice)."))
        return False, None
    return True, None


@require(EDIT)
@require_http_methods(["GET", "POST"])
def coverage_create(request: HttpRequest, client_pk: int) -> HttpResponse:
    client = _client(request, client_pk)
    form = _coverage_form(request)
    subscriber = None
    if request.method == "POST" and form.is_valid():
        ok, subscriber = _subscriber(request, form)
        if ok:
            try:
                services_coverage.coverage_create(
                    client=client,
                    actor=request.user,
                    data=form.coverage_data(subscriber),
                    copays=form.copays(),
                    card_front=form.cleaned_data["card_front"],
                    card_back=form.cleaned_data["card_back"],
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("Policy added."))
                return redirect("desk:client_coverage", client_pk=client.pk)
    context = {"form": form, "client": client, "chosen_subscriber": subscriber}
    return render(request, "desk/coverage/coverage_form.html", context, status=400 if form.errors else 200)


@require(EDIT)
@require_http_methods(["GET", "POST"])
def coverage_edit(request: HttpRequest, pk: int) -> HttpResponse:
    coverage = selectors_coverage.coverage_get(user=request.user, pk=pk)
    form = _coverage_form(request, coverage=coverage)
    subscriber = coverage.subscriber if coverage.relationship != "self" else None
    if request.method == "POST" and form.is_valid():
        ok, subscriber = _subscriber(request, form)
        if ok:
            try:
                services_coverage.coverage_update(
                    coverage=coverage,
                    actor=request.user,
                    data=form.coverage_data(subscriber),
                    expected_version=form.cleaned_data["version"],
                    copays=form.copays(),
                    card_front=form.cleaned_data["card_front"],
                    card_back=form.cleaned_data["card_back"],
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("Policy saved."))
                return redirect("desk:client_coverage", client_pk=coverage.client_id)
    context = {"form": form, "client": coverage.client, "coverage": coverage, "chosen_subscriber": subscriber}
    return render(request, "desk/coverage/coverage_form.html", context, status=400 if form.errors else 200)


@require(VIEW)
def coverage_card_image(request: HttpRequest, pk: int, side: str) -> HttpResponse:
    """A card image, only through here: permission, organisation, access log, never cached."""
    if side not in ("front", "back"):
        raise Http404
    coverage = selectors_coverage.coverage_get(user=request.user, pk=pk)
    stored = coverage.card_front if side == "front" else coverage.card_back
    if not stored:
        raise Http404
    log_access(
        user=request.user,
        target=coverage,
        organisation=coverage.organisation,
        purpose=f"coverage card {side}",
        path=request.path,
    )
    name = str(stored.name)
    return serve_private(
        request, stored, filename=f"card-{side}-{coverage.pk}{Path(name).suffix}", content_type=content_type_for(name)
    )


# --- a visit's eligibility ------------------------------------------------------------------------


def _eligibility_page(request: HttpRequest, pk: int, *, status: int = 200) -> HttpResponse:
    visit = selectors.visit_get(user=request.user, pk=pk)
    day = services_coverage.visit_day(visit)
    log_access(
        user=request.user, target=visit, organisation=visit.organisation, purpose="eligibility", path=request.path
    )
    context = {
        "visit": visit,
        "billing": selectors_coverage.visit_billing(visit=visit),
        "primary": services_coverage.coverage_on(visit.client, day),
        "secondary": services_coverage.coverage_on(visit.client, day, order="secondary"),
        "checks": list(selectors_coverage.visit_checks(user=request.user, visit=visit)),
        "can_check": request.user.has_perm(EDIT),
        "day": day,
    }
    return render(request, "desk/coverage/visit_eligibility.html", context, status=status)


@require(VIEW)
def visit_eligibility(request: HttpRequest, pk: int) -> HttpResponse:
    return _eligibility_page(request, pk)


@require(EDIT)
@require_POST
def visit_eligibility_check(request: HttpRequest, pk: int) -> HttpResponse:
    visit = selectors.visit_get(user=request.user, pk=pk)
    coverage: Any = None
    raw = request.POST.get("coverage", "")
    if raw.isdigit():
        coverage = selectors_coverage.coverage_get(user=request.user, pk=int(raw))
    try:
        check = services_coverage.eligibility_check(visit=visit, actor=request.user, coverage=coverage)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("desk:visit_eligibility", pk=visit.pk)
    if check.confirms:
        messages.success(request, _("%(number)s: eligible.") % {"number": visit.number})
    else:
        messages.warning(
            request,
            _("%(number)s: %(result)s. The visit is self-pay for now.")
            % {"number": visit.number, "result": check.get_result_display()},
        )
    return redirect("desk:visit_eligibility", pk=visit.pk)


urlpatterns = [
    path("payers/", payer_list, name="payer_list"),
    path("payers/new/", payer_create, name="payer_create"),
    path("payers/<int:pk>/", payer_edit, name="payer_edit"),
    path("clients/<int:client_pk>/coverage/", client_coverage, name="client_coverage"),
    path("clients/<int:client_pk>/coverage/new/", coverage_create, name="coverage_create"),
    path("coverage/<int:pk>/edit/", coverage_edit, name="coverage_edit"),
    path("coverage/<int:pk>/card/<str:side>/", coverage_card_image, name="coverage_card_image"),
    path("visits/<int:pk>/eligibility/", visit_eligibility, name="visit_eligibility"),
    path("visits/<int:pk>/eligibility/check/", visit_eligibility_check, name="visit_eligibility_check"),
]
