"""Reads of visits, visit types and rooms, scoped to the user's organisation and branches."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, Prefetch, Q, QuerySet, prefetch_related_objects
from django.http import Http404

from frontoffice.clients.normalise import fold
from frontoffice.core.choices import BusinessKind
from frontoffice.core.models import Branch, Organisation
from frontoffice.core.scoping import scope_for, scope_queryset
from frontoffice.core.selectors import branch_list

from . import workflow
from .choices import VisitStatus
from .models import Room, Visit, VisitType

# What a list row shows: one query for the rows, none per row.
LIST_RELATED = ("branch", "client", "visit_type", "room", "practitioner__user", "responsible__user", "billing")
SEARCH_LIMIT = 100


@dataclass(frozen=True)
class VisitFilters:
    branch_id: int | None = None
    status: str = ""
    vertical: str = ""
    date_from: date | None = None  # in the branch's (or organisation's) time zone
    date_to: date | None = None  # inclusive
    client_id: int | None = None
    q: str = ""  # visit number, or a part of the client's name or number


def visit_queryset(*, user: Any) -> QuerySet[Visit]:
    """Visits of the user's organisation, at the branches the user works at."""
    return scope_queryset(Visit.objects.all(), user)


def visit_get(*, user: Any, pk: int) -> Visit:
    try:
        return visit_queryset(user=user).select_related(*LIST_RELATED).get(pk=pk)
    except (Visit.DoesNotExist, ValueError):
        raise Http404 from None


def _day_bounds(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time.min, tzinfo=zone)
    return start, datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)


def _search(visits: QuerySet[Visit], q: str) -> QuerySet[Visit]:
    q = q.replace("\x00", "").strip()[:SEARCH_LIMIT]
    if not q:
        return visits
    condition = Q(number__iexact=q) | Q(client__number__iexact=q)
    words = fold(q).split()[:4]
    if words:
        name = Q()
        for word in words:
            name &= Q(client__search_name__contains=word)
        condition |= name
    return visits.filter(condition)


def visit_list(*, user: Any, filters: VisitFilters | None = None) -> QuerySet[Visit]:
    """The visits a user may see, filtered; rows carry what a list shows (no query per row)."""
    filters = filters or VisitFilters()
    visits = visit_queryset(user=user).select_related(*LIST_RELATED)
    if filters.branch_id is not None:
        visits = visits.filter(branch_id=filters.branch_id)
    if filters.status:
        visits = visits.filter(status=filters.status)
    if filters.vertical:
        visits = visits.filter(vertical=filters.vertical)
    if filters.client_id is not None:
        visits = visits.filter(client_id=filters.client_id)
    zone = ZoneInfo(_time_zone(user, filters.branch_id))
    if filters.date_from is not None:
        visits = visits.filter(scheduled_at__gte=_day_bounds(filters.date_from, zone)[0])
    if filters.date_to is not None:
        visits = visits.filter(scheduled_at__lt=_day_bounds(filters.date_to, zone)[1])
    return _search(visits, filters.q)


def _time_zone(user: Any, branch_id: int | None) -> str:
    if branch_id is not None:
        branch = Branch.objects.filter(pk=branch_id).only("time_zone").first()
        if branch is not None:
            return branch.time_zone
    organisation_id = scope_for(user).organisation_id
    if organisation_id is None:
        return "Europe/Warsaw"
    organisation = Organisation.objects.filter(pk=organisation_id).only("time_zone").first()
    return organisation.time_zone if organisation else "Europe/Warsaw"


def desk_branches(*, user: Any) -> list[Branch]:
    """The branches whose desk the user may open: their own (every branch for organisation-wide roles)."""
    return list(branch_list(user=user).order_by("name"))


