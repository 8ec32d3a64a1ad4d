"""Slot search and slot checks: when can a visit type be booked, and why not at a given time.

Everything is computed in Python from a bounded number of queries, never a query per day or
per slot: the candidate resources (one query), their weekly hours (one), and then, for each
window of days searched (one day first, then twice as long each time, so at most seven windows
over 90 days), the branch's closures, the resources' absences and their bookings (one query
each). ``bench/arrivals.py`` measures it against the naive per-slot approach.

Working hours are local times of the branch (``Branch.time_zone``, Europe/Warsaw by default);
every datetime here is aware, and comparisons of aware datetimes are exact across zones, so
daylight-saving changes need no special case.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from frontoffice.core.models import Branch

from .models import Appointment, BranchClosure, Resource, ResourceAbsence, VisitType, WorkingHours
from .models.calendar import SLOT_HOLDING

ROUND_TO = timedelta(minutes=5)  # a search "from now" starts at the next 5-minute mark
FIRST_WINDOW_DAYS = 1
DEFAULT_DAYS = 90

Interval = tuple[datetime, datetime]


@dataclass(frozen=True)
class Slot:
    resource_id: int
    resource_name: str
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class Refusal:
    """Why a time cannot be booked: ``code`` for programs, ``message`` for people."""

    code: str  # closed | outside_hours | absent | taken | past | cannot_perform | inactive
    message: str


def zone_of(branch: Branch) -> ZoneInfo:
    return ZoneInfo(branch.time_zone)


def local_bounds(day: date, zone: ZoneInfo) -> Interval:
    """The day's first and last instant (midnight to midnight) in ``zone``."""
    return datetime.combine(day, time.min, tzinfo=zone), datetime.combine(
        day + timedelta(days=1), time.min, tzinfo=zone
    )


def _round_up(moment: datetime) -> datetime:
    epoch = datetime(2000, 1, 1, tzinfo=moment.tzinfo)
    remainder = (moment - epoch) % ROUND_TO
    return moment if not remainder else moment + (ROUND_TO - remainder)


def resources_for(*, branch: Branch, visit_type: VisitType, resource: Resource | None = None) -> list[Resource]:
    """Active resources of ``branch`` that can perform ``visit_type`` (a resource with no visit types: any)."""
    if resource is not None:
        return [resource] if can_perform(resource, visit_type) and resource.is_active else []
    links = Resource.visit_types.through.objects
    return list(
        Resource.objects.filter(branch=branch, is_active=True)
        .filter(
            Q(pk__in=links.filter(visittype_id=visit_type.pk).values("resource_id"))
            | ~Q(pk__in=links.values("resource_id"))
        )
        .only("pk", "name", "branch_id", "updated_at")
        .order_by("name", "pk")
    )


def can_perform(resource: Resource, visit_type: VisitType) -> bool:
    types = [vt.pk for vt in resource.visit_types.all()]
    return not types or visit_type.pk in types


# Weekly hours change rarely and every change bumps the resource's ``updated_at`` (``working_hours_set``),
# so they are kept per process, keyed by the resources and their last change: a repeated search reads none.
_HOURS_CACHE: dict[tuple[tuple[int, Any], ...], dict[int, dict[int, list[tuple[time, time]]]]] = {}
_HOURS_CACHE_SIZE = 64


def _hours(pool: Sequence[Resource], *, fresh: bool = False) -> dict[int, dict[int, list[tuple[time, time]]]]:
    """The pool's weekly hours; ``fresh``: the resources were read just now, so their ``updated_at`` is a safe
    cache key (a resource object held since before its hours changed is not)."""
    key = tuple((item.pk, item.updated_at) for item in pool)
    cached = _HOURS_CACHE.get(key) if fresh else None
    if cached is not None:
        return cached
    hours: dict[int, dict[int, list[tuple[time, time]]]] = defaultdict(lambda: defaultdict(list))
    rows = WorkingHours.objects.filter(resource_id__in=[item.pk for item in pool]).order_by("starts_at")
    for resource_id, weekday, starts, ends in rows.values_list("resource_id", "weekday", "starts_at", "ends_at"):
        hours[resource_id][weekday].append((starts, ends))
    if fresh:
        if len(_HOURS_CACHE) >= _HOURS_CACHE_SIZE:
            _HOURS_CACHE.clear()
        _HOURS_CACHE[key] = hours
    return hours


Seconds = tuple[int, int]  # an interval as POSIX seconds: integer comparisons in the inner loop


