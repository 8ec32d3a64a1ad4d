"""Permission-matrix entries for coverage, eligibility checks, registration cards and guest reports.

Payers and policies belong to the organisation (``org_scoped``: only ``outsider_org`` gets 404);
eligibility checks and cards go with a visit of ``branch`` (``scoped``); guest reports with a branch.
Builds on the world of ``matrix_desk.py`` (its ``desk_visit``, ``desk_stay`` and ``desk_guest``).
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from tests.permission_cases import Case, api_case

VIEWERS = frozenset({"clerk", "agent", "manager", "executive", "admin"})
EDITORS = frozenset({"clerk", "agent", "manager", "admin"})
MANAGERS = frozenset({"manager", "admin"})

SIGNATURE = (
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)
CARD = {
    "given_name": "Hans",
    "family_name": "Müller",
    "date_of_birth": "1975-06-01",
    "nationality": "DE",
    "street": "Hauptstraße 1",
    "postal_code": "10115",
    "city": "Berlin",
    "country": "DE",
    "document_type": "passport",
    "document_number": "C01X00T47",
    "document_issuing_country": "DE",
    "document_expiry": "2099-01-01",
}


def _client(ctx: dict[str, Any]) -> dict[str, Any]:
    return {"client_pk": ctx["client"].pk}


def _policy(ctx: dict[str, Any]) -> dict[str, Any]:
    return {"pk": ctx["desk_policy"].pk}


def _visit(ctx: dict[str, Any]) -> dict[str, Any]:
    return {"pk": ctx["desk_visit"].pk}


def _card(ctx: dict[str, Any]) -> dict[str, Any]:
    return {"pk": ctx["desk_stay"].pk, "guest_pk": ctx["desk_guest"].pk}


def _api_card(ctx: dict[str, Any]) -> dict[str, Any]:
    return {"visit_id": ctx["desk_stay"].pk, "guest_id": ctx["desk_guest"].pk}


def _policy_body(ctx: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"payer_id": ctx["desk_payer"].pk, "member_number": "55501", "valid_from": "2020-01-01", **extra}


CASES: dict[str, Case] = {
    "desk:payer_list": Case(roles=MANAGERS),
    "desk:payer_create": Case(roles=MANAGERS),
    "desk:payer_edit": Case(roles=MANAGERS, kwargs=lambda ctx: {"pk": ctx["desk_payer"].pk}, org_scoped=True),
    "desk:client_coverage": Case(roles=VIEWERS, kwargs=_client, org_scoped=True),
    "desk:coverage_create": Case(roles=EDITORS, kwargs=_client, org_scoped=True),
    "desk:coverage_edit": Case(roles=EDITORS, kwargs=_policy, org_scoped=True),
    "desk:coverage_card_image": Case(
        roles=VIEWERS, kwargs=lambda ctx: {**_policy(ctx), "side": "front"}, org_scoped=True
    ),
    "desk:visit_eligibility": Case(roles=VIEWERS, kwargs=_visit, scoped=True),
    "desk:visit_eligibility_check": Case(roles=EDITORS, kwargs=_visit, scoped=True, method="post", ok=(302,)),
    "desk:stay_cards": Case(roles=VIEWERS, kwargs=lambda ctx: {"pk": ctx["desk_stay"].pk}, scoped=True),
    "desk:registration_card": Case(roles=VIEWERS, kwargs=_card, scoped=True),
    "desk:registration_card_save": Case(
        roles=EDITORS,
        kwargs=_card,
        scoped=True,
        method="post",
        data=lambda ctx: {**CARD, "version": ctx["desk_card"].version},
        ok=(302,),
    ),
    "desk:guest_exports": Case(roles=MANAGERS),
    "desk:guest_export_run": Case(
        roles=MANAGERS,
        method="post",
        data=lambda ctx: {"branch": ctx["branch"].pk, "day": ctx["desk_stay"].arrival_date.isoformat()},
        ok=(302,),
        # Another branch's or organisation's manager cannot choose this branch: the form says so.
        overrides={"outsider_branch": 400, "outsider_org": 400},
    ),
    "desk:guest_export_download": Case(roles=MANAGERS, kwargs=lambda ctx: {"pk": ctx["desk_export"].pk}, scoped=True),
    "api:payer_list": api_case(roles=VIEWERS),
    "api:coverage_list": api_case(roles=VIEWERS, kwargs=lambda ctx: {"client_id": ctx["client"].pk}, org_scoped=True),
    "api:coverage_create": api_case(
        roles=EDITORS,
        kwargs=lambda ctx: {"client_id": ctx["desk_spouse"].pk},
        org_scoped=True,
        method="post",
        ok=(201,),
        data=_policy_body,
    ),
    "api:coverage_get": api_case(
        roles=VIEWERS, kwargs=lambda ctx: {"coverage_id": ctx["desk_policy"].pk}, org_scoped=True
    ),
    "api:coverage_update": api_case(
        roles=EDITORS,
        kwargs=lambda ctx: {"coverage_id": ctx["desk_policy"].pk},
        org_scoped=True,
        method="put",
        data=lambda ctx: json.dumps(
            {**_policy_body(ctx), "member_number": "12345671", "version": ctx["desk_policy"].version}
        ),
    ),
    "api:eligibility_check_list": api_case(
        roles=VIEWERS, kwargs=lambda ctx: {"visit_id": ctx["desk_visit"].pk}, scoped=True
    ),
    "api:eligibility_check_run": api_case(
        roles=EDITORS, kwargs=lambda ctx: {"visit_id": ctx["desk_visit"].pk}, scoped=True, method="post", ok=(201,)
    ),
    "api:registration_card_get": api_case(roles=VIEWERS, kwargs=_api_card, scoped=True),
    "api:registration_card_create": api_case(
        roles=EDITORS,
        kwargs=lambda ctx: {"visit_id": ctx["desk_stay"].pk, "guest_id": ctx["desk_new_guest"].pk},
        scoped=True,
        method="post",
        ok=(201,),
        data=lambda ctx: {**CARD, "signature_png": SIGNATURE},
    ),
    "api:registration_card_update": api_case(
        roles=EDITORS,
        kwargs=_api_card,
        scoped=True,
        method="put",
        data=lambda ctx: json.dumps({**CARD, "version": ctx["desk_card"].version}),
    ),
}


def extend_world(ctx: dict[str, Any]) -> dict[str, Any]:
    """A payer, the client's policy with a card image, a spouse without one, a guest without a card, an export."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from frontoffice.clients.services import ClientData, client_create
    from frontoffice.desk import services, services_coverage, services_registration
    from frontoffice.desk.models import RegistrationCard
    from frontoffice.desk.tests.cards import PNG

    organisation, clerk, manager = ctx["branch"].organisation, ctx["clerk"], ctx["manager"]
    payer = services_coverage.payer_create(organisation=organisation, actor=manager, name="NFZ", kind="public_fund")
    policy = services_coverage.coverage_create(
        client=ctx["client"],
        actor=clerk,
        data=services_coverage.CoverageData(payer=payer, member_number="12345671", valid_from=date(2020, 1, 1)),
        card_front=SimpleUploadedFile("front.png", PNG),
    )
    spouse = client_create(organisation=organisation, actor=clerk, data=ClientData(family_name="Małżonka"))
    newcomer = client_create(organisation=organisation, actor=clerk, data=ClientData(family_name="Nowy"))
    new_guest = services.visit_guest_add(visit=ctx["desk_stay"], client=newcomer, actor=clerk)
    export = services_registration.guest_export_run(
        branch=ctx["branch"], day=ctx["desk_stay"].arrival_date, actor=manager
    )
    return {
        "desk_payer": payer,
        "desk_policy": policy,
        "desk_spouse": spouse,
        "desk_new_guest": new_guest,
        "desk_card": RegistrationCard.objects.get(guest=ctx["desk_guest"]),
        "desk_export": export,
    }
