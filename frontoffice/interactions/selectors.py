"""Reads of contacts, follow-ups and cases, scoped to the user's organisation and branches."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from frontoffice.core.scoping import scope_queryset

from .models import Case, FollowUp, Interaction


def interaction_queryset(*, user: Any) -> QuerySet[Interaction]:
    return scope_queryset(Interaction.objects.all(), user)


def interaction_get(*, user: Any, pk: int) -> Interaction:
    try:
        return interaction_queryset(user=user).select_related("branch", "client", "topic", "staff", "case").get(pk=pk)
    except Interaction.DoesNotExist:
        raise Http404 from None


def follow_ups_open_for(*, user: Any) -> QuerySet[FollowUp]:
    """The user's own open follow-ups, soonest first (the home page card)."""
    return (
        scope_queryset(FollowUp.objects.all(), user)
        .filter(owner=user, done_at__isnull=True)
        .select_related("interaction", "case")
        .order_by("due_at", "pk")
    )


def case_queryset(*, user: Any) -> QuerySet[Case]:
    return scope_queryset(Case.objects.all(), user)


def case_get(*, user: Any, pk: int, follow_merges: bool = True) -> Case:
    """One case; a merged-away case leads to the one it was merged into when ``follow_merges``."""
    cases = case_queryset(user=user).select_related("branch", "client", "team", "owner")
    try:
        case = cases.get(pk=pk)
    except Case.DoesNotExist:
        raise Http404 from None
    seen = {case.pk}
    while follow_merges and case.merged_into_id is not None and case.merged_into_id not in seen:
        seen.add(case.merged_into_id)
        case = cases.get(pk=case.merged_into_id)
    return case
