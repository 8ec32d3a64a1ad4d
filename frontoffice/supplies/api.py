"""Supplies through the API: catalogue (items, suppliers), storage locations and stock levels, movements
(take, adjust, write off, transfer), purchase requests with their approval, orders and deliveries.

The same services as the pages: a refusal of theirs (more than on hand, a fraction of a whole-unit item,
a missing reason, approving your own request, more than is still to come) is a 422 naming the field.
Stocktakes have their own router (``api_stocktakes``).
"""

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from frontoffice.core import selectors as core_selectors
from frontoffice.core.apikit import Id, LimitOffsetPagination, current_user, idempotent, referenced, requires
from frontoffice.core.models import Department
from frontoffice.core.pdf import PDF_CONTENT_TYPE, pdf_response

from . import selectors, services, services_orders
from .models import Item, PurchaseOrder, StorageLocation, Supplier
from .permissions import SuppliesPermission
from .schemas import (
    DeliveryIn,
    DeliveryOut,
    OrdersFromApprovedIn,
    PurchaseOrderFilters,
    PurchaseOrderOut,
    PurchaseRequestFilters,
    PurchaseRequestIn,
    PurchaseRequestOut,
    RequestDecisionIn,
    StockAdjustIn,
    StockConsumeIn,
    StockFilters,
    StockLevelIn,
    StockLevelOut,
    StockMovementFilters,
    StockMovementOut,
    StockTransferIn,
    StockTransferOut,
    StockWriteOffIn,
    StorageLocationFilters,
    StorageLocationOut,
    SupplierFilters,
    SupplierIn,
    SupplierOut,
    SupplierUpdateIn,
    SupplyItemFilters,
    SupplyItemIn,
    SupplyItemOut,
    SupplyItemUpdateIn,
)

router = Router(tags=["Supplies"])

VIEW = SuppliesPermission.VIEW_SUPPLIES.perm
TAKE = SuppliesPermission.TAKE_STOCK.perm
CORRECT = SuppliesPermission.COUNT_STOCK.perm
REQUEST = SuppliesPermission.REQUEST_SUPPLIES.perm
APPROVE = SuppliesPermission.APPROVE_REQUESTS.perm
ORDERS = SuppliesPermission.MANAGE_ORDERS.perm
CATALOGUE = SuppliesPermission.MANAGE_CATALOGUE.perm


def _renamed(error: ValidationError, rename: Callable[[str], str]) -> ValidationError:
    """The service's field names as the API's (``target`` → ``target_id``, ``line-0`` → ``lines.0.quantity``)."""
    if not hasattr(error, "error_dict"):
        return error
    return ValidationError({rename(field): errors for field, errors in error.error_dict.items()})


# --- catalogue: suppliers ---------------------------------------------------------------------------------


def _supplier_data(payload: SupplierIn) -> services.SupplierData:
    return services.SupplierData(
        name=payload.name,
        order_email=payload.order_email,
        nip=payload.nip,
        contact_person=payload.contact_person,
        phone=payload.phone,
        street=payload.street,
        postal_code=payload.postal_code,
        city=payload.city,
        is_active=payload.is_active,
    )


@router.get("/supplies/suppliers", response=list[SupplierOut], summary="List suppliers")
@paginate(LimitOffsetPagination)
@requires(VIEW)
def supplies_supplier_list(request: HttpRequest, filters: Query[SupplierFilters]) -> Any:
    """Your organisation's suppliers by name (active ones unless `include_inactive`)."""
    return selectors.supplier_search(user=current_user(request), q=filters.q, include_inactive=filters.include_inactive)


@router.get("/supplies/suppliers/{int:supplier_id}", response=SupplierOut, summary="Get a supplier")
@requires(VIEW)
def supplies_supplier_get(request: HttpRequest, supplier_id: Id) -> Any:
    return selectors.supplier_get(user=current_user(request), pk=supplier_id)


