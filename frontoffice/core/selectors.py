"""Reads of organisations, branches, audit and messages, scoped to the user."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from .models import AccessLogEntry, AuditEntry, Branch, Department, Organisation, OutboundMessage
from .scoping import scope_for, scope_queryset


def organisation_for(user: Any) -> Organisation:
    organisation_id = scope_for(user).organisation_id
    if organisation_id is None:
        raise Http404
    return Organisation.objects.get(pk=organisation_id)


def branch_list(*, user: Any, search: str = "", include_inactive: bool = False) -> QuerySet[Branch]:
    branches = scope_queryset(Branch.objects.all(), user, branch_field=None)
    scope = scope_for(user)
    if scope.branch_ids is not None:
        branches = branches.filter(pk__in=scope.branch_ids)
    if not include_inactive:
        branches = branches.filter(is_active=True)
    if search:
        branches = branches.filter(Q(name__icontains=search) | Q(city__icontains=search) | Q(code__icontains=search))
    return branches


def branch_get(*, user: Any, pk: int) -> Branch:
    try:
        return branch_list(user=user, include_inactive=True).get(pk=pk)
    except Branch.DoesNotExist:
        raise Http404 from None


def department_list(*, user: Any, branch: Branch) -> QuerySet[Department]:
    branch_get(user=user, pk=branch.pk)
    return branch.departments.all()


@dataclass(frozen=True)
class BranchToday:
    branch: Branch
    periods: list[tuple[time, time]]
    open_now: bool


def branches_today(*, user: Any) -> list[BranchToday]:
    """Each visible branch with today's opening hours in its own time zone."""
    result = []
    for branch in branch_list(user=user).prefetch_related("opening_hours"):
        now = timezone.localtime(timezone.now(), _zone(branch.time_zone))
        periods = [(p.opens_at, p.closes_at) for p in branch.opening_hours.all() if p.weekday == now.weekday()]
        open_now = any(start <= now.time() < end for start, end in periods)
        result.append(BranchToday(branch=branch, periods=periods, open_now=open_now))
    return result


def _zone(name: str):  # type: ignore[no-untyped-def]
    import zoneinfo

    return zoneinfo.ZoneInfo(name)


def audit_list(*, user: Any, action: str = "", since: datetime | None = None) -> QuerySet[AuditEntry]:
    entries = scope_queryset(AuditEntry.objects.all(), user, branch_field=None)
    scope = scope_for(user)
    if scope.branch_ids is not None:
        entries = entries.filter(Q(branch_id__in=scope.branch_ids) | Q(branch__isnull=True))
    if action:
        entries = entries.filter(action__startswith=action)
    if since:
        entries = entries.filter(created_at__gte=since)
    return entries.select_related("actor", "branch", "target_type")


def message_list(*, user: Any, status: str = "", channel: str = "") -> QuerySet[OutboundMessage]:
    messages = scope_queryset(OutboundMessage.objects.all(), user, branch_field=None)
    if status:
        messages = messages.filter(status=status)
    if channel:
        messages = messages.filter(channel=channel)
    return messages


@dataclass(frozen=True)
class HistoryItem:
    when: datetime
    who: Any
    kind: str  # "change", "action" or "read"
    summary: str
    changes: list[tuple[str, str, str]]


def record_history(*, user: Any, target: Model, organisation_id: int, limit: int = 200) -> list[HistoryItem]:
    """Field changes, workflow actions and reads of one record, newest first."""
    scope = scope_for(user)
    if scope.organisation_id != organisation_id:
        raise Http404
    content_type = ContentType.objects.get_for_model(target, for_concrete_model=False)
    items: list[HistoryItem] = []
    history_manager = getattr(target, "history", None)
    if history_manager is not None:
        records = list(history_manager.select_related("history_user").order_by("-history_date")[:limit])
        for newer, older in zip(records, [*records[1:], None], strict=False):
            changes = []
            if older is not None:
                delta = newer.diff_against(older)
                for change in delta.changes:
                    field = target._meta.get_field(change.field)
                    changes.append(
                        (str(getattr(field, "verbose_name", change.field)), _show(change.old), _show(change.new))
                    )
            kind_label = {"+": "created", "~": "changed", "-": "deleted"}[newer.history_type]
            items.append(
                HistoryItem(
                    when=newer.history_date, who=newer.history_user, kind="change", summary=kind_label, changes=changes
                )
            )
    for entry in AuditEntry.objects.filter(target_type=content_type, target_id=str(target.pk)).select_related("actor")[
        :limit
    ]:
        items.append(
            HistoryItem(when=entry.created_at, who=entry.actor, kind="action", summary=entry.action, changes=[])
        )
    for read in AccessLogEntry.objects.filter(target_type=content_type, target_id=str(target.pk)).select_related(
        "user"
    )[:limit]:
        items.append(HistoryItem(when=read.created_at, who=read.user, kind="read", summary=read.purpose, changes=[]))
    items.sort(key=lambda item: item.when, reverse=True)
    return items[:limit]


def _show(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, list):  # many-to-many changes come as lists of dicts
        return ", ".join(str(next(iter(v.values()), "")) if isinstance(v, dict) else str(v) for v in value) or "—"
    return str(value)
