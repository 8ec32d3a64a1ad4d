"""Permission-matrix entries for the phone (merged into tests/test_permission_matrix.py).

Who sees contacts sees calls and callbacks (clerk, agent, manager, executive, admin); who logs contacts
takes calls, callbacks and has a phone state (not the executive); managers and administrators connect the
phone system, set each branch's phone settings and keep the blocked numbers. Calls, callbacks, branch settings
and blocked numbers belong to ``branch`` (``scoped``): outsiders get 404. The CTI webhook is opened by its
token, not by a sign-in.
"""

from __future__ import annotations

from typing import Any

from tests.permission_cases import Case, api_case

VIEWERS = frozenset({"clerk", "agent", "manager", "executive", "admin"})
LOGGERS = frozenset({"clerk", "agent", "manager", "admin"})
MANAGERS = frozenset({"manager", "admin"})
NOT_THEIRS_400 = {"outsider_branch": 400, "outsider_org": 400}  # the branch named in the form is not theirs


def _callback(ctx: dict[str, Any]) -> dict[str, Any]:
    return {"pk": ctx["phone_callback"].pk}


def _api_callback(ctx: dict[str, Any]) -> dict[str, Any]:
    return {"callback_id": ctx["phone_callback"].pk}


def _call(ctx: dict[str, Any]) -> dict[str, Any]:
    return {"pk": ctx["phone_callback"].interaction_id}


CASES: dict[str, Case] = {
    "interactions:cti_webhook": Case(
        public=True,
        method="post",
        kwargs=lambda ctx: {"token": ctx["phone_token_raw"]},
        data=lambda ctx: {"event": "newCall", "callId": "matrix-ring", "from": "+48600700800", "direction": "in"},
    ),
    "interactions:callback_list": Case(roles=VIEWERS),
    "interactions:callback_take": Case(roles=LOGGERS, kwargs=_callback, scoped=True, method="post", ok=(302,)),
    "interactions:callback_attempt": Case(roles=LOGGERS, kwargs=_callback, scoped=True),
    "interactions:callback_close": Case(
        roles=LOGGERS, kwargs=_callback, scoped=True, method="post", data=lambda ctx: {"status": "done"}, ok=(302,)
    ),
    "interactions:agent_state_set": Case(roles=LOGGERS, method="post", data=lambda ctx: {"state": "break"}, ok=(302,)),
    "interactions:call_list": Case(roles=VIEWERS),
    "interactions:call_log_outbound": Case(roles=LOGGERS),
    "interactions:call_detail": Case(roles=VIEWERS, kwargs=_call, scoped=True),
    "interactions:call_outcome": Case(
        roles=LOGGERS, kwargs=_call, scoped=True, method="post", data=lambda ctx: {"outcome": "resolved"}, ok=(302,)
    ),
    "interactions:call_pop": Case(roles=VIEWERS, kwargs=_call, scoped=True),
    "interactions:phone_settings": Case(roles=MANAGERS),
    "interactions:cti_token_create": Case(
        roles=MANAGERS,
        method="post",
        data=lambda ctx: {"name": "Asterisk", "branch": ctx["branch"].pk},
        overrides=NOT_THEIRS_400,
    ),
    "interactions:cti_token_revoke": Case(
        roles=MANAGERS,
        kwargs=lambda ctx: {"pk": ctx["phone_token"].pk},
        scoped=True,
        method="post",
        ok=(302,),
    ),
    "interactions:agent_phone_set": Case(
        roles=MANAGERS,
        method="post",
        data=lambda ctx: {"user": ctx["clerk"].pk, "extension": "299"},
        ok=(302,),
        overrides={"outsider_org": 400},  # the clerk is not their staff
    ),
    "interactions:phone_settings_branch": Case(
        roles=MANAGERS, kwargs=lambda ctx: {"pk": ctx["branch"].pk}, scoped=True
    ),
    "interactions:blocked_number_list": Case(roles=MANAGERS),
    "interactions:blocked_number_add": Case(
        roles=MANAGERS,
        method="post",
        data=lambda ctx: {"branch": ctx["branch"].pk, "number": "600 700 111", "reason": "abuse"},
        ok=(302,),
        overrides=NOT_THEIRS_400,
    ),
    "interactions:blocked_number_remove": Case(
        roles=MANAGERS,
        kwargs=lambda ctx: {"pk": ctx["phone_blocked"].pk},
        scoped=True,
        method="post",
        ok=(302,),
    ),
    "interactions_events:pop_stream": api_case(roles=LOGGERS, ok=(204,)),  # 204: the test server is not ASGI
    "api:callback_list": api_case(roles=VIEWERS),
    "api:callback_take": api_case(roles=LOGGERS, kwargs=_api_callback, scoped=True, method="post"),
    "api:callback_attempt": api_case(
        roles=LOGGERS,
        kwargs=_api_callback,
        scoped=True,
        method="post",
        data=lambda ctx: {"outcome": "no_answer"},
        ok=(201,),
    ),
    "api:callback_close": api_case(
        roles=LOGGERS, kwargs=_api_callback, scoped=True, method="post", data=lambda ctx: {"status": "done"}
    ),
    "api:agent_state_get": api_case(roles=VIEWERS),
    "api:agent_state_set": api_case(roles=LOGGERS, method="post", data=lambda ctx: {"state": "break"}),
    "api:call_list": api_case(roles=VIEWERS),
}


def extend_world(ctx: dict[str, Any]) -> dict[str, Any]:
    """A PBX connected to ``branch``, and a caller who gave up before anybody answered (a callback)."""
    from frontoffice.interactions.models import Callback
    from frontoffice.interactions.phone import cti
    from frontoffice.interactions.phone import services as phone_services

    token, raw = phone_services.cti_token_create(branch=ctx["branch"], name="Centrala", actor=ctx["manager"])
    caller = {"from": "+48600700900", "to": "+48221234500", "direction": "in", "callId": "matrix-missed"}
    cti.receive(token=token, data={"event": "newCall", **caller})
    cti.receive(token=token, data={"event": "hangup", "cause": "cancel", **caller})
    from frontoffice.interactions.phone import services_setup

    blocked = services_setup.blocked_number_add(branch=ctx["branch"], actor=ctx["manager"], number="+48600700999")
    return {
        "phone_token": token,
        "phone_token_raw": raw,
        "phone_callback": Callback.objects.get(number="+48600700900"),
        "phone_blocked": blocked,
    }