@router.post("/supplies/suppliers", response={201: SupplierOut}, summary="Add a supplier")
@requires(CATALOGUE)
@idempotent
def supplies_supplier_create(request: HttpRequest, payload: SupplierIn) -> Any:
    """The NIP is checked (and kept as digits); the name is unique in the organisation. Send `Idempotency-Key`
    to make a retry safe."""
    user = current_user(request)
    supplier = services.supplier_save(
        organisation=core_selectors.organisation_for(user), actor=user, data=_supplier_data(payload)
    )
    return Status(201, selectors.supplier_get(user=user, pk=supplier.pk))


@router.put("/supplies/suppliers/{int:supplier_id}", response=SupplierOut, summary="Change a supplier")
@requires(CATALOGUE)
def supplies_supplier_update(request: HttpRequest, supplier_id: Id, payload: SupplierUpdateIn) -> Any:
    """Replaces the supplier's details. A `version` older than the stored one gives 409."""
    user = current_user(request)
    supplier: Supplier = selectors.supplier_get(user=user, pk=supplier_id)
    services.supplier_save(
        organisation=core_selectors.organisation_for(user),
        actor=user,
        data=_supplier_data(payload),
        supplier=supplier,
        expected_version=payload.version,
    )
    return selectors.supplier_get(user=user, pk=supplier_id)


# --- catalogue: items -------------------------------------------------------------------------------------


def _item_data(payload: SupplyItemIn, user: Any, currency: str) -> services.ItemData:
    return services.ItemData(
        name=payload.name,
        category=payload.category,
        unit=payload.unit,
        whole_units_only=payload.whole_units_only,
        pack_size=payload.pack_size,
        preferred_supplier=referenced(
            "preferred_supplier_id", selectors.supplier_get, payload.preferred_supplier_id, user
        ),
        last_price=payload.last_price,
        currency=payload.currency or currency,
        vat_rate=payload.vat_rate,
        is_critical=payload.is_critical,
        code=payload.code,
        is_active=payload.is_active,
    )


@router.get("/supplies/items", response=list[SupplyItemOut], summary="List catalogue items")
@paginate(LimitOffsetPagination)
@requires(VIEW)
def supplies_item_list(request: HttpRequest, filters: Query[SupplyItemFilters]) -> Any:
    """Your organisation's catalogue by name (active items unless `include_inactive`)."""
    return selectors.item_search(
        user=current_user(request),
        filters=selectors.ItemFilters(
            q=filters.q,
            category=filters.category or "",
            supplier_id=filters.supplier_id,
            include_inactive=filters.include_inactive,
        ),
    )


@router.get("/supplies/items/{int:item_id}", response=SupplyItemOut, summary="Get a catalogue item")
@requires(VIEW)
def supplies_item_get(request: HttpRequest, item_id: Id) -> Any:
    return selectors.item_get(user=current_user(request), pk=item_id)


@router.post("/supplies/items", response={201: SupplyItemOut}, summary="Add a catalogue item")
@requires(CATALOGUE)
@idempotent
def supplies_item_create(request: HttpRequest, payload: SupplyItemIn) -> Any:
    """The name is unique in the organisation; the preferred supplier must be one of its suppliers. Send
    `Idempotency-Key` to make a retry safe."""
    user = current_user(request)
    organisation = core_selectors.organisation_for(user)
    item = services.item_save(
        organisation=organisation, actor=user, data=_item_data(payload, user, organisation.currency)
    )
    return Status(201, selectors.item_get(user=user, pk=item.pk))


@router.put("/supplies/items/{int:item_id}", response=SupplyItemOut, summary="Change a catalogue item")
@requires(CATALOGUE)
def supplies_item_update(request: HttpRequest, item_id: Id, payload: SupplyItemUpdateIn) -> Any:
    """Replaces the item's details. A `version` older than the stored one gives 409."""
    user = current_user(request)
    item: Item = selectors.item_get(user=user, pk=item_id)
    organisation = core_selectors.organisation_for(user)
    services.item_save(
        organisation=organisation,
        actor=user,
        data=_item_data(payload, user, organisation.currency),
        item=item,
        expected_version=payload.version,
    )
    return selectors.item_get(user=user, pk=item_id)


