"""The web chat through the API (staff): conversations and their messages.

The visitor's side is not part of this API: it is plain JSON views opened by the widget's token
(see docs/interactions-chat.md).
"""

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router
from ninja.pagination import paginate

from frontoffice.core.apikit import Id, LimitOffsetPagination, current_user, requires

from ..permissions import InteractionPermission
from . import selectors
from .schemas import ConversationFilters, ConversationOut, MessageFilters, MessageOut

router = Router(tags=["Interactions"])

VIEW = InteractionPermission.VIEW_INTERACTIONS.perm


@router.get("/interactions/chats", response=list[ConversationOut], summary="List web chats")
@paginate(LimitOffsetPagination)
@requires(VIEW)
def chat_list(request: HttpRequest, filters: Query[ConversationFilters]) -> Any:
    """Chats at your branches, newest first."""
    rows = selectors.conversation_queryset(user=current_user(request))
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.branch_id:
        rows = rows.filter(branch_id=filters.branch_id)
    return rows


@router.get("/interactions/chats/{int:chat_id}", response=ConversationOut, summary="Get a web chat")
@requires(VIEW)
def chat_get(request: HttpRequest, chat_id: Id) -> Any:
    return selectors.conversation_get(user=current_user(request), pk=chat_id)


@router.get("/interactions/chats/{int:chat_id}/messages", response=list[MessageOut], summary="A web chat's messages")
@requires(VIEW)
def chat_messages(request: HttpRequest, chat_id: Id, filters: Query[MessageFilters]) -> Any:
    """In order; ``since`` returns only newer ones."""
    conversation = selectors.conversation_get(user=current_user(request), pk=chat_id)
    return list(selectors.messages_since(conversation=conversation, since=filters.since))
