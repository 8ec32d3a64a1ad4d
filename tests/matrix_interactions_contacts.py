"""Permission-matrix entries for contacts, follow-ups, topics and teams (merged into tests/test_permission_matrix.py).

Everyone who serves the public sees contacts (clerk, agent, manager, executive, admin); those who answer
log them and keep follow-ups (not the executive); managers and administrators set up topics and teams.
Contacts, follow-ups and teams belong to ``branch`` (``scoped``): outsiders get 404; topics belong to the
organisation. A follow-up is marked done by its owner (the clerk) or whoever oversees them (the manager,
the administrator): the agent, a colleague at the same branch, gets 404.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from django.utils import timezone

from tests.permission_cases import Case, api_case

VIEWERS = frozenset({"clerk", "agent", "manager", "executive", "admin"})
LOGGERS = frozenset({"clerk", "agent", "manager", "admin"})
SETUP = frozenset({"manager", "admin"})
OUTSIDERS_422 = {"outsider_branch": 422, "outsider_org": 422}  # a record named in the request is not theirs


def _contact(ctx: dict[str, Any]) -> dict[str, Any]:
    return {"pk": ctx["contact"].pk}


def _api_contact(ctx: dict[str, Any]) -> dict[str, Any]:
    return {"interaction_id": ctx["contact"].pk}


def _due() -> str:
    """Tomorrow, as the page's date-time field sends it (in the user's time zone)."""
    return (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")


def _api_due() -> str:
    return (timezone.now() + timedelta(days=1)).isoformat()


CASES: dict[str, Case] = {
    "interactions:interaction_list": Case(roles=VIEWERS),
    "interactions:interaction_create": Case(roles=LOGGERS),
    "interactions:interaction_detail": Case(roles=VIEWERS, kwargs=_contact, scoped=True),
    "interactions:interaction_edit": Case(
        roles=LOGGERS,
        kwargs=_contact,
        scoped=True,
        method="post",
        data=lambda ctx: {"version": ctx["contact"].version, "summary": "Umówiony na wtorek"},
        ok=(302,),
    ),
    "interactions:interaction_confirm_client": Case(
        roles=LOGGERS,
        kwargs=_contact,
        scoped=True,
        method="post",
        data=lambda ctx: {"client": ctx["contact_client"].pk},
        ok=(302,),
    ),
    "interactions:interaction_follow_up_add": Case(
        roles=LOGGERS,
        kwargs=_contact,
        scoped=True,
        method="post",
        data=lambda ctx: {"follow_up_note": "Oddzwonić", "follow_up_due": _due()},
        ok=(302,),
    ),
    "interactions:interaction_open_case": Case(
        roles=LOGGERS, kwargs=_contact, scoped=True, method="post", data=lambda ctx: {"subject": "Faktura"}, ok=(302,)
    ),
    "interactions:interaction_join_case": Case(
        roles=LOGGERS,
        kwargs=_contact,
        scoped=True,
        method="post",
        data=lambda ctx: {"case": ctx["contact_case"].pk},
        ok=(302,),
    ),
    "interactions:follow_up_list": Case(roles=LOGGERS),
    "interactions:follow_up_done": Case(
        roles=LOGGERS,
        kwargs=lambda ctx: {"pk": ctx["contact_follow_up"].pk},
        scoped=True,
        method="post",
        ok=(302,),
        overrides={"agent": 404},
    ),
    "interactions:topic_list": Case(roles=SETUP),
    "interactions:topic_create": Case(roles=SETUP),
    "interactions:topic_edit": Case(roles=SETUP, kwargs=lambda ctx: {"pk": ctx["contact_topic"].pk}, org_scoped=True),
    "interactions:team_list": Case(roles=SETUP),
    "interactions:team_create": Case(roles=SETUP),
    "interactions:team_edit": Case(roles=SETUP, kwargs=lambda ctx: {"pk": ctx["contact_team"].pk}, scoped=True),
    "api:interaction_list": api_case(roles=VIEWERS),
    "api:interaction_create": api_case(
        roles=LOGGERS,
        method="post",
        ok=(201,),
        data=lambda ctx: {"branch_id": ctx["branch"].pk, "channel": "phone", "contact_address": "+48 500 600 700"},
        overrides=OUTSIDERS_422,
    ),
    "api:interaction_get": api_case(roles=VIEWERS, kwargs=_api_contact, scoped=True),
    "api:interaction_update": api_case(
        roles=LOGGERS,
        kwargs=_api_contact,
        scoped=True,
        method="put",
        data=lambda ctx: json.dumps({"version": ctx["contact"].version, "summary": "Umówiony"}),  # type: ignore[arg-type,return-value]
    ),
    "api:interaction_confirm_client": api_case(
        roles=LOGGERS,
        kwargs=_api_contact,
        scoped=True,
        method="post",
        data=lambda ctx: {"client_id": ctx["contact_client"].pk},
    ),
    "api:follow_up_list": api_case(roles=LOGGERS),
    "api:follow_up_create": api_case(
        roles=LOGGERS,
        method="post",
        ok=(201,),
        data=lambda ctx: {"interaction_id": ctx["contact"].pk, "due_at": _api_due(), "note": "Oddzwonić"},
        overrides=OUTSIDERS_422,
    ),
    "api:follow_up_complete": api_case(
        roles=LOGGERS,
        kwargs=lambda ctx: {"follow_up_id": ctx["contact_follow_up"].pk},
        scoped=True,
        method="post",
        overrides={"agent": 404},
    ),
    "api:topic_list": api_case(roles=VIEWERS),
    "api:topic_create": api_case(roles=SETUP, method="post", ok=(201,), data=lambda ctx: {"name": "Parking"}),
    "api:team_list": api_case(roles=VIEWERS),
}


def extend_world(ctx: dict[str, Any]) -> dict[str, Any]:
    """Two clients share a phone; a call from it waits for confirmation, with the clerk's follow-up and a case."""
    from frontoffice.clients.services import ClientData, client_create
    from frontoffice.interactions import services
    from frontoffice.interactions.contacts import services as contact_services

    branch, clerk, manager = ctx["branch"], ctx["clerk"], ctx["manager"]
    people = [
        client_create(
            organisation=branch.organisation,
            actor=clerk,
            data=ClientData(given_name=given, family_name="Kontaktowa", phones=["600 444 555"]),
            branch=branch,
        )
        for given in ("Halina", "Irena")
    ]
    topic = contact_services.topic_create(organisation=branch.organisation, actor=manager, name="Invoice")
    team = contact_services.team_create(branch=branch, actor=manager, name="Infolinia", lead=manager, members=[clerk])
    contact = services.interaction_record(
        branch=branch, channel="phone", actor=clerk, staff=clerk, contact_address="600 444 555", topic=topic
    )
    earlier = services.interaction_record(branch=branch, channel="phone", actor=clerk, client=people[0])
    case = services.case_open(branch=branch, subject="Faktura korygująca", actor=clerk, interaction=earlier)
    follow_up = services.follow_up_create(
        owner=clerk, due_at=timezone.now() + timedelta(days=1), note="Oddzwonić", actor=clerk, interaction=contact
    )
    return {
        "contact": contact,
        "contact_client": people[0],
        "contact_case": case,
        "contact_follow_up": follow_up,
        "contact_topic": topic,
        "contact_team": team,
    }
