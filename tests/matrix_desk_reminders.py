"""Permission-matrix entries for reminders and self check-in (merged into tests/test_permission_matrix.py).

Managers and administrators edit the reminder settings; the calendar's readers print an
appointment's confirmation (``scoped``: outsiders get 404); bookers record a confirmation
through the API. The client's appointment page and the kiosk's appointment check-in are
public: the signed link, or the kiosk's secret URL plus a check-in code, is the only key.
Uses the appointment of tests/matrix_desk_calendar.py and the kiosk of tests/matrix_desk_queue.py.
"""

from __future__ import annotations

from typing import Any

from tests.permission_cases import Case, api_case

VIEWERS = frozenset({"clerk", "agent", "manager", "executive", "admin"})
BOOKERS = frozenset({"clerk", "agent", "manager", "admin"})
MANAGERS = frozenset({"manager", "admin"})


def _appointment(ctx: dict[str, Any]) -> dict[str, Any]:
    return {"pk": ctx["calendar_appointment"].pk}


CASES: dict[str, Case] = {
    "desk:reminder_policy": Case(roles=MANAGERS),
    "desk:appointment_print": Case(roles=VIEWERS, kwargs=_appointment, scoped=True),
    "desk:appointment_link": Case(public=True, kwargs=lambda ctx: {"token": ctx["reminders_link_token"]}),
    "desk:kiosk_appointment": Case(public=True, kwargs=lambda ctx: {"token": ctx["queue_kiosk"].token}),
    "api:appointment_confirm": api_case(
        roles=BOOKERS, kwargs=lambda ctx: {"appointment_id": ctx["calendar_appointment"].pk}, scoped=True, method="post"
    ),
}


def extend_world(ctx: dict[str, Any]) -> dict[str, Any]:
    """The signed link of the calendar's appointment (tomorrow, at ``branch``)."""
    from frontoffice.desk.appointment_links import make_token

    return {"reminders_link_token": make_token(ctx["calendar_appointment"])}
