"""Every write of the desk: visit types, rooms, visits, their transitions, guests and line items.

Each function is keyword-only, atomic, validates with ``full_clean`` and writes its
audit entry in the same transaction. Status changes go through ``visit_transition``
only (see ``workflow.py`` for the state machines and the hooks).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from frontoffice.accounts.models import StaffMember
from frontoffice.clients.models import Client
from frontoffice.core.audit import audit, signed_in_user
from frontoffice.core.choices import BusinessKind
from frontoffice.core.concurrency import bump_version, check_version
from frontoffice.core.models import Branch, Organisation
from frontoffice.core.numbering import next_number

from . import reporting, workflow
from .choices import VatRate, VisitStatus
from .models import IntakeForm, Room, Visit, VisitGuest, VisitLine, VisitRoomChange, VisitStatusChange, VisitType
from .pricing import line_totals

VISIT_NUMBER_PREFIX = "V"
CHECK_IN_TIME = time(14, 0)  # a stay's ``scheduled_at``: the arrival day at the usual check-in hour
ROOM_HOLDING = (VisitStatus.BOOKED, VisitStatus.CHECKED_IN)
VISIT_TYPE_FIELDS = (
    "name",
    "vertical",
    "duration_minutes",
    "price",
    "vat_rate",
    "coverage_required",
    "intake_form",
    "performed_by_roles",
    "is_active",
)
ROOM_FIELDS = ("number", "floor", "kind", "capacity", "is_active")


# --- visit types ------------------------------------------------------------------------------


@transaction.atomic
def visit_type_create(
    *,
    organisation: Organisation,
    actor: Any,
    name: str,
    vertical: str,
    duration_minutes: int = 30,
    price: Decimal = Decimal("0.00"),
    vat_rate: str = VatRate.STANDARD,
    coverage_required: bool = False,
    intake_form: IntakeForm | None = None,
    performed_by_roles: Iterable[str] = (),
    is_active: bool = True,
) -> VisitType:
    visit_type = VisitType(
        organisation=organisation,
        name=name.strip(),
        vertical=vertical,
        duration_minutes=duration_minutes,
        price=price,
        vat_rate=vat_rate,
        coverage_required=coverage_required,
        intake_form=intake_form,
        performed_by_roles=sorted(set(performed_by_roles)),
        is_active=is_active,
        updated_by=signed_in_user(actor),
    )
    visit_type.full_clean()
    visit_type.save()
    audit(
        actor=actor, action="visit_type.create", target=visit_type, organisation=organisation, summary=visit_type.name
    )
    return visit_type


@transaction.atomic
def visit_type_update(*, visit_type: VisitType, actor: Any, expected_version: int | None, **changes: Any) -> VisitType:
    """Change the fields named in ``changes`` (any of ``VISIT_TYPE_FIELDS``); a stale version is refused."""
    unknown = set(changes) - set(VISIT_TYPE_FIELDS)
    if unknown:
        raise TypeError(f"visit_type_update() got unknown fields: {sorted(unknown)}")
    visit_type = VisitType.objects.select_for_update().get(pk=visit_type.pk)
    check_version(visit_type, expected_version)
    if "performed_by_roles" in changes:
        changes["performed_by_roles"] = sorted(set(changes["performed_by_roles"]))
    if "name" in changes:
        changes["name"] = changes["name"].strip()
    if changes.get("vertical", visit_type.vertical) != visit_type.vertical and visit_type.visits.exists():
        raise ValidationError(
            {"vertical": _("Visits of this type already exist; their statuses depend on the kind of business.")}
        )
    changed = [name for name, value in changes.items() if getattr(visit_type, name) != value]
    for name, value in changes.items():
        setattr(visit_type, name, value)
    bump_version(visit_type, user=actor)
    visit_type.full_clean()
    visit_type.save()
    audit(
        actor=actor,
        action="visit_type.update",
        target=visit_type,
        organisation=visit_type.organisation,
        summary=visit_type.name,
        data={"changed": changed},
    )
    return visit_type


@transaction.atomic
def visit_type_deactivate(*, visit_type: VisitType, actor: Any) -> VisitType:
    """New visits can no longer use the type; existing visits keep it."""
    visit_type = VisitType.objects.select_for_update().get(pk=visit_type.pk)
    if not visit_type.is_active:
        return visit_type
    visit_type.is_active = False
    bump_version(visit_type, user=actor)
    visit_type.save()
    audit(
        actor=actor,
        action="visit_type.deactivate",
        target=visit_type,
        organisation=visit_type.organisation,
        summary=visit_type.name,
    )
    return visit_type


# --- rooms ------------------------------------------------------------------------------------


@transaction.atomic
def room_create(
    *,
    branch: Branch,
    actor: Any,
    number: str,
    floor: int = 0,
    kind: str = "double",
    capacity: int = 2,
    is_active: bool = True,
) -> Room:
    room = Room(
        branch=branch,
        number=number.strip(),
        floor=floor,
        kind=kind,
        capacity=capacity,
        is_active=is_active,
        updated_by=signed_in_user(actor),
    )
    room.full_clean()
    room.save()
    audit(
        actor=actor,
        action="room.create",
        target=room,
        organisation=branch.organisation,
        branch=branch,
        summary=_("Room %(number)s") % {"number": room.number},
    )
    return room


@transaction.atomic
def room_update(*, room: Room, actor: Any, expected_version: int | None, **changes: Any) -> Room:
    """Change the fields named in ``changes`` (any of ``ROOM_FIELDS``); a stale version is refused."""
    unknown = set(changes) - set(ROOM_FIELDS)
    if unknown:
        raise TypeError(f"room_update() got unknown fields: {sorted(unknown)}")
    room = Room.objects.select_for_update(of=("self",)).select_related("branch__organisation").get(pk=room.pk)
    check_version(room, expected_version)
    if "number" in changes:
        changes["number"] = changes["number"].strip()
    changed = [name for name, value in changes.items() if getattr(room, name) != value]
    for name, value in changes.items():
        setattr(room, name, value)
    bump_version(room, user=actor)
    room.full_clean()
    room.save()
    audit(
        actor=actor,
        action="room.update",
        target=room,
        organisation=room.branch.organisation,
        branch=room.branch,
        summary=_("Room %(number)s") % {"number": room.number},
        data={"changed": changed},
    )
    return room


# --- visits -----------------------------------------------------------------------------------


@dataclass
class VisitData:
    """What a clerk fills in on a visit: the common fields and each vertical's details."""

    scheduled_at: datetime | None = None
    responsible: StaffMember | None = None
    notes: str = ""
    # clinic
    reason: str = ""
    practitioner: StaffMember | None = None
    referral_number: str = ""
    # hotel
    arrival_date: date | None = None
    departure_date: date | None = None
    room: Room | None = None


