"""Reminders and self check-in: the managers' reminder settings, the printable confirmation, the client's own
appointment page (their signed link) and the lobby kiosk's "I have an appointment".

The client's page and the kiosk are opened without signing in: the signed link, or the kiosk
screen's secret URL plus a check-in code, is the only key. They show only what the person
needs, never cache (``Cache-Control: no-store``), and keep no session state between people.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone, translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from frontoffice.core.decorators import require
from frontoffice.core.forms import add_service_error
from frontoffice.core.selectors import organisation_for

from .. import (
    appointment_links,
    selectors_calendar,
    selectors_queue,
    selectors_reminders,
    services_calendar,
    services_reminders,
    slots,
)
from ..choices import AppointmentStatus
from ..forms_calendar import ReminderPolicyForm
from ..models.queue import ScreenKind
from ..permissions import CalendarPermission

S = AppointmentStatus
VIEW = CalendarPermission.VIEW_CALENDAR.perm
MANAGE = CalendarPermission.MANAGE_RESOURCES.perm
KIOSK_ATTEMPTS_PER_MINUTE = 10  # codes not found, per kiosk screen
KIOSK_IDLE_SECONDS = 30
KIOSK_DONE_SECONDS = 10


def _no_store(response: HttpResponse) -> HttpResponse:
    add_never_cache_headers(response)
    response["Cache-Control"] = "no-store"
    # "same-origin", not "no-referrer": a browser posts a form with "Origin: null" under the latter,
    # which the CSRF check refuses; the secret in the address still never leaves the site.
    response["Referrer-Policy"] = "same-origin"
    return response


def _problem(request: HttpRequest, title: str, text: str, status: int) -> HttpResponse:
    response = render(request, "desk/queue/public_problem.html", {"title": title, "text": text}, status=status)
    return _no_store(response)


# --- managers: the reminder settings --------------------------------------------------------------


@require(MANAGE)
@require_http_methods(["GET", "POST"])
def reminder_policy(request: HttpRequest) -> HttpResponse:
    organisation = organisation_for(request.user)
    if organisation is None:
        raise Http404
    policy = services_reminders.policy_for(organisation)
    form = ReminderPolicyForm(request.POST or None, instance=policy)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services_reminders.reminder_policy_save(
                organisation=organisation,
                actor=request.user,
                is_enabled=data["is_enabled"],
                first_lead_hours=data["first_lead_hours"],
                second_lead_hours=data["second_lead_hours"],
                send_confirmation=data["send_confirmation"],
                expected_version=data.get("version"),
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Reminder settings saved."))
            return redirect("desk:reminder_policy")
    context = {"form": form, "policy": policy}
    return render(request, "desk/reminders/policy.html", context, status=400 if form.errors else 200)


# --- the clerk's printable confirmation -----------------------------------------------------------


@require(VIEW)
def appointment_print(request: HttpRequest, pk: int) -> HttpResponse:
    """One page to hand over: time, place, visit type, the check-in code as text and QR code."""
    appointment = selectors_calendar.appointment_get(user=request.user, pk=pk)
    language = appointment.client.preferred_language or appointment.organisation.default_language
    with translation.override(language):
        context = {
            "appointment": appointment,
            "zone": slots.zone_of(appointment.branch),
            "qr": appointment_links.qr_svg_data_uri(appointment.check_in_code) if appointment.check_in_code else "",
        }
        return _no_store(render(request, "desk/reminders/print.html", context))


# --- the client's own page (signed link) ----------------------------------------------------------


def appointment_link(request: HttpRequest, token: str) -> HttpResponse:
    """Confirm, cancel or check in; friendly pages for a link that is tampered with, expired or used up."""
    now = timezone.now()
    try:
        appointment = appointment_links.resolve(token, now=now)
    except appointment_links.LinkInvalid:
        return _problem(
            request,
            _("This link does not work"),
            _("It may have been mistyped or replaced by a newer one. Please call or ask at the desk."),
            404,
        )
    except appointment_links.LinkExpired as expired:
        with translation.override(_language_of(expired.appointment)):
            return _problem(
                request,
                _("This appointment is over"),
                _("The link worked until the end of the appointment. To book again, please call or ask at the desk."),
                410,
            )
    with translation.override(_language_of(appointment)):
        error = ""
        if request.method == "POST":
            action = request.POST.get("action", "")
            try:
                if action == "confirm":
                    services_calendar.appointment_confirm(appointment=appointment, actor=None)
                elif action == "cancel":
                    reason = request.POST.get("reason", "").strip()[:200]
                    text = _("Cancelled by the client through their link")
                    services_calendar.appointment_cancel(
                        appointment=appointment, actor=None, reason=f"{text}: {reason}" if reason else text
                    )
                elif action == "check_in":
                    services_calendar.appointment_self_check_in(appointment=appointment, now=now)
                else:
                    raise ValidationError(_("Choose one of the buttons."))
            except ValidationError as problem:
                error = " ".join(problem.messages)
            else:
                return redirect("desk:appointment_link", token=token)  # post/redirect/get
        appointment.refresh_from_db()
        context = {
            "appointment": appointment,
            "zone": slots.zone_of(appointment.branch),
            "error": error,
            "can_check_in": appointment.status == S.BOOKED and appointment_links.can_check_in_at(appointment, now),
            "check_in_opens": appointment_links.check_in_window(appointment)[0],
            "is_booked": appointment.status in (S.BOOKED, S.PENDING),
            "ticket": selectors_reminders.appointment_ticket(appointment=appointment)
            if appointment.status == S.ARRIVED
            else None,
            "qr": appointment_links.qr_svg_data_uri(appointment.check_in_code)
            if appointment.check_in_code and appointment.status in (S.BOOKED, S.PENDING)
            else "",
        }
        response = render(request, "desk/reminders/link.html", context, status=400 if error else 200)
    return _no_store(response)


def _language_of(appointment: Any) -> str:
    return str(appointment.client.preferred_language or appointment.organisation.default_language)


# --- the lobby kiosk ------------------------------------------------------------------------------


def _attempts_key(screen: Any) -> str:
    return f"desk:kiosk-check-in-misses:{screen.pk}"


def _too_many_attempts(screen: Any) -> bool:
    """After ``KIOSK_ATTEMPTS_PER_MINUTE`` codes not found within a minute, the kiosk stops looking codes up until
    the minute is over (counted in the shared cache, so across web processes). Found codes do not count, so a
    busy lobby is never slowed down; guessing is."""
    return int(cache.get(_attempts_key(screen), 0)) >= KIOSK_ATTEMPTS_PER_MINUTE


def _count_miss(screen: Any) -> None:
    key = _attempts_key(screen)
    if not cache.add(key, 1, timeout=60):
        try:
            cache.incr(key)
        except ValueError:  # expired in between
            cache.add(key, 1, timeout=60)


def read_back(client: Any) -> str:
    """Given name and the family name's initial: enough to recognise oneself, little for an onlooker."""
    initial = f" {client.family_name[:1]}." if client.family_name else ""
    return f"{client.given_name}{initial}".strip()


