"""Permission-matrix entries for the walk-in queue (merged into tests/test_permission_matrix.py).

Services, counters, screens and tickets belong to ``branch`` (``scoped``). Everyone at the desk
sees the queue (``view_queue``: not security staff); clerks, agents, managers and administrators
work it (``serve_queue``); managers and administrators set it up (``manage_queue``). The board,
kiosk and place-in-line pages are public: their secret token or signed link is the only key.
The event streams under /events/ are checked for their status only; what they send is tested in
desk/tests/test_queue_streams.py.
"""

from __future__ import annotations

from typing import Any

from tests.permission_cases import Case, api_case

VIEWERS = frozenset({"clerk", "agent", "manager", "executive", "admin"})
SERVERS = frozenset({"clerk", "agent", "manager", "admin"})
MANAGERS = frozenset({"manager", "admin"})


def _ticket(ctx: dict[str, Any]) -> dict[str, Any]:
    return {"pk": ctx["queue_ticket"].pk}


def _api_ticket(ctx: dict[str, Any]) -> dict[str, Any]:
    return {"ticket_id": ctx["queue_ticket"].pk}


CASES: dict[str, Case] = {
    "desk:queue": Case(roles=VIEWERS),
    "desk:queue_issue": Case(
        roles=SERVERS, method="post", ok=(302,), scoped=True, data=lambda ctx: {"service": ctx["queue_service"].pk}
    ),
    "desk:queue_call_next": Case(
        roles=SERVERS, method="post", ok=(302,), scoped=True, data=lambda ctx: {"counter": ctx["queue_counter"].pk}
    ),
    "desk:ticket_action": Case(
        roles=SERVERS,
        method="post",
        ok=(302,),
        scoped=True,
        kwargs=lambda ctx: {"pk": ctx["queue_ticket"].pk, "action": "recall"},
    ),
    "desk:ticket_print": Case(roles=VIEWERS, kwargs=_ticket, scoped=True),
    "desk:ticket_position_link": Case(
        roles=SERVERS, method="post", ok=(302,), scoped=True, kwargs=_ticket, data=lambda ctx: {"channel": "sms"}
    ),
    "desk:queue_setup": Case(roles=MANAGERS),
    "desk:queue_report": Case(roles=MANAGERS),
    "desk:queue_service_create": Case(roles=MANAGERS),
    "desk:queue_service_edit": Case(roles=MANAGERS, scoped=True, kwargs=lambda ctx: {"pk": ctx["queue_service"].pk}),
    "desk:counter_create": Case(roles=MANAGERS),
    "desk:counter_edit": Case(roles=MANAGERS, scoped=True, kwargs=lambda ctx: {"pk": ctx["queue_counter"].pk}),
    "desk:screen_create": Case(roles=MANAGERS),
    "desk:screen_revoke": Case(
        roles=MANAGERS, method="post", ok=(302,), scoped=True, kwargs=lambda ctx: {"pk": ctx["queue_screen"].pk}
    ),
    "desk:screen_renew": Case(
        roles=MANAGERS, method="post", ok=(302,), scoped=True, kwargs=lambda ctx: {"pk": ctx["queue_screen"].pk}
    ),
    "desk:board": Case(public=True, kwargs=lambda ctx: {"token": ctx["queue_screen"].token}),
    "desk:kiosk": Case(public=True, kwargs=lambda ctx: {"token": ctx["queue_kiosk"].token}),
    "desk:queue_position": Case(public=True, kwargs=lambda ctx: {"token": ctx["queue_position_token"]}),
    # The streams answer at once (headers) and are never read here: the status is what is checked.
    "desk_events:board_stream": Case(public=True, kwargs=lambda ctx: {"token": ctx["queue_screen"].token}),
    "api:queue_service_list": api_case(roles=VIEWERS),
    "api:counter_list": api_case(roles=VIEWERS),
    "api:ticket_list": api_case(roles=VIEWERS),
    "api:ticket_get": api_case(roles=VIEWERS, scoped=True, kwargs=_api_ticket),
    "api:ticket_issue": api_case(
        roles=SERVERS,
        method="post",
        ok=(201,),
        data=lambda ctx: {"service_id": ctx["queue_service"].pk},
        overrides={"outsider_branch": 422, "outsider_org": 422},  # the service is not theirs: a field error
    ),
    "api:counter_call_next": api_case(
        roles=SERVERS, method="post", scoped=True, kwargs=lambda ctx: {"counter_id": ctx["queue_counter"].pk}
    ),
    "api:ticket_call": api_case(
        roles=SERVERS,
        method="post",
        scoped=True,
        kwargs=_api_ticket,
        data=lambda ctx: {"counter_id": ctx["queue_counter"].pk},
    ),
    "api:ticket_transfer": api_case(
        roles=SERVERS,
        method="post",
        scoped=True,
        kwargs=_api_ticket,
        data=lambda ctx: {"service_id": ctx["queue_service_b"].pk},
    ),
    "api:ticket_hold": api_case(roles=SERVERS, method="post", scoped=True, kwargs=_api_ticket),
    "api:ticket_no_show": api_case(roles=SERVERS, method="post", scoped=True, kwargs=_api_ticket),
    "api:ticket_cancel": api_case(roles=SERVERS, method="post", scoped=True, kwargs=_api_ticket),
    # The world's ticket is waiting: these refuse with 422 once permission and scope are passed.
    "api:ticket_recall": api_case(roles=SERVERS, method="post", scoped=True, kwargs=_api_ticket, ok=(422,)),
    "api:ticket_start": api_case(roles=SERVERS, method="post", scoped=True, kwargs=_api_ticket, ok=(422,)),
    "api:ticket_finish": api_case(roles=SERVERS, method="post", scoped=True, kwargs=_api_ticket, ok=(422,)),
    "api:ticket_resume": api_case(roles=SERVERS, method="post", scoped=True, kwargs=_api_ticket, ok=(422,)),
    "desk_events:queue_stream": api_case(
        roles=VIEWERS, scoped=True, kwargs=lambda ctx: {"branch_id": ctx["branch"].pk}
    ),
}


def extend_world(ctx: dict[str, Any]) -> dict[str, Any]:
    """A service with a counter at ``branch``, a board and a kiosk, and one ticket waiting."""
    from frontoffice.desk import services_queue
    from frontoffice.desk.queue_position import make_token

    branch, manager = ctx["branch"], ctx["manager"]
    service = services_queue.queue_service_save(branch=branch, actor=manager, name="Rejestracja", prefix="A")
    service_b = services_queue.queue_service_save(branch=branch, actor=manager, name="Kasa", prefix="K")
    counter = services_queue.counter_save(branch=branch, actor=manager, name="Okienko 1", services=[service])
    screen = services_queue.board_screen_create(branch=branch, actor=manager, name="Poczekalnia")
    kiosk = services_queue.board_screen_create(branch=branch, actor=manager, name="Kiosk", kind="kiosk")
    ticket = services_queue.ticket_issue(service=service, actor=manager, client=ctx.get("client"))
    return {
        "queue_service": service,
        "queue_service_b": service_b,
        "queue_counter": counter,
        "queue_screen": screen,
        "queue_kiosk": kiosk,
        "queue_ticket": ticket,
        "queue_position_token": make_token(ticket_id=ticket.pk),
    }