def day_visits(*, user: Any, branch: Branch, day: date, q: str = "") -> QuerySet[Visit]:
    """The clerk's day at ``branch``: everything scheduled that day, plus stays in the house or leaving.

    A hotel's day holds today's arrivals, the guests checked in, and today's departures
    (even if checked out already), so the clerk sees the whole house.
    """
    if not scope_for(user).allows_branch(branch.pk) or branch.organisation_id != scope_for(user).organisation_id:
        raise Http404
    start, end = _day_bounds(day, ZoneInfo(branch.time_zone))
    today = Q(scheduled_at__gte=start, scheduled_at__lt=end)
    in_house = Q(vertical=BusinessKind.HOTEL) & (
        Q(status=VisitStatus.CHECKED_IN) | Q(departure_date=day, status=VisitStatus.CHECKED_OUT)
    )
    staff_model = Visit._meta.get_field("practitioner").related_model
    visits = (
        visit_queryset(user=user)
        .filter(branch=branch)
        .filter(today | in_house)
        # Three joins, the rest prefetched: with all seven relations joined, PostgreSQL spent 17–25 ms
        # choosing a join order for every day page (2 ms to run the query). The branch is the caller's.
        .select_related("client", "visit_type", "billing")
        .prefetch_related(
            Prefetch("practitioner", queryset=staff_model._default_manager.select_related("user")),  # type: ignore[union-attr]
            "room",
        )
        .order_by("scheduled_at", "pk")
    )
    return _search(visits, q)


def needing_the_desk(visits: QuerySet[Visit], *, done_since: datetime) -> QuerySet[Visit]:
    """The day's working list: visits the desk still has something to do with, and those done since
    ``done_since`` (the clerk may still print or correct them)."""
    return visits.filter(~Q(status__in=workflow.DONE) | Q(status_changed_at__gte=done_since))


def status_counts(visits: QuerySet[Visit]) -> dict[str, int]:
    """How many of ``visits`` are in each status, in one grouped query."""
    rows = visits.order_by().values("status").annotate(n=Count("pk")).values_list("status", "n")
    return dict(rows)


def visit_detail(*, user: Any, pk: int) -> Visit:
    """One visit with its timeline and lines prefetched; a stay also with its guests and room changes."""
    try:
        visit = (
            visit_queryset(user=user)
            .select_related(*LIST_RELATED, "organisation")
            .prefetch_related("status_changes__by", "lines")
            .get(pk=pk)
        )
    except (Visit.DoesNotExist, ValueError):
        raise Http404 from None
    # Only stays have guests and room changes (services refuse them elsewhere, and a visit type keeps its
    # vertical once used): every other visit's page is spared the two queries that would find none.
    if visit.vertical == BusinessKind.HOTEL:
        prefetch_related_objects(
            [visit], "guests__client", "guests__registration_card", "room_changes__to_room", "room_changes__from_room"
        )
    return visit


def visit_type_list(*, user: Any, include_inactive: bool = False, vertical: str = "") -> QuerySet[VisitType]:
    visit_types = scope_queryset(VisitType.objects.all(), user, branch_field=None)
    if not include_inactive:
        visit_types = visit_types.filter(is_active=True)
    if vertical:
        visit_types = visit_types.filter(vertical=vertical)
    return visit_types


def visit_type_get(*, user: Any, pk: int) -> VisitType:
    try:
        return visit_type_list(user=user, include_inactive=True).get(pk=pk)
    except (VisitType.DoesNotExist, ValueError):
        raise Http404 from None


def room_list(*, user: Any, branch: Branch | None = None, include_inactive: bool = False) -> QuerySet[Room]:
    rooms = scope_queryset(Room.objects.select_related("branch"), user, organisation_field="branch__organisation")
    if branch is not None:
        rooms = rooms.filter(branch=branch)
    if not include_inactive:
        rooms = rooms.filter(is_active=True)
    return rooms


def room_get(*, user: Any, pk: int) -> Room:
    try:
        return room_list(user=user, include_inactive=True).get(pk=pk)
    except (Room.DoesNotExist, ValueError):
        raise Http404 from None
