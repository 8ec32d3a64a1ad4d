"""Permission-matrix entries for the supplies app (merged into tests/test_permission_matrix.py).

Clerks, managers and administrators run the storeroom (take, request, approve within the ladder);
executives see and approve; agents and security staff have no business with supplies. Locations,
stock, movements, requests, orders and deliveries belong to ``branch`` (``scoped``); the catalogue
(items, suppliers) to the organisation (``org_scoped``). An API body naming a location or branch the
caller may not see is a 422, not a 404 (``OUTSIDERS_422``). Managers, executives and administrators
read the reports.
"""

from __future__ import annotations

import json
from typing import Any

from tests.permission_cases import MANAGERS_UP, Case, api_case

VIEWERS = frozenset({"clerk", "manager", "executive", "admin"})
HANDLERS = frozenset({"clerk", "manager", "admin"})
APPROVERS = frozenset({"clerk", "manager", "executive", "admin"})
# Stocktakes are approved by those who keep the catalogue: managers and administrators.
STOCKTAKE_APPROVERS = frozenset({"manager", "admin"})
# A location outside the outsiders' branches is not one they can choose: 400 on the page, 422 in the API.
NOT_THEIRS_PAGE = {"outsider_branch": 400, "outsider_org": 400}
NOT_THEIRS_API = {"outsider_branch": 422, "outsider_org": 422}
KEEPERS = frozenset({"manager", "admin"})
OUTSIDERS_422 = {"outsider_branch": 422, "outsider_org": 422}  # a record named in the body is not theirs
# The reports (the adjustments one too, until security staff get a permission of their own to read it).
REPORT_READERS = MANAGERS_UP


def extend_world(ctx: dict[str, Any]) -> dict[str, Any]:
    """A storeroom in ``branch`` with gloves on hand, and a small request filed by the administrator;
    a stocktake of it counted by the clerk, and a cupboard with stock and no stocktake yet; for the API
    also a second location, a supplier with masks, a draft order and a sent order with one delivery."""
    from decimal import Decimal

    from frontoffice.supplies import services, services_orders, services_stocktake
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
    cupboard = services.location_save(branch=branch, actor=manager, name="Szafka do inwentaryzacji")
    services.stock_receive(location=cupboard, item=gloves, quantity=Decimal(10), actor=manager)
    shelf = services.location_save(branch=branch, actor=manager, name="Półka macierzy")
    supplier = services.supplier_save(
        organisation=organisation,
        actor=manager,
        data=services.SupplierData(name="Hurtownia macierzy", order_email="macierz@example.invalid"),
    )
    masks = services.item_save(
        organisation=organisation,
        actor=manager,
        data=services.ItemData(
            name="Maseczki macierz", category="medical", unit="box", preferred_supplier=supplier, last_price=Decimal(2)
        ),
    )
    made = []
    for _order in range(2):
        masks_request = services.request_create(
            location=location, actor=admin, lines=[services.RequestLineData(item=masks, quantity=Decimal(10))]
        )
        services.request_approve(request=masks_request, actor=manager)
        made += services_orders.orders_from_approved(branch=branch, actor=manager)
    draft, sent = made
    sent = services_orders.order_send(order=sent, actor=manager)
    receipt = services_orders.receipt_create(
        order=sent,
        actor=manager,
        lines={sent.lines.get().pk: services_orders.DeliveredLine(quantity=Decimal(1))},
    )
    return {
        "sup_location": location,
        "sup_item": gloves,
        "sup_request": request,
        "sup_stocktake": stocktake,
        "sup_cupboard": cupboard,
        "sup_level": StockLevel.objects.get(location=location, item=gloves),
        "sup_shelf": shelf,
        "sup_supplier": supplier,
        "sup_draft_order": draft,
        "sup_sent_order": sent,
        "sup_receipt": receipt,
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
    # Reports: lists of the user's branches (scoping is tested in frontoffice/supplies/tests/test_reports.py).
    "supplies:report_consumption": Case(roles=REPORT_READERS),
    "supplies:report_spend": Case(roles=REPORT_READERS),
    "supplies:report_low_stock": Case(roles=REPORT_READERS),
    "supplies:report_adjustments": Case(roles=REPORT_READERS),
}


def _api_supplier(ctx: dict[str, Any]) -> dict[str, Any]:
    return {"supplier_id": ctx["sup_supplier"].pk}


def _api_item(ctx: dict[str, Any]) -> dict[str, Any]:
    return {"item_id": ctx["sup_item"].pk}


def _api_request(ctx: dict[str, Any]) -> dict[str, Any]:
    return {"request_id": ctx["sup_request"].pk}


def _draft(ctx: dict[str, Any]) -> dict[str, Any]:
    return {"order_id": ctx["sup_draft_order"].pk}


def _sent(ctx: dict[str, Any]) -> dict[str, Any]:
    return {"order_id": ctx["sup_sent_order"].pk}


def _take(ctx: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"location_id": ctx["sup_location"].pk, "item_id": ctx["sup_item"].pk, "quantity": 1, **extra}


# PUT bodies go out as they are (the matrix posts JSON only for POST): send JSON text.
def _supplier_body(ctx: dict[str, Any]) -> str:
    supplier = ctx["sup_supplier"]
    return json.dumps({"name": supplier.name, "order_email": "nowe@example.invalid", "version": supplier.version})


def _item_body(ctx: dict[str, Any]) -> str:
    item = ctx["sup_item"]
    return json.dumps({"name": item.name, "category": "medical", "unit": "pair", "version": item.version})


