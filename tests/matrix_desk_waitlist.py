"""Permission-matrix entries for the waitlist (merged into tests/test_permission_matrix.py).

Who books appointments manages the waitlist (clerk, agent, manager, admin); who sees calendars sees it
(also the executive); managers and administrators see the figures and change the settings. Entries
belong to ``branch`` (``scoped``): outsiders get 404. The offer page is opened by its signed link.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tests.permission_cases import Case, api_case

VIEWERS = frozenset({"clerk", "agent", "manager", "executive", "admin"})
BOOKERS = frozenset({"clerk", "agent", "manager", "admin"})
MANAGERS = frozenset({"manager", "admin"})
OUTSIDERS_422 = {"outsider_branch": 422, "outsider_org": 422}  # a record named in the request is not theirs


def _entry(ctx: dict[str, Any]) -> dict[str, Any]:
    return {"pk": ctx["waitlist_entry"].pk}


def _api_entry(ctx: dict[str, Any]) -> dict[str, Any]:
    return {"entry_id": ctx["waitlist_entry"].pk}


def _day(ctx: dict[str, Any], days: int) -> datetime:
    zone = ZoneInfo(ctx["branch"].time_zone)
    return datetime.combine(datetime.now(zone).date() + timedelta(days=days), time(11), tzinfo=zone)


CASES: dict[str, Case] = {
    "desk:waitlist": Case(roles=VIEWERS),
    "desk:waitlist_add": Case(roles=BOOKERS),
    "desk:waitlist_policy": Case(roles=MANAGERS),
    "desk:waitlist_entry": Case(roles=VIEWERS, kwargs=_entry, scoped=True),
    "desk:waitlist_remove": Case(
        roles=BOOKERS, kwargs=_entry, scoped=True, method="post", data=lambda ctx: {"reason": "Rezygnacja"}, ok=(302,)
    ),
    "desk:waitlist_offer": Case(public=True, kwargs=lambda ctx: {"token": ctx["waitlist_token"]}),
    "api:waitlist_list": api_case(roles=VIEWERS),
    "api:waitlist_create": api_case(
        roles=BOOKERS,
        method="post",
        ok=(201,),
        data=lambda ctx: {
            "branch_id": ctx["branch"].pk,
            "client_id": ctx["client"].pk,
            "visit_type_id": ctx["calendar_visit_type"].pk,
            "date_from": _day(ctx, 0).date().isoformat(),
            "date_to": _day(ctx, 14).date().isoformat(),
        },
        overrides=OUTSIDERS_422,
    ),
    "api:waitlist_figures": api_case(
        roles=MANAGERS, data=lambda ctx: {"branch_id": ctx["branch"].pk}, overrides=OUTSIDERS_422
    ),
    "api:waitlist_get": api_case(roles=VIEWERS, kwargs=_api_entry, scoped=True),
    "api:waitlist_remove": api_case(
        roles=BOOKERS, kwargs=_api_entry, scoped=True, method="post", data=lambda ctx: {"reason": "Rezygnacja"}
    ),
    "api:waitlist_offers": api_case(roles=VIEWERS, kwargs=_api_entry, scoped=True),
}


def extend_world(ctx: dict[str, Any]) -> dict[str, Any]:
    """Zofia waits for the calendar's visit type and has been offered a freed slot (needs matrix_desk_calendar)."""
    from frontoffice.clients.services import ClientData, client_create, consent_give
    from frontoffice.desk import services_calendar, services_waitlist

    branch, clerk = ctx["branch"], ctx["clerk"]
    zofia = client_create(
        organisation=branch.organisation,
        actor=clerk,
        data=ClientData(given_name="Zofia", family_name="Czekająca", phones=["600 900 800"]),
        branch=branch,
    )
    consent_give(client=zofia, actor=clerk, purpose="sms_reminders", method="paper")
    entry = services_waitlist.entry_create(
        branch=branch,
        actor=clerk,
        client=zofia,
        visit_type=ctx["calendar_visit_type"],
        date_from=_day(ctx, 0).date(),
        date_to=_day(ctx, 10).date(),
    )
    freed = services_calendar.appointment_book(
        resource=ctx["calendar_resource"],
        client=ctx["client"],
        visit_type=ctx["calendar_visit_type"],
        starts_at=_day(ctx, 3),
        actor=clerk,
    ).appointment
    services_calendar.appointment_cancel(appointment=freed, actor=clerk, reason="Choroba")
    offer = services_waitlist.slot_record(appointment=freed, starts_at=freed.starts_at, ends_at=freed.ends_at)
    assert offer is not None
    return {"waitlist_entry": entry, "waitlist_token": services_waitlist.make_token(offer=offer)}