# --- storage locations and stock levels -------------------------------------------------------------------


@router.get("/supplies/locations", response=list[StorageLocationOut], summary="List storage locations")
@paginate(LimitOffsetPagination)
@requires(VIEW)
def supplies_location_list(request: HttpRequest, filters: Query[StorageLocationFilters]) -> Any:
    """Storerooms and cupboards at your branches."""
    locations = selectors.location_list(user=current_user(request), include_inactive=filters.include_inactive)
    if filters.branch_id:
        locations = locations.filter(branch_id=filters.branch_id)
    return locations


@router.get("/supplies/locations/{int:location_id}", response=StorageLocationOut, summary="Get a storage location")
@requires(VIEW)
def supplies_location_get(request: HttpRequest, location_id: Id) -> Any:
    return selectors.location_get(user=current_user(request), pk=location_id)


@router.get("/supplies/stock", response=list[StockLevelOut], summary="List stock levels")
@paginate(LimitOffsetPagination)
@requires(VIEW)
def supplies_stock_list(request: HttpRequest, filters: Query[StockFilters]) -> Any:
    """What is on hand of each item at each location of your branches, with its reorder point and target."""
    return selectors.stock_list(
        user=current_user(request),
        filters=selectors.StockFilters(
            location_id=filters.location_id,
            item_id=filters.item_id,
            category=filters.category or "",
            low_only=filters.low_only,
            q=filters.q,
        ),
    )


@router.put(
    "/supplies/locations/{int:location_id}/levels/{int:item_id}",
    response=StockLevelOut,
    summary="Set an item's reorder point and target at a location",
)
@requires(CATALOGUE)
def supplies_level_set(request: HttpRequest, location_id: Id, item_id: Id, payload: StockLevelIn) -> Any:
    """At or below the reorder point the item is low (alerts, the daily digest, a new request's suggestion);
    the target is what a request tops it up to, never below the reorder point."""
    user = current_user(request)
    location: StorageLocation = selectors.location_get(user=user, pk=location_id)
    item: Item = selectors.item_get(user=user, pk=item_id)
    services.level_set(
        location=location,
        item=item,
        actor=user,
        reorder_point=payload.reorder_point,
        target_level=payload.target_level,
    )
    return selectors.level_at(user=user, location_id=location.pk, item_id=item.pk)


# --- movements ---------------------------------------------------------------------------------------------


@router.get("/supplies/movements", response=list[StockMovementOut], summary="List stock movements")
@paginate(LimitOffsetPagination)
@requires(VIEW)
def supplies_movement_list(request: HttpRequest, filters: Query[StockMovementFilters]) -> Any:
    """Every change of stock at your branches, newest first: who, when, how much and why."""
    return selectors.movement_list(
        user=current_user(request),
        filters=selectors.MovementFilters(
            location_id=filters.location_id,
            item_id=filters.item_id,
            kind=filters.kind or "",
            actor_id=filters.actor_id,
            date_from=filters.date_from,
            date_to=filters.date_to,
        ),
    )


def _place(payload: Any, user: Any) -> tuple[StorageLocation, Item]:
    return (
        referenced("location_id", selectors.location_get, payload.location_id, user),
        referenced("item_id", selectors.item_get, payload.item_id, user),
    )


def _department(user: Any, location: StorageLocation, pk: int | None) -> Department | None:
    if pk is None:
        return None
    found = core_selectors.department_list(user=user, branch=location.branch).filter(pk=pk).first()
    if found is None:
        raise ValidationError({"department_id": _("Choose a department of the location's branch.")})
    return found


@router.post("/supplies/movements/consume", response={201: StockMovementOut}, summary="Take supplies from stock")
@requires(TAKE)
@idempotent
def supplies_movement_consume(request: HttpRequest, payload: StockConsumeIn) -> Any:
    """Books what was used. More than is on hand is refused (unless your organisation allows stock below
    zero), as is a fraction of an item counted in whole units. Send `Idempotency-Key` to make a retry safe."""
    user = current_user(request)
    location, item = _place(payload, user)
    movement = services.stock_consume(
        location=location,
        item=item,
        quantity=payload.quantity,
        actor=user,
        department=_department(user, location, payload.department_id),
    )
    return Status(201, selectors.movement_get(user=user, pk=movement.pk))