VISIT_FIELDS = tuple(item.name for item in fields(VisitData))
CLINIC_ONLY = ("reason", "practitioner", "referral_number")
HOTEL_ONLY = ("arrival_date", "departure_date", "room")


def _zone(branch: Branch) -> ZoneInfo:
    return ZoneInfo(branch.time_zone)


def branch_today(branch: Branch) -> date:
    return timezone.localdate(timezone.now(), _zone(branch))


def _apply(visit: Visit, data: VisitData) -> None:
    for name in VISIT_FIELDS:
        setattr(visit, name, getattr(data, name))
    if visit.vertical == BusinessKind.HOTEL and visit.arrival_date is not None:
        # A stay is listed on its arrival day, at the usual check-in hour of the branch.
        visit.scheduled_at = datetime.combine(visit.arrival_date, CHECK_IN_TIME, tzinfo=_zone(visit.branch))
    elif visit.scheduled_at is None and visit.vertical in (BusinessKind.RETAIL, BusinessKind.OFFICE):
        visit.scheduled_at = timezone.now()  # a sale happens now unless it is planned


def _validate(visit: Visit) -> None:
    """The rules that cross records: organisation, branch, vertical details, room availability."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    organisation_id = visit.branch.organisation_id
    if visit.client.organisation_id != organisation_id:
        add("client", _("Choose a client of this organisation."))
    elif not visit.client.is_active_record:
        add("client", _("This client was merged or erased; choose the current record."))
    if visit.visit_type.organisation_id != organisation_id:
        add("visit_type", _("Choose a visit type of this organisation."))
    for name in ("responsible", "practitioner"):
        staff = getattr(visit, name)
        if staff is not None and staff.organisation_id != organisation_id:
            add(name, _("Choose a staff member of this organisation."))
    if visit.scheduled_at is None and visit.vertical == BusinessKind.CLINIC:
        add("scheduled_at", _("Enter the date and time of the visit."))
    if visit.vertical != BusinessKind.CLINIC:
        for name in CLINIC_ONLY:
            if getattr(visit, name):
                add(name, _("Only clinic visits have this detail."))
    if visit.vertical == BusinessKind.HOTEL:
        _validate_stay(visit, add)
    else:
        for name in HOTEL_ONLY:
            if getattr(visit, name):
                add(name, _("Only hotel stays have this detail."))
    roles = visit.visit_type.performed_by_roles
    if visit.practitioner is not None and roles and not set(roles) & set(visit.practitioner.role_codes):
        add("practitioner", _("This staff member does not hold a role that performs this visit type."))
    if errors:
        raise ValidationError(errors)


def _validate_stay(visit: Visit, add: Any) -> None:
    if visit.arrival_date is None:
        add("arrival_date", _("Enter the arrival date."))
    if visit.departure_date is None:
        add("departure_date", _("Enter the departure date."))
    if visit.arrival_date and visit.departure_date and visit.departure_date <= visit.arrival_date:
        add("departure_date", _("The departure must be after the arrival."))
    room = visit.room
    if room is None:
        return
    if room.branch_id != visit.branch_id:
        add("room", _("Choose a room of this branch."))
    elif not room.is_active:
        add("room", _("This room is out of use."))
    elif visit.arrival_date and visit.departure_date and visit.departure_date > visit.arrival_date:
        clash = _room_clash(room, visit.arrival_date, visit.departure_date, exclude=visit.pk)
        if clash is not None:
            add(
                "room",
                _("Room %(room)s is taken by stay %(number)s from %(arrival)s to %(departure)s.")
                % {
                    "room": room.number,
                    "number": clash.number,
                    "arrival": clash.arrival_date,
                    "departure": clash.departure_date,
                },
            )


def _room_clash(room: Room, arrival: date, departure: date, *, exclude: int | None) -> Visit | None:
    """Another booked or checked-in stay in ``room`` whose nights overlap ``[arrival, departure)``."""
    stays = Visit.objects.filter(
        room=room, status__in=ROOM_HOLDING, arrival_date__lt=departure, departure_date__gt=arrival
    )
    if exclude is not None:
        stays = stays.exclude(pk=exclude)
    return stays.order_by("arrival_date").first()


@transaction.atomic
def visit_create(
    *, branch: Branch, actor: Any, client: Client, visit_type: VisitType, data: VisitData | None = None
) -> Visit:
    """Open a visit, stay or transaction for ``client`` at ``branch``; numbered ``V-YYYY-NNNNNN``.

    A stay gets its client as the primary guest.
    """
    data = data or VisitData()
    now = timezone.now()
    visit = Visit(
        organisation=branch.organisation,
        branch=branch,
        client=client,
        visit_type=visit_type,
        vertical=visit_type.vertical,
        status=workflow.INITIAL[visit_type.vertical],
        status_changed_at=now,
        updated_by=signed_in_user(actor),
    )
    _apply(visit, data)
    if not visit_type.is_active:
        raise ValidationError({"visit_type": _("This visit type is no longer offered.")})
    if not branch.is_active:
        raise ValidationError(_("This branch is closed for good."))
    _validate(visit)
    visit.number = next_number(organisation=branch.organisation, prefix=VISIT_NUMBER_PREFIX)
    visit.full_clean(exclude=["number"])
    visit.save()
    VisitStatusChange.objects.create(visit=visit, to_status=visit.status, at=now, by=signed_in_user(actor))
    if visit.vertical == BusinessKind.HOTEL:
        VisitGuest.objects.create(visit=visit, client=client, is_primary=True)
    audit(
        actor=actor,
        action="visit.create",
        target=visit,
        organisation=branch.organisation,
        branch=branch,
        summary=f"{visit.number} {client.display_name}",
    )
    return visit


def _locked(visit: Visit) -> Visit:
    return (
        Visit.objects.select_for_update(of=("self",))
        .select_related("branch", "client", "visit_type", "room", "practitioner", "responsible")
        .get(pk=visit.pk)
    )


@transaction.atomic
def visit_update(*, visit: Visit, actor: Any, data: VisitData, expected_version: int | None) -> Visit:
    """Replace the visit's details with ``data``. A stale version is refused ("changed by X at T")."""
    visit = _locked(visit)
    check_version(visit, expected_version)
    if workflow.is_final(visit.vertical, visit.status):
        raise ValidationError(_("This visit is closed and can no longer be changed."))
    if visit.status == VisitStatus.CHECKED_IN and data.room != visit.room:
        raise ValidationError({"room": _("The guest is checked in: use “Change room” to move them.")})
    if visit.status == VisitStatus.CHECKED_IN and data.arrival_date != visit.arrival_date:
        raise ValidationError({"arrival_date": _("The guest has already arrived.")})
    changed = [name for name in VISIT_FIELDS if getattr(visit, name) != getattr(data, name)]
    _apply(visit, data)
    _validate(visit)
    bump_version(visit, user=actor)
    visit.full_clean()
    visit.save()
    audit(
        actor=actor,
        action="visit.update",
        target=visit,
        organisation=visit.organisation,
        branch=visit.branch,
        summary=visit.number,
        data={"changed": changed},
    )
    return visit


