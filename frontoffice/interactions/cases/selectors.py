"""Reads of the case workspace: the agent queue, a case's timeline and clocks, set-up lists, the client timeline.

The queue never counts the whole table: a page is ``limit + 1`` rows (the extra one tells whether there is
a next page), ordered oldest first on indexed columns, with everything a row shows joined in.
"""

from __future__ import annotations

import datetime
import heapq
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from frontoffice.clients.normalise import fold
from frontoffice.core.scoping import scope_queryset
from frontoffice.desk import selectors as desk_selectors

from ..choices import FINISHED_STATUSES
from ..models import (
    CannedReply,
    Case,
    CaseEvent,
    CaseNote,
    CaseReply,
    CaseSla,
    EscalationNotice,
    Interaction,
    SlaPolicyRecord,
    Team,
)
from ..selectors import case_queryset

TABS = ("mine", "team", "unassigned", "breaching", "all")
BREACHING_SOON = datetime.timedelta(hours=2)
PAGE_SIZE = 50
SEARCH_LIMIT = 100
QUEUE_RELATED = ("branch", "client", "team", "owner")


@dataclass(frozen=True)
class QueueFilters:
    tab: str = "mine"
    branch_id: int | None = None
    status: str = ""  # empty: every status still being worked (not resolved or closed)
    priority: str = ""
    channel: str = ""
    q: str = ""


@dataclass
class QueuePage:
    rows: list[Case]
    page: int
    has_next: bool
    soon: dict[int, datetime.datetime] = field(default_factory=dict)  # case id → earliest running deadline


def _running_due_before(moment: datetime.datetime) -> Q:
    """Cases with a running clock due by ``moment``: the few clocks are found by their index first."""
    return Q(pk__in=CaseSla.objects.filter(status="running", due_at__lte=moment).values("case_id"))


def case_search(cases: QuerySet[Case], q: str) -> QuerySet[Case]:
    """A case number (exact), or words found in the subject or the client's name."""
    q = q.replace("\x00", "").strip()[:SEARCH_LIMIT]
    if not q:
        return cases
    condition = Q(number__iexact=q)
    subject = Q()
    for word in q.split()[:4]:
        subject &= Q(subject__icontains=word)
    name = Q()
    for word in fold(q).split()[:4]:
        name &= Q(client__search_name__contains=word)
    return cases.filter(condition | subject | name)


def case_queue_queryset(*, user: Any, filters: QueueFilters) -> QuerySet[Case]:
    """The queue's cases for a tab and filters, oldest first, with what a row shows joined in."""
    cases = case_queryset(user=user).filter(merged_into__isnull=True)
    if filters.branch_id is not None:
        cases = cases.filter(branch_id=filters.branch_id)
    if filters.tab == "mine":
        cases = cases.filter(owner=user)
    elif filters.tab == "team":
        cases = cases.filter(team__members=user)
    elif filters.tab == "unassigned":
        cases = cases.filter(owner__isnull=True)
    elif filters.tab == "breaching":
        cases = cases.filter(_running_due_before(timezone.now() + BREACHING_SOON))
    if filters.status:
        cases = cases.filter(status=filters.status)
    elif filters.tab != "all":
        cases = cases.exclude(status__in=list(FINISHED_STATUSES))
    if filters.priority:
        cases = cases.filter(priority=filters.priority)
    if filters.channel:
        cases = cases.filter(channel=filters.channel)
    return case_search(cases, filters.q).select_related(*QUEUE_RELATED).order_by("opened_at", "pk")


def case_queue(*, user: Any, filters: QueueFilters, page: int = 1, per_page: int = PAGE_SIZE) -> QueuePage:
    """One page of the agent queue (no COUNT; one query for the rows, one for their deadlines)."""
    cases = case_queue_queryset(user=user, filters=filters)
    page = max(1, page)
    start = (page - 1) * per_page
    rows = list(cases[start : start + per_page + 1])
    has_next = len(rows) > per_page
    rows = rows[:per_page]
    soon: dict[int, datetime.datetime] = {}
    for case_id, due in CaseSla.objects.filter(
        case_id__in=[row.pk for row in rows], status="running", due_at__isnull=False
    ).values_list("case_id", "due_at"):
        if due is not None and (case_id not in soon or due < soon[case_id]):
            soon[case_id] = due
    for row in rows:
        row.next_due = soon.get(row.pk)  # type: ignore[attr-defined]
    return QueuePage(rows=rows, page=page, has_next=has_next, soon=soon)


def case_get_scoped(*, user: Any, pk: int) -> Case:
    try:
        return (
            case_queryset(user=user)
            .select_related("branch__organisation", "client", "team", "owner", "visit", "merged_into")
            .get(pk=pk)
        )
    except Case.DoesNotExist:
        raise Http404 from None


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime.datetime
    kind: str  # "contact", "note", "reply", "event"
    item: Any


def case_timeline(*, case: Case) -> list[TimelineEntry]:
    """The case's contacts, notes, replies and status changes, oldest first (four queries)."""
    entries = [
        TimelineEntry(item.started_at, "contact", item)
        for item in Interaction.objects.filter(case=case).select_related("staff", "client").order_by("started_at", "pk")
    ]
    entries += [
        TimelineEntry(note.created_at, "note", note)
        for note in CaseNote.objects.filter(case=case).select_related("author").order_by("created_at", "pk")
    ]
    reply_interactions = set()
    for reply in CaseReply.objects.filter(case=case).select_related("author").order_by("created_at", "pk"):
        entries.append(TimelineEntry(reply.created_at, "reply", reply))
        if reply.interaction_id:
            reply_interactions.add(reply.interaction_id)
    entries = [entry for entry in entries if not (entry.kind == "contact" and entry.item.pk in reply_interactions)]
    entries += [
        TimelineEntry(event.at, "event", event)
        for event in CaseEvent.objects.filter(
            case=case, kind__in=("status", "assigned", "merged", "complaint", "sla_breached", "escalated")
        )
        .select_related("actor")
        .order_by("at", "pk")
    ]
    entries.sort(key=lambda entry: (entry.at, entry.kind))
    return entries


