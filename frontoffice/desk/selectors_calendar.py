"""Reads of the calendars, scoped to the user's branches: resources, appointments and the day/week grid.

The grid is built from a fixed number of queries whatever the number of resources or
appointments (resources, hours, absences, closures, appointments), and ``grid_etag`` is a
cheap fingerprint the page polls with, so an unchanged calendar costs a few aggregate
queries and no rendering.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, Max, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from frontoffice.core.models import Branch
from frontoffice.core.scoping import scope_queryset

from .models import Appointment, BranchClosure, Resource, ResourceAbsence, WorkingHours
from .models.calendar import SLOT_HOLDING
from .slots import local_bounds, zone_of

ROW_MINUTES = 15
DEFAULT_DAY = (time(8, 0), time(18, 0))


def resource_queryset(*, user: Any) -> QuerySet[Resource]:
    return scope_queryset(Resource.objects.all(), user).select_related("branch", "staff_member__user", "room")


def resource_list(*, user: Any, branch: Branch | None = None, include_inactive: bool = False) -> QuerySet[Resource]:
    resources = resource_queryset(user=user).prefetch_related("visit_types")
    if branch is not None:
        resources = resources.filter(branch=branch)
    if not include_inactive:
        resources = resources.filter(is_active=True)
    return resources.order_by("branch__name", "name", "pk")


def resource_get(*, user: Any, pk: int) -> Resource:
    try:
        return resource_queryset(user=user).prefetch_related("visit_types").get(pk=pk)
    except (Resource.DoesNotExist, ValueError):
        raise Http404 from None


def working_hours(*, resource: Resource) -> list[WorkingHours]:
    return list(resource.working_hours.order_by("weekday", "starts_at"))


def absences(*, resource: Resource, upcoming_only: bool = True) -> QuerySet[ResourceAbsence]:
    rows = resource.absences.order_by("starts_at")
    return rows.filter(ends_at__gt=timezone.now()) if upcoming_only else rows


def absence_get(*, user: Any, pk: int) -> ResourceAbsence:
    rows = scope_queryset(
        ResourceAbsence.objects.all(),
        user,
        organisation_field="resource__organisation",
        branch_field="resource__branch",
    )
    try:
        return rows.select_related("resource__branch__organisation").get(pk=pk)
    except (ResourceAbsence.DoesNotExist, ValueError):
        raise Http404 from None


def closure_list(*, user: Any, branch: Branch, upcoming_only: bool = True) -> QuerySet[BranchClosure]:
    closures = scope_queryset(BranchClosure.objects.all(), user, organisation_field="branch__organisation").filter(
        branch=branch
    )
    return closures.filter(date__gte=timezone.localdate(timezone.now(), zone_of(branch))) if upcoming_only else closures


def closure_get(*, user: Any, pk: int) -> BranchClosure:
    try:
        return (
            scope_queryset(BranchClosure.objects.all(), user, organisation_field="branch__organisation")
            .select_related("branch__organisation")
            .get(pk=pk)
        )
    except (BranchClosure.DoesNotExist, ValueError):
        raise Http404 from None


# --- appointments ------------------------------------------------------------------------------


@dataclass(frozen=True)
class AppointmentFilters:
    branch_id: int | None = None
    resource_id: int | None = None
    client_id: int | None = None
    status: str = ""
    starts_from: datetime | None = None
    starts_before: datetime | None = None


def appointment_queryset(*, user: Any) -> QuerySet[Appointment]:
    return scope_queryset(Appointment.objects.all(), user).select_related(
        "branch", "resource", "client", "visit_type", "updated_by"
    )


def appointment_list(*, user: Any, filters: AppointmentFilters | None = None) -> QuerySet[Appointment]:
    filters = filters or AppointmentFilters()
    appointments = appointment_queryset(user=user)
    if filters.branch_id:
        appointments = appointments.filter(branch_id=filters.branch_id)
    if filters.resource_id:
        appointments = appointments.filter(resource_id=filters.resource_id)
    if filters.client_id:
        appointments = appointments.filter(client_id=filters.client_id)
    if filters.status:
        appointments = appointments.filter(status=filters.status)
    if filters.starts_from:
        appointments = appointments.filter(starts_at__gte=filters.starts_from)
    if filters.starts_before:
        appointments = appointments.filter(starts_at__lt=filters.starts_before)
    return appointments.prefetch_related("reminders").order_by("starts_at", "pk")


def appointment_get(*, user: Any, pk: int) -> Appointment:
    try:
        return appointment_queryset(user=user).select_related("series", "visit", "created_by").get(pk=pk)
    except (Appointment.DoesNotExist, ValueError):
        raise Http404 from None


def appointment_history(*, appointment: Appointment) -> list[Any]:
    """The appointment's saved versions, newest first (times and resources before each move)."""
    return list(appointment.history.select_related("history_user").order_by("-history_date")[:20])  # type: ignore[attr-defined]


# --- the grid ----------------------------------------------------------------------------------


@dataclass
class Block:
    appointment: Appointment
    row_start: int
    row_end: int

    @property
    def span(self) -> int:
        return self.row_end - self.row_start


@dataclass
class Cell:
    row: int
    at: datetime
    label: str
    state: str  # free | busy | off | closed | absent | past
    blocks: list[Block] = field(default_factory=list)


@dataclass
class Column:
    resource: Resource
    day: date
    closed_reason: str | None
    cells: list[Cell] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)


@dataclass
class Grid:
    branch: Branch
    days: list[date]
    resources: list[Resource]
    rows: list[str]
    columns: list[Column]
    first: time
    row_minutes: int = ROW_MINUTES


