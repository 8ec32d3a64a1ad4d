"""Reads of the shift handover log, scoped to the user's branches; mentions shown only to who may see them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from frontoffice.clients import selectors as client_selectors
from frontoffice.clients.permissions import ClientsPermission
from frontoffice.core.models import Branch
from frontoffice.core.scoping import scope_queryset

from .models import Handover, HandoverItem
from .permissions import DeskPermission
from .selectors import visit_queryset

ITEM_RELATED = ("client", "visit", "done_by", "handover__written_by")


def handover_queryset(*, user: Any) -> QuerySet[Handover]:
    """Handovers of the user's organisation, at the branches the user works at."""
    return scope_queryset(Handover.objects.all(), user).select_related("branch", "written_by", "acknowledged_by")


def handover_list(*, user: Any, branch: Branch | None = None, unacknowledged: bool = False) -> QuerySet[Handover]:
    handovers = handover_queryset(user=user)
    if branch is not None:
        handovers = handovers.filter(branch=branch)
    if unacknowledged:
        handovers = handovers.filter(acknowledged_at__isnull=True)
    return handovers.order_by("-written_at", "-pk")


def handover_get(*, user: Any, pk: int) -> Handover:
    """One handover with its new and carried-over items (mentions resolved for ``user``)."""
    try:
        handover = (
            handover_queryset(user=user)
            .prefetch_related(
                Prefetch("items", queryset=HandoverItem.objects.select_related(*ITEM_RELATED)),
                Prefetch("carried_items", queryset=HandoverItem.objects.select_related(*ITEM_RELATED)),
            )
            .get(pk=pk)
        )
    except (Handover.DoesNotExist, ValueError):
        raise Http404 from None
    resolve_mentions(user=user, items=[*handover.items.all(), *handover.carried_items.all()])
    return handover


def open_items(*, user: Any, branch: Branch) -> list[HandoverItem]:
    """Every open item at ``branch``, oldest first, with mentions resolved for ``user``."""
    items = list(
        scope_queryset(HandoverItem.objects.all(), user, organisation_field="branch__organisation")
        .filter(branch=branch, done_at__isnull=True)
        .select_related(*ITEM_RELATED)
        .order_by("handover__written_at", "position", "pk")
    )
    resolve_mentions(user=user, items=items)
    return items


def item_get(*, user: Any, pk: int) -> HandoverItem:
    try:
        return (
            scope_queryset(HandoverItem.objects.all(), user, organisation_field="branch__organisation")
            .select_related("handover", "branch")
            .get(pk=pk)
        )
    except (HandoverItem.DoesNotExist, ValueError):
        raise Http404 from None


def resolve_mentions(*, user: Any, items: Iterable[HandoverItem]) -> None:
    """Set ``shown_client`` / ``shown_visit`` on each item: the mention, or None when ``user`` may not see it.

    ``mention_hidden`` is True when an item mentions something the user may not see;
    pages say so without naming it. Two queries in all, whatever the number of items.
    """
    items = list(items)
    client_ids = {item.client_id for item in items if item.client_id}
    visit_ids = {item.visit_id for item in items if item.visit_id}
    visible_clients: set[int] = set()
    visible_visits: set[int] = set()
    if client_ids and user.has_perm(ClientsPermission.VIEW_CLIENTS.perm):
        visible_clients = set(
            client_selectors.client_queryset(user=user, include_inactive=True)
            .filter(pk__in=client_ids)
            .values_list("pk", flat=True)
        )
    if visit_ids and user.has_perm(DeskPermission.VIEW_VISITS.perm):
        visible_visits = set(visit_queryset(user=user).filter(pk__in=visit_ids).values_list("pk", flat=True))
    for item in items:
        item.shown_client = item.client if item.client_id in visible_clients else None  # type: ignore[attr-defined]
        item.shown_visit = item.visit if item.visit_id in visible_visits else None  # type: ignore[attr-defined]
        item.mention_hidden = bool(  # type: ignore[attr-defined]
            (item.client_id and item.client_id not in visible_clients)
            or (item.visit_id and item.visit_id not in visible_visits)
        )


def waiting_for(*, user: Any, branch: Branch | None = None) -> QuerySet[Handover]:
    """Unacknowledged handovers at the user's branches (or ``branch``) that someone else wrote."""
    handovers = handover_list(user=user, branch=branch, unacknowledged=True)
    return handovers.exclude(written_by=user) if getattr(user, "pk", None) else handovers


def open_item_count(*, user: Any, branch: Branch) -> int:
    return (
        scope_queryset(HandoverItem.objects.all(), user, organisation_field="branch__organisation")
        .filter(branch=branch, done_at__isnull=True)
        .count()
    )