def _busy(
    resource_ids: Sequence[int], start: datetime, end: datetime, *, exclude: int | None
) -> dict[int, list[Seconds]]:
    """Absences and slot-holding bookings of the resources overlapping ``[start, end)``, sorted by start."""
    busy: dict[int, list[Seconds]] = defaultdict(list)
    absences = ResourceAbsence.objects.filter(resource_id__in=resource_ids, starts_at__lt=end, ends_at__gt=start)
    bookings = Appointment.objects.filter(
        resource_id__in=resource_ids, status__in=SLOT_HOLDING, starts_at__lt=end, ends_at__gt=start
    )
    if exclude is not None:
        bookings = bookings.exclude(pk=exclude)
    for rows in (absences, bookings):
        for resource_id, starts, ends in rows.values_list("resource_id", "starts_at", "ends_at"):
            busy[resource_id].append((int(starts.timestamp()), int(ends.timestamp())))
    for intervals in busy.values():
        intervals.sort()
    return busy


def _closed_days(branch_id: int, first: date, last: date) -> set[date]:
    return set(
        BranchClosure.objects.filter(branch_id=branch_id, date__gte=first, date__lte=last).values_list(
            "date", flat=True
        )
    )


def _free(span: Seconds, busy: list[Seconds], starts: list[int], longest: int) -> Iterable[Seconds]:
    """``span`` minus the ``busy`` intervals (sorted by start; ``starts`` their start times, for bisect).

    Only intervals starting in ``[begin - longest, end)`` can overlap the span: two bisects, not a scan.
    """
    begin, end = span
    low, high = bisect.bisect_left(starts, begin - longest), bisect.bisect_left(starts, end)
    cursor = begin
    for busy_start, busy_end in busy[low:high]:
        if busy_end <= cursor:
            continue
        if busy_start > cursor:
            yield cursor, min(busy_start, end)
        cursor = busy_end
        if cursor >= end:
            return
    if cursor < end:
        yield cursor, end


def find_slots(
    *,
    branch: Branch,
    visit_type: VisitType,
    after: datetime,
    resource: Resource | None = None,
    resources: Sequence[Resource] | None = None,
    count: int = 5,
    days: int = DEFAULT_DAYS,
    duration: timedelta | None = None,
    exclude: int | None = None,
) -> list[Slot]:
    """The ``count`` earliest free slots for ``visit_type`` at ``branch`` from ``after`` (never in the past).

    Any resource that can perform it, or only ``resource``; ``resources`` (already loaded) skips that
    query. Slots follow each other at the visit type's duration from the start of each free stretch.
    ``exclude`` leaves one appointment out of the bookings (the one being moved).
    """
    duration = duration or timedelta(minutes=visit_type.duration_minutes)
    pool = (
        list(resources)
        if resources is not None
        else resources_for(branch=branch, visit_type=visit_type, resource=resource)
    )
    if not pool or count <= 0 or duration <= timedelta(0):
        return []
    zone = zone_of(branch)
    start = _round_up(max(after, timezone.now()))
    first_day = timezone.localdate(start, zone)
    last_day = first_day + timedelta(days=days)  # exclusive
    ids = [item.pk for item in pool]
    hours = _hours(pool, fresh=resources is None and resource is None)
    search = _Search(pool, hours, zone, int(start.timestamp()), int(duration.total_seconds()))
    found: list[tuple[int, str, int]] = []
    window_start, window_days = first_day, FIRST_WINDOW_DAYS
    while window_start < last_day and len(found) < count:
        window_end = min(window_start + timedelta(days=window_days), last_day)
        closed = _closed_days(branch.pk, window_start, window_end)
        window_from = max(start, local_bounds(window_start, zone)[0])
        search.taken(_busy(ids, window_from, local_bounds(window_end, zone)[0], exclude=exclude))
        day = window_start
        while day < window_end and len(found) < count:
            if day not in closed:
                found.extend(search.day(day, count - len(found)))
            day += timedelta(days=1)
        window_start, window_days = window_end, window_days * 2
    names = {item.pk: item.name for item in pool}
    length = int(duration.total_seconds())
    return [
        Slot(pk, names[pk], datetime.fromtimestamp(moment, UTC), datetime.fromtimestamp(moment + length, UTC))
        for moment, _name, pk in found
    ]


