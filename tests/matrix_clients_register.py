"""Permission-matrix entries for registration, the client's page, consents, the picker and the records API."""

from __future__ import annotations

import json
from typing import Any

from tests.permission_cases import Case, api_case

VIEWERS = frozenset({"clerk", "agent", "manager", "executive", "admin"})
EDITORS = frozenset({"clerk", "agent", "manager", "admin"})


def _client(ctx: dict[str, Any]) -> dict[str, Any]:
    return {"pk": ctx["client"].pk}


def _api_client(ctx: dict[str, Any]) -> dict[str, Any]:
    return {"client_id": ctx["client"].pk}


def _update_body(ctx: dict[str, Any]) -> str:
    # PUT bodies go out as they are (the matrix posts JSON only for POST): send JSON text.
    return json.dumps({"given_name": "Zofia", "family_name": "Żółw", "version": ctx["client"].version})


CASES: dict[str, Case] = {
    "clients:client_create": Case(roles=EDITORS),
    "clients:client_matches": Case(roles=EDITORS, method="post", data=lambda ctx: {"family_name": "Żółw"}),
    "clients:client_pick": Case(roles=VIEWERS, data=lambda ctx: {"q": "zolw"}),
    "clients:client_detail": Case(roles=VIEWERS, kwargs=_client, org_scoped=True),
    "clients:client_edit": Case(roles=EDITORS, kwargs=_client, org_scoped=True),
    "clients:consent_give": Case(
        roles=EDITORS,
        kwargs=_client,
        org_scoped=True,
        method="post",
        data=lambda ctx: {"purpose": "marketing", "method": "paper"},
        ok=(302,),
    ),
    "clients:consent_withdraw": Case(
        roles=EDITORS,
        kwargs=lambda ctx: {"pk": ctx["client"].pk, "purpose": "processing"},
        org_scoped=True,
        method="post",
        ok=(302,),
    ),
    "api:client_match": api_case(roles=VIEWERS, method="post", data=lambda ctx: {"family_name": "Żółw"}),
    "api:client_create": api_case(
        roles=EDITORS, method="post", ok=(201,), data=lambda ctx: {"given_name": "Adam", "family_name": "Nowak"}
    ),
    "api:client_get": api_case(roles=VIEWERS, kwargs=_api_client, org_scoped=True),
    "api:client_update": api_case(roles=EDITORS, kwargs=_api_client, org_scoped=True, method="put", data=_update_body),
    "api:client_consent_give": api_case(
        roles=EDITORS,
        kwargs=_api_client,
        org_scoped=True,
        method="post",
        ok=(201,),
        data=lambda ctx: {"purpose": "marketing", "method": "verbal"},
    ),
    "api:client_consent_withdraw": api_case(
        roles=EDITORS,
        kwargs=lambda ctx: {"client_id": ctx["client"].pk, "purpose": "processing"},
        org_scoped=True,
        method="post",
    ),
}


def extend_world(ctx: dict[str, Any]) -> dict[str, Any]:
    """An active processing consent on the organisation's client, for the withdraw URLs."""
    from frontoffice.clients.services import consent_give

    consent_give(client=ctx["client"], actor=ctx["clerk"], purpose="processing", method="paper")
    return {}