@transaction.atomic
def visit_transition(
    *, visit: Visit, to_status: str, actor: Any, reason: str = "", expected_version: int | None = None
) -> Visit:
    """Move the visit to ``to_status`` if its vertical's state machine and every registered guard allow it."""
    visit = _locked(visit)
    check_version(visit, expected_version)
    from_status = visit.status
    workflow.check_transition(visit.vertical, from_status, to_status)
    reason = reason.strip()
    if to_status in workflow.NEEDS_REASON and not reason:
        raise ValidationError({"reason": _("Say why.")})
    workflow.run_guards(visit, to_status, actor)
    now = timezone.now()
    if (
        to_status == VisitStatus.CHECKED_OUT
        and visit.departure_date
        and branch_today(visit.branch) < (visit.departure_date)
    ):
        visit.early_departure = True
    visit.status = to_status
    visit.status_changed_at = now
    bump_version(visit, user=actor)
    visit.save()
    VisitStatusChange.objects.create(
        visit=visit, from_status=from_status, to_status=to_status, at=now, by=signed_in_user(actor), reason=reason[:300]
    )
    if reporting.is_end(visit.vertical, to_status):
        reporting.visit_finished(visit, at=now, agent=signed_in_user(actor))
    audit(
        actor=actor,
        action=f"visit.{to_status}",
        target=visit,
        organisation=visit.organisation,
        branch=visit.branch,
        summary=f"{visit.number}: {VisitStatus(from_status).label} → {VisitStatus(to_status).label}",
        data={"from": from_status, "to": to_status, "reason": reason, "early_departure": visit.early_departure},
    )
    for hook in workflow.after_hooks_for(visit.vertical, to_status):
        hook(visit, to_status, actor)
    return visit


