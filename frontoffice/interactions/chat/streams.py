"""Live streams of the web chat (async views under ``/events/interactions/``, ASGI side only).

- ``visitor_stream``: the widget's stream for one conversation, opened with the widget token and the
  signed visitor key in the query string (``EventSource`` sends no headers), CORS for allowed origins.
- ``agent_stream``: an agent's stream of chat events at their branches (a visitor waits, a chat was
  taken, a message arrived, a chat ended); pages refresh what they show when an event comes.

Outside ASGI (a WSGI test server) both answer ``no_stream()``: the widget and the pages then poll.
"""

from __future__ import annotations

from typing import Any

from asgiref.sync import sync_to_async
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from frontoffice.core.apikit.problems import problem
from frontoffice.core.scoping import scope_for
from frontoffice.core.sse import CLOSE, Outgoing, no_stream, served_over_asgi, sse_response

from ..models import ChatWidget
from ..models.chat import ChatStatus
from ..permissions import InteractionPermission
from . import services
from .public import cors


def _visitor(token: str, key: str) -> tuple[ChatWidget | None, Any]:
    widget = ChatWidget.objects.select_related("branch").filter(token=token, is_active=True).first()
    if widget is None or not key:
        return widget, None
    return widget, services.conversation_for_key(widget=widget, key=key)


async def visitor_stream(request: HttpRequest, token: str) -> HttpResponse:
    widget, conversation = await sync_to_async(_visitor)(token, request.GET.get("key", ""))
    if conversation is None:
        return cors(
            JsonResponse({"error": "unknown_chat", "detail": _("This chat is not available.")}, status=404),
            request,
            widget,
        )
    if not served_over_asgi(request) or conversation.status == ChatStatus.ENDED:
        return cors(no_stream(), request, widget)

    def transform(event: dict[str, Any]) -> Outgoing:
        kind = event.get("type")
        if kind == "chat.message":
            return ("message", event["message"])
        if kind == "chat.taken":
            return ("taken", {"agent": event.get("agent", "")})
        if kind == "chat.ended":
            return (CLOSE, {"status": "ended"})
        return None

    return cors(sse_response([services.conversation_channel(conversation)], transform=transform), request, widget)


def _agent_channels(user: Any) -> list[str] | None:
    if not user.is_authenticated:
        return None
    if not user.has_perm(InteractionPermission.LOG_INTERACTIONS.perm):
        return []
    from frontoffice.core.models import Branch

    scope = scope_for(user)
    branches = Branch.objects.filter(organisation_id=scope.organisation_id)
    if scope.branch_ids is not None:
        branches = branches.filter(pk__in=scope.branch_ids)
    return [services.branch_channel(pk, scope.organisation_id or 0) for pk in branches.values_list("pk", flat=True)]


async def agent_stream(request: HttpRequest) -> HttpResponse:
    user = await request.auser()
    channels = await sync_to_async(_agent_channels)(user)
    if channels is None:
        return problem(request, 401, detail=_("Sign in first."))
    if not channels and not (await sync_to_async(user.has_perm)(InteractionPermission.LOG_INTERACTIONS.perm)):
        return problem(request, 403, detail=_("You may not answer chats."))
    if not served_over_asgi(request):
        return no_stream()
    return sse_response(channels, transform=lambda event: ("chat", event))
