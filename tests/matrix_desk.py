"""Permission-matrix entries for the desk app (merged into tests/test_permission_matrix.py).

Visits, stays and rooms belong to ``branch``: a manager of another branch and an
administrator of another organisation get 404 (``scoped``). Visit types belong to
the organisation (``org_scoped``).
"""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from typing import Any

from tests.permission_cases import Case, api_case

VIEWERS = frozenset({"clerk", "agent", "manager", "executive", "admin"})
EDITORS = frozenset({"clerk", "agent", "manager", "admin"})
MANAGERS = frozenset({"manager", "admin"})


def _visit(ctx: dict[str, Any]) -> dict[str, Any]:
    return {"pk": ctx["desk_visit"].pk}


def _stay(ctx: dict[str, Any]) -> dict[str, Any]:
    return {"pk": ctx["desk_stay"].pk}


def _sale(ctx: dict[str, Any]) -> dict[str, Any]:
    return {"pk": ctx["desk_sale"].pk}


def _api_visit(ctx: dict[str, Any]) -> dict[str, Any]:
    return {"visit_id": ctx["desk_visit"].pk}


def _update_body(ctx: dict[str, Any]) -> str:
    visit = ctx["desk_visit"]
    return json.dumps({"scheduled_at": visit.scheduled_at.isoformat(), "reason": "Kontrola", "version": visit.version})


CASES: dict[str, Case] = {
    "desk:day": Case(roles=VIEWERS),
    "desk:visit_list": Case(roles=VIEWERS),
    "desk:visit_create": Case(roles=EDITORS),
    "desk:visit_detail": Case(roles=VIEWERS, kwargs=_visit, scoped=True),
    "desk:visit_edit": Case(roles=EDITORS, kwargs=_visit, scoped=True),
    "desk:visit_transition": Case(
        roles=EDITORS, kwargs=_visit, scoped=True, method="post", data=lambda ctx: {"to_status": "arrived"}, ok=(302,)
    ),
    "desk:visit_room_change": Case(
        roles=EDITORS,
        kwargs=_stay,
        scoped=True,
        method="post",
        data=lambda ctx: {"room": ctx["desk_spare_room"].pk, "reason": "Awaria klimatyzacji"},
        ok=(302,),
    ),
    "desk:visit_guest_add": Case(
        roles=EDITORS, kwargs=_stay, scoped=True, method="post", data=lambda ctx: {"guest": ctx["client"].pk}, ok=(302,)
    ),
    "desk:visit_guest_remove": Case(
        roles=EDITORS,
        kwargs=lambda ctx: {"pk": ctx["desk_stay"].pk, "guest_pk": ctx["desk_guest"].pk},
        scoped=True,
        method="post",
        ok=(302,),
    ),
    "desk:visit_line_add": Case(
        roles=EDITORS,
        kwargs=_sale,
        scoped=True,
        method="post",
        data=lambda ctx: {"description": "Wałek", "quantity": "1", "unit_price": "24.90", "vat_rate": "23"},
        ok=(302,),
    ),
    "desk:visit_line_remove": Case(
        roles=EDITORS,
        kwargs=lambda ctx: {"pk": ctx["desk_sale"].pk, "line_pk": ctx["desk_line"].pk},
        scoped=True,
        method="post",
        ok=(302,),
    ),
    "desk:visit_type_list": Case(roles=MANAGERS),
    "desk:visit_type_create": Case(roles=MANAGERS),
    "desk:visit_type_edit": Case(roles=MANAGERS, kwargs=lambda ctx: {"pk": ctx["desk_type"].pk}, org_scoped=True),
    "desk:room_list": Case(roles=MANAGERS),
    "desk:room_create": Case(roles=MANAGERS),
    "desk:room_edit": Case(roles=MANAGERS, kwargs=lambda ctx: {"pk": ctx["desk_room"].pk}, scoped=True),
    "api:visit_list": api_case(roles=VIEWERS),
    "api:visit_create": api_case(
        roles=EDITORS,
        method="post",
        ok=(201,),
        data=lambda ctx: {
            "branch_id": ctx["branch"].pk,
            "client_id": ctx["client"].pk,
            "visit_type_id": ctx["desk_type"].pk,
            "scheduled_at": ctx["desk_visit"].scheduled_at.isoformat(),
        },
        # The others cannot see the branch or the client: a field error, not a leak.
        overrides={"outsider_branch": 422, "outsider_org": 422},
    ),
    "api:visit_get": api_case(roles=VIEWERS, kwargs=_api_visit, scoped=True),
    "api:visit_update": api_case(roles=EDITORS, kwargs=_api_visit, scoped=True, method="put", data=_update_body),
    "api:visit_transition": api_case(
        roles=EDITORS, kwargs=_api_visit, scoped=True, method="post", data=lambda ctx: {"to_status": "arrived"}
    ),
    "api:visit_type_list": api_case(roles=VIEWERS),
}


def extend_world(ctx: dict[str, Any]) -> dict[str, Any]:
    """A clinic visit, a checked-in stay with a second guest and a spare room, and an open sale with a line."""
    from django.utils import timezone

    from frontoffice.clients.services import ClientData, client_create
    from frontoffice.desk import services
    from frontoffice.desk.services import VisitData
    from frontoffice.desk.tests.cards import sign_cards

    organisation, branch, clerk, manager = ctx["branch"].organisation, ctx["branch"], ctx["clerk"], ctx["manager"]
    consultation = services.visit_type_create(
        organisation=organisation, actor=manager, name="Konsultacja", vertical="clinic", price=Decimal("120")
    )
    night = services.visit_type_create(organisation=organisation, actor=manager, name="Nocleg", vertical="hotel")
    sale = services.visit_type_create(organisation=organisation, actor=manager, name="Sprzedaż", vertical="retail")
    room = services.room_create(branch=branch, actor=manager, number="12", capacity=4)
    spare = services.room_create(branch=branch, actor=manager, number="14", capacity=4)
    visit = services.visit_create(
        branch=branch,
        actor=clerk,
        client=ctx["client"],
        visit_type=consultation,
        data=VisitData(scheduled_at=timezone.now() + timedelta(hours=2)),
    )
    guest_client = client_create(organisation=organisation, actor=clerk, data=ClientData(family_name="Gość"))
    other_guest = client_create(organisation=organisation, actor=clerk, data=ClientData(family_name="Drugi"))
    today = services.branch_today(branch)
    stay = services.visit_create(
        branch=branch,
        actor=clerk,
        client=guest_client,
        visit_type=night,
        data=VisitData(arrival_date=today, departure_date=today + timedelta(days=2), room=room),
    )
    guest = services.visit_guest_add(visit=stay, client=other_guest, actor=clerk)
    sign_cards(stay, clerk)  # check-in needs every guest's registration card
    stay = services.visit_transition(visit=stay, to_status="checked_in", actor=clerk)
    shop = services.visit_create(branch=branch, actor=clerk, client=ctx["client"], visit_type=sale)
    line = services.visit_line_add(
        visit=shop, actor=clerk, description="Farba", quantity=Decimal("1"), unit_price=Decimal("99.00")
    )
    return {
        "desk_type": consultation,
        "desk_room": room,
        "desk_spare_room": spare,
        "desk_visit": visit,
        "desk_stay": stay,
        "desk_guest": guest,
        "desk_sale": shop,
        "desk_line": line,
    }