@transaction.atomic
def visit_room_change(*, visit: Visit, room: Room, actor: Any, reason: str = "") -> Visit:
    """Move a checked-in guest to another room for the rest of the stay; the move is recorded."""
    visit = _locked(visit)
    if visit.status != VisitStatus.CHECKED_IN:
        raise ValidationError(_("Only a checked-in guest can change rooms; before arrival, edit the stay."))
    if room.pk == visit.room_id:
        raise ValidationError({"room": _("The guest is already in this room.")})
    if room.branch_id != visit.branch_id:
        raise ValidationError({"room": _("Choose a room of this branch.")})
    if not room.is_active:
        raise ValidationError({"room": _("This room is out of use.")})
    today = branch_today(visit.branch)
    assert visit.departure_date is not None  # a checked-in stay always has its dates
    clash = _room_clash(room, max(today, visit.arrival_date or today), visit.departure_date, exclude=visit.pk)
    if clash is not None:
        raise ValidationError(
            {"room": _("Room %(room)s is taken by stay %(number)s.") % {"room": room.number, "number": clash.number}}
        )
    guests = visit.guests.count()
    if guests > room.capacity:
        raise ValidationError(
            {"room": _("Room %(room)s sleeps only %(beds)s.") % {"room": room.number, "beds": room.capacity}}
        )
    from_room = visit.room
    VisitRoomChange.objects.create(
        visit=visit, from_room=from_room, to_room=room, at=timezone.now(), by=signed_in_user(actor), reason=reason[:300]
    )
    visit.room = room
    bump_version(visit, user=actor)
    visit.save()
    audit(
        actor=actor,
        action="visit.room_change",
        target=visit,
        organisation=visit.organisation,
        branch=visit.branch,
        summary=f"{visit.number}: {from_room} → {room}",
        data={"from_room": from_room.pk if from_room else None, "to_room": room.pk, "reason": reason},
    )
    return visit


# --- guests of a stay -------------------------------------------------------------------------