CASES.update(
    {
        # The API: catalogue
        "api:supplies_supplier_list": api_case(roles=VIEWERS),
        "api:supplies_supplier_get": api_case(roles=VIEWERS, kwargs=_api_supplier, org_scoped=True),
        "api:supplies_supplier_create": api_case(
            roles=KEEPERS,
            method="post",
            ok=(201,),
            data=lambda ctx: {"name": "Nowa hurtownia", "order_email": "nowa@example.invalid"},
        ),
        "api:supplies_supplier_update": api_case(
            roles=KEEPERS, kwargs=_api_supplier, org_scoped=True, method="put", data=_supplier_body
        ),
        "api:supplies_item_list": api_case(roles=VIEWERS),
        "api:supplies_item_get": api_case(roles=VIEWERS, kwargs=_api_item, org_scoped=True),
        "api:supplies_item_create": api_case(
            roles=KEEPERS, method="post", ok=(201,), data=lambda ctx: {"name": "Nowy towar", "unit": "box"}
        ),
        "api:supplies_item_update": api_case(
            roles=KEEPERS, kwargs=_api_item, org_scoped=True, method="put", data=_item_body
        ),
        # The API: locations and stock
        "api:supplies_location_list": api_case(roles=VIEWERS),
        "api:supplies_location_get": api_case(
            roles=VIEWERS, kwargs=lambda ctx: {"location_id": ctx["sup_location"].pk}, scoped=True
        ),
        "api:supplies_stock_list": api_case(roles=VIEWERS),
        "api:supplies_level_set": api_case(
            roles=KEEPERS,
            kwargs=lambda ctx: {"location_id": ctx["sup_location"].pk, "item_id": ctx["sup_item"].pk},
            scoped=True,
            method="put",
            data=lambda ctx: json.dumps({"reorder_point": 10, "target_level": 50}),
        ),
        # The API: movements
        "api:supplies_movement_list": api_case(roles=VIEWERS),
        "api:supplies_movement_consume": api_case(
            roles=HANDLERS, method="post", ok=(201,), data=_take, overrides=OUTSIDERS_422
        ),
        "api:supplies_movement_adjust": api_case(
            roles=HANDLERS,
            method="post",
            ok=(201,),
            data=lambda ctx: _take(ctx, reason="Korekta"),
            overrides=OUTSIDERS_422,
        ),
        "api:supplies_movement_write_off": api_case(
            roles=HANDLERS,
            method="post",
            ok=(201,),
            data=lambda ctx: _take(ctx, reason="Podarte"),
            overrides=OUTSIDERS_422,
        ),
        "api:supplies_movement_transfer": api_case(
            roles=HANDLERS,
            method="post",
            ok=(201,),
            data=lambda ctx: {
                "source_id": ctx["sup_location"].pk,
                "target_id": ctx["sup_shelf"].pk,
                "item_id": ctx["sup_item"].pk,
                "quantity": 1,
            },
            overrides=OUTSIDERS_422,
        ),
        # The API: purchase requests. The admin filed the request: the service refuses the admin's decision
        # (422, "your own request") and anyone else's withdrawal of it.
        "api:supplies_request_list": api_case(roles=VIEWERS),
        "api:supplies_request_get": api_case(roles=VIEWERS, kwargs=_api_request, scoped=True),
        "api:supplies_request_create": api_case(
            roles=HANDLERS,
            method="post",
            ok=(201,),
            data=lambda ctx: {
                "location_id": ctx["sup_location"].pk,
                "lines": [{"item_id": ctx["sup_item"].pk, "quantity": 2}],
            },
            overrides=OUTSIDERS_422,
        ),
        "api:supplies_request_approve": api_case(
            roles=APPROVERS, kwargs=_api_request, scoped=True, method="post", ok=(200, 422)
        ),
        "api:supplies_request_reject": api_case(
            roles=APPROVERS,
            kwargs=_api_request,
            scoped=True,
            method="post",
            data=lambda ctx: {"comment": "Nie teraz"},
            ok=(200, 422),
        ),
        "api:supplies_request_cancel": api_case(
            roles=HANDLERS, kwargs=_api_request, scoped=True, method="post", ok=(200, 422)
        ),
        # The API: orders and deliveries
        "api:supplies_order_list": api_case(roles=VIEWERS),
        "api:supplies_order_get": api_case(roles=VIEWERS, kwargs=_sent, scoped=True),
        "api:supplies_order_create_from_approved": api_case(
            roles=HANDLERS,
            method="post",
            ok=(201,),
            data=lambda ctx: {"branch_id": ctx["branch"].pk},
            overrides=OUTSIDERS_422,
        ),
        "api:supplies_order_send": api_case(roles=HANDLERS, kwargs=_draft, scoped=True, method="post"),
        "api:supplies_order_cancel": api_case(roles=HANDLERS, kwargs=_draft, scoped=True, method="post"),
        "api:supplies_order_pdf": api_case(roles=VIEWERS, kwargs=_sent, scoped=True),
        "api:supplies_receipt_list": api_case(roles=VIEWERS, kwargs=_sent, scoped=True),
        "api:supplies_receipt_get": api_case(
            roles=VIEWERS,
            kwargs=lambda ctx: {"order_id": ctx["sup_sent_order"].pk, "receipt_id": ctx["sup_receipt"].pk},
            scoped=True,
        ),
        "api:supplies_receipt_create": api_case(
            roles=HANDLERS,
            kwargs=_sent,
            scoped=True,
            method="post",
            ok=(201,),
            data=lambda ctx: {"lines": [{"order_line_id": ctx["sup_sent_order"].lines.get().pk, "quantity": 1}]},
        ),
    }
)
