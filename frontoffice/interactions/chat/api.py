"""The web chat through the API (staff): conversations and their messages; take, answer and end a chat
with the same services as the agent's pages.

The visitor's side is not part of this API: it is plain JSON views opened by the widget's token
(see docs/interactions-chat.md).
"""

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from frontoffice.core.apikit import Id, LimitOffsetPagination, current_user, idempotent, requires
from frontoffice.core.apikit.problems import CONFLICT, problem

from ..models.chat import ChatStatus
from ..permissions import InteractionPermission
from . import selectors, services
from .schemas import ChatReplyIn, ConversationFilters, ConversationOut, MessageFilters, MessageOut

router = Router(tags=["Interactions"])

VIEW = InteractionPermission.VIEW_INTERACTIONS.perm
LOG = InteractionPermission.LOG_INTERACTIONS.perm


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


def _ended(request: HttpRequest) -> Any:
    return problem(request, 409, type=CONFLICT, detail=_("This chat has ended."))


@router.post("/interactions/chats/{int:chat_id}/messages", response={201: MessageOut}, summary="Answer a web chat")
@requires(LOG)
@idempotent
def chat_message_create(request: HttpRequest, chat_id: Id, payload: ChatReplyIn) -> Any:
    """The agent who took the chat answers (take it first: anyone else gets 422). The visitor sees the message
    at once. An ended chat gives 409."""
    user = current_user(request)
    conversation = selectors.conversation_get(user=user, pk=chat_id)
    try:
        message = services.chat_reply(conversation=conversation, agent=user, text=payload.text)
    except services.ChatClosed:
        return _ended(request)
    return Status(201, message)


@router.post("/interactions/chats/{int:chat_id}/take", response=ConversationOut, summary="Take a web chat")
@requires(LOG)
def chat_take(request: HttpRequest, chat_id: Id) -> Any:
    """Assign a waiting chat to yourself. Another agent was faster, or the chat ended: 409."""
    user = current_user(request)
    conversation = selectors.conversation_get(user=user, pk=chat_id)
    try:
        services.chat_take(conversation=conversation, agent=user)
    except services.AlreadyTaken:
        conversation.refresh_from_db(fields=["status"])
        if conversation.status == ChatStatus.ENDED:
            return _ended(request)
        return problem(request, 409, type=CONFLICT, detail=_("Another agent has already taken this chat."))
    return selectors.conversation_get(user=user, pk=chat_id)


@router.post("/interactions/chats/{int:chat_id}/end", response=ConversationOut, summary="End a web chat")
@requires(LOG)
def chat_end(request: HttpRequest, chat_id: Id) -> Any:
    """Close the chat for both sides; ending an ended chat changes nothing."""
    user = current_user(request)
    conversation = selectors.conversation_get(user=user, pk=chat_id)
    services.chat_end(conversation=conversation, actor=user)
    return selectors.conversation_get(user=user, pk=chat_id)
