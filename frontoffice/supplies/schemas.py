"""Typed request and response bodies of the supplies API.

Quantities and amounts are decimals: sent as a JSON number or string, answered as a string
(``"2.500"``) so that no precision is lost. Range and unit rules (above zero, whole units only,
enough on hand) are the services' and come back as 422 with a translated message.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ninja import Field, Schema

from frontoffice.core.apikit import MAX_ID, InSchema

from .choices import ItemCategory, MovementKind, OrderStatus, RequestStatus, Unit

# --- catalogue ---------------------------------------------------------------------------------------------


class SupplierOut(Schema):
    id: int
    name: str
    nip: str
    order_email: str = Field(description="Orders are sent to this address.")
    contact_person: str
    phone: str
    street: str
    postal_code: str
    city: str
    is_active: bool
    version: int = Field(description="Send it back with an update; a stale one gives 409.")
    updated_at: datetime


class SupplierIn(InSchema):
    name: str = Field(min_length=1, max_length=200)
    order_email: str = Field(max_length=254)
    nip: str = Field("", max_length=20, description="Polish NIP, with or without dashes; checked.")
    contact_person: str = Field("", max_length=200)
    phone: str = Field("", max_length=32)
    street: str = Field("", max_length=200)
    postal_code: str = Field("", max_length=16)
    city: str = Field("", max_length=100)
    is_active: bool = True


class SupplierUpdateIn(SupplierIn):
    version: int = Field(ge=1, le=MAX_ID, description="The version you read; an older one gives 409.")


class SupplierFilters(InSchema):
    q: str = Field("", max_length=100, description="Words of the name or city, or digits of the NIP.")
    include_inactive: bool = False


class SupplyItemOut(Schema):
    id: int
    name: str
    code: str
    category: ItemCategory
    unit: Unit
    whole_units_only: bool = Field(description="Quantities of this item cannot have a fraction.")
    pack_size: Decimal
    preferred_supplier_id: int | None
    last_price: Decimal | None = Field(description="The last net unit price paid (or set).")
    currency: str
    vat_rate: Decimal
    is_critical: bool = Field(description="Running low alerts the location's owner at once.")
    is_active: bool
    version: int = Field(description="Send it back with an update; a stale one gives 409.")
    updated_at: datetime


class SupplyItemIn(InSchema):
    name: str = Field(min_length=1, max_length=200)
    code: str = Field("", max_length=40)
    category: ItemCategory = ItemCategory.OTHER
    unit: Unit = Unit.PIECE
    whole_units_only: bool = True
    pack_size: Decimal = Field(Decimal(1), max_digits=12, decimal_places=3)
    preferred_supplier_id: int | None = Field(None, ge=1, le=MAX_ID)
    last_price: Decimal | None = Field(None, max_digits=12, decimal_places=2)
    currency: str = Field("", max_length=3, description="Empty: the organisation's currency.")
    vat_rate: Decimal = Field(Decimal(23), max_digits=5, decimal_places=2)
    is_critical: bool = False
    is_active: bool = True


class SupplyItemUpdateIn(SupplyItemIn):
    version: int = Field(ge=1, le=MAX_ID, description="The version you read; an older one gives 409.")


class SupplyItemFilters(InSchema):
    q: str = Field("", max_length=100, description="Words of the name or code.")
    category: ItemCategory | None = None
    supplier_id: int | None = Field(None, ge=1, le=MAX_ID, description="Items whose preferred supplier this is.")
    include_inactive: bool = False


# --- locations and stock ----------------------------------------------------------------------------------


class StorageLocationOut(Schema):
    id: int
    branch_id: int
    department_id: int | None
    name: str
    owner_id: int | None = Field(description="Receives the low-stock alerts.")
    is_active: bool


class StorageLocationFilters(InSchema):
    branch_id: int | None = Field(None, ge=1, le=MAX_ID)
    include_inactive: bool = False


class StockLevelOut(Schema):
    id: int
    location_id: int
    item_id: int
    item_name: str
    unit: Unit
    on_hand: Decimal = Field(description="The sum of the level's movements.")
    reorder_point: Decimal
    target_level: Decimal
    is_low: bool = Field(description="At or below the reorder point (and a target is set).")
    shortfall: Decimal = Field(description="What brings the level back to its target.")

    @staticmethod
    def resolve_item_name(obj: Any) -> str:
        return str(obj.item.name)

    @staticmethod
    def resolve_unit(obj: Any) -> str:
        return str(obj.item.unit)


class StockFilters(InSchema):
    location_id: int | None = Field(None, ge=1, le=MAX_ID)
    item_id: int | None = Field(None, ge=1, le=MAX_ID)
    category: ItemCategory | None = None
    low_only: bool = Field(False, description="Only levels at or below their reorder point.")
    q: str = Field("", max_length=100, description="Words of the item's name.")


class StockLevelIn(InSchema):
    reorder_point: Decimal = Field(max_digits=12, decimal_places=3, description="At or below this the item is low.")
    target_level: Decimal = Field(
        max_digits=12, decimal_places=3, description="What a new request tops the stock up to."
    )


# --- movements ---------------------------------------------------------------------------------------------


class StockMovementOut(Schema):
    id: int
    kind: MovementKind
    location_id: int
    item_id: int
    item_name: str
    branch_id: int
    department_id: int | None
    quantity: Decimal = Field(description="Positive in, negative out.")
    unit_price: Decimal | None
    reason: str
    actor_id: int | None
    created_at: datetime
    visit_id: int | None
    receipt_line_id: int | None
    stocktake_id: int | None

    @staticmethod
    def resolve_item_name(obj: Any) -> str:
        return str(obj.item.name)


class StockMovementFilters(InSchema):
    location_id: int | None = Field(None, ge=1, le=MAX_ID)
    item_id: int | None = Field(None, ge=1, le=MAX_ID)
    kind: MovementKind | None = None
    actor_id: int | None = Field(None, ge=1, le=MAX_ID, description="The user who booked it.")
    date_from: date | None = None
    date_to: date | None = None


class StockConsumeIn(InSchema):
    location_id: int = Field(ge=1, le=MAX_ID)
    item_id: int = Field(ge=1, le=MAX_ID)
    quantity: Decimal = Field(
        max_digits=12, decimal_places=3, description="Above zero; whole for items counted in whole units."
    )
    department_id: int | None = Field(None, ge=1, le=MAX_ID, description="Default: the location's department.")


class StockAdjustIn(InSchema):
    location_id: int = Field(ge=1, le=MAX_ID)
    item_id: int = Field(ge=1, le=MAX_ID)
    quantity: Decimal = Field(
        max_digits=12, decimal_places=3, description="The correction, signed: positive adds, negative removes."
    )
    reason: str = Field("", max_length=300, description="Required.")


class StockWriteOffIn(InSchema):
    location_id: int = Field(ge=1, le=MAX_ID)
    item_id: int = Field(ge=1, le=MAX_ID)
    quantity: Decimal = Field(
        max_digits=12, decimal_places=3, description="How much is taken off the books (above zero)."
    )
    reason: str = Field("", max_length=300, description="Required: spoilt, expired, lost…")


class StockTransferIn(InSchema):
    source_id: int = Field(ge=1, le=MAX_ID, description="The location the stock leaves.")
    target_id: int = Field(ge=1, le=MAX_ID, description="The location it goes to.")
    item_id: int = Field(ge=1, le=MAX_ID)
    quantity: Decimal = Field(max_digits=12, decimal_places=3)


class StockTransferOut(Schema):
    outgoing: StockMovementOut
    incoming: StockMovementOut


# --- purchase requests -------------------------------------------------------------------------------------


class PurchaseRequestLineOut(Schema):
    id: int
    item_id: int
    item_name: str
    quantity: Decimal
    unit_price: Decimal = Field(description="Estimated net unit price (the item's last price).")
    amount: Decimal
    supplier_id: int | None
    order_line_id: int | None = Field(description="Set once the line is on an order.")

    @staticmethod
    def resolve_item_name(obj: Any) -> str:
        return str(obj.item.name)

    @staticmethod
    def resolve_order_line_id(obj: Any) -> int | None:
        line = getattr(obj, "order_line", None)
        return line.pk if line is not None else None


class PurchaseRequestOut(Schema):
    id: int
    number: str
    branch_id: int
    location_id: int
    status: RequestStatus
    requested_by_id: int
    note: str
    total: Decimal = Field(description="Estimated net total; it picks the rung of the approval ladder.")
    currency: str
    approver_role: str = Field(description="The lowest role that may approve it.")
    decided_by_id: int | None
    decided_at: datetime | None
    decision_comment: str
    created_at: datetime
    lines: list[PurchaseRequestLineOut]


class PurchaseRequestFilters(InSchema):
    status: RequestStatus | None = None
    location_id: int | None = Field(None, ge=1, le=MAX_ID)
    branch_id: int | None = Field(None, ge=1, le=MAX_ID)


class PurchaseRequestLineIn(InSchema):
    item_id: int = Field(ge=1, le=MAX_ID)
    quantity: Decimal = Field(max_digits=12, decimal_places=3)


class PurchaseRequestIn(InSchema):
    location_id: int = Field(ge=1, le=MAX_ID, description="The location the supplies are for.")
    note: str = Field("", max_length=2000)
    lines: list[PurchaseRequestLineIn] = Field(max_length=200)


class RequestDecisionIn(InSchema):
    comment: str = Field("", max_length=2000, description="Optional to approve; required to reject.")


# --- orders and deliveries ---------------------------------------------------------------------------------


class PurchaseOrderLineOut(Schema):
    id: int
    item_id: int
    item_name: str
    quantity: Decimal = Field(description="Ordered.")
    unit_price: Decimal = Field(description="Net unit price.")
    received: Decimal
    outstanding: Decimal = Field(description="Still to come.")
    amount: Decimal
    request_line_id: int | None

    @staticmethod
    def resolve_item_name(obj: Any) -> str:
        return str(obj.item.name)


class PurchaseOrderOut(Schema):
    id: int
    number: str
    branch_id: int
    location_id: int = Field(description="Where it is delivered.")
    supplier_id: int
    supplier_name: str
    status: OrderStatus
    currency: str
    total: Decimal = Field(description="Net total of the lines.")
    created_by_id: int
    created_at: datetime
    sent_at: datetime | None
    lines: list[PurchaseOrderLineOut]

    @staticmethod
    def resolve_supplier_name(obj: Any) -> str:
        return str(obj.supplier.name)

    @staticmethod
    def resolve_total(obj: Any) -> Decimal:
        return sum((line.amount for line in obj.lines.all()), Decimal(0))


class PurchaseOrderFilters(InSchema):
    status: OrderStatus | None = None
    supplier_id: int | None = Field(None, ge=1, le=MAX_ID)
    location_id: int | None = Field(None, ge=1, le=MAX_ID)
    branch_id: int | None = Field(None, ge=1, le=MAX_ID)


class OrdersFromApprovedIn(InSchema):
    branch_id: int = Field(ge=1, le=MAX_ID)


class DeliveryLineOut(Schema):
    id: int
    order_line_id: int
    item_id: int
    quantity: Decimal
    unit_price: Decimal = Field(description="Invoiced net unit price.")
    price_differs: bool = Field(description="The price differs from the order's.")

    @staticmethod
    def resolve_item_id(obj: Any) -> int:
        return int(obj.order_line.item_id)


class DeliveryOut(Schema):
    id: int
    order_id: int
    received_by_id: int
    received_at: datetime
    note: str
    lines: list[DeliveryLineOut]


class DeliveryLineIn(InSchema):
    order_line_id: int = Field(ge=1, le=MAX_ID)
    quantity: Decimal = Field(
        max_digits=12, decimal_places=3, description="What came; at most what is still outstanding."
    )
    unit_price: Decimal | None = Field(
        None, ge=0, max_digits=12, decimal_places=2, description="Invoiced net price; default: the ordered."
    )


class DeliveryIn(InSchema):
    note: str = Field("", max_length=2000)
    lines: list[DeliveryLineIn] = Field(max_length=200)