@require_http_methods(["GET", "POST"])
def kiosk_appointment(request: HttpRequest, token: str) -> HttpResponse:
    """Scan or type the check-in code → read-back of two identifiers and the time → "Yes, that's me" → checked in."""
    try:
        screen = selectors_queue.screen_by_token(token, kind=ScreenKind.KIOSK)
    except selectors_queue.ScreenRevoked:
        return _problem(
            request,
            _("This screen is switched off"),
            _("Its address was changed by the office. Ask the manager for the new one."),
            410,
        )
    except Http404:
        return _problem(request, _("Unknown screen"), _("Check the address, or ask the manager for it."), 404)
    with translation.override(screen.organisation.default_language):
        step, error, status = "start", "", 200
        appointment = ticket = None
        code = ""
        if request.method == "POST":
            code = appointment_links.normalise_code(request.POST.get("code", ""))
            action = request.POST.get("action", "find")
            if _too_many_attempts(screen):
                error, status = _("Too many attempts. Please wait a minute, or ask at the desk."), 429
            else:
                now = timezone.now()
                appointment = selectors_reminders.kiosk_appointment(screen=screen, code=code, now=now)
                if appointment is None:
                    _count_miss(screen)
                    error, status = (
                        _("We could not find an appointment here today with this code. Check it, or ask at the desk."),
                        400,
                    )
                elif appointment.status == S.ARRIVED:
                    error, status, appointment = _("This appointment is already checked in."), 400, None
                elif appointment.status not in (S.BOOKED, S.PENDING):
                    error, status, appointment = (
                        _("This appointment cannot be checked in. Please ask at the desk."),
                        400,
                        None,
                    )
                elif action == "confirm":
                    try:
                        appointment = services_calendar.appointment_self_check_in(appointment=appointment, now=now)
                    except ValidationError as problem:
                        error, status, appointment = " ".join(problem.messages), 400, None
                    else:
                        step = "done"
                        ticket = selectors_reminders.appointment_ticket(appointment=appointment)
                else:
                    step = "readback"
        context = {
            "screen": screen,
            "step": step,
            "error": error,
            "code": code if step == "start" and error else "",
            "appointment": appointment,
            "name": read_back(appointment.client) if appointment is not None else "",
            "ticket": ticket,
            "zone": slots.zone_of(screen.branch),
            "idle": KIOSK_DONE_SECONDS if step == "done" else KIOSK_IDLE_SECONDS,
        }
        response = render(request, "desk/reminders/kiosk.html", context, status=status)
    return _no_store(response)


urlpatterns = [
    path("calendar/reminders/", reminder_policy, name="reminder_policy"),
    path("appointments/<int:pk>/print/", appointment_print, name="appointment_print"),
    path("a/<str:token>/", appointment_link, name="appointment_link"),
    path("kiosk/<str:token>/appointment/", kiosk_appointment, name="kiosk_appointment"),
]
