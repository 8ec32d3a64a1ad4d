"""The visitor's side of the web chat: plain JSON views opened by the widget's public token, no sign-in.

The widget runs on the business's own website, so these views answer CORS requests from the
widget's allowed origins only (preflight included) and need no cookies: the signed visitor key
travels in the ``X-Chat-Key`` header, the JSON body or (for the event stream) the query string.
Every answer is JSON; errors are ``{"error": code, "detail": translated text}`` with a 4xx status.
Requests are rate-limited per visitor and per IP address. Texts are plain; the widget inserts them
as text nodes, never as HTML.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from ..models import ChatConversation, ChatWidget
from ..models.chat import MESSAGE_MAX_LENGTH, ChatStatus
from . import ratelimit, selectors, services
from .hours import widget_is_online
from .widget_texts import widget_texts

# (requests, seconds) per window
IP_LIMIT = (300, 60)
START_LIMIT = (30, 600)
VISITOR_LIMIT = (30, 60)
BODY_LIMIT = 16_000  # bytes: a 2,000-character message with room for its JSON

View = Callable[..., HttpResponse]


def client_ip(request: HttpRequest) -> str:
    """The visitor's address; behind ``FRONTOFFICE_PROXY_COUNT`` trusted proxies, from X-Forwarded-For."""
    proxies = int(getattr(settings, "AXES_IPWARE_PROXY_COUNT", 0) or 0)
    forwarded = [part.strip() for part in request.headers.get("X-Forwarded-For", "").split(",") if part.strip()]
    if proxies and len(forwarded) >= proxies:
        return forwarded[-proxies]
    return str(request.META.get("REMOTE_ADDR", ""))


