"""Calendars: the day and week grid, booking, moving, cancelling, finding a slot; resources and closures set-up."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from frontoffice.accounts.selectors import staff_list
from frontoffice.clients import selectors as client_selectors
from frontoffice.core.decorators import require
from frontoffice.core.forms import add_service_error
from frontoffice.core.models import Branch

from .. import selectors, selectors_calendar, selectors_reminders, services_calendar, slots
from ..forms_calendar import (
    AbsenceForm,
    BookForm,
    CancelForm,
    ClosureForm,
    FindSlotForm,
    HoursForm,
    MoveForm,
    ResourceForm,
    local_moment,
)
from ..models import Resource
from ..permissions import CalendarPermission
from .visits import _branch, _next_url

VIEW = CalendarPermission.VIEW_CALENDAR.perm
BOOK = CalendarPermission.BOOK_APPOINTMENTS.perm
MANAGE = CalendarPermission.MANAGE_RESOURCES.perm
POLL_SECONDS = 10


def _day(request: HttpRequest, branch: Branch, name: str = "day") -> date:
    try:
        return date.fromisoformat(request.GET.get(name, ""))
    except ValueError:
        return timezone.localdate(timezone.now(), slots.zone_of(branch))


def _resource_in(resources: list[Resource], value: Any) -> Resource | None:
    return next((item for item in resources if str(item.pk) == str(value)), None)


# --- the grid -------------------------------------------------------------------------------------


@require(VIEW)
def calendar(request: HttpRequest) -> HttpResponse:
    """Day view (columns = resources) or week view of one resource (columns = days); polls for changes."""
    branch, branches = _branch(request)
    resources = list(selectors_calendar.resource_list(user=request.user, branch=branch))
    resource = _resource_in(resources, request.GET.get("resource"))
    mode = "week" if request.GET.get("view") == "week" else "day"
    when = _day(request, branch)
    if mode == "week":
        resource = resource or (resources[0] if resources else None)
        start = when - timedelta(days=when.weekday())
        days = [start + timedelta(days=offset) for offset in range(7)]
        step = timedelta(days=7)
    else:
        days, step = [when], timedelta(days=1)
    etag = selectors_calendar.grid_etag(user=request.user, branch=branch, days=days, resource=resource)
    if request.htmx and request.GET.get("etag") == etag:  # type: ignore[attr-defined]
        return HttpResponse(status=204)  # nothing changed: htmx keeps the grid as it is
    grid = (
        selectors_calendar.calendar_grid(user=request.user, branch=branch, days=days, resource=resource)
        if resources
        else None
    )
    query = {
        "branch": branch.pk,
        "view": mode,
        "resource": resource.pk if resource and (mode == "week" or request.GET.get("resource")) else "",
    }
    context = {
        "branch": branch,
        "branches": branches,
        "resources": resources,
        "resource": resource,
        "mode": mode,
        "day": when,
        "days": days,
        "previous": when - step,
        "next": when + step,
        "today": timezone.localdate(timezone.now(), slots.zone_of(branch)),
        "grid": grid,
        "etag": etag,
        "query": query,
        "poll_seconds": POLL_SECONDS,
        "can_book": request.user.has_perm(BOOK),
    }
    template = "desk/calendar/calendar.html"
    if request.htmx and not request.htmx.boosted:  # type: ignore[attr-defined]
        template += "#grid"
    return render(request, template, context)


# --- booking --------------------------------------------------------------------------------------


def _book_form(request: HttpRequest, branch: Branch, data: Any = None) -> BookForm:
    initial: dict[str, Any] = {"interval": 1}
    if data is None:
        for name in ("resource", "visit_type", "day", "at"):
            if request.GET.get(name):
                initial[name] = request.GET[name]
    return BookForm(
        data,
        initial=initial,
        resources=selectors_calendar.resource_list(user=request.user, branch=branch),
        visit_types=selectors.visit_type_list(user=request.user),
    )


@require(BOOK)
@require_http_methods(["GET", "POST"])
def appointment_book(request: HttpRequest) -> HttpResponse:
    """Book a slot: opened from an empty cell of the grid (as a dialog with htmx), or as a page of its own."""
    branch, branches = _branch(request, request.POST.get("branch") if request.method == "POST" else None)
    data = request.POST.copy() if request.method == "POST" else None
    if data is not None and data.get("alternative", "").count("|") == 2:
        # One of the offered alternatives was clicked: book that one with everything else as typed.
        data["resource"], data["day"], data["at"] = data["alternative"].split("|")
    form = _book_form(request, branch, data)
    chosen_client = None
    alternatives: list[slots.Slot] = []
    conflicts: list[Any] = []
    if request.method == "POST":
        valid = form.is_valid()
        raw = request.POST.get("client", "")
        if raw.isdigit():
            chosen_client = client_selectors.client_get(user=request.user, pk=int(raw))
        else:
            form.add_error(None, _("Choose the client (and confirm the choice)."))
        if valid and chosen_client is not None:
            data = form.cleaned_data
            starts_at = local_moment(data["day"], data["at"], slots.zone_of(branch))
            try:
                if data["repeat"]:
                    result = services_calendar.series_book(
                        resource=data["resource"],
                        client=chosen_client,
                        visit_type=data["visit_type"],
                        starts_at=starts_at,
                        actor=request.user,
                        rule=data["repeat"],
                        interval=data["interval"] or 1,
                        count=data["count"],
                        until=data["until"],
                        note=data["note"],
                        skip_conflicts=data["skip_conflicts"],
                    )
                    appointment, warnings = result.appointments[0], result.warnings
                    messages.success(
                        request,
                        _("%(booked)s appointments booked, %(skipped)s skipped.")
                        % {"booked": len(result.appointments), "skipped": len(result.skipped)},
                    )
                else:
                    booking = services_calendar.appointment_book(
                        resource=data["resource"],
                        client=chosen_client,
                        visit_type=data["visit_type"],
                        starts_at=starts_at,
                        actor=request.user,
                        note=data["note"],
                    )
                    appointment, warnings = booking.appointment, booking.warnings
                    messages.success(request, _("Appointment booked."))
            except services_calendar.SlotUnavailable as error:
                alternatives = error.alternatives
                add_service_error(form, error)
            except services_calendar.SeriesConflicts as error:
                conflicts = error.conflicts
                add_service_error(form, error)
            except ValidationError as error:
                add_service_error(form, error)
            else:
                for warning in warnings:
                    messages.warning(request, warning)
                target = _calendar_url(branch, appointment.starts_at, appointment.resource_id)
                if request.htmx:  # type: ignore[attr-defined]
                    response = HttpResponse(status=204)
                    response["HX-Redirect"] = target
                    return response
                return redirect(target)
    context = {
        "form": form,
        "branch": branch,
        "branches": branches,
        "chosen_client": chosen_client,
        "alternatives": alternatives,
        "conflicts": conflicts,
        "zone": slots.zone_of(branch),
    }
    template = "desk/calendar/book.html"
    if request.htmx and not request.htmx.boosted:  # type: ignore[attr-defined]
        template += "#dialog"
    return render(request, template, context, status=400 if form.errors else 200)


def _calendar_url(branch: Branch, starts_at: datetime, resource_id: int | None = None) -> str:
    day = timezone.localtime(starts_at, slots.zone_of(branch)).date()
    return reverse("desk:calendar") + f"?branch={branch.pk}&day={day.isoformat()}"


# --- one appointment ------------------------------------------------------------------------------


@require(VIEW)
def appointment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = selectors_calendar.appointment_get(user=request.user, pk=pk)
    context = {
        "appointment": appointment,
        "history": selectors_calendar.appointment_history(appointment=appointment),
        "reminders": list(selectors_reminders.reminder_list(appointment=appointment)),
        "ticket": selectors_reminders.appointment_ticket(appointment=appointment),
        "can_book": request.user.has_perm(BOOK),
        "cancel_form": CancelForm(initial={"version": appointment.version}),
        "is_open": appointment.status in services_calendar.MOVABLE,
        "has_started": appointment.starts_at <= timezone.now(),
        "zone": slots.zone_of(appointment.branch),
    }
    return render(request, "desk/calendar/appointment_detail.html", context)


@require(BOOK)
@require_http_methods(["GET", "POST"])
def appointment_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Move to another time or resource: the drag-and-drop target, and the keyboard / no-JS form."""
    appointment = selectors_calendar.appointment_get(user=request.user, pk=pk)
    zone = slots.zone_of(appointment.branch)
    local = timezone.localtime(appointment.starts_at, zone)
    resources = selectors_calendar.resource_list(user=request.user, branch=appointment.branch)
    form = MoveForm(
        request.POST if request.method == "POST" else None,
        resources=resources,
        initial={
            "resource": appointment.resource_id,
            "day": local.date(),
            "at": local.time(),
            "version": appointment.version,
        },
    )
    alternatives: list[slots.Slot] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            booking = services_calendar.appointment_move(
                appointment=appointment,
                actor=request.user,
                starts_at=local_moment(data["day"], data["at"], zone),
                resource=data["resource"],
                expected_version=data["version"],
            )
        except services_calendar.SlotUnavailable as error:
            alternatives = error.alternatives
            add_service_error(form, error)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Appointment moved."))
            for warning in booking.warnings:
                messages.warning(request, warning)
            target = _next_url(request, _calendar_url(appointment.branch, booking.appointment.starts_at))
            if request.htmx:  # type: ignore[attr-defined]
                response = HttpResponse(status=204)
                response["HX-Redirect"] = target
                return response
            return redirect(target)
    context = {"appointment": appointment, "form": form, "alternatives": alternatives, "zone": zone}
    return render(request, "desk/calendar/move.html", context, status=400 if form.errors else 200)


