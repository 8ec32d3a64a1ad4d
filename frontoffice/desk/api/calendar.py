"""Calendars through the API: resources, availability (slot search), appointments and their statuses.

A time that cannot be booked (closed, outside hours, absent, taken) answers 409
``problem+json`` of type ``slot-unavailable`` with ``reason`` (a code) and ``alternatives``
(the nearest free slots), the same as the pages show.
"""

import json
from datetime import UTC, date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from frontoffice.core import selectors as core_selectors
from frontoffice.core.apikit import (
    Id,
    InSchema,
    LimitOffsetPagination,
    current_user,
    idempotent,
    problem,
    problem_type,
    requires,
)

from .. import selectors, selectors_calendar, services_calendar, slots
from ..choices import AppointmentStatus, RepeatRule
from ..permissions import CalendarPermission
from .refs import client_ref, ref

router = Router(tags=["Desk"])

VIEW = CalendarPermission.VIEW_CALENDAR.perm
BOOK = CalendarPermission.BOOK_APPOINTMENTS.perm
SLOT_UNAVAILABLE = problem_type("slot-unavailable")


class ResourceOut(Schema):
    id: int
    branch_id: int
    kind: str
    name: str
    staff_member_id: int | None
    room_id: int | None
    visit_type_ids: list[int] = Field(description="What can be booked on it; empty: every visit type.")
    is_active: bool
    version: int

    @staticmethod
    def resolve_visit_type_ids(obj: Any) -> list[int]:
        return [visit_type.pk for visit_type in obj.visit_types.all()]


class WorkingHoursOut(Schema):
    weekday: int = Field(description="0 = Monday … 6 = Sunday.")
    starts_at: str = Field(description="Local time of the branch, HH:MM.")
    ends_at: str

    @staticmethod
    def resolve_starts_at(obj: Any) -> str:
        return obj.starts_at.strftime("%H:%M")

    @staticmethod
    def resolve_ends_at(obj: Any) -> str:
        return obj.ends_at.strftime("%H:%M")


class ResourceDetailOut(ResourceOut):
    working_hours: list[WorkingHoursOut]

    @staticmethod
    def resolve_working_hours(obj: Any) -> list[Any]:
        return list(obj.working_hours.order_by("weekday", "starts_at"))


class ResourceFilters(InSchema):
    branch_id: int | None = Field(None, ge=1)
    include_inactive: bool = False


class SlotOut(Schema):
    resource_id: int
    resource_name: str
    starts_at: datetime
    ends_at: datetime


class AvailabilityOut(Schema):
    slots: list[SlotOut] = Field(description="The earliest free slots, earliest first (at most `count`).")


class AvailabilityFilters(InSchema):
    branch_id: int = Field(ge=1)
    visit_type_id: int = Field(ge=1)
    resource_id: int | None = Field(None, ge=1, description="Only this resource; default: anyone who does it.")
    after: datetime | None = Field(None, description="Earliest start; default: now.")
    count: int = Field(5, ge=1, le=50)
    days: int = Field(slots.DEFAULT_DAYS, ge=1, le=366, description="How many days ahead to look.")


class ReminderOut(Schema):
    kind: str = Field(description="confirmation or reminder.")
    due_at: datetime
    status: str = Field(description="scheduled, sent, skipped or cancelled.")
    channel: str = Field(description="sms or email once sent; empty before.")
    skip_reason: str = Field(
        description="Why it was not sent: no_consent, do_not_contact, no_phone, no_email, no_contact, "
        "inactive_client, deceased, too_late."
    )
    sent_at: datetime | None