def cors(response: HttpResponse, request: HttpRequest, widget: ChatWidget | None) -> HttpResponse:
    """Let the widget's own websites read the answer (and nobody else's)."""
    origin = request.headers.get("Origin", "").rstrip("/")
    if widget is not None and origin and origin in widget.origins:
        response["Access-Control-Allow-Origin"] = origin
        response["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        response["Access-Control-Allow-Headers"] = "Content-Type, X-Chat-Key"
        response["Access-Control-Max-Age"] = "600"
        response["Vary"] = "Origin"
    return response


def error(code: str, detail: str, status: int) -> JsonResponse:
    return JsonResponse({"error": code, "detail": detail}, status=status)


def language_of(request: HttpRequest, body: dict[str, Any]) -> str:
    raw = str(body.get("language") or request.GET.get("language") or "")
    return "pl" if raw.lower().startswith("pl") else "en" if raw else "pl"


def public_endpoint(methods: tuple[str, ...]) -> Callable[[View], View]:
    """CSRF-exempt (no cookies are used), CORS for the widget's origins, JSON errors, rate limits."""

    def decorator(view: View) -> View:
        @csrf_exempt
        @wraps(view)
        def wrapped(request: HttpRequest, token: str) -> HttpResponse:
            widget = ChatWidget.objects.select_related("branch").filter(token=token, is_active=True).first()
            if request.method == "OPTIONS":
                return cors(HttpResponse(status=204), request, widget)
            body: dict[str, Any] = {}
            if request.method == "POST":
                if len(request.body) > BODY_LIMIT:
                    return cors(error("too_long", _("The message is too long."), 413), request, widget)
                try:
                    parsed = json.loads(request.body or b"{}") if request.content_type == "application/json" else {}
                except ValueError:
                    parsed = None
                if not isinstance(parsed, dict):
                    return cors(error("bad_request", _("The request could not be read."), 400), request, widget)
                body = parsed or request.POST.dict()
            with translation.override(language_of(request, body)):
                if request.method not in methods:
                    response: HttpResponse = error("method", _("This address does not answer that method."), 405)
                elif widget is None:
                    response = error("unknown_widget", _("This chat is not available."), 404)
                elif not ratelimit.hit("chat-ip", client_ip(request), limit=IP_LIMIT[0], window=IP_LIMIT[1]):
                    response = error("rate_limited", _("Too many requests. Please wait a minute."), 429)
                else:
                    response = view(request, widget, body)
            return cors(response, request, widget)

        return wrapped

    return decorator


def _conversation(request: HttpRequest, widget: ChatWidget, body: dict[str, Any]) -> ChatConversation:
    key = str(request.headers.get("X-Chat-Key") or body.get("key") or request.GET.get("key") or "")
    conversation = services.conversation_for_key(widget=widget, key=key) if key else None
    if conversation is None:
        raise Http404
    return conversation


def _state(widget: ChatWidget, conversation: ChatConversation, since: int = 0) -> dict[str, Any]:
    waited = (timezone.now() - conversation.created_at).total_seconds()
    return {
        "status": conversation.status,
        "offer_offline": conversation.status == ChatStatus.WAITING and waited >= widget.answer_within_minutes * 60,
        "messages": [
            services.message_data(message)
            for message in selectors.messages_since(conversation=conversation, since=since)
        ],
    }


def _validation(error_: ValidationError) -> JsonResponse:
    return JsonResponse(
        {"error": "invalid", "detail": " ".join(error_.messages), "fields": getattr(error_, "message_dict", {})},
        status=400,
    )


@public_endpoint(("GET",))
def widget_config(request: HttpRequest, widget: ChatWidget, body: dict[str, Any]) -> HttpResponse:
    """What the widget shows before a chat: greeting, colours, whether agents are online, and its texts."""
    language = translation.get_language() or "pl"
    return JsonResponse(
        {
            "online": widget_is_online(widget, timezone.now()),
            "greeting": widget.greeting(language),
            "accent_colour": widget.accent_colour,
            "text_colour": widget.text_colour,
            "max_length": MESSAGE_MAX_LENGTH,
            "language": language,
            "texts": widget_texts(),
        }
    )


@public_endpoint(("POST",))
def chat_start(request: HttpRequest, widget: ChatWidget, body: dict[str, Any]) -> HttpResponse:
    if not ratelimit.hit("chat-start", client_ip(request), limit=START_LIMIT[0], window=START_LIMIT[1]):
        return error("rate_limited", _("Too many chats from this address. Please try again later."), 429)
    if not widget_is_online(widget, timezone.now()):
        return error("offline", _("Nobody is online now. Leave a message and we will answer by e-mail."), 409)
    try:
        conversation = services.chat_start(
            widget=widget,
            name=str(body.get("name", ""))[:100],
            email=str(body.get("email", ""))[:254],
            language=translation.get_language() or "pl",
            text=str(body.get("text", ""))[: MESSAGE_MAX_LENGTH + 1],
        )
    except ValidationError as problem:
        return _validation(problem)
    return JsonResponse({"key": services.visitor_key(conversation), **_state(widget, conversation)}, status=201)


@public_endpoint(("POST",))
def chat_send(request: HttpRequest, widget: ChatWidget, body: dict[str, Any]) -> HttpResponse:
    try:
        conversation = _conversation(request, widget, body)
    except Http404:
        return error("unknown_chat", _("This chat has ended. Start a new one."), 404)
    if not ratelimit.hit("chat-visitor", str(conversation.pk), limit=VISITOR_LIMIT[0], window=VISITOR_LIMIT[1]):
        return error("rate_limited", _("You are sending messages too fast. Please wait a moment."), 429)
    try:
        message = services.chat_visitor_say(conversation=conversation, text=str(body.get("text", "")))
    except services.ChatClosed:
        return error("ended", _("This chat has ended. Start a new one."), 409)
    except ValidationError as problem:
        return _validation(problem)
    return JsonResponse({"message": services.message_data(message)}, status=201)


@public_endpoint(("GET",))
def chat_messages(request: HttpRequest, widget: ChatWidget, body: dict[str, Any]) -> HttpResponse:
    """The polling fallback: the chat's state and its messages after ``?since=<id>``."""
    try:
        conversation = _conversation(request, widget, body)
    except Http404:
        return error("unknown_chat", _("This chat has ended. Start a new one."), 404)
    raw = request.GET.get("since", "0")
    return JsonResponse(_state(widget, conversation, since=int(raw) if raw.isdigit() else 0))


@public_endpoint(("POST",))
def chat_end(request: HttpRequest, widget: ChatWidget, body: dict[str, Any]) -> HttpResponse:
    try:
        conversation = _conversation(request, widget, body)
    except Http404:
        return error("unknown_chat", _("This chat has ended. Start a new one."), 404)
    services.chat_end(conversation=conversation)
    return JsonResponse({"status": ChatStatus.ENDED})


@public_endpoint(("POST",))
def offline_message(request: HttpRequest, widget: ChatWidget, body: dict[str, Any]) -> HttpResponse:
    """The e-mail form (offline hours, or nobody took the chat): the message becomes an e-mail case."""
    if not ratelimit.hit("chat-start", client_ip(request), limit=START_LIMIT[0], window=START_LIMIT[1]):
        return error("rate_limited", _("Too many messages from this address. Please try again later."), 429)
    conversation = None
    if body.get("key") or request.headers.get("X-Chat-Key"):
        try:
            conversation = _conversation(request, widget, body)
        except Http404:
            conversation = None
    try:
        services.chat_offline_message(
            widget=widget,
            name=str(body.get("name", ""))[:100],
            email=str(body.get("email", ""))[:254],
            text=str(body.get("text", ""))[: MESSAGE_MAX_LENGTH + 1],
            conversation=conversation,
        )
    except ValidationError as problem:
        return _validation(problem)
    return JsonResponse(
        {"detail": _("Thank you. We have your message and will answer by e-mail.")},
        status=201,
    )
