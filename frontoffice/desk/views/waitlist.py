"""The waitlist: the branch's list with the backfill figures, adding and removing clients, the settings,
and the client's page opened from the offer message (no sign-in: the signed link is the key)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from frontoffice.clients import selectors as client_selectors
from frontoffice.core.decorators import require
from frontoffice.core.forms import add_service_error
from frontoffice.core.models import Branch

from .. import selectors, selectors_calendar, selectors_waitlist, services_waitlist, slots
from ..forms_waitlist import EntryForm, FilterForm, PolicyForm, RemoveForm
from ..models.waitlist import OfferStatus, WaitlistOffer, WaitlistStatus
from ..permissions import CalendarPermission
from .visits import _branch

VIEW = CalendarPermission.VIEW_CALENDAR.perm
BOOK = CalendarPermission.BOOK_APPOINTMENTS.perm
MANAGE = CalendarPermission.MANAGE_RESOURCES.perm
FIGURES_DAYS = 30


def _today(branch: Branch) -> Any:
    return timezone.localdate(timezone.now(), slots.zone_of(branch))


@require(VIEW)
def waitlist(request: HttpRequest) -> HttpResponse:
    """The branch's waitlist in offer order; managers also see the backfill figures for a period."""
    branch, branches = _branch(request)
    resources = selectors_calendar.resource_list(user=request.user, branch=branch)
    visit_types = selectors.visit_type_list(user=request.user)
    form = FilterForm(request.GET or None, resources=resources, visit_types=visit_types)
    filters = selectors_waitlist.EntryFilters()
    today = _today(branch)
    period = (today - timedelta(days=FIGURES_DAYS - 1), today)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = selectors_waitlist.EntryFilters(
            visit_type_id=data["visit_type"].pk if data["visit_type"] else None,
            resource_id=data["resource"].pk if data["resource"] else None,
            status=data["status"],
        )
        period = (data["date_from"] or period[0], data["date_to"] or period[1])
    can_manage = request.user.has_perm(MANAGE)
    context = {
        "branch": branch,
        "branches": branches,
        "form": form,
        "entries": list(selectors_waitlist.entry_list(user=request.user, branch=branch, filters=filters)),
        "figures": selectors_waitlist.figures(user=request.user, branch=branch, date_from=period[0], date_to=period[1])
        if can_manage
        else None,
        "can_book": request.user.has_perm(BOOK),
        "can_manage": can_manage,
        "zone": slots.zone_of(branch),
    }
    return render(request, "desk/waitlist/list.html", context, status=400 if form.errors else 200)


def _initial_for(request: HttpRequest, branch: Branch) -> tuple[dict[str, Any], Any, Any]:
    """Initial values from ``?appointment=`` ("find an earlier slot") or ``?client=``."""
    today = _today(branch)
    initial: dict[str, Any] = {"date_from": today, "date_to": today + timedelta(days=30)}
    appointment = client = None
    raw = request.GET.get("appointment", "")
    if raw.isdigit():
        appointment = selectors_calendar.appointment_get(user=request.user, pk=int(raw))
        client = appointment.client
        day = timezone.localtime(appointment.starts_at, slots.zone_of(branch)).date()
        initial.update(
            visit_type=appointment.visit_type_id,
            resource=appointment.resource_id,
            date_to=max(today, day - timedelta(days=1)) if day > today else day,
        )
    elif request.GET.get("client", "").isdigit():
        client = client_selectors.client_get(user=request.user, pk=int(request.GET["client"]))
    return initial, appointment, client


@require(BOOK)
@require_http_methods(["GET", "POST"])
def waitlist_add(request: HttpRequest) -> HttpResponse:
    """Put a client on the waitlist: from the list, from a client, or from an appointment's page."""
    posted = request.method == "POST"
    branch, branches = _branch(request, request.POST.get("branch") if posted else None)
    initial, appointment, chosen_client = _initial_for(request, branch)
    if posted:
        raw_appointment = request.POST.get("appointment", "")
        appointment = (
            selectors_calendar.appointment_get(user=request.user, pk=int(raw_appointment))
            if raw_appointment.isdigit()
            else None
        )
        raw = request.POST.get("client", "")
        chosen_client = client_selectors.client_get(user=request.user, pk=int(raw)) if raw.isdigit() else None
    form = EntryForm(
        request.POST if posted else None,
        initial=initial,
        resources=selectors_calendar.resource_list(user=request.user, branch=branch),
        visit_types=selectors.visit_type_list(user=request.user),
    )
    if posted:
        valid = form.is_valid()
        if chosen_client is None:
            form.add_error(None, _("Choose the client (and confirm the choice)."))
        elif valid:
            data = form.cleaned_data
            try:
                entry = services_waitlist.entry_create(
                    branch=branch,
                    actor=request.user,
                    client=chosen_client,
                    visit_type=data["visit_type"],
                    resource=data["resource"],
                    date_from=data["date_from"],
                    date_to=data["date_to"],
                    priority=data["priority"],
                    channel=data["channel"],
                    current_appointment=appointment,
                    note=data["note"],
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("Added to the waitlist."))
                return redirect("desk:waitlist_entry", pk=entry.pk)
    context = {
        "form": form,
        "branch": branch,
        "branches": branches,
        "appointment": appointment,
        "chosen_client": chosen_client,
        "zone": slots.zone_of(branch),
    }
    return render(request, "desk/waitlist/add.html", context, status=400 if form.errors else 200)


