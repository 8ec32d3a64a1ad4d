"""Reads of the phone area, scoped to the user's organisation and branches."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from frontoffice.core.scoping import scope_queryset

from ..choices import CallbackStatus, Channel
from ..models import AgentStateChange, Call, Callback, CtiToken, Interaction

RECENT_CONTACTS = 5
CALLBACK_VIEWS = ("mine", "unassigned", "all")


def callback_list(*, user: Any, view: str = "all", status: str = CallbackStatus.OPEN) -> QuerySet[Callback]:
    """Callbacks at the user's branches: ``mine``, ``unassigned`` or ``all``; open ones by default."""
    rows = scope_queryset(Callback.objects.all(), user).select_related("client", "owner", "branch", "interaction")
    if status:
        rows = rows.filter(status=status)
    if view == "mine":
        rows = rows.filter(owner=user)
    elif view == "unassigned":
        rows = rows.filter(owner__isnull=True)
    return rows.order_by("due_at", "pk")


def callback_get(*, user: Any, pk: int) -> Callback:
    try:
        return callback_list(user=user, status="").get(pk=pk)
    except Callback.DoesNotExist:
        raise Http404 from None


def call_list(*, user: Any) -> QuerySet[Interaction]:
    """Phone contacts at the user's branches, newest first, with their call facts when the PBX sent them."""
    return (
        scope_queryset(Interaction.objects.filter(channel=Channel.PHONE), user)
        .select_related("client", "staff", "topic", "call")
        .order_by("-started_at", "-pk")
    )


def call_get(*, user: Any, pk: int) -> Interaction:
    try:
        return call_list(user=user).get(pk=pk)
    except Interaction.DoesNotExist:
        raise Http404 from None


def call_of(interaction: Interaction) -> Call | None:
    try:
        return interaction.call
    except Call.DoesNotExist:
        return None


def recent_contacts(*, user: Any, interaction: Interaction) -> list[Interaction]:
    """The client's last contacts before this one (any channel), for the screen pop."""
    if interaction.client_id is None:
        return []
    rows = scope_queryset(Interaction.objects.filter(client_id=interaction.client_id), user).exclude(pk=interaction.pk)
    return list(rows.select_related("topic").order_by("-started_at", "-pk")[:RECENT_CONTACTS])


def agent_state(*, user: Any) -> AgentStateChange | None:
    return AgentStateChange.objects.filter(user=user, ended_at__isnull=True).first()


def agent_state_history(*, user: Any, limit: int = 10) -> list[AgentStateChange]:
    return list(AgentStateChange.objects.filter(user=user).order_by("-started_at", "-pk")[:limit])


def cti_token_list(*, user: Any) -> QuerySet[CtiToken]:
    return scope_queryset(CtiToken.objects.all(), user).select_related("branch").order_by("-created_at", "-pk")


def cti_token_get(*, user: Any, pk: int) -> CtiToken:
    try:
        return cti_token_list(user=user).get(pk=pk)
    except CtiToken.DoesNotExist:
        raise Http404 from None


def open_callback_for(*, user: Any, number: str) -> Callback | None:
    return callback_list(user=user).filter(Q(number=number)).first()