@router.post("/supplies/movements/adjust", response={201: StockMovementOut}, summary="Correct the stock")
@requires(CORRECT)
@idempotent
def supplies_movement_adjust(request: HttpRequest, payload: StockAdjustIn) -> Any:
    """Corrects the books by a signed quantity; the reason is required and kept with who and when. Send
    `Idempotency-Key` to make a retry safe."""
    user = current_user(request)
    location, item = _place(payload, user)
    movement = services.stock_adjust(
        location=location, item=item, change=payload.quantity, reason=payload.reason, actor=user
    )
    return Status(201, selectors.movement_get(user=user, pk=movement.pk))


@router.post("/supplies/movements/write-off", response={201: StockMovementOut}, summary="Write stock off")
@requires(CORRECT)
@idempotent
def supplies_movement_write_off(request: HttpRequest, payload: StockWriteOffIn) -> Any:
    """Takes spoilt, expired or lost stock off the books; the reason is required. Send `Idempotency-Key` to
    make a retry safe."""
    user = current_user(request)
    location, item = _place(payload, user)
    movement = services.stock_write_off(
        location=location, item=item, quantity=payload.quantity, reason=payload.reason, actor=user
    )
    return Status(201, selectors.movement_get(user=user, pk=movement.pk))


@router.post("/supplies/movements/transfer", response={201: StockTransferOut}, summary="Move stock between locations")
@requires(TAKE)
@idempotent
def supplies_movement_transfer(request: HttpRequest, payload: StockTransferIn) -> Any:
    """Two movements in one transaction: out of `source_id`, into `target_id`. You must see both locations.
    Send `Idempotency-Key` to make a retry safe."""
    user = current_user(request)
    source = referenced("source_id", selectors.location_get, payload.source_id, user)
    target = referenced("target_id", selectors.location_get, payload.target_id, user)
    item = referenced("item_id", selectors.item_get, payload.item_id, user)
    try:
        out, into = services.stock_transfer(
            source=source, target=target, item=item, quantity=payload.quantity, actor=user
        )
    except ValidationError as error:
        raise _renamed(error, lambda field: {"target": "target_id"}.get(field, field)) from None
    return Status(
        201,
        {
            "outgoing": selectors.movement_get(user=user, pk=out.pk),
            "incoming": selectors.movement_get(user=user, pk=into.pk),
        },
    )


# --- purchase requests -------------------------------------------------------------------------------------


def _request(user: Any, pk: int) -> Any:
    return selectors.request_get(user=user, pk=pk)


def _line_field(field: str) -> str:
    """``line-3`` (the service's name for the fourth line) → ``lines.3.quantity``."""
    if field.startswith("line-") and field[5:].isdigit():
        return f"lines.{field[5:]}.quantity"
    return field


@router.get("/supplies/requests", response=list[PurchaseRequestOut], summary="List purchase requests")
@paginate(LimitOffsetPagination)
@requires(VIEW)
def supplies_request_list(request: HttpRequest, filters: Query[PurchaseRequestFilters]) -> Any:
    """Requests at your branches, newest first, with their lines."""
    return selectors.request_list(
        user=current_user(request),
        status=filters.status or "",
        location_id=filters.location_id,
        branch_id=filters.branch_id,
    ).prefetch_related(selectors.request_lines_prefetch())


@router.get("/supplies/requests/{int:request_id}", response=PurchaseRequestOut, summary="Get a purchase request")
@requires(VIEW)
def supplies_request_get(request: HttpRequest, request_id: Id) -> Any:
    return _request(current_user(request), request_id)