class AppointmentOut(Schema):
    id: int
    branch_id: int
    resource_id: int
    client_id: int
    visit_type_id: int
    starts_at: datetime
    ends_at: datetime
    status: str = Field(description="FHIR Appointment status: booked, arrived, fulfilled, cancelled, noshow, waitlist…")
    booked_at: datetime | None
    arrived_at: datetime | None
    fulfilled_at: datetime | None
    cancelled_at: datetime | None
    noshow_at: datetime | None
    cancellation_reason: str
    note: str
    series_id: int | None
    visit_id: int | None = Field(description="The desk visit opened on arrival.")
    confirmed_at: datetime | None = Field(description="When the client confirmed they will come.")
    check_in_code: str = Field(description="The client's code for the lobby kiosk (random, per appointment).")
    reminders: list[ReminderOut] = Field(description="The booking confirmation and the reminders, oldest first.")
    version: int

    @staticmethod
    def resolve_reminders(obj: Any) -> list[Any]:
        return sorted(obj.reminders.all(), key=lambda reminder: (reminder.due_at, reminder.pk))


class BookingOut(AppointmentOut):
    warnings: list[str] = Field(description="Did not stop the booking, e.g. the client's other appointment then.")


class AppointmentFilters(InSchema):
    branch_id: int | None = Field(None, ge=1)
    resource_id: int | None = Field(None, ge=1)
    client_id: int | None = Field(None, ge=1)
    status: AppointmentStatus | None = None
    date_from: date | None = Field(None, description="Starting on or after this day (UTC midnight).")
    date_to: date | None = Field(None, description="Starting before the end of this day (UTC).")


class AppointmentCreateIn(InSchema):
    resource_id: int = Field(ge=1)
    client_id: int = Field(ge=1)
    visit_type_id: int = Field(ge=1)
    starts_at: datetime
    ends_at: datetime | None = Field(None, description="Default: the visit type's duration after the start.")
    note: str = Field("", max_length=2000)
    repeat: RepeatRule | None = Field(None, description="Book a recurring series instead of one appointment.")
    interval: int = Field(1, ge=1, le=52)
    count: int | None = Field(None, ge=1, le=services_calendar.MAX_OCCURRENCES)
    until: date | None = None
    skip_conflicts: bool = Field(False, description="Series: book the free occurrences and report the others.")


class AppointmentUpdateIn(InSchema):
    version: int = Field(ge=1, description="The version you read; an older one gives 409.")
    starts_at: datetime | None = Field(None, description="Move to this start (the length is kept).")
    resource_id: int | None = Field(None, ge=1, description="Move to this resource of the same branch.")
    note: str | None = Field(None, max_length=2000)


class CancelIn(InSchema):
    reason: str = Field(min_length=1, max_length=300)
    version: int | None = Field(None, ge=1)


class VersionIn(InSchema):
    version: int | None = Field(None, ge=1)


def _slot_json(slot: slots.Slot) -> dict[str, Any]:
    return {
        "resource_id": slot.resource_id,
        "resource_name": slot.resource_name,
        "starts_at": slot.starts_at.astimezone(UTC).isoformat(),
        "ends_at": slot.ends_at.astimezone(UTC).isoformat(),
    }


def _unavailable(request: HttpRequest, error: services_calendar.SlotUnavailable) -> HttpResponse:
    response = problem(request, 409, type=SLOT_UNAVAILABLE, detail=error.refusal.message)
    body = json.loads(response.content)
    body["reason"] = error.refusal.code
    body["alternatives"] = [_slot_json(slot) for slot in error.alternatives]
    response.content = json.dumps(body, ensure_ascii=False).encode()
    return response


def _booking(appointment: Any, warnings: list[str]) -> Any:
    appointment.warnings = warnings
    return appointment


@router.get("/desk/resources", response=list[ResourceOut], summary="List resources")
@paginate(LimitOffsetPagination)
@requires(VIEW)
def resource_list(request: HttpRequest, filters: Query[ResourceFilters]) -> Any:
    """Practitioners, staff, rooms and equipment at your branches."""
    resources = selectors_calendar.resource_list(user=current_user(request), include_inactive=filters.include_inactive)
    return resources.filter(branch_id=filters.branch_id) if filters.branch_id else resources


