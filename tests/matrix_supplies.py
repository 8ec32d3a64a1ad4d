"""Permission-matrix entries for the supplies app (merged into tests/test_permission_matrix.py).

Clerks, managers and administrators run the storeroom (take, request, approve within the ladder);
executives see and approve; agents and security staff have no business with supplies. Locations,
stock, movements and requests belong to ``branch`` (``scoped``).
"""

from __future__ import annotations

from typing import Any

from tests.permission_cases import Case, api_case

VIEWERS = frozenset({"clerk", "manager", "executive", "admin"})
HANDLERS = frozenset({"clerk", "manager", "admin"})
APPROVERS = frozenset({"clerk", "manager", "executive", "admin"})
# Stocktakes are approved by those who keep the catalogue: managers and administrators.
STOCKTAKE_APPROVERS = frozenset({"manager", "admin"})
# A location outside the outsiders' branches is not one they can choose: 400 on the page, 422 in the API.
NOT_THEIRS_PAGE = {"outsider_branch": 400, "outsider_org": 400}
NOT_THEIRS_API = {"outsider_branch": 422, "outsider_org": 422}


def extend_world(ctx: dict[str, Any]) -> dict[str, Any]:
    """A storeroom in ``branch`` with gloves on hand, and a small request filed by the administrator;
    a stocktake of it counted by the clerk, and a cupboard with stock and no stocktake yet."""
    from decimal import Decimal

    from frontoffice.supplies import services, services_stocktake
    from frontoffice.supplies.models import StockLevel

    organisation, branch, manager, admin = ctx["organisation"], ctx["branch"], ctx["manager"], ctx["admin"]
    location = services.location_save(branch=branch, actor=manager, name="Magazynek macierzy")
    gloves = services.item_save(
        organisation=organisation,
        actor=manager,
        data=services.ItemData(name="Rękawiczki macierz", category="medical", unit="pair", last_price=Decimal("1")),
    )
    services.stock_receive(location=location, item=gloves, quantity=Decimal(100), actor=manager)
    request = services.request_create(
        location=location, actor=admin, lines=[services.RequestLineData(item=gloves, quantity=Decimal(5))]
    )
    stocktake = services_stocktake.stocktake_start(location=location, actor=ctx["clerk"])
    services_stocktake.stocktake_count(stocktake=stocktake, actor=ctx["clerk"], counts={gloves.pk: Decimal(98)})
    cupboard = services.location_save(branch=branch, actor=manager, name="Szafka macierzy")
    services.stock_receive(location=cupboard, item=gloves, quantity=Decimal(10), actor=manager)
    return {
        "sup_location": location,
        "sup_item": gloves,
        "sup_request": request,
        "sup_stocktake": stocktake,
        "sup_cupboard": cupboard,
        "sup_level": StockLevel.objects.get(location=location, item=gloves),
    }


def _request(ctx: dict[str, Any]) -> dict[str, Any]:
    return {"pk": ctx["sup_request"].pk}


def _stocktake(ctx: dict[str, Any]) -> dict[str, Any]:
    return {"pk": ctx["sup_stocktake"].pk}


def _stocktake_api(ctx: dict[str, Any]) -> dict[str, Any]:
    return {"stocktake_id": ctx["sup_stocktake"].pk}


CASES: dict[str, Case] = {
    "supplies:take": Case(roles=HANDLERS),
    "supplies:stock_list": Case(roles=VIEWERS),
    "supplies:movement_list": Case(roles=VIEWERS),
    "supplies:request_list": Case(roles=VIEWERS),
    "supplies:request_create": Case(roles=HANDLERS),
    "supplies:request_detail": Case(roles=VIEWERS, kwargs=_request, scoped=True),
    # The admin filed the request: the admin is refused by the service (400, "your own request").
    "supplies:request_decide": Case(
        roles=APPROVERS,
        kwargs=_request,
        scoped=True,
        method="post",
        data=lambda ctx: {"decision": "approve", "comment": ""},
        ok=(302, 400),
    ),
    # Stocktakes (the world's was started and fully counted by the clerk) and the move-or-correct page.
    "supplies:stocktake_list": Case(roles=VIEWERS),
    "supplies:stocktake_start": Case(
        roles=HANDLERS,
        method="post",
        data=lambda ctx: {"location": ctx["sup_cupboard"].pk},
        ok=(302,),
        overrides=NOT_THEIRS_PAGE,
    ),
    "supplies:stocktake_detail": Case(roles=VIEWERS, kwargs=_stocktake, scoped=True),
    "supplies:stocktake_count": Case(roles=HANDLERS, kwargs=_stocktake, scoped=True),
    "supplies:stocktake_approve": Case(
        roles=STOCKTAKE_APPROVERS,
        kwargs=_stocktake,
        scoped=True,
        method="post",
        data=lambda ctx: {"reason": "Dwie pary zniszczone"},
        ok=(302,),
    ),
    "supplies:stocktake_cancel": Case(roles=HANDLERS, kwargs=_stocktake, scoped=True, method="post", ok=(302,)),
    "supplies:level_move": Case(roles=HANDLERS, kwargs=lambda ctx: {"pk": ctx["sup_level"].pk}, scoped=True),
    "api:supplies_stocktake_list": api_case(roles=VIEWERS),
    "api:supplies_stocktake_get": api_case(roles=VIEWERS, kwargs=_stocktake_api, scoped=True),
    "api:supplies_stocktake_start": api_case(
        roles=HANDLERS,
        method="post",
        data=lambda ctx: {"location_id": ctx["sup_cupboard"].pk},
        ok=(201,),
        overrides=NOT_THEIRS_API,
    ),
    "api:supplies_stocktake_count": api_case(
        roles=HANDLERS,
        kwargs=_stocktake_api,
        scoped=True,
        method="post",
        data=lambda ctx: {"counts": [{"item_id": ctx["sup_item"].pk, "counted": "97"}]},
    ),
    "api:supplies_stocktake_approve": api_case(
        roles=STOCKTAKE_APPROVERS,
        kwargs=_stocktake_api,
        scoped=True,
        method="post",
        data=lambda ctx: {"reason": "Dwie pary zniszczone"},
    ),
    "api:supplies_stocktake_cancel": api_case(roles=HANDLERS, kwargs=_stocktake_api, scoped=True, method="post"),
}
