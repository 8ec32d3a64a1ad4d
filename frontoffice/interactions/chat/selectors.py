"""Reads of the web chat, scoped to the user's organisation and branches; the visitor's side by token."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.http import Http404

from frontoffice.core.scoping import scope_for, scope_queryset

from ..availability import accepting_work, is_accepting_work
from ..models import ChatConversation, ChatMessage, ChatWidget
from ..models.chat import ChatStatus
from ..permissions import InteractionPermission

# ``with_perm`` needs the backend named when several are configured (axes' backend answers no permission).
PERMISSION_BACKEND = "frontoffice.accounts.principal.CachedModelBackend"


def widget_queryset(*, user: Any) -> QuerySet[ChatWidget]:
    return scope_queryset(ChatWidget.objects.all(), user).select_related("branch")


def widget_get(*, user: Any, pk: int) -> ChatWidget:
    try:
        return widget_queryset(user=user).get(pk=pk)
    except ChatWidget.DoesNotExist:
        raise Http404 from None


def widget_by_token(token: str) -> ChatWidget:
    """The public side: an active widget by its token, or 404."""
    widget = ChatWidget.objects.select_related("branch").filter(token=token, is_active=True).first()
    if widget is None:
        raise Http404
    return widget


def conversation_queryset(*, user: Any) -> QuerySet[ChatConversation]:
    return scope_queryset(ChatConversation.objects.all(), user).select_related(
        "interaction", "interaction__client", "agent", "branch", "widget"
    )


def conversation_get(*, user: Any, pk: int) -> ChatConversation:
    try:
        return conversation_queryset(user=user).get(pk=pk)
    except ChatConversation.DoesNotExist:
        raise Http404 from None


def chat_agents(*, organisation_id: int, branch_ids: Iterable[int]) -> QuerySet[Any]:
    """Who answers chats at these branches: active staff of the branches allowed to log contacts."""
    return (
        get_user_model()
        .objects.with_perm(InteractionPermission.LOG_INTERACTIONS.perm, backend=PERMISSION_BACKEND)
        .filter(staff__is_active=True, staff__organisation_id=organisation_id, staff__branches__in=list(branch_ids))
    )


def branches_with_ready_agents(*, organisation_id: int, branch_ids: Iterable[int]) -> set[int]:
    """Of ``branch_ids``, the branches where at least one chat agent is ready (available, or no state). One query."""
    agents = accepting_work(chat_agents(organisation_id=organisation_id, branch_ids=branch_ids), ready=True)
    ready = agents.filter(staff__branches__in=list(branch_ids)).values_list("staff__branches", flat=True)
    return set(ready.distinct())


def waiting_offered_to_me(*, user: Any) -> Literal[True] | set[int]:
    """Which waiting chats ``user`` is offered: True for all of their branches' (they are ready), else the
    set of branches where nobody is ready, whose chats go to every agent (pass it to ``inbox``)."""
    if is_accepting_work(user=user, ready=True):
        return True
    scope = scope_for(user)
    if scope.is_empty or scope.organisation_id is None:
        return set()
    if scope.branch_ids is None:
        branch_ids = set(
            ChatWidget.objects.filter(organisation_id=scope.organisation_id).values_list("branch_id", flat=True)
        )
    else:
        branch_ids = set(scope.branch_ids)
    covered = branches_with_ready_agents(organisation_id=scope.organisation_id, branch_ids=branch_ids)
    return branch_ids - covered


def inbox(*, user: Any, offered: Literal[True] | set[int] | None = None) -> QuerySet[ChatConversation]:
    """Waiting chats offered to me (oldest first), then my chats in progress.

    A waiting chat is offered to the branch's agents who are ready (state available, or none recorded);
    while one of them is, agents on a call, in wrap-up, on a break or offline do not see it. When nobody
    at the branch is ready, every agent of the branch sees it.
    """
    if offered is None:
        offered = waiting_offered_to_me(user=user)
    waiting = Q(status=ChatStatus.WAITING)
    if offered is not True:
        waiting &= Q(branch_id__in=sorted(offered))
    return (
        conversation_queryset(user=user)
        .filter(waiting | Q(status=ChatStatus.ACTIVE, agent=user))
        .order_by("-status", "created_at", "pk")  # "waiting" sorts after "active": reversed puts it first
    )


def recent_ended(*, user: Any, limit: int = 20) -> list[ChatConversation]:
    return list(conversation_queryset(user=user).filter(status=ChatStatus.ENDED).order_by("-updated_at")[:limit])


def messages_since(*, conversation: ChatConversation, since: int = 0) -> QuerySet[ChatMessage]:
    return conversation.messages.filter(pk__gt=since).order_by("pk")