@transaction.atomic
def visit_guest_add(*, visit: Visit, client: Client, actor: Any) -> VisitGuest:
    """Add another guest to a stay (each guest gets a registration card later)."""
    visit = _locked(visit)
    if visit.vertical != BusinessKind.HOTEL:
        raise ValidationError(_("Only hotel stays have guests."))
    if workflow.is_final(visit.vertical, visit.status):
        raise ValidationError(_("This stay is closed."))
    if client.organisation_id != visit.organisation_id or not client.is_active_record:
        raise ValidationError({"client": _("Choose a current client of this organisation.")})
    guests = list(visit.guests.all())
    if any(guest.client_id == client.pk for guest in guests):
        raise ValidationError(
            {"client": _("%(name)s is already a guest of this stay.") % {"name": client.display_name}}
        )
    if visit.room is not None and len(guests) + 1 > visit.room.capacity:
        raise ValidationError(
            {
                "client": _("Room %(room)s sleeps only %(beds)s.")
                % {"room": visit.room.number, "beds": visit.room.capacity}
            }
        )
    guest = VisitGuest.objects.create(visit=visit, client=client, is_primary=False)
    audit(
        actor=actor,
        action="visit.guest_add",
        target=visit,
        organisation=visit.organisation,
        branch=visit.branch,
        summary=f"{visit.number}: + {client.display_name}",
        data={"client": client.pk},
    )
    return guest


@transaction.atomic
def visit_guest_remove(*, guest: VisitGuest, actor: Any) -> None:
    visit = _locked(guest.visit)
    if guest.is_primary:
        raise ValidationError(_("The primary guest stays on the booking; open a new stay for someone else."))
    if workflow.is_final(visit.vertical, visit.status):
        raise ValidationError(_("This stay is closed."))
    name = guest.client.display_name
    guest.delete()
    audit(
        actor=actor,
        action="visit.guest_remove",
        target=visit,
        organisation=visit.organisation,
        branch=visit.branch,
        summary=f"{visit.number}: − {name}",
        data={"client": guest.client_id},
    )


# --- line items of a transaction --------------------------------------------------------------


def _editable_lines(visit: Visit) -> None:
    if not visit.has_lines:
        raise ValidationError(_("Only shop and office transactions have line items."))
    if visit.status != VisitStatus.OPEN:
        raise ValidationError(_("Line items can be changed only while the transaction is open."))


def _price(line: VisitLine) -> None:
    totals = line_totals(quantity=line.quantity, unit_price=line.unit_price, vat_rate=line.vat_rate)
    line.total_net, line.total_vat, line.total_gross = totals.net, totals.vat, totals.gross


@transaction.atomic
def visit_line_add(
    *,
    visit: Visit,
    actor: Any,
    description: str,
    quantity: Decimal,
    unit_price: Decimal,
    vat_rate: str = VatRate.STANDARD,
) -> VisitLine:
    visit = _locked(visit)
    _editable_lines(visit)
    last = visit.lines.aggregate(last=Max("position"))["last"] or 0
    line = VisitLine(
        visit=visit,
        position=last + 1,
        description=description.strip(),
        quantity=quantity,
        unit_price=unit_price,
        vat_rate=vat_rate,
    )
    line.full_clean(exclude=["total_net", "total_vat", "total_gross"])
    _price(line)
    line.save()
    audit(
        actor=actor,
        action="visit.line_add",
        target=visit,
        organisation=visit.organisation,
        branch=visit.branch,
        summary=f"{visit.number}: {line.description} × {line.quantity}",
        data={"line": line.pk, "gross": str(line.total_gross)},
    )
    return line


@transaction.atomic
def visit_line_update(
    *,
    line: VisitLine,
    actor: Any,
    description: str,
    quantity: Decimal,
    unit_price: Decimal,
    vat_rate: str,
) -> VisitLine:
    visit = _locked(line.visit)
    _editable_lines(visit)
    line = VisitLine.objects.select_for_update().get(pk=line.pk)
    line.description, line.quantity, line.unit_price, line.vat_rate = (
        description.strip(),
        quantity,
        unit_price,
        vat_rate,
    )
    line.full_clean(exclude=["total_net", "total_vat", "total_gross"])
    _price(line)
    line.save()
    audit(
        actor=actor,
        action="visit.line_update",
        target=visit,
        organisation=visit.organisation,
        branch=visit.branch,
        summary=f"{visit.number}: {line.description} × {line.quantity}",
        data={"line": line.pk, "gross": str(line.total_gross)},
    )
    return line


@transaction.atomic
def visit_line_remove(*, line: VisitLine, actor: Any) -> None:
    visit = _locked(line.visit)
    _editable_lines(visit)
    description, pk = line.description, line.pk
    line.delete()
    audit(
        actor=actor,
        action="visit.line_remove",
        target=visit,
        organisation=visit.organisation,
        branch=visit.branch,
        summary=f"{visit.number}: − {description}",
        data={"line": pk},
    )


def stay_nights(visit: Visit) -> int:
    if visit.arrival_date is None or visit.departure_date is None:
        return 0
    return (visit.departure_date - visit.arrival_date) // timedelta(days=1)