class _Search:
    """The inner loop of ``find_slots``, in POSIX seconds (integer comparisons, no time-zone arithmetic)."""

    def __init__(
        self,
        pool: Sequence[Resource],
        hours: dict[int, dict[int, list[tuple[time, time]]]],
        zone: ZoneInfo,
        not_before: int,
        duration: int,
    ) -> None:
        self.pool, self.hours, self.zone = pool, hours, zone
        self.not_before, self.duration = not_before, duration
        self.step = int(ROUND_TO.total_seconds())

    def taken(self, busy: dict[int, list[Seconds]]) -> None:
        self.busy = busy
        self.starts = {pk: [interval[0] for interval in intervals] for pk, intervals in busy.items()}
        self.longest = {pk: max(b - a for a, b in intervals) for pk, intervals in busy.items()}

    def day(self, day: date, wanted: int) -> list[tuple[int, str, int]]:
        weekday = day.weekday()
        moments: dict[time, int] = {}  # resources mostly share their hours: each local time converted once

        def at(moment: time) -> int:
            if moment not in moments:
                moments[moment] = int(datetime.combine(day, moment, tzinfo=self.zone).timestamp())
            return moments[moment]

        found: list[tuple[int, str, int]] = []
        duration, step = self.duration, self.step
        for item in self.pool:
            ranges = self.hours.get(item.pk, {}).get(weekday)
            if not ranges:
                continue
            taken, starts = self.busy.get(item.pk, []), self.starts.get(item.pk, [])
            longest = self.longest.get(item.pk, 0)
            mine = 0
            for range_start, range_end in ranges:
                span = (max(at(range_start), self.not_before), at(range_end))
                if span[0] >= span[1]:
                    continue
                for free_start, free_end in _free(span, taken, starts, longest):
                    moment = -(-free_start // step) * step  # the next 5-minute mark
                    while moment + duration <= free_end and mine < wanted:
                        found.append((moment, item.name, item.pk))
                        moment += duration
                        mine += 1
        found.sort()
        return found[:wanted]


def refusal_for(
    *, resource: Resource, visit_type: VisitType, starts_at: datetime, ends_at: datetime, exclude: int | None = None
) -> Refusal | None:
    """Why ``resource`` cannot take ``visit_type`` from ``starts_at`` to ``ends_at``, or None when it can."""
    if not resource.is_active:
        return Refusal("inactive", _("This resource is no longer in use."))
    if not can_perform(resource, visit_type):
        return Refusal(
            "cannot_perform",
            _("%(resource)s does not do %(visit_type)s.") % {"resource": resource.name, "visit_type": visit_type.name},
        )
    zone = zone_of(resource.branch)
    local_start, local_end = timezone.localtime(starts_at, zone), timezone.localtime(ends_at, zone)
    day = local_start.date()
    if BranchClosure.objects.filter(branch_id=resource.branch_id, date__gte=day, date__lte=local_end.date()).exists():
        closure = BranchClosure.objects.filter(branch_id=resource.branch_id, date__gte=day).order_by("date").first()
        reason = closure.reason if closure is not None else ""
        return Refusal(
            "closed",
            _("The branch is closed on %(day)s (%(reason)s).") % {"day": day.isoformat(), "reason": reason}
            if reason
            else _("The branch is closed on %(day)s.") % {"day": day.isoformat()},
        )
    ranges = _hours([resource]).get(resource.pk, {}).get(day.weekday(), [])
    inside = local_end.date() == day or (local_end.date() == day + timedelta(days=1) and local_end.time() == time.min)
    if not inside or not any(
        datetime.combine(day, begin, tzinfo=zone) <= starts_at and ends_at <= datetime.combine(day, end, tzinfo=zone)
        for begin, end in ranges
    ):
        hours_text = ", ".join(f"{begin:%H:%M}–{end:%H:%M}" for begin, end in ranges)
        return Refusal(
            "outside_hours",
            _("%(resource)s works %(hours)s on that day.") % {"resource": resource.name, "hours": hours_text}
            if ranges
            else _("%(resource)s does not work on that day.") % {"resource": resource.name},
        )
    absence = (
        ResourceAbsence.objects.filter(resource=resource, starts_at__lt=ends_at, ends_at__gt=starts_at)
        .order_by("starts_at")
        .first()
    )
    if absence is not None:
        return Refusal(
            "absent",
            _("%(resource)s is away then (%(reason)s).") % {"resource": resource.name, "reason": absence.reason}
            if absence.reason
            else _("%(resource)s is away then.") % {"resource": resource.name},
        )
    taken = Appointment.objects.filter(
        resource=resource, status__in=SLOT_HOLDING, starts_at__lt=ends_at, ends_at__gt=starts_at
    )
    if exclude is not None:
        taken = taken.exclude(pk=exclude)
    clash = taken.order_by("starts_at").first()
    if clash is not None:
        return slot_taken(resource, clash.starts_at, clash.ends_at)
    return None


def slot_taken(resource: Resource, starts_at: datetime, ends_at: datetime) -> Refusal:
    zone = zone_of(resource.branch)
    return Refusal(
        "taken",
        _("%(resource)s is already booked from %(start)s to %(end)s.")
        % {
            "resource": resource.name,
            "start": timezone.localtime(starts_at, zone).strftime("%H:%M"),
            "end": timezone.localtime(ends_at, zone).strftime("%H:%M"),
        },
    )
