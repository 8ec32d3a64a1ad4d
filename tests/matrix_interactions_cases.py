"""Permission-matrix entries for cases (merged into tests/test_permission_matrix.py).

Who sees contacts sees cases (clerk, agent, manager, executive, admin); who answers works them (not the
executive); managers and administrators supervise (assign to others, merge, SLA policies, canned replies,
team routing). Cases and teams belong to ``branch`` (``scoped``); canned replies, SLA policies and clients
to the organisation (``org_scoped``). The case stream is checked for its status only (204 outside ASGI).
"""

from __future__ import annotations

import json
from typing import Any

from tests.permission_cases import Case, api_case

VIEWERS = frozenset({"clerk", "agent", "manager", "executive", "admin"})
WORKERS = frozenset({"clerk", "agent", "manager", "admin"})
SUPERVISORS = frozenset({"manager", "admin"})
OUTSIDERS_422 = {"outsider_branch": 422, "outsider_org": 422}


def _case(ctx: dict[str, Any]) -> dict[str, Any]:
    return {"pk": ctx["cases_case"].pk}


def _api_case(ctx: dict[str, Any]) -> dict[str, Any]:
    return {"case_id": ctx["cases_case"].pk}


CASES: dict[str, Case] = {
    "interactions:case_list": Case(roles=VIEWERS),
    "interactions:case_create": Case(roles=WORKERS),
    "interactions:case_detail": Case(roles=VIEWERS, kwargs=_case, scoped=True),
    "interactions:case_status": Case(
        roles=WORKERS, kwargs=_case, scoped=True, method="post", data=lambda ctx: {"status": "open"}, ok=(302,)
    ),
    "interactions:case_assign": Case(
        roles=WORKERS, kwargs=_case, scoped=True, method="post", data=lambda ctx: {"take": "1"}, ok=(302,)
    ),
    "interactions:case_edit": Case(
        roles=WORKERS,
        kwargs=_case,
        scoped=True,
        method="post",
        data=lambda ctx: {"version": ctx["cases_case"].version, "subject": "Faktura VAT", "priority": "high"},
        ok=(302,),
    ),
    "interactions:case_note_add": Case(
        roles=WORKERS, kwargs=_case, scoped=True, method="post", data=lambda ctx: {"body": "Notatka"}, ok=(302,)
    ),
    "interactions:case_note_file": Case(
        roles=VIEWERS,
        scoped=True,
        kwargs=lambda ctx: {"pk": ctx["cases_case"].pk, "note_pk": ctx["cases_note"].pk},
    ),
    "interactions:case_reply": Case(
        roles=WORKERS, kwargs=_case, scoped=True, method="post", data=lambda ctx: {"body": "Dzień dobry"}, ok=(302,)
    ),
    "interactions:case_complaint": Case(roles=WORKERS, kwargs=_case, scoped=True, method="post", ok=(302,)),
    "interactions:case_merge": Case(
        roles=SUPERVISORS,
        kwargs=_case,
        scoped=True,
        method="post",
        data=lambda ctx: {"target": ctx["cases_other"].pk},
        ok=(302,),
    ),
    "interactions:canned_reply_list": Case(roles=SUPERVISORS),
    "interactions:canned_reply_edit": Case(
        roles=SUPERVISORS, kwargs=lambda ctx: {"pk": ctx["cases_canned"].pk}, org_scoped=True
    ),
    "interactions:sla_policy_list": Case(roles=SUPERVISORS),
    "interactions:sla_policy_create": Case(roles=SUPERVISORS),
    "interactions:sla_policy_edit": Case(
        roles=SUPERVISORS, kwargs=lambda ctx: {"pk": ctx["cases_policy"].pk}, org_scoped=True
    ),
    "interactions:team_routing": Case(
        roles=SUPERVISORS,
        kwargs=lambda ctx: {"pk": ctx["cases_team"].pk},
        scoped=True,
        method="post",
        data=lambda ctx: {f"t{ctx['cases_team'].pk}-rule": "round_robin"},
        ok=(302,),
    ),
    "interactions:client_timeline": Case(
        roles=VIEWERS, kwargs=lambda ctx: {"pk": ctx["cases_client"].pk}, org_scoped=True
    ),
    "interactions_events:case_stream": api_case(roles=VIEWERS, ok=(204,)),
    "api:case_list": api_case(roles=VIEWERS),
    "api:case_create": api_case(
        roles=WORKERS,
        method="post",
        ok=(201,),
        data=lambda ctx: {"branch_id": ctx["branch"].pk, "subject": "Z integracji"},
        overrides=OUTSIDERS_422,
    ),
    "api:case_get": api_case(roles=VIEWERS, kwargs=_api_case, scoped=True),
    "api:case_update": api_case(
        roles=WORKERS,
        kwargs=_api_case,
        scoped=True,
        method="patch",
        data=lambda ctx: json.dumps({"version": ctx["cases_case"].version, "priority": "high"}),
    ),
    "api:case_merge": api_case(
        roles=SUPERVISORS,
        kwargs=_api_case,
        scoped=True,
        method="post",
        data=lambda ctx: {"into_id": ctx["cases_other"].pk},
    ),
    "api:case_note_list": api_case(roles=VIEWERS, kwargs=_api_case, scoped=True),
    "api:case_note_create": api_case(
        roles=WORKERS, kwargs=_api_case, scoped=True, method="post", ok=(201,), data=lambda ctx: {"body": "Notatka"}
    ),
    "api:case_sla_get": api_case(roles=VIEWERS, kwargs=_api_case, scoped=True),
    "api:canned_reply_list_api": api_case(roles=WORKERS),
    "api:canned_reply_render": api_case(
        roles=WORKERS,
        kwargs=lambda ctx: {"canned_id": ctx["cases_canned"].pk},
        data=lambda ctx: {"case_id": ctx["cases_case"].pk},
        org_scoped=True,
        overrides={"outsider_branch": 422},
    ),
}


def extend_world(ctx: dict[str, Any]) -> dict[str, Any]:
    """Two cases of Marek at ``branch`` (one with a note carrying a PDF), a team, a canned reply, an SLA policy."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from frontoffice.clients.services import ClientData, client_create
    from frontoffice.interactions.cases import services as case_services
    from frontoffice.interactions.models import CannedReply, SlaPolicyRecord, Team

    branch, agent = ctx["branch"], ctx["agent"]
    organisation = branch.organisation
    marek = client_create(
        organisation=organisation,
        actor=agent,
        data=ClientData(given_name="Marek", family_name="Sprawny", phones=["600 700 100"]),
        branch=branch,
    )
    policy = SlaPolicyRecord.objects.create(
        organisation=organisation, name="Wszyscy", first_response_minutes=240, resolution_minutes=960
    )
    team = Team.objects.create(organisation=organisation, branch=branch, name="Zespół spraw")
    team.members.set([agent])
    case = case_services.case_create(branch=branch, subject="Faktura", actor=agent, client=marek, team=team)
    other = case_services.case_create(branch=branch, subject="Faktura (drugi raz)", actor=agent, client=marek)
    note = case_services.case_note_add(
        case=case,
        body="Skan faktury",
        actor=agent,
        attachment=SimpleUploadedFile("faktura.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf"),
    )
    canned = CannedReply.objects.create(organisation=organisation, title="Powitanie", body_pl="Dzień dobry")
    case.refresh_from_db()
    return {
        "cases_client": marek,
        "cases_case": case,
        "cases_other": other,
        "cases_note": note,
        "cases_team": team,
        "cases_canned": canned,
        "cases_policy": policy,
    }
