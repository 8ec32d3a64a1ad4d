"""Reads of the web chat, scoped to the user's organisation and branches; the visitor's side by token."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from frontoffice.core.scoping import scope_queryset

from ..models import ChatConversation, ChatMessage, ChatWidget
from ..models.chat import ChatStatus


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


def inbox(*, user: Any) -> QuerySet[ChatConversation]:
    """Waiting chats of my branches (oldest first), then my chats in progress."""
    return (
        conversation_queryset(user=user)
        .filter(Q(status=ChatStatus.WAITING) | Q(status=ChatStatus.ACTIVE, agent=user))
        .order_by("-status", "created_at", "pk")  # "waiting" sorts after "active": reversed puts it first
    )


def recent_ended(*, user: Any, limit: int = 20) -> list[ChatConversation]:
    return list(conversation_queryset(user=user).filter(status=ChatStatus.ENDED).order_by("-updated_at")[:limit])


def messages_since(*, conversation: ChatConversation, since: int = 0) -> QuerySet[ChatMessage]:
    return conversation.messages.filter(pk__gt=since).order_by("pk")