@router.get("/desk/resources/{int:resource_id}", response=ResourceDetailOut, summary="Get a resource")
@requires(VIEW)
def resource_get(request: HttpRequest, resource_id: Id) -> Any:
    return selectors_calendar.resource_get(user=current_user(request), pk=resource_id)


@router.get("/desk/availability", response=AvailabilityOut, summary="Find free slots")
@requires(VIEW)
def availability(request: HttpRequest, filters: Query[AvailabilityFilters]) -> Any:
    """The earliest free slots for a visit type with anyone who does it (or one resource), within working hours,
    minus absences, closures and bookings."""
    user = current_user(request)
    branch = ref("branch_id", core_selectors.branch_get, filters.branch_id, user)
    visit_type = ref("visit_type_id", selectors.visit_type_get, filters.visit_type_id, user)
    resource = ref("resource_id", selectors_calendar.resource_get, filters.resource_id, user)
    if resource is not None and resource.branch_id != branch.pk:
        raise ValidationError({"resource_id": _("Choose a resource of this branch.")})
    found = slots.find_slots(
        branch=branch,
        visit_type=visit_type,
        resource=resource,
        after=filters.after or timezone.now(),
        count=filters.count,
        days=filters.days,
    )
    return {"slots": found}


@router.get("/desk/appointments", response=list[AppointmentOut], summary="List appointments")
@paginate(LimitOffsetPagination)
@requires(VIEW)
def appointment_list(request: HttpRequest, filters: Query[AppointmentFilters]) -> Any:
    """Appointments at your branches, earliest first."""
    start = datetime.combine(filters.date_from, datetime.min.time(), tzinfo=UTC) if filters.date_from else None
    end = datetime.combine(filters.date_to, datetime.max.time(), tzinfo=UTC) if filters.date_to else None
    return selectors_calendar.appointment_list(
        user=current_user(request),
        filters=selectors_calendar.AppointmentFilters(
            branch_id=filters.branch_id,
            resource_id=filters.resource_id,
            client_id=filters.client_id,
            status=filters.status or "",
            starts_from=start,
            starts_before=end,
        ),
    )


@router.post("/desk/appointments", response={201: BookingOut}, summary="Book an appointment")
@requires(BOOK)
@idempotent
def appointment_create(request: HttpRequest, payload: AppointmentCreateIn) -> Any:
    """Books one appointment (or, with `repeat`, a recurring series: the first occurrence is returned). A time
    that cannot be booked gives 409 `slot-unavailable` with `reason` and `alternatives`. Send `Idempotency-Key`
    to make a retry safe."""
    user = current_user(request)
    resource = ref("resource_id", selectors_calendar.resource_get, payload.resource_id, user)
    client = client_ref("client_id", payload.client_id, user)
    visit_type = ref("visit_type_id", selectors.visit_type_get, payload.visit_type_id, user)
    try:
        if payload.repeat:
            series = services_calendar.series_book(
                resource=resource,
                client=client,
                visit_type=visit_type,
                starts_at=payload.starts_at,
                actor=user,
                rule=payload.repeat,
                interval=payload.interval,
                count=payload.count,
                until=payload.until,
                note=payload.note,
                skip_conflicts=payload.skip_conflicts,
            )
            skipped = [
                _("Not booked: %(when)s (%(reason)s)") % {"when": start.isoformat(), "reason": refusal.message}
                for start, refusal in series.skipped
            ]
            return Status(201, _booking(series.appointments[0], series.warnings + skipped))
        booking = services_calendar.appointment_book(
            resource=resource,
            client=client,
            visit_type=visit_type,
            starts_at=payload.starts_at,
            ends_at=payload.ends_at,
            actor=user,
            note=payload.note,
        )
    except services_calendar.SlotUnavailable as error:
        return _unavailable(request, error)
    return Status(201, _booking(booking.appointment, booking.warnings))


@router.get("/desk/appointments/{int:appointment_id}", response=AppointmentOut, summary="Get an appointment")
@requires(VIEW)
def appointment_get(request: HttpRequest, appointment_id: Id) -> Any:
    return selectors_calendar.appointment_get(user=current_user(request), pk=appointment_id)