@router.post("/supplies/requests", response={201: PurchaseRequestOut}, summary="Request supplies")
@requires(REQUEST)
@idempotent
def supplies_request_create(request: HttpRequest, payload: PurchaseRequestIn) -> Any:
    """Priced from the items' last prices; the total picks who approves it (the approval ladder), and they
    are told by e-mail. Send `Idempotency-Key` to make a retry safe."""
    user = current_user(request)
    location = referenced("location_id", selectors.location_get, payload.location_id, user)
    lines = [
        services.RequestLineData(
            item=referenced(f"lines.{index}.item_id", selectors.item_get, line.item_id, user), quantity=line.quantity
        )
        for index, line in enumerate(payload.lines)
    ]
    try:
        created = services.request_create(location=location, actor=user, lines=lines, note=payload.note)
    except ValidationError as error:
        raise _renamed(error, _line_field) from None
    return Status(201, _request(user, created.pk))


@router.post(
    "/supplies/requests/{int:request_id}/approve", response=PurchaseRequestOut, summary="Approve a purchase request"
)
@requires(APPROVE)
def supplies_request_approve(request: HttpRequest, request_id: Id, payload: RequestDecisionIn) -> Any:
    """Within the ladder: the request's rung or a higher one. Nobody approves their own request; a request
    already decided is refused (so a retry never decides twice)."""
    user = current_user(request)
    services.request_approve(request=_request(user, request_id), actor=user, comment=payload.comment)
    return _request(user, request_id)


@router.post(
    "/supplies/requests/{int:request_id}/reject", response=PurchaseRequestOut, summary="Reject a purchase request"
)
@requires(APPROVE)
def supplies_request_reject(request: HttpRequest, request_id: Id, payload: RequestDecisionIn) -> Any:
    """Needs a `comment` saying why; the requester is told."""
    user = current_user(request)
    services.request_reject(request=_request(user, request_id), actor=user, comment=payload.comment)
    return _request(user, request_id)


@router.post(
    "/supplies/requests/{int:request_id}/cancel", response=PurchaseRequestOut, summary="Withdraw a purchase request"
)
@requires(REQUEST)
def supplies_request_cancel(request: HttpRequest, request_id: Id) -> Any:
    """Only the person who asked, and only while it waits for approval."""
    user = current_user(request)
    services.request_cancel(request=_request(user, request_id), actor=user)
    return _request(user, request_id)


# --- orders ------------------------------------------------------------------------------------------------


def _order(user: Any, pk: int) -> PurchaseOrder:
    return selectors.order_get(user=user, pk=pk)


@router.get("/supplies/orders", response=list[PurchaseOrderOut], summary="List purchase orders")
@paginate(LimitOffsetPagination)
@requires(VIEW)
def supplies_order_list(request: HttpRequest, filters: Query[PurchaseOrderFilters]) -> Any:
    """Orders at your branches, newest first, with their lines and what has come so far."""
    return selectors.order_list(
        user=current_user(request),
        filters=selectors.OrderFilters(
            status=filters.status or "",
            supplier_id=filters.supplier_id,
            location_id=filters.location_id,
            branch_id=filters.branch_id,
        ),
    )


@router.get("/supplies/orders/{int:order_id}", response=PurchaseOrderOut, summary="Get a purchase order")
@requires(VIEW)
def supplies_order_get(request: HttpRequest, order_id: Id) -> Any:
    return _order(current_user(request), order_id)


@router.post(
    "/supplies/orders/from-approved",
    response={201: list[PurchaseOrderOut]},
    summary="Make draft orders from a branch's approved requests",
)
@requires(ORDERS)
@idempotent
def supplies_order_create_from_approved(request: HttpRequest, payload: OrdersFromApprovedIn) -> Any:
    """One draft order per (location, supplier) from the branch's approved lines not yet ordered; lines
    whose item has no supplier wait on their request. An empty list when there is nothing to order. Send
    `Idempotency-Key` to make a retry safe."""
    user = current_user(request)
    branch = referenced("branch_id", core_selectors.branch_get, payload.branch_id, user)
    made = services_orders.orders_from_approved(branch=branch, actor=user)
    return Status(201, list(selectors.order_list(user=user).filter(pk__in=[order.pk for order in made])))