def case_clocks(*, case: Case) -> list[CaseSla]:
    return list(CaseSla.objects.filter(case=case).select_related("policy").order_by("pk"))


def case_candidates_for_merge(*, user: Any, case: Case) -> QuerySet[Case]:
    """Other open cases of the same client the user may see (the usual duplicates)."""
    cases = case_queryset(user=user).filter(merged_into__isnull=True).exclude(pk=case.pk).exclude(status="closed")
    if case.client_id is not None:
        cases = cases.filter(client_id=case.client_id)
    return cases.order_by("-opened_at")[:20]


def client_visits(*, user: Any, client_id: int | None, limit: int = 20) -> list[Any]:
    """The client's recent visits (through the desk's selectors: peers never read each other's models)."""
    if client_id is None:
        return []
    visits = desk_selectors.visit_list(user=user, filters=desk_selectors.VisitFilters(client_id=client_id))
    return list(visits.order_by("-scheduled_at", "-pk")[:limit])


def team_list(*, user: Any) -> QuerySet[Team]:
    return scope_queryset(Team.objects.filter(is_active=True), user).select_related("branch").order_by("name", "pk")


def team_get(*, user: Any, pk: int) -> Team:
    try:
        return scope_queryset(Team.objects.all(), user).select_related("branch__organisation").get(pk=pk)
    except Team.DoesNotExist:
        raise Http404 from None


def owner_choices(*, user: Any, case: Case) -> list[Any]:
    """Who a case can be given to: active staff of its branch (or organisation-wide) who may work cases."""
    from django.contrib.auth import get_user_model

    people = (
        get_user_model()
        .objects.filter(is_active=True, staff__is_active=True, staff__organisation_id=case.organisation_id)
        .filter(Q(staff__branches=case.branch_id) | Q(groups__name__in=["admin", "executive"]))
        .distinct()
        .order_by("last_name", "first_name", "pk")
    )
    return [person for person in people if person.has_perm("interactions.work_cases")]


def canned_reply_list(*, user: Any, include_inactive: bool = False) -> QuerySet[CannedReply]:
    replies = scope_queryset(CannedReply.objects.all(), user, branch_field=None)
    return replies if include_inactive else replies.filter(is_active=True)


def canned_reply_get(*, user: Any, pk: int) -> CannedReply:
    try:
        return canned_reply_list(user=user, include_inactive=True).get(pk=pk)
    except CannedReply.DoesNotExist:
        raise Http404 from None


def sla_policy_list(*, user: Any) -> QuerySet[SlaPolicyRecord]:
    return scope_queryset(SlaPolicyRecord.objects.all(), user, branch_field=None).order_by("order", "pk")


def sla_policy_get(*, user: Any, pk: int) -> SlaPolicyRecord:
    try:
        return sla_policy_list(user=user).get(pk=pk)
    except SlaPolicyRecord.DoesNotExist:
        raise Http404 from None


def escalations_for(*, user: Any, days: int = 7) -> QuerySet[EscalationNotice]:
    """The user's escalation notices of the last days whose clocks still run (the home-page card)."""
    since = timezone.now() - datetime.timedelta(days=days)
    return (
        EscalationNotice.objects.filter(recipient=user, sent_at__gte=since, clock__status="running")
        .select_related("case", "clock")
        .order_by("-sent_at", "pk")
    )


# --- the client's one timeline ------------------------------------------------------------------------------

TIMELINE_PAGE = 30
TIMELINE_MAX_PAGES = 100


@dataclass
class ClientTimelinePage:
    entries: list[TimelineEntry]
    page: int
    has_next: bool


def client_timeline(
    *, user: Any, client_id: int, page: int = 1, with_cases: bool = True, with_visits: bool = True
) -> ClientTimelinePage:
    """Every contact, case and visit of the client, newest first, ``TIMELINE_PAGE`` per page.

    Each source is read already ordered by its indexed time column, at most ``offset + page + 1`` rows,
    and the three are merged: cost grows with the page number, not with the client's history.
    """
    page = min(max(1, page), TIMELINE_MAX_PAGES)
    wanted = page * TIMELINE_PAGE + 1
    sources = [
        [
            TimelineEntry(item.started_at, "contact", item)
            for item in scope_queryset(Interaction.objects.filter(client_id=client_id), user)
            .select_related("staff", "case")
            .order_by("-started_at", "-pk")[:wanted]
        ]
    ]
    if with_cases:
        sources.append(
            [
                TimelineEntry(case.opened_at, "case", case)
                for case in case_queryset(user=user)
                .filter(client_id=client_id)
                .select_related("owner")
                .order_by("-opened_at", "-pk")[:wanted]
            ]
        )
    if with_visits:
        sources.append(
            [
                TimelineEntry(visit.scheduled_at, "visit", visit)
                for visit in desk_selectors.visit_list(
                    user=user, filters=desk_selectors.VisitFilters(client_id=client_id)
                ).order_by("-scheduled_at", "-pk")[:wanted]
            ]
        )
    merged = list(heapq.merge(*sources, key=lambda entry: entry.at, reverse=True))[:wanted]
    start = (page - 1) * TIMELINE_PAGE
    return ClientTimelinePage(
        entries=merged[start : start + TIMELINE_PAGE], page=page, has_next=len(merged) > start + TIMELINE_PAGE
    )
