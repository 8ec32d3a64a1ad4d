"""Permission-matrix entries for the web chat (merged into tests/test_permission_matrix.py).

Who logs contacts answers chats (clerk, agent, manager, admin); who manages channels sets up the
widgets (manager, admin); who sees contacts reads chats through the API (also the executive).
Chats and widgets belong to ``branch`` (``scoped``): outsiders get 404. The visitor's endpoints are
public: the widget token and the signed visitor key are the keys (outside ASGI the stream answers 204).
"""

from __future__ import annotations

from typing import Any

from tests.permission_cases import Case, api_case

VIEWERS = frozenset({"clerk", "agent", "manager", "executive", "admin"})
LOGGERS = frozenset({"clerk", "agent", "manager", "admin"})
MANAGERS = frozenset({"manager", "admin"})


def _chat(ctx: dict[str, Any]) -> dict[str, Any]:
    return {"pk": ctx["chat_waiting"].pk}


def _token(ctx: dict[str, Any]) -> dict[str, Any]:
    return {"token": ctx["chat_widget"].token}


def _key(ctx: dict[str, Any]) -> dict[str, Any]:
    return {"key": ctx["chat_key"]}


CASES: dict[str, Case] = {
    "interactions:chat_inbox": Case(roles=LOGGERS),
    "interactions:chat_conversation": Case(roles=LOGGERS, kwargs=_chat, scoped=True),
    "interactions:chat_take": Case(roles=LOGGERS, kwargs=_chat, scoped=True, method="post", ok=(302,)),
    # Only the agent who took the chat may answer: the others are let in and told to take it first (400).
    "interactions:chat_reply": Case(
        roles=LOGGERS,
        kwargs=lambda ctx: {"pk": ctx["chat_active"].pk},
        scoped=True,
        method="post",
        data=lambda ctx: {"text": "Dzień dobry"},
        ok=(302, 400),
    ),
    "interactions:chat_end": Case(roles=LOGGERS, kwargs=_chat, scoped=True, method="post", ok=(302,)),
    "interactions:chat_open_case": Case(roles=LOGGERS, kwargs=_chat, scoped=True, method="post", ok=(302,)),
    "interactions:chat_widget_list": Case(roles=MANAGERS),
    "interactions:chat_widget_create": Case(roles=MANAGERS),
    "interactions:chat_widget_edit": Case(
        roles=MANAGERS, kwargs=lambda ctx: {"pk": ctx["chat_widget"].pk}, scoped=True
    ),
    "interactions:chat_widget_config": Case(public=True, kwargs=_token),
    "interactions:chat_visitor_start": Case(
        public=True, kwargs=_token, method="post", data=lambda ctx: {"text": "Dzień dobry"}, ok=(201,)
    ),
    "interactions:chat_visitor_send": Case(
        public=True, kwargs=_token, method="post", data=lambda ctx: {**_key(ctx), "text": "Halo"}, ok=(201,)
    ),
    "interactions:chat_visitor_messages": Case(public=True, kwargs=_token, data=_key),
    "interactions:chat_visitor_end": Case(public=True, kwargs=_token, method="post", data=_key),
    "interactions:chat_visitor_offline": Case(
        public=True,
        kwargs=_token,
        method="post",
        data=lambda ctx: {"name": "Ewa", "email": "ewa@example.invalid", "text": "Proszę o kontakt"},
        ok=(201,),
    ),
    "interactions_events:chat_visitor_stream": Case(public=True, kwargs=_token, data=_key, ok=(204,)),
    "interactions_events:chat_agent_stream": api_case(roles=LOGGERS, ok=(204,)),
    "api:chat_list": api_case(roles=VIEWERS),
    "api:chat_get": api_case(roles=VIEWERS, kwargs=lambda ctx: {"chat_id": ctx["chat_waiting"].pk}, scoped=True),
    "api:chat_messages": api_case(roles=VIEWERS, kwargs=lambda ctx: {"chat_id": ctx["chat_waiting"].pk}, scoped=True),
    # As on the page: only the agent who took the chat may answer; the others are told to take it first (422).
    "api:chat_message_create": api_case(
        roles=LOGGERS,
        kwargs=lambda ctx: {"chat_id": ctx["chat_active"].pk},
        scoped=True,
        method="post",
        data=lambda ctx: {"text": "Dzień dobry"},
        ok=(201, 422),
    ),
    "api:chat_take": api_case(
        roles=LOGGERS, kwargs=lambda ctx: {"chat_id": ctx["chat_waiting"].pk}, scoped=True, method="post"
    ),
    "api:chat_end": api_case(
        roles=LOGGERS, kwargs=lambda ctx: {"chat_id": ctx["chat_waiting"].pk}, scoped=True, method="post"
    ),
}


def extend_world(ctx: dict[str, Any]) -> dict[str, Any]:
    """A widget on the branch's website; one chat waits, another is in progress with the agent."""
    from frontoffice.interactions.chat import services
    from frontoffice.interactions.models.chat import HoursSource

    widget = services.widget_create(
        branch=ctx["branch"],
        actor=ctx["manager"],
        name="Strona przychodni",
        allowed_origins="https://www.przychodnia-testowa.example",
        hours_source=HoursSource.ALWAYS,
    )
    waiting = services.chat_start(widget=widget, name="Ewa Nowak", text="Czy są wyniki?")
    active = services.chat_start(widget=widget, name="Adam Kowal", text="Dzień dobry")
    services.chat_take(conversation=active, agent=ctx["agent"])
    return {
        "chat_widget": widget,
        "chat_waiting": waiting,
        "chat_active": active,
        "chat_key": services.visitor_key(waiting),
    }


def extend_case(ctx: dict[str, Any]) -> dict[str, Any]:
    """The visitor endpoints are rate-limited per address: every case starts with fresh counters."""
    from django.core.cache import cache

    cache.clear()
    return {}
