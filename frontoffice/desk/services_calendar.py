"""Writes of the calendars: resources and their hours, absences, closures; appointments and series.

No double booking. ``appointment_book`` and ``appointment_move`` lock the resource's row
(``select_for_update``; on SQLite every write transaction is IMMEDIATE, so writers queue up
anyway), re-check the slot inside the transaction and only then write. On PostgreSQL the
exclusion constraint ``appointment_no_double_booking`` is the last word: its
``IntegrityError`` becomes the same ``SlotUnavailable`` (reason plus the nearest free
slots) as the service's own check.

Every function is keyword-only, atomic and audited. Appointment statuses follow FHIR:
booked → arrived → fulfilled; booked → cancelled | noshow; each transition stamps its time.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import pairwise
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from frontoffice.accounts.models import StaffMember
from frontoffice.clients.models import Client
from frontoffice.core.audit import audit, signed_in_user
from frontoffice.core.choices import BusinessKind
from frontoffice.core.concurrency import bump_version, check_version
from frontoffice.core.models import Branch

from . import appointment_links, services, services_reminders, slots
from .choices import AppointmentStatus, RepeatRule, VisitStatus
from .models import (
    Appointment,
    AppointmentSeries,
    BranchClosure,
    Resource,
    ResourceAbsence,
    Room,
    VisitType,
    WorkingHours,
)
from .models.calendar import SLOT_HOLDING

S = AppointmentStatus
ALTERNATIVES = 5
MAX_OCCURRENCES = 60
MOVABLE = (S.PROPOSED, S.PENDING, S.BOOKED)
CANCELLABLE = (S.PROPOSED, S.PENDING, S.BOOKED, S.WAITLIST)
TIMESTAMP_OF = {
    S.BOOKED: "booked_at",
    S.ARRIVED: "arrived_at",
    S.FULFILLED: "fulfilled_at",
    S.CANCELLED: "cancelled_at",
    S.NOSHOW: "noshow_at",
}
RESOURCE_FIELDS = ("name", "kind", "staff_member", "room", "is_active")


class SlotUnavailable(ValidationError):
    """The time cannot be booked: ``refusal`` says why, ``alternatives`` are the nearest free slots."""

    def __init__(self, refusal: slots.Refusal, alternatives: list[slots.Slot]) -> None:
        super().__init__({"starts_at": [refusal.message]}, code=refusal.code)
        self.refusal = refusal
        self.alternatives = alternatives


class SeriesConflicts(ValidationError):
    """Some occurrences of a series cannot be booked; nothing was written. ``conflicts``: (start, refusal)."""

    def __init__(self, conflicts: list[tuple[datetime, slots.Refusal]]) -> None:
        lines = [
            _("%(when)s: %(reason)s")
            % {"when": formats.date_format(timezone.localtime(when), "DATETIME_FORMAT"), "reason": refusal.message}
            for when, refusal in conflicts
        ]
        super().__init__({"starts_at": lines}, code="series_conflicts")
        self.conflicts = conflicts


@dataclass
class Booking:
    """A booked (or moved) appointment, plus warnings that did not stop it (the client's other bookings)."""

    appointment: Appointment
    warnings: list[str] = field(default_factory=list)


@dataclass
class SeriesBooking:
    series: AppointmentSeries
    appointments: list[Appointment]
    skipped: list[tuple[datetime, slots.Refusal]]
    warnings: list[str] = field(default_factory=list)


# Called (after commit) with an appointment whose slot just became free: the waitlist hooks in here.
_SLOT_FREED: list[Callable[[Appointment, datetime, datetime], None]] = []


def register_slot_freed(callback: Callable[[Appointment, datetime, datetime], None]) -> None:
    """``callback(appointment, starts_at, ends_at)`` runs after the commit that freed that slot of its resource."""
    if callback not in _SLOT_FREED:
        _SLOT_FREED.append(callback)


def _slot_freed(appointment: Appointment, starts_at: datetime, ends_at: datetime) -> None:
    def notify(callback: Callable[[Appointment, datetime, datetime], None]) -> Callable[[], None]:
        return lambda: callback(appointment, starts_at, ends_at)

    for callback in list(_SLOT_FREED):
        transaction.on_commit(notify(callback))


# --- resources, hours, absences, closures ------------------------------------------------------


def _validate_resource(resource: Resource, visit_types: Sequence[VisitType]) -> None:
    errors: dict[str, list[str]] = {}
    organisation_id = resource.branch.organisation_id
    staff: StaffMember | None = resource.staff_member
    if staff is not None and staff.organisation_id != organisation_id:
        errors.setdefault("staff_member", []).append(_("Choose a staff member of this organisation."))
    room: Room | None = resource.room
    if room is not None and room.branch_id != resource.branch_id:
        errors.setdefault("room", []).append(_("Choose a room of this branch."))
    if any(visit_type.organisation_id != organisation_id for visit_type in visit_types):
        errors.setdefault("visit_types", []).append(_("Choose visit types of this organisation."))
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def resource_create(
    *,
    branch: Branch,
    actor: Any,
    name: str,
    kind: str,
    staff_member: StaffMember | None = None,
    room: Room | None = None,
    visit_types: Sequence[VisitType] = (),
    is_active: bool = True,
) -> Resource:
    """A new calendar at ``branch``; it has no working hours until ``working_hours_set``."""
    resource = Resource(
        organisation_id=branch.organisation_id,
        branch=branch,
        name=name.strip(),
        kind=kind,
        staff_member=staff_member,
        room=room,
        is_active=is_active,
        updated_by=signed_in_user(actor),
    )
    _validate_resource(resource, visit_types)
    resource.full_clean()
    resource.save()
    resource.visit_types.set(visit_types)
    audit(
        actor=actor,
        action="resource.create",
        target=resource,
        organisation=branch.organisation,
        branch=branch,
        summary=resource.name,
    )
    return resource


@transaction.atomic
def resource_update(
    *,
    resource: Resource,
    actor: Any,
    expected_version: int | None,
    visit_types: Sequence[VisitType] | None = None,
    **changes: Any,
) -> Resource:
    """Change a resource's details (``RESOURCE_FIELDS``) and, when given, its visit types. Versioned."""
    resource = (
        Resource.objects.select_for_update(of=("self",)).select_related("branch__organisation").get(pk=resource.pk)
    )
    check_version(resource, expected_version)
    unknown = set(changes) - set(RESOURCE_FIELDS)
    if unknown:
        raise ValueError(f"not resource fields: {sorted(unknown)}")
    for name, value in changes.items():
        setattr(resource, name, value.strip() if name == "name" else value)
    chosen = list(visit_types) if visit_types is not None else list(resource.visit_types.all())
    _validate_resource(resource, chosen)
    bump_version(resource, user=actor)
    resource.full_clean()
    resource.save()
    if visit_types is not None:
        resource.visit_types.set(chosen)
    audit(
        actor=actor,
        action="resource.update",
        target=resource,
        organisation=resource.branch.organisation,
        branch=resource.branch,
        summary=resource.name,
        data={"changed": sorted(changes) + (["visit_types"] if visit_types is not None else [])},
    )
    return resource


@transaction.atomic
def working_hours_set(
    *, resource: Resource, actor: Any, ranges: Sequence[tuple[int, time, time]]
) -> list[WorkingHours]:
    """Replace the resource's weekly hours with ``ranges`` ((weekday 0=Monday, start, end), local time)."""
    resource = (
        Resource.objects.select_for_update(of=("self",)).select_related("branch__organisation").get(pk=resource.pk)
    )
    errors: list[str] = []
    by_day: dict[int, list[tuple[time, time]]] = {}
    for weekday, start, end in ranges:
        if not 0 <= weekday <= 6:
            errors.append(_("Unknown weekday."))
            continue
        if end <= start:
            errors.append(_("A working range must end after it starts."))
            continue
        by_day.setdefault(weekday, []).append((start, end))
    for day_ranges in by_day.values():
        day_ranges.sort()
        if any(later[0] < earlier[1] for earlier, later in pairwise(day_ranges)):
            errors.append(_("Working ranges of one day must not overlap."))
            break
    if errors:
        raise ValidationError({"hours": errors})
    WorkingHours.objects.filter(resource=resource).delete()
    rows = WorkingHours.objects.bulk_create(
        WorkingHours(resource=resource, weekday=weekday, starts_at=start, ends_at=end)
        for weekday, day_ranges in sorted(by_day.items())
        for start, end in day_ranges
    )
    bump_version(resource, user=actor)
    resource.save(update_fields=["version", "updated_by", "updated_at"])
    audit(
        actor=actor,
        action="resource.hours",
        target=resource,
        organisation=resource.branch.organisation,
        branch=resource.branch,
        summary=resource.name,
        data={"ranges": [[row.weekday, f"{row.starts_at:%H:%M}", f"{row.ends_at:%H:%M}"] for row in rows]},
    )
    return rows


@transaction.atomic
def absence_add(
    *, resource: Resource, actor: Any, starts_at: datetime, ends_at: datetime, reason: str = ""
) -> ResourceAbsence:
    """The resource is away from ``starts_at`` to ``ends_at``. Appointments already booked then are not touched:
    the page lists them so that the clerk can move them."""
    absence = ResourceAbsence(
        resource=resource, starts_at=starts_at, ends_at=ends_at, reason=reason.strip(), created_by=signed_in_user(actor)
    )
    absence.full_clean()
    absence.save()
    audit(
        actor=actor,
        action="resource.absence_add",
        target=resource,
        organisation=resource.branch.organisation,
        branch=resource.branch,
        summary=resource.name,
        data={"from": starts_at.isoformat(), "until": ends_at.isoformat(), "reason": absence.reason},
    )
    return absence


@transaction.atomic
def absence_remove(*, absence: ResourceAbsence, actor: Any) -> None:
    resource = absence.resource
    absence.delete()
    audit(
        actor=actor,
        action="resource.absence_remove",
        target=resource,
        organisation=resource.branch.organisation,
        branch=resource.branch,
        summary=resource.name,
    )


@transaction.atomic
def closure_add(*, branch: Branch, actor: Any, day: date, reason: str = "") -> BranchClosure:
    """The whole branch is closed on ``day``: nothing can be booked then."""
    closure = BranchClosure(branch=branch, date=day, reason=reason.strip())
    closure.full_clean()
    closure.save()
    audit(
        actor=actor,
        action="branch.closure_add",
        target=branch,
        organisation=branch.organisation,
        branch=branch,
        summary=day.isoformat(),
        data={"reason": closure.reason},
    )
    return closure


@transaction.atomic
def closure_remove(*, closure: BranchClosure, actor: Any) -> None:
    branch = closure.branch
    day = closure.date
    closure.delete()
    audit(
        actor=actor,
        action="branch.closure_remove",
        target=branch,
        organisation=branch.organisation,
        branch=branch,
        summary=day.isoformat(),
    )


# --- appointments ------------------------------------------------------------------------------


def _locked_resource(resource: Resource) -> Resource:
    return (
        Resource.objects.select_for_update(of=("self",))
        .select_related("branch__organisation", "staff_member")
        .get(pk=resource.pk)
    )


def _locked_appointment(appointment: Appointment) -> Appointment:
    return (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("branch__organisation", "resource__branch", "client", "visit_type", "updated_by")
        .get(pk=appointment.pk)
    )


def alternatives_for(
    *, resource: Resource, visit_type: VisitType, after: datetime, duration: timedelta, exclude: int | None = None
) -> list[slots.Slot]:
    """The nearest free slots: with the same resource first, then any resource that does the visit type."""
    found = slots.find_slots(
        branch=resource.branch, visit_type=visit_type, resource=resource, after=after, duration=duration,
        count=3, exclude=exclude,
    )  # fmt: skip
    found += slots.find_slots(
        branch=resource.branch, visit_type=visit_type, after=after, duration=duration, count=ALTERNATIVES,
        exclude=exclude,
    )  # fmt: skip
    unique = {(slot.resource_id, slot.starts_at): slot for slot in found}
    return sorted(unique.values(), key=lambda slot: (slot.starts_at, slot.resource_name))[:ALTERNATIVES]


def _ensure_free(
    resource: Resource,
    visit_type: VisitType,
    starts_at: datetime,
    ends_at: datetime,
    *,
    exclude: int | None = None,
    allow_past: bool = False,
) -> None:
    refusal = None
    if not allow_past and starts_at < timezone.now() - timedelta(minutes=5):
        refusal = slots.Refusal("past", _("This time has already passed."))
    else:
        refusal = slots.refusal_for(
            resource=resource, visit_type=visit_type, starts_at=starts_at, ends_at=ends_at, exclude=exclude
        )
    if refusal is not None:
        raise SlotUnavailable(
            refusal,
            alternatives_for(
                resource=resource, visit_type=visit_type, after=starts_at, duration=ends_at - starts_at, exclude=exclude
            ),
        )


def _save_guarded(appointment: Appointment, visit_type: VisitType, *, exclude: int | None = None) -> None:
    """Save; an overlap refused by the database (PostgreSQL's exclusion constraint) becomes ``SlotUnavailable``."""
    try:
        with transaction.atomic():
            appointment.save()
    except IntegrityError as error:
        if "appointment_no_double_booking" not in str(error):
            raise
        resource = appointment.resource
        raise SlotUnavailable(
            slots.slot_taken(resource, appointment.starts_at, appointment.ends_at),
            alternatives_for(
                resource=resource,
                visit_type=visit_type,
                after=appointment.starts_at,
                duration=appointment.ends_at - appointment.starts_at,
                exclude=exclude,
            ),
        ) from None


def client_overlaps(*, appointment: Appointment) -> list[str]:
    """Warnings: the client's other slot-holding appointments at the same time (any resource, any branch)."""
    others = (
        Appointment.objects.filter(
            client_id=appointment.client_id,
            status__in=SLOT_HOLDING,
            starts_at__lt=appointment.ends_at,
            ends_at__gt=appointment.starts_at,
        )
        .exclude(pk=appointment.pk)
        .select_related("resource")
        .order_by("starts_at")
    )
    return [
        _("The client has another appointment then: %(when)s with %(resource)s.")
        % {
            "when": formats.date_format(timezone.localtime(other.starts_at), "DATETIME_FORMAT"),
            "resource": other.resource.name,
        }
        for other in others
    ]


def client_and_visit_type_errors(organisation_id: int, client: Client, visit_type: VisitType) -> dict[str, list[str]]:
    """Field errors when the client or the visit type cannot be booked in the organisation (the waitlist asks too)."""
    errors: dict[str, list[str]] = {}
    if client.organisation_id != organisation_id:
        errors["client"] = [_("Choose a client of this organisation.")]
    elif not client.is_active_record:
        errors["client"] = [_("This client was merged or erased; choose the current record.")]
    if visit_type.organisation_id != organisation_id:
        errors["visit_type"] = [_("Choose a visit type of this organisation.")]
    elif not visit_type.is_active:
        errors["visit_type"] = [_("This visit type is no longer offered.")]
    return errors


def _validate_booking(resource: Resource, client: Client, visit_type: VisitType) -> None:
    errors = client_and_visit_type_errors(resource.branch.organisation_id, client, visit_type)
    if not resource.branch.is_active:
        errors["resource"] = [_("This branch is closed for good.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def appointment_book(
    *,
    resource: Resource,
    client: Client,
    visit_type: VisitType,
    starts_at: datetime,
    actor: Any,
    ends_at: datetime | None = None,
    note: str = "",
    series: AppointmentSeries | None = None,
    allow_past: bool = False,
) -> Booking:
    """Book ``resource`` for ``client`` from ``starts_at`` (until the visit type's duration later by default).

    Raises ``SlotUnavailable`` (the reason and the nearest free slots) when the branch is closed, the
    resource does not work then, is away or is booked. A client booked elsewhere at the same time is a
    warning on the returned ``Booking``, not a refusal (a family member may come along).
    """
    resource = _locked_resource(resource)
    _validate_booking(resource, client, visit_type)
    ends_at = ends_at or starts_at + timedelta(minutes=visit_type.duration_minutes)
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": [_("An appointment must end after it starts.")]})
    _ensure_free(resource, visit_type, starts_at, ends_at, allow_past=allow_past)
    now = timezone.now()
    user = signed_in_user(actor)
    appointment = Appointment(
        organisation_id=resource.organisation_id,
        branch_id=resource.branch_id,
        resource=resource,
        client=client,
        visit_type=visit_type,
        starts_at=starts_at,
        ends_at=ends_at,
        status=S.BOOKED,
        booked_at=now,
        note=note.strip(),
        created_by=user,
        series=series,
        updated_by=user,
        check_in_code=_new_check_in_code(resource.organisation_id),
    )
    appointment.full_clean()
    _save_guarded(appointment, visit_type)
    audit(
        actor=actor,
        action="appointment.book",
        target=appointment,
        organisation=resource.branch.organisation,
        branch=resource.branch,
        summary=f"{resource.name} {timezone.localtime(starts_at, slots.zone_of(resource.branch)):%Y-%m-%d %H:%M}",
        data={"resource": resource.pk, "client": client.pk, "visit_type": visit_type.pk},
    )
    # A series is confirmed once, with its first occurrence.
    first_of_series = (
        series is None or not Appointment.objects.filter(series=series).exclude(pk=appointment.pk).exists()
    )
    services_reminders.appointment_scheduled(appointment=appointment, confirm=first_of_series)
    return Booking(appointment, client_overlaps(appointment=appointment))


def _new_check_in_code(organisation_id: int) -> str:
    """A random code not used by another appointment of the organisation (collisions are rare: 25^8 codes)."""
    while True:
        code = appointment_links.new_code()
        if not Appointment.objects.filter(organisation_id=organisation_id, check_in_code=code).exists():
            return code


@transaction.atomic
def appointment_move(
    *,
    appointment: Appointment,
    actor: Any,
    starts_at: datetime,
    resource: Resource | None = None,
    expected_version: int | None = None,
) -> Booking:
    """Reschedule to ``starts_at`` (keeping the length), optionally on another resource. History keeps the old time."""
    appointment = _locked_appointment(appointment)
    check_version(appointment, expected_version)
    if appointment.status not in MOVABLE:
        raise ValidationError(_("Only a booked appointment can be moved."), code="not_movable")
    target = _locked_resource(resource or appointment.resource)
    if target.branch_id != appointment.branch_id:
        raise ValidationError({"resource": [_("Choose a resource of the same branch.")]})
    length = appointment.ends_at - appointment.starts_at
    old = (appointment.resource_id, appointment.starts_at, appointment.ends_at)
    if (target.pk, starts_at) == (old[0], old[1]):
        return Booking(appointment, [])
    _ensure_free(target, appointment.visit_type, starts_at, starts_at + length, exclude=appointment.pk)
    appointment.resource = target
    appointment.starts_at = starts_at
    appointment.ends_at = starts_at + length
    bump_version(appointment, user=actor)
    appointment.full_clean()
    _save_guarded(appointment, appointment.visit_type, exclude=appointment.pk)
    audit(
        actor=actor,
        action="appointment.move",
        target=appointment,
        organisation=appointment.branch.organisation,
        branch=appointment.branch,
        summary=_("Appointment moved"),
        data={
            "from": {"resource": old[0], "starts_at": old[1].isoformat()},
            "to": {"resource": target.pk, "starts_at": starts_at.isoformat()},
        },
    )
    services_reminders.appointment_scheduled(appointment=appointment, confirm=False)
    _slot_freed(appointment, old[1], old[2])
    return Booking(appointment, client_overlaps(appointment=appointment))


@transaction.atomic
def appointment_update(*, appointment: Appointment, actor: Any, note: str, expected_version: int | None) -> Appointment:
    """Change the appointment's note. Versioned; times and resources change through ``appointment_move``."""
    appointment = _locked_appointment(appointment)
    check_version(appointment, expected_version)
    appointment.note = note.strip()
    bump_version(appointment, user=actor)
    appointment.full_clean()
    appointment.save()
    audit(
        actor=actor,
        action="appointment.update",
        target=appointment,
        organisation=appointment.branch.organisation,
        branch=appointment.branch,
        summary=_("Appointment note changed"),
    )
    return appointment


def _transition(appointment: Appointment, to_status: str, actor: Any, *, reason: str = "") -> None:
    from_status = appointment.status
    appointment.status = to_status
    stamp = TIMESTAMP_OF.get(S(to_status))
    if stamp:
        setattr(appointment, stamp, timezone.now())
    bump_version(appointment, user=actor)
    appointment.full_clean()
    appointment.save()
    audit(
        actor=actor,
        action=f"appointment.{to_status}",
        target=appointment,
        organisation=appointment.branch.organisation,
        branch=appointment.branch,
        summary=f"{S(from_status).label} → {S(to_status).label}",
        data={"from": from_status, "to": to_status, "reason": reason},
    )


@transaction.atomic
def appointment_cancel(
    *, appointment: Appointment, actor: Any, reason: str, expected_version: int | None = None
) -> Appointment:
    """Cancel with a reason; the slot is free at once (the waitlist is told after the commit)."""
    appointment = _locked_appointment(appointment)
    check_version(appointment, expected_version)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the appointment is cancelled.")]})
    if appointment.status not in CANCELLABLE:
        raise ValidationError(
            _("An appointment that is %(status)s cannot be cancelled.")
            % {"status": appointment.get_status_display().lower()},
            code="not_cancellable",
        )
    appointment.cancellation_reason = reason[:300]
    _transition(appointment, S.CANCELLED, actor, reason=reason)
    services_reminders.appointment_closed(appointment=appointment)
    _slot_freed(appointment, appointment.starts_at, appointment.ends_at)
    return appointment


@transaction.atomic
def appointment_mark_noshow(
    *, appointment: Appointment, actor: Any, expected_version: int | None = None
) -> Appointment:
    """The client did not come. Only once the appointment has started."""
    appointment = _locked_appointment(appointment)
    check_version(appointment, expected_version)
    if appointment.status != S.BOOKED:
        raise ValidationError(_("Only a booked appointment can be marked as a no-show."), code="not_booked")
    if appointment.starts_at > timezone.now():
        raise ValidationError(_("The appointment has not started yet."), code="not_started")
    _transition(appointment, S.NOSHOW, actor)
    services_reminders.appointment_closed(appointment=appointment)
    _slot_freed(appointment, appointment.starts_at, appointment.ends_at)
    return appointment


@transaction.atomic
def appointment_arrive(*, appointment: Appointment, actor: Any, expected_version: int | None = None) -> Appointment:
    """The client is here: the appointment is ``arrived`` and a desk visit is opened through the desk's services.

    A clinic visit is opened and moved to "arrived" (``services.visit_transition``, so its guards run);
    a shop or office visit is opened. Hotel stays are checked in on the stay itself, not here.
    """
    appointment = _locked_appointment(appointment)
    check_version(appointment, expected_version)
    if appointment.status not in (S.BOOKED, S.PENDING):
        raise ValidationError(_("Only a booked appointment can be checked in."), code="not_booked")
    visit_type = appointment.visit_type
    if visit_type.vertical != BusinessKind.HOTEL and appointment.visit_id is None:
        staff = appointment.resource.staff_member
        roles = visit_type.performed_by_roles
        practitioner = (
            staff
            if visit_type.vertical == BusinessKind.CLINIC
            and staff is not None
            and (not roles or set(roles) & set(staff.role_codes))
            else None
        )
        visit = services.visit_create(
            branch=appointment.branch,
            actor=actor,
            client=appointment.client,
            visit_type=visit_type,
            data=services.VisitData(
                scheduled_at=appointment.starts_at, practitioner=practitioner, notes=appointment.note
            ),
        )
        if visit_type.vertical == BusinessKind.CLINIC:
            visit = services.visit_transition(visit=visit, to_status=VisitStatus.ARRIVED, actor=actor)
        appointment.visit = visit
    _transition(appointment, S.ARRIVED, actor)
    services_reminders.appointment_closed(appointment=appointment)
    _queue_ticket(appointment, actor)
    return appointment


def _queue_ticket(appointment: Appointment, actor: Any) -> None:
    """Put the person in the walk-in queue at their slot time, when a service of the branch serves the visit type.

    Only on the appointment's own day (a ticket's number belongs to one day).
    """
    from .models import QueueService
    from .models.queue import TicketSource

    if (
        services.branch_today(appointment.branch)
        != timezone.localtime(appointment.starts_at, slots.zone_of(appointment.branch)).date()
    ):
        return
    service = (
        QueueService.objects.filter(branch_id=appointment.branch_id, is_active=True, visit_types=appointment.visit_type)
        .order_by("position", "name", "pk")
        .first()
    )
    if service is None or appointment.tickets.exists():
        return
    from . import services_queue

    services_queue.ticket_issue(
        service=service,
        actor=actor,
        client=appointment.client,
        due_at=appointment.starts_at,
        source=TicketSource.APPOINTMENT,
        appointment=appointment,
    )


@transaction.atomic
def appointment_confirm(*, appointment: Appointment, actor: Any) -> Appointment:
    """The client said they will come (by their link, or the clerk on their word). Repeating is harmless."""
    appointment = _locked_appointment(appointment)
    if appointment.status not in (S.BOOKED, S.PENDING):
        raise ValidationError(_("Only a booked appointment can be confirmed."), code="not_booked")
    if appointment.confirmed_at is not None:
        return appointment
    appointment.confirmed_at = timezone.now()
    bump_version(appointment, user=actor)
    appointment.save()
    audit(
        actor=actor,
        action="appointment.confirm",
        target=appointment,
        organisation=appointment.branch.organisation,
        branch=appointment.branch,
        summary=_("Appointment confirmed by the client"),
    )
    return appointment


@transaction.atomic
def appointment_fulfil(*, appointment: Appointment, actor: Any) -> Appointment:
    """The appointment took place."""
    appointment = _locked_appointment(appointment)
    if appointment.status != S.ARRIVED:
        raise ValidationError(_("Only an appointment whose client arrived can be fulfilled."), code="not_arrived")
    _transition(appointment, S.FULFILLED, actor)
    return appointment


# --- recurring series --------------------------------------------------------------------------


def occurrences(
    *, first: datetime, zone: Any, rule: str, interval: int, count: int | None, until: date | None
) -> list[datetime]:
    """The starts of a series: same local time of day (across daylight-saving changes), every N days or weeks."""
    if interval < 1:
        raise ValidationError({"interval": [_("Repeat at least every 1.")]})
    if count is None and until is None:
        raise ValidationError({"count": [_("Give the number of occurrences or the last day.")]})
    if count is not None and not 1 <= count <= MAX_OCCURRENCES:
        raise ValidationError({"count": [_("Between 1 and %(max)s occurrences.") % {"max": MAX_OCCURRENCES}]})
    local = timezone.localtime(first, zone)
    step = timedelta(days=interval * (7 if rule == RepeatRule.WEEKLY else 1))
    if until is not None and until < local.date():
        raise ValidationError({"until": [_("The last day is before the first occurrence.")]})
    result: list[datetime] = []
    day = local.date()
    while len(result) < (count or MAX_OCCURRENCES) and (until is None or day <= until):
        result.append(datetime.combine(day, local.time(), tzinfo=zone))
        day += step
    if until is not None and count is None and day <= until:
        raise ValidationError({"until": [_("At most %(max)s occurrences in one series.") % {"max": MAX_OCCURRENCES}]})
    return result


@transaction.atomic
def series_book(
    *,
    resource: Resource,
    client: Client,
    visit_type: VisitType,
    starts_at: datetime,
    actor: Any,
    rule: str = RepeatRule.WEEKLY,
    interval: int = 1,
    count: int | None = None,
    until: date | None = None,
    note: str = "",
    skip_conflicts: bool = False,
) -> SeriesBooking:
    """Book a recurring series; every occurrence is its own appointment, linked to the series.

    When some occurrences are not free, nothing is booked and ``SeriesConflicts`` lists them, unless
    ``skip_conflicts``: then the free ones are booked and the others reported (and kept on the series).
    """
    resource = _locked_resource(resource)
    _validate_booking(resource, client, visit_type)
    zone = slots.zone_of(resource.branch)
    starts = occurrences(first=starts_at, zone=zone, rule=rule, interval=interval, count=count, until=until)
    length = timedelta(minutes=visit_type.duration_minutes)
    conflicts: list[tuple[datetime, slots.Refusal]] = []
    for start in starts:
        refusal = (
            slots.Refusal("past", _("This time has already passed."))
            if start < timezone.now() - timedelta(minutes=5)
            else slots.refusal_for(resource=resource, visit_type=visit_type, starts_at=start, ends_at=start + length)
        )
        if refusal is not None:
            conflicts.append((start, refusal))
    if conflicts and not skip_conflicts:
        raise SeriesConflicts(conflicts)
    if len(conflicts) == len(starts):
        raise SeriesConflicts(conflicts)
    user = signed_in_user(actor)
    series = AppointmentSeries(
        organisation_id=resource.organisation_id,
        branch_id=resource.branch_id,
        rule=rule,
        interval=interval,
        count=count,
        until=until,
        skipped=[{"starts_at": start.isoformat(), "reason": refusal.message} for start, refusal in conflicts],
        created_by=user,
        updated_by=user,
    )
    series.full_clean()
    series.save()
    skipped = {start for start, _refusal in conflicts}
    booked: list[Appointment] = []
    warnings: list[str] = []
    for start in starts:
        if start in skipped:
            continue
        booking = appointment_book(
            resource=resource,
            client=client,
            visit_type=visit_type,
            starts_at=start,
            actor=actor,
            note=note,
            series=series,
        )
        booked.append(booking.appointment)
        warnings += booking.warnings
    audit(
        actor=actor,
        action="appointment.series_book",
        target=series,
        organisation=resource.branch.organisation,
        branch=resource.branch,
        summary=_("Recurring series booked"),
        data={"booked": len(booked), "skipped": len(conflicts)},
    )
    return SeriesBooking(series, booked, conflicts, warnings)


@transaction.atomic
def series_cancel_following(*, appointment: Appointment, actor: Any, reason: str) -> list[Appointment]:
    """Cancel this occurrence and every later one of its series that is still cancellable."""
    if appointment.series_id is None:
        raise ValidationError(_("This appointment is not part of a series."), code="no_series")
    later = Appointment.objects.filter(
        series_id=appointment.series_id, starts_at__gte=appointment.starts_at, status__in=CANCELLABLE
    ).order_by("starts_at")
    return [appointment_cancel(appointment=item, actor=actor, reason=reason) for item in later]


# --- the client's own actions (their link, the lobby kiosk) -----------------------------------------


@transaction.atomic
def appointment_self_check_in(*, appointment: Appointment, now: datetime | None = None) -> Appointment:
    """The client checks themself in (their link or the kiosk): only from an hour before to 15 minutes after
    the start. Then as at the desk: the appointment is arrived, a visit opened, a queue ticket issued."""
    now = now or timezone.now()
    if appointment.status not in (S.BOOKED, S.PENDING):
        raise ValidationError(_("This appointment cannot be checked in any more."), code="not_booked")
    if not appointment_links.can_check_in_at(appointment, now):
        opens, _closes = appointment_links.check_in_window(appointment)
        if now < opens:
            raise ValidationError(
                _("Check-in opens at %(time)s. Please come back then, or ask at the desk.")
                % {"time": formats.time_format(timezone.localtime(opens, slots.zone_of(appointment.branch)))},
                code="too_early",
            )
        raise ValidationError(_("It is too late to check in by yourself. Please ask at the desk."), code="too_late")
    return appointment_arrive(appointment=appointment, actor=None)
