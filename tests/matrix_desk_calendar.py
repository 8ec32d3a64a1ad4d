"""Permission-matrix entries for calendars and appointments (merged into tests/test_permission_matrix.py).

Calendars are read by the desk's colleagues (clerk, agent, manager, executive, admin); clerks,
agents, managers and administrators book, move, cancel and check in; managers and administrators
set up resources, hours, absences and closures. Resources, appointments, absences and closures
belong to ``branch`` (``scoped``): outsiders get 404.
"""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tests.permission_cases import Case, api_case

VIEWERS = frozenset({"clerk", "agent", "manager", "executive", "admin"})
BOOKERS = frozenset({"clerk", "agent", "manager", "admin"})
MANAGERS = frozenset({"manager", "admin"})
OUTSIDERS_422 = {"outsider_branch": 422, "outsider_org": 422}  # a record named in the body is not theirs


def _appointment(ctx: dict[str, Any]) -> dict[str, Any]:
    return {"pk": ctx["calendar_appointment"].pk}


def _api_appointment(ctx: dict[str, Any]) -> dict[str, Any]:
    return {"appointment_id": ctx["calendar_appointment"].pk}


def _resource(ctx: dict[str, Any]) -> dict[str, Any]:
    return {"pk": ctx["calendar_resource"].pk}


def _in_days(ctx: dict[str, Any], days: int, hour: int) -> datetime:
    zone = ZoneInfo(ctx["branch"].time_zone)
    return datetime.combine(datetime.now(zone).date() + timedelta(days=days), time(hour), tzinfo=zone)


CASES: dict[str, Case] = {
    "desk:calendar": Case(roles=VIEWERS),
    "desk:slot_find": Case(roles=VIEWERS),
    "desk:appointment_book": Case(roles=BOOKERS),
    "desk:appointment_detail": Case(roles=VIEWERS, kwargs=_appointment, scoped=True),
    "desk:appointment_move": Case(roles=BOOKERS, kwargs=_appointment, scoped=True),
    "desk:appointment_cancel": Case(
        roles=BOOKERS,
        kwargs=_appointment,
        scoped=True,
        method="post",
        data=lambda ctx: {"reason": "Odwołana"},
        ok=(302,),
    ),
    # Not started yet: refused with a message, still a redirect.
    "desk:appointment_noshow": Case(roles=BOOKERS, kwargs=_appointment, scoped=True, method="post", ok=(302,)),
    "desk:appointment_arrive": Case(roles=BOOKERS, kwargs=_appointment, scoped=True, method="post", ok=(302,)),
    "desk:resource_list": Case(roles=MANAGERS),
    "desk:resource_create": Case(roles=MANAGERS),
    "desk:resource_edit": Case(roles=MANAGERS, kwargs=_resource, scoped=True),
    "desk:absence_add": Case(
        roles=MANAGERS,
        kwargs=_resource,
        scoped=True,
        method="post",
        data=lambda ctx: {
            "starts_at": _in_days(ctx, 30, 8).strftime("%Y-%m-%dT%H:%M"),
            "ends_at": _in_days(ctx, 30, 12).strftime("%Y-%m-%dT%H:%M"),
            "reason": "Szkolenie",
        },
        ok=(302,),
    ),
    "desk:absence_remove": Case(
        roles=MANAGERS, kwargs=lambda ctx: {"pk": ctx["calendar_absence"].pk}, scoped=True, method="post", ok=(302,)
    ),
    "desk:closure_list": Case(roles=MANAGERS),
    "desk:closure_remove": Case(
        roles=MANAGERS, kwargs=lambda ctx: {"pk": ctx["calendar_closure"].pk}, scoped=True, method="post", ok=(302,)
    ),
    "api:resource_list": api_case(roles=VIEWERS),
    "api:resource_get": api_case(
        roles=VIEWERS, kwargs=lambda ctx: {"resource_id": ctx["calendar_resource"].pk}, scoped=True
    ),
    "api:availability": api_case(
        roles=VIEWERS,
        data=lambda ctx: {"branch_id": ctx["branch"].pk, "visit_type_id": ctx["calendar_visit_type"].pk},
        overrides={"outsider_branch": 422, "outsider_org": 422},
    ),
    "api:appointment_list": api_case(roles=VIEWERS),
    "api:appointment_create": api_case(
        roles=BOOKERS,
        method="post",
        ok=(201,),
        data=lambda ctx: {
            "resource_id": ctx["calendar_resource"].pk,
            "client_id": ctx["client"].pk,
            "visit_type_id": ctx["calendar_visit_type"].pk,
            "starts_at": _in_days(ctx, 2, 10).isoformat(),
        },
        overrides=OUTSIDERS_422,
    ),
    "api:appointment_get": api_case(roles=VIEWERS, kwargs=_api_appointment, scoped=True),
    "api:appointment_update": api_case(
        roles=BOOKERS,
        kwargs=_api_appointment,
        scoped=True,
        method="patch",
        data=lambda ctx: json.dumps({"version": ctx["calendar_appointment"].version, "note": "Na czczo"}),
    ),
    "api:appointment_cancel": api_case(
        roles=BOOKERS, kwargs=_api_appointment, scoped=True, method="post", data=lambda ctx: {"reason": "Odwołana"}
    ),
    # Not started yet: a booked appointment cannot be a no-show (422) for those allowed to try.
    "api:appointment_noshow": api_case(roles=BOOKERS, kwargs=_api_appointment, scoped=True, method="post", ok=(422,)),
    "api:appointment_arrive": api_case(roles=BOOKERS, kwargs=_api_appointment, scoped=True, method="post"),
}


def extend_world(ctx: dict[str, Any]) -> dict[str, Any]:
    """A practitioner working every day at ``branch``, an appointment tomorrow, an absence and a closure ahead."""
    from frontoffice.desk import services, services_calendar

    branch, manager, clerk = ctx["branch"], ctx["manager"], ctx["clerk"]
    visit_type = services.visit_type_create(
        organisation=branch.organisation, actor=manager, name="Wizyta w kalendarzu", vertical="clinic"
    )
    resource = services_calendar.resource_create(
        branch=branch, actor=manager, name="Gabinet 1", kind="room", visit_types=[visit_type]
    )
    services_calendar.working_hours_set(
        resource=resource, actor=manager, ranges=[(weekday, time(0), time(23, 59)) for weekday in range(7)]
    )
    appointment = services_calendar.appointment_book(
        resource=resource, client=ctx["client"], visit_type=visit_type, starts_at=_in_days(ctx, 1, 10), actor=clerk
    ).appointment
    absence = services_calendar.absence_add(
        resource=resource, actor=manager, starts_at=_in_days(ctx, 20, 8), ends_at=_in_days(ctx, 20, 9)
    )
    closure = services_calendar.closure_add(
        branch=branch, actor=manager, day=_in_days(ctx, 40, 8).date(), reason="Święto"
    )
    return {
        "calendar_visit_type": visit_type,
        "calendar_resource": resource,
        "calendar_appointment": appointment,
        "calendar_absence": absence,
        "calendar_closure": closure,
    }