def _appointment_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    appointment = selectors_calendar.appointment_get(user=request.user, pk=pk)
    raw_version = request.POST.get("version", "")
    version = int(raw_version) if raw_version.isdigit() else None
    try:
        if action == "cancel":
            form = CancelForm(request.POST)
            reason = form.data.get("reason", "")
            services_calendar.appointment_cancel(
                appointment=appointment, actor=request.user, reason=reason, expected_version=version
            )
            if request.POST.get("following") == "1" and appointment.series_id:
                services_calendar.series_cancel_following(appointment=appointment, actor=request.user, reason=reason)
            messages.success(request, _("Appointment cancelled."))
        elif action == "noshow":
            services_calendar.appointment_mark_noshow(
                appointment=appointment, actor=request.user, expected_version=version
            )
            messages.success(request, _("Marked as a no-show."))
        else:
            appointment = services_calendar.appointment_arrive(
                appointment=appointment, actor=request.user, expected_version=version
            )
            messages.success(request, _("Checked in."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(_next_url(request, reverse("desk:appointment_detail", kwargs={"pk": appointment.pk})))


@require(BOOK)
@require_POST
def appointment_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _appointment_action(request, pk, "cancel")


@require(BOOK)
@require_POST
def appointment_noshow(request: HttpRequest, pk: int) -> HttpResponse:
    return _appointment_action(request, pk, "noshow")


@require(BOOK)
@require_POST
def appointment_arrive(request: HttpRequest, pk: int) -> HttpResponse:
    return _appointment_action(request, pk, "arrive")


@require(VIEW)
def slot_find(request: HttpRequest) -> HttpResponse:
    """ "Next free slot for visit type X with anyone who does it" (or one resource), from a day."""
    branch, branches = _branch(request)
    resources = selectors_calendar.resource_list(user=request.user, branch=branch)
    form = FindSlotForm(
        request.GET if "visit_type" in request.GET else None,
        resources=resources,
        visit_types=selectors.visit_type_list(user=request.user),
    )
    found: list[slots.Slot] = []
    zone = slots.zone_of(branch)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        after = local_moment(data["day"], datetime.min.time(), zone) if data["day"] else timezone.now()
        found = slots.find_slots(
            branch=branch, visit_type=data["visit_type"], resource=data["resource"], after=after, count=10
        )
    context = {
        "form": form,
        "branch": branch,
        "branches": branches,
        "found": found,
        "searched": form.is_bound and not form.errors,
        "zone": zone,
        "can_book": request.user.has_perm(BOOK),
    }
    return render(request, "desk/calendar/find.html", context, status=400 if form.errors else 200)


# --- set-up: resources, hours, absences, closures -------------------------------------------------


@require(MANAGE)
def resource_list(request: HttpRequest) -> HttpResponse:
    resources = selectors_calendar.resource_list(user=request.user, include_inactive=True)
    return render(request, "desk/calendar/resource_list.html", {"resources": resources})


def _resource_form(
    request: HttpRequest, branch: Branch, data: Any = None, instance: Resource | None = None
) -> ResourceForm:
    return ResourceForm(
        data,
        instance=instance,
        staff=staff_list(user=request.user, branch_id=branch.pk),
        rooms=selectors.room_list(user=request.user, branch=branch),
        visit_types=selectors.visit_type_list(user=request.user),
    )


@require(MANAGE)
@require_http_methods(["GET", "POST"])
def resource_create(request: HttpRequest) -> HttpResponse:
    branch, branches = _branch(request, request.POST.get("branch") if request.method == "POST" else None)
    form = _resource_form(request, branch, request.POST if request.method == "POST" else None)
    hours = HoursForm(request.POST if request.method == "POST" else None, prefix="hours")
    if request.method == "POST" and form.is_valid() & hours.is_valid():
        data = form.cleaned_data
        try:
            resource = services_calendar.resource_create(
                branch=branch,
                actor=request.user,
                name=data["name"],
                kind=data["kind"],
                staff_member=data["staff_member"],
                room=data["room"],
                visit_types=list(data["visit_types"]),
                is_active=data["is_active"],
            )
            services_calendar.working_hours_set(resource=resource, actor=request.user, ranges=hours.ranges)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Resource saved."))
            return redirect("desk:resource_edit", pk=resource.pk)
    context = {"form": form, "hours": hours, "branch": branch, "branches": branches}
    return render(
        request, "desk/calendar/resource_form.html", context, status=400 if form.errors or hours.errors else 200
    )


@require(MANAGE)
@require_http_methods(["GET", "POST"])
def resource_edit(request: HttpRequest, pk: int) -> HttpResponse:
    resource = selectors_calendar.resource_get(user=request.user, pk=pk)
    posted = request.method == "POST"
    form = _resource_form(request, resource.branch, request.POST if posted else None, instance=resource)
    hours = HoursForm(
        request.POST if posted else None,
        prefix="hours",
        initial=HoursForm.initial_for(selectors_calendar.working_hours(resource=resource)),
    )
    if posted and form.is_valid() & hours.is_valid():
        data = form.cleaned_data
        try:
            resource = services_calendar.resource_update(
                resource=resource,
                actor=request.user,
                expected_version=data["version"],
                visit_types=list(data["visit_types"]),
                **{name: data[name] for name in services_calendar.RESOURCE_FIELDS},
            )
            services_calendar.working_hours_set(resource=resource, actor=request.user, ranges=hours.ranges)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Resource saved."))
            return redirect("desk:resource_edit", pk=resource.pk)
    context = {
        "form": form,
        "hours": hours,
        "resource": resource,
        "absence_form": AbsenceForm(),
        "absences": list(selectors_calendar.absences(resource=resource)),
    }
    return render(
        request, "desk/calendar/resource_form.html", context, status=400 if form.errors or hours.errors else 200
    )


@require(MANAGE)
@require_POST
def absence_add(request: HttpRequest, pk: int) -> HttpResponse:
    resource = selectors_calendar.resource_get(user=request.user, pk=pk)
    form = AbsenceForm(request.POST)
    if form.is_valid():
        try:
            services_calendar.absence_add(resource=resource, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Absence added."))
            return redirect("desk:resource_edit", pk=resource.pk)
    context = {
        "form": _resource_form(request, resource.branch, instance=resource),
        "hours": HoursForm(
            prefix="hours", initial=HoursForm.initial_for(selectors_calendar.working_hours(resource=resource))
        ),
        "resource": resource,
        "absence_form": form,
        "absences": list(selectors_calendar.absences(resource=resource)),
    }
    return render(request, "desk/calendar/resource_form.html", context, status=400)


@require(MANAGE)
@require_POST
def absence_remove(request: HttpRequest, pk: int) -> HttpResponse:
    absence = selectors_calendar.absence_get(user=request.user, pk=pk)
    resource_pk = absence.resource_id
    services_calendar.absence_remove(absence=absence, actor=request.user)
    messages.success(request, _("Absence removed."))
    return redirect("desk:resource_edit", pk=resource_pk)


@require(MANAGE)
@require_http_methods(["GET", "POST"])
def closure_list(request: HttpRequest) -> HttpResponse:
    branch, branches = _branch(request, request.POST.get("branch") if request.method == "POST" else None)
    form = ClosureForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services_calendar.closure_add(
                branch=branch, actor=request.user, day=form.cleaned_data["date"], reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Closure added."))
            return redirect(reverse("desk:closure_list") + f"?branch={branch.pk}")
    context = {
        "form": form,
        "branch": branch,
        "branches": branches,
        "closures": list(selectors_calendar.closure_list(user=request.user, branch=branch)),
    }
    return render(request, "desk/calendar/closure_list.html", context, status=400 if form.errors else 200)


@require(MANAGE)
@require_POST
def closure_remove(request: HttpRequest, pk: int) -> HttpResponse:
    closure = selectors_calendar.closure_get(user=request.user, pk=pk)
    branch_pk = closure.branch_id
    services_calendar.closure_remove(closure=closure, actor=request.user)
    messages.success(request, _("Closure removed."))
    return redirect(reverse("desk:closure_list") + f"?branch={branch_pk}")


urlpatterns = [
    path("calendar/", calendar, name="calendar"),
    path("calendar/book/", appointment_book, name="appointment_book"),
    path("calendar/find/", slot_find, name="slot_find"),
    path("calendar/closures/", closure_list, name="closure_list"),
    path("calendar/closures/<int:pk>/remove/", closure_remove, name="closure_remove"),
    path("appointments/<int:pk>/", appointment_detail, name="appointment_detail"),
    path("appointments/<int:pk>/move/", appointment_move, name="appointment_move"),
    path("appointments/<int:pk>/cancel/", appointment_cancel, name="appointment_cancel"),
    path("appointments/<int:pk>/noshow/", appointment_noshow, name="appointment_noshow"),
    path("appointments/<int:pk>/arrive/", appointment_arrive, name="appointment_arrive"),
    path("resources/", resource_list, name="resource_list"),
    path("resources/new/", resource_create, name="resource_create"),
    path("resources/<int:pk>/", resource_edit, name="resource_edit"),
    path("resources/<int:pk>/absences/", absence_add, name="absence_add"),
    path("resources/absences/<int:pk>/remove/", absence_remove, name="absence_remove"),
]