@router.patch("/desk/appointments/{int:appointment_id}", response=BookingOut, summary="Move or change an appointment")
@requires(BOOK)
def appointment_update(request: HttpRequest, appointment_id: Id, payload: AppointmentUpdateIn) -> Any:
    """Moves it (`starts_at`, `resource_id`) and/or changes its `note`. A stale `version` gives 409 `stale-edit`;
    a time that cannot be booked gives 409 `slot-unavailable` with alternatives."""
    user = current_user(request)
    appointment = selectors_calendar.appointment_get(user=user, pk=appointment_id)
    resource = ref("resource_id", selectors_calendar.resource_get, payload.resource_id, user)
    warnings: list[str] = []
    version: int | None = payload.version
    try:
        if payload.starts_at is not None or resource is not None:
            booking = services_calendar.appointment_move(
                appointment=appointment,
                actor=user,
                starts_at=payload.starts_at or appointment.starts_at,
                resource=resource,
                expected_version=version,
            )
            warnings, version = booking.warnings, booking.appointment.version
        if payload.note is not None:
            services_calendar.appointment_update(
                appointment=appointment, actor=user, note=payload.note, expected_version=version
            )
    except services_calendar.SlotUnavailable as error:
        return _unavailable(request, error)
    return _booking(selectors_calendar.appointment_get(user=user, pk=appointment_id), warnings)


@router.post("/desk/appointments/{int:appointment_id}/cancel", response=AppointmentOut, summary="Cancel an appointment")
@requires(BOOK)
def appointment_cancel(request: HttpRequest, appointment_id: Id, payload: CancelIn) -> Any:
    """With a reason; the slot is free at once."""
    user = current_user(request)
    appointment = selectors_calendar.appointment_get(user=user, pk=appointment_id)
    services_calendar.appointment_cancel(
        appointment=appointment, actor=user, reason=payload.reason, expected_version=payload.version
    )
    return selectors_calendar.appointment_get(user=user, pk=appointment_id)


@router.post("/desk/appointments/{int:appointment_id}/noshow", response=AppointmentOut, summary="Mark a no-show")
@requires(BOOK)
def appointment_noshow(request: HttpRequest, appointment_id: Id, payload: VersionIn) -> Any:
    """Only a booked appointment that has started."""
    user = current_user(request)
    appointment = selectors_calendar.appointment_get(user=user, pk=appointment_id)
    services_calendar.appointment_mark_noshow(appointment=appointment, actor=user, expected_version=payload.version)
    return selectors_calendar.appointment_get(user=user, pk=appointment_id)


@router.post(
    "/desk/appointments/{int:appointment_id}/confirm",
    response=AppointmentOut,
    summary="Record the client's confirmation",
)
@requires(BOOK)
def appointment_confirm(request: HttpRequest, appointment_id: Id) -> Any:
    """The client said they will come (they usually confirm through their reminder's link). Repeating is harmless."""
    user = current_user(request)
    appointment = selectors_calendar.appointment_get(user=user, pk=appointment_id)
    services_calendar.appointment_confirm(appointment=appointment, actor=user)
    return selectors_calendar.appointment_get(user=user, pk=appointment_id)


@router.post("/desk/appointments/{int:appointment_id}/arrive", response=AppointmentOut, summary="Check a client in")
@requires(BOOK)
def appointment_arrive(request: HttpRequest, appointment_id: Id, payload: VersionIn) -> Any:
    """The appointment becomes `arrived` and a desk visit is opened (a clinic visit moved to "arrived")."""
    user = current_user(request)
    appointment = selectors_calendar.appointment_get(user=user, pk=appointment_id)
    services_calendar.appointment_arrive(appointment=appointment, actor=user, expected_version=payload.version)
    return selectors_calendar.appointment_get(user=user, pk=appointment_id)