@require(VIEW)
def waitlist_entry(request: HttpRequest, pk: int) -> HttpResponse:
    entry = selectors_waitlist.entry_get(user=request.user, pk=pk)
    context = {
        "entry": entry,
        "offers": list(selectors_waitlist.entry_offers(entry=entry)),
        "can_book": request.user.has_perm(BOOK),
        "is_open": entry.status in selectors_waitlist.OPEN,
        "remove_form": RemoveForm(),
        "zone": slots.zone_of(entry.branch),
    }
    return render(request, "desk/waitlist/entry.html", context)


@require(BOOK)
@require_POST
def waitlist_remove(request: HttpRequest, pk: int) -> HttpResponse:
    entry = selectors_waitlist.entry_get(user=request.user, pk=pk)
    form = RemoveForm(request.POST)
    if form.is_valid():
        try:
            services_waitlist.entry_remove(entry=entry, actor=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Taken off the waitlist."))
            return redirect("desk:waitlist_entry", pk=entry.pk)
    context = {
        "entry": entry,
        "offers": list(selectors_waitlist.entry_offers(entry=entry)),
        "can_book": True,
        "is_open": entry.status in selectors_waitlist.OPEN,
        "remove_form": form,
        "zone": slots.zone_of(entry.branch),
    }
    return render(request, "desk/waitlist/entry.html", context, status=400)


@require(MANAGE)
@require_http_methods(["GET", "POST"])
def waitlist_policy(request: HttpRequest) -> HttpResponse:
    branch, _branches = _branch(request)
    organisation = branch.organisation
    policy = services_waitlist.policy_for(organisation)
    form = PolicyForm(
        request.POST if request.method == "POST" else None,
        initial={"offer_minutes": policy.offer_minutes, "notice_minutes": policy.notice_minutes},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services_waitlist.policy_update(organisation=organisation, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Waitlist settings saved."))
            return redirect(reverse("desk:waitlist") + f"?branch={branch.pk}")
    return render(
        request, "desk/waitlist/policy.html", {"form": form, "branch": branch}, status=400 if form.errors else 200
    )


# --- the client's page --------------------------------------------------------------------------


def _problem(request: HttpRequest, reason: str, offer: WaitlistOffer | None, status: int) -> HttpResponse:
    language = None
    if offer is not None:
        language = offer.entry.client.preferred_language or offer.branch.organisation.default_language
    with translation.override(language or translation.get_language()):
        return render(request, "desk/waitlist/public_problem.html", {"reason": reason, "offer": offer}, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def waitlist_offer(request: HttpRequest, token: str) -> HttpResponse:
    """Shows the offered time; "Accept" books it, "Decline" passes it to the next client."""
    try:
        offer_id, client_id = services_waitlist.read_token(token)
    except services_waitlist.LinkInvalid:
        return _problem(request, "invalid", None, 404)
    offer = selectors_waitlist.offer_for_link(offer_id=offer_id, client_id=client_id)
    if offer is None:
        return _problem(request, "invalid", None, 404)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "accept":
                offer = services_waitlist.offer_accept(offer=offer)
            elif action == "decline":
                offer = services_waitlist.offer_decline(offer=offer)
            else:
                raise Http404
        except services_waitlist.OfferClosed:
            pass  # the page below says what became of it
        return redirect("desk:waitlist_offer", token=token)
    now = timezone.now()
    if offer.status == OfferStatus.PENDING and offer.expires_at <= now:
        return _problem(request, OfferStatus.EXPIRED, offer, 410)
    if offer.status not in (OfferStatus.PENDING, OfferStatus.ACCEPTED, OfferStatus.DECLINED):
        removed = offer.entry.status == WaitlistStatus.REMOVED
        return _problem(request, "closed" if removed else offer.status, offer, 410)
    language = offer.entry.client.preferred_language or offer.branch.organisation.default_language
    with translation.override(language):
        context = {"offer": offer, "zone": slots.zone_of(offer.branch), "token": token}
        return render(request, "desk/waitlist/public_offer.html", context)


urlpatterns = [
    path("waitlist/", waitlist, name="waitlist"),
    path("waitlist/add/", waitlist_add, name="waitlist_add"),
    path("waitlist/settings/", waitlist_policy, name="waitlist_policy"),
    path("waitlist/<int:pk>/", waitlist_entry, name="waitlist_entry"),
    path("waitlist/<int:pk>/remove/", waitlist_remove, name="waitlist_remove"),
    path("w/<str:token>/", waitlist_offer, name="waitlist_offer"),
]