def _span(hours: list[WorkingHours]) -> tuple[time, time]:
    if not hours:
        return DEFAULT_DAY
    first = min(row.starts_at for row in hours)
    last = max(row.ends_at for row in hours)
    first = time(first.hour, 0)
    last = time(min(last.hour + (1 if last.minute else 0), 23), 59 if last.hour >= 23 else 0)
    return first, last


def calendar_grid(*, user: Any, branch: Branch, days: list[date], resource: Resource | None = None) -> Grid:
    """Columns (resource × day) with 15-minute cells and appointment blocks. Five queries in all."""
    zone = zone_of(branch)
    resources = (
        [resource] if resource is not None else list(resource_list(user=user, branch=branch).prefetch_related(None))
    )
    ids = [item.pk for item in resources]
    start, end = local_bounds(days[0], zone)[0], local_bounds(days[-1], zone)[1]
    hours = list(WorkingHours.objects.filter(resource_id__in=ids))
    first, last = _span(hours)
    by_resource: dict[tuple[int, int], list[tuple[time, time]]] = defaultdict(list)
    for row in hours:
        by_resource[(row.resource_id, row.weekday)].append((row.starts_at, row.ends_at))
    away: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    for absence in ResourceAbsence.objects.filter(resource_id__in=ids, starts_at__lt=end, ends_at__gt=start):
        away[absence.resource_id].append((absence.starts_at, absence.ends_at))
    closed = dict(
        BranchClosure.objects.filter(branch=branch, date__gte=days[0], date__lte=days[-1]).values_list("date", "reason")
    )
    appointments = (
        appointment_queryset(user=user)
        .filter(resource_id__in=ids, starts_at__lt=end, ends_at__gt=start)
        .filter(Q(status__in=SLOT_HOLDING))
        .order_by("starts_at")
    )
    booked: dict[tuple[int, date], list[Appointment]] = defaultdict(list)
    for appointment in appointments:
        booked[(appointment.resource_id, timezone.localtime(appointment.starts_at, zone).date())].append(appointment)
    row_count = max(
        1,
        int(
            (datetime.combine(date.min, last) - datetime.combine(date.min, first)).total_seconds() // (ROW_MINUTES * 60)
        ),
    )
    rows = [
        (datetime.combine(date.min, first) + timedelta(minutes=ROW_MINUTES * index)).strftime("%H:%M")
        for index in range(row_count)
    ]
    now = timezone.now()
    columns = []
    for day in days:
        for item in resources:
            column = Column(resource=item, day=day, closed_reason=closed.get(day))
            ranges = by_resource.get((item.pk, day.weekday()), [])
            for index in range(row_count):
                at = datetime.combine(day, first, tzinfo=zone) + timedelta(minutes=ROW_MINUTES * index)
                local = at.timetz()
                if column.closed_reason is not None:
                    state = "closed"
                elif not any(begin <= local.replace(tzinfo=None) < stop for begin, stop in ranges):
                    state = "off"
                elif any(a <= at < b for a, b in away.get(item.pk, [])):
                    state = "absent"
                elif at < now:
                    state = "past"
                else:
                    state = "free"
                column.cells.append(Cell(row=index + 1, at=at, label=rows[index], state=state))
            for appointment in booked.get((item.pk, day), []):
                local_start = timezone.localtime(appointment.starts_at, zone)
                local_end = timezone.localtime(appointment.ends_at, zone)
                offset = (local_start.hour * 60 + local_start.minute - first.hour * 60 - first.minute) // ROW_MINUTES
                length = max(1, -(-int((local_end - local_start).total_seconds() // 60) // ROW_MINUTES))
                row_start = min(max(1, offset + 1), row_count)
                block = Block(
                    appointment=appointment, row_start=row_start, row_end=min(row_start + length, row_count + 1)
                )
                column.blocks.append(block)
                column.cells[row_start - 1].blocks.append(block)
                for cell in column.cells[row_start - 1 : block.row_end - 1]:
                    cell.state = "busy" if cell.state == "free" else cell.state
            columns.append(column)
    return Grid(branch=branch, days=days, resources=resources, rows=rows, columns=columns, first=first)


def grid_etag(*, user: Any, branch: Branch, days: list[date], resource: Resource | None = None) -> str:
    """A fingerprint of everything the grid shows; it changes when a colleague books, moves or cancels."""
    zone = zone_of(branch)
    start, end = local_bounds(days[0], zone)[0], local_bounds(days[-1], zone)[1]
    appointments = appointment_queryset(user=user).filter(branch=branch, starts_at__lt=end, ends_at__gt=start)
    resources = Resource.objects.filter(branch=branch)
    absences = ResourceAbsence.objects.filter(resource__branch=branch, starts_at__lt=end, ends_at__gt=start)
    if resource is not None:
        appointments = appointments.filter(resource=resource)
        resources = resources.filter(pk=resource.pk)
        absences = absences.filter(resource=resource)
    parts = [
        appointments.aggregate(n=Count("pk"), last=Max("updated_at")),
        resources.aggregate(n=Count("pk"), last=Max("updated_at")),
        absences.aggregate(n=Count("pk"), last=Max("pk")),
        BranchClosure.objects.filter(branch=branch, date__gte=days[0], date__lte=days[-1]).aggregate(
            n=Count("pk"), last=Max("pk")
        ),
    ]
    return hashlib.sha1(repr(parts).encode(), usedforsecurity=False).hexdigest()[:16]