@router.post("/supplies/orders/{int:order_id}/send", response=PurchaseOrderOut, summary="Send an order to its supplier")
@requires(ORDERS)
def supplies_order_send(request: HttpRequest, order_id: Id) -> Any:
    """E-mails the order as a PDF to the supplier's order address. Only a draft with lines can be sent (so a
    retry never sends twice)."""
    user = current_user(request)
    services_orders.order_send(order=_order(user, order_id), actor=user)
    return _order(user, order_id)


@router.post("/supplies/orders/{int:order_id}/cancel", response=PurchaseOrderOut, summary="Cancel an order")
@requires(ORDERS)
def supplies_order_cancel(request: HttpRequest, order_id: Id) -> Any:
    """A draft or sent order; not one that has been (partly) delivered."""
    user = current_user(request)
    services_orders.order_cancel(order=_order(user, order_id), actor=user)
    return _order(user, order_id)


@router.get(
    "/supplies/orders/{int:order_id}/pdf",
    summary="Download an order as PDF",
    openapi_extra={
        "responses": {
            200: {
                "description": "The order as the supplier receives it.",
                "content": {PDF_CONTENT_TYPE: {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
@requires(VIEW)
def supplies_order_pdf(request: HttpRequest, order_id: Id) -> HttpResponse:
    order = _order(current_user(request), order_id)
    return pdf_response(services_orders.order_pdf(order), filename=f"{_ascii(order.number)}.pdf")


def _ascii(text: str) -> str:
    return "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_") else "-" for ch in text)


# --- deliveries --------------------------------------------------------------------------------------------


@router.get(
    "/supplies/orders/{int:order_id}/receipts", response=list[DeliveryOut], summary="List an order's deliveries"
)
@paginate(LimitOffsetPagination)
@requires(VIEW)
def supplies_receipt_list(request: HttpRequest, order_id: Id) -> Any:
    user = current_user(request)
    return selectors.receipt_list(user=user, order=_order(user, order_id))


@router.get("/supplies/orders/{int:order_id}/receipts/{int:receipt_id}", response=DeliveryOut, summary="Get a delivery")
@requires(VIEW)
def supplies_receipt_get(request: HttpRequest, order_id: Id, receipt_id: Id) -> Any:
    user = current_user(request)
    return selectors.receipt_get(user=user, order=_order(user, order_id), pk=receipt_id)


@router.post("/supplies/orders/{int:order_id}/receipts", response={201: DeliveryOut}, summary="Receive a delivery")
@requires(ORDERS)
@idempotent
def supplies_receipt_create(request: HttpRequest, order_id: Id, payload: DeliveryIn) -> Any:
    """What came on each order line: partial deliveries are fine, more than is still outstanding is refused.
    A price other than the ordered one is flagged (`price_differs`). The goods go into stock at the order's
    location. Send `Idempotency-Key` to make a retry safe."""
    user = current_user(request)
    order = _order(user, order_id)
    on_order = {line.pk for line in order.lines.all()}
    index_of: dict[int, int] = {}
    for index, line in enumerate(payload.lines):
        if line.order_line_id not in on_order:
            raise ValidationError({f"lines.{index}.order_line_id": _("This line is not on the order.")})
        if line.order_line_id in index_of:
            raise ValidationError({f"lines.{index}.order_line_id": _("This order line is named twice.")})
        index_of[line.order_line_id] = index
    delivered = {
        line.order_line_id: services_orders.DeliveredLine(quantity=line.quantity, unit_price=line.unit_price)
        for line in payload.lines
    }

    def field(name: str) -> str:
        pk = name[5:]
        if name.startswith("line-") and pk.isdigit() and int(pk) in index_of:
            return f"lines.{index_of[int(pk)]}.quantity"
        return name

    try:
        receipt = services_orders.receipt_create(order=order, actor=user, lines=delivered, note=payload.note)
    except ValidationError as error:
        raise _renamed(error, field) from None
    return Status(201, selectors.receipt_get(user=user, order=order, pk=receipt.pk))
