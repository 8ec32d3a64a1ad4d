"""Supplies: a catalogue per organisation, stock per storage location, and the path from a request
to an approved order, a delivery and a stocktake.

On-hand stock is derived from ``StockMovement`` (append-only). ``StockLevel.on_hand`` is a cache of
the sum of a level's movements, written by the same service, in the same transaction, under a row lock
on the level — a test proves the two never part.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from stdnum.pl import nip

from frontoffice.core.models import Branch, Department, Organisation, TimeStampedModel, validate_currency

from .choices import ItemCategory, MovementKind, OrderStatus, RequestStatus, StocktakeStatus, Unit
from .permissions import SuppliesPermission

QUANTITY = {"max_digits": 12, "decimal_places": 3}
MONEY = {"max_digits": 12, "decimal_places": 2}


def validate_nip(value: str) -> None:
    if value and not nip.is_valid(value):
        raise ValidationError(_("This is not a valid NIP (10 digits with a correct check digit)."), code="nip")


class SuppliesSettings(models.Model):
    """How one organisation runs its supplies."""

    organisation = models.OneToOneField(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="supplies_settings"
    )
    allow_negative_stock = models.BooleanField(
        _("allow stock below zero"),
        default=False,
        help_text=_("Let staff book what they took even when the books say the shelf is empty."),
    )

    class Meta:
        verbose_name = _("supplies settings")
        verbose_name_plural = _("supplies settings")

    def __str__(self) -> str:
        return str(self.organisation)


class Supplier(TimeStampedModel):
    """A company the organisation buys supplies from."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="suppliers"
    )
    name = models.CharField(_("name"), max_length=200)
    nip = models.CharField(_("NIP"), max_length=13, blank=True, validators=[validate_nip])
    order_email = models.EmailField(_("order e-mail"), help_text=_("Orders are sent to this address."))
    contact_person = models.CharField(_("contact person"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=16, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"],
                name="supplier_name_unique_in_organisation",
                violation_error_message=_("Another supplier already has this name."),
                violation_error_code="unique",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "is_active", "name"], name="supplier_org_active_idx")]

    def __str__(self) -> str:
        return self.name


class Item(TimeStampedModel):
    """Something the organisation keeps in stock and orders."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="supply_items"
    )
    name = models.CharField(_("name"), max_length=200)
    code = models.CharField(_("code"), max_length=40, blank=True)
    category = models.CharField(_("category"), max_length=16, choices=ItemCategory.choices, default=ItemCategory.OTHER)
    unit = models.CharField(_("unit"), max_length=8, choices=Unit.choices, default=Unit.PIECE)
    whole_units_only = models.BooleanField(
        _("whole units only"), default=True, help_text=_("Quantities of this item cannot have a fraction.")
    )
    pack_size = models.DecimalField(
        _("pack size"), **QUANTITY, default=Decimal(1), validators=[MinValueValidator(Decimal("0.001"))]
    )
    preferred_supplier = models.ForeignKey(
        Supplier,
        verbose_name=_("preferred supplier"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="items",
    )
    last_price = models.DecimalField(
        _("last net price"), **MONEY, null=True, blank=True, validators=[MinValueValidator(Decimal(0))]
    )
    currency = models.CharField(_("currency"), max_length=3, default="PLN", validators=[validate_currency])
    vat_rate = models.DecimalField(
        _("VAT rate (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(23),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    is_critical = models.BooleanField(
        _("critical"), default=False, help_text=_("Running low alerts the location's owner at once.")
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("item")
        verbose_name_plural = _("items")
        ordering = ["name", "pk"]
        permissions = SuppliesPermission.choices
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"],
                name="supply_item_name_unique_in_organisation",
                violation_error_message=_("Another item already has this name."),
                violation_error_code="unique",
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "is_active", "category"], name="supply_item_org_cat_idx"),
        ]

    def __str__(self) -> str:
        return self.name


class StorageLocation(TimeStampedModel):
    """A place stock is kept: a branch storeroom or a department's cupboard."""

    branch = models.ForeignKey(
        Branch, verbose_name=_("branch"), on_delete=models.PROTECT, related_name="storage_locations"
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="storage_locations",
    )
    name = models.CharField(_("name"), max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Receives the low-stock alerts."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    digest_sent_on = models.DateField(_("last low-stock digest"), null=True, blank=True)

    class Meta:
        verbose_name = _("storage location")
        verbose_name_plural = _("storage locations")
        ordering = ["branch", "name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["branch", "name"],
                name="storage_location_name_unique_in_branch",
                violation_error_message=_("This branch already has a storage location with this name."),
                violation_error_code="unique",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class StockLevel(models.Model):
    """One item at one location: the cached quantity on hand and the levels that trigger reordering."""

    location = models.ForeignKey(
        StorageLocation, verbose_name=_("storage location"), on_delete=models.PROTECT, related_name="levels"
    )
    item = models.ForeignKey(Item, verbose_name=_("item"), on_delete=models.PROTECT, related_name="levels")
    on_hand = models.DecimalField(_("on hand"), **QUANTITY, default=Decimal(0))
    reorder_point = models.DecimalField(
        _("reorder point"), **QUANTITY, default=Decimal(0), validators=[MinValueValidator(Decimal(0))]
    )
    target_level = models.DecimalField(
        _("target level"), **QUANTITY, default=Decimal(0), validators=[MinValueValidator(Decimal(0))]
    )
    alerted_at = models.DateTimeField(_("critical alert sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("stock level")
        verbose_name_plural = _("stock levels")
        ordering = ["location", "item__name"]
        constraints = [
            models.UniqueConstraint(fields=["location", "item"], name="stock_level_unique"),
        ]
        indexes = [models.Index(fields=["item", "location"], name="stock_level_item_idx")]

    def __str__(self) -> str:
        return f"{self.item} @ {self.location}"

    @property
    def is_low(self) -> bool:
        return self.on_hand <= self.reorder_point and self.target_level > 0

    @property
    def shortfall(self) -> Decimal:
        return max(self.target_level - self.on_hand, Decimal(0))


class PurchaseRequest(models.Model):
    """A request for supplies for one location, approved (or not) by the ladder of its organisation."""

    branch = models.ForeignKey(Branch, verbose_name=_("branch"), on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey(
        StorageLocation, verbose_name=_("for location"), on_delete=models.PROTECT, related_name="requests"
    )
    number = models.CharField(_("number"), max_length=32)
    status = models.CharField(
        _("status"), max_length=16, choices=RequestStatus.choices, default=RequestStatus.SUBMITTED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)
    total = models.DecimalField(_("estimated total (net)"), **MONEY, default=Decimal(0))
    currency = models.CharField(_("currency"), max_length=3, default="PLN")
    approver_role = models.CharField(_("approved by role"), max_length=16)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("purchase request")
        verbose_name_plural = _("purchase requests")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["branch", "status", "-created_at"], name="supply_request_status_idx"),
        ]

    def __str__(self) -> str:
        return self.number


class PurchaseRequestLine(models.Model):
    request = models.ForeignKey(
        PurchaseRequest, verbose_name=_("request"), on_delete=models.CASCADE, related_name="lines"
    )
    item = models.ForeignKey(Item, verbose_name=_("item"), on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(_("quantity"), **QUANTITY, validators=[MinValueValidator(Decimal("0.001"))])
    unit_price = models.DecimalField(_("estimated net unit price"), **MONEY, default=Decimal(0))
    supplier = models.ForeignKey(
        Supplier, verbose_name=_("supplier"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("request line")
        verbose_name_plural = _("request lines")
        ordering = ["request", "pk"]

    def __str__(self) -> str:
        return f"{self.item} × {self.quantity}"

    @property
    def amount(self) -> Decimal:
        return (self.quantity * self.unit_price).quantize(Decimal("0.01"))


class ApprovalStep(models.Model):
    """One rung of an organisation's approval ladder: requests up to ``up_to`` are approved by ``role``."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="+"
    )
    up_to = models.DecimalField(
        _("up to amount"),
        **MONEY,
        null=True,
        blank=True,
        help_text=_("Empty: any amount (the top of the ladder)."),
    )
    role = models.CharField(_("role"), max_length=16)

    class Meta:
        verbose_name = _("approval step")
        verbose_name_plural = _("approval steps")
        ordering = ["organisation", models.F("up_to").asc(nulls_last=True)]

    def __str__(self) -> str:
        return f"{self.role} ≤ {self.up_to}"


class PurchaseOrder(models.Model):
    """An order to one supplier, built from approved request lines and sent as a PDF."""

    branch = models.ForeignKey(Branch, verbose_name=_("branch"), on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey(
        StorageLocation, verbose_name=_("deliver to"), on_delete=models.PROTECT, related_name="orders"
    )
    supplier = models.ForeignKey(Supplier, verbose_name=_("supplier"), on_delete=models.PROTECT, related_name="orders")
    number = models.CharField(_("number"), max_length=32)
    status = models.CharField(_("status"), max_length=16, choices=OrderStatus.choices, default=OrderStatus.DRAFT)
    currency = models.CharField(_("currency"), max_length=3, default="PLN")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    message_id = models.PositiveIntegerField(_("outgoing message"), null=True, blank=True)

    class Meta:
        verbose_name = _("purchase order")
        verbose_name_plural = _("purchase orders")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["branch", "status", "-created_at"], name="supply_order_status_idx"),
            models.Index(fields=["supplier", "-created_at"], name="supply_order_supplier_idx"),
        ]

    def __str__(self) -> str:
        return self.number


class PurchaseOrderLine(models.Model):
    order = models.ForeignKey(PurchaseOrder, verbose_name=_("order"), on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey(Item, verbose_name=_("item"), on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(_("ordered"), **QUANTITY, validators=[MinValueValidator(Decimal("0.001"))])
    unit_price = models.DecimalField(_("net unit price"), **MONEY, default=Decimal(0))
    received = models.DecimalField(_("received"), **QUANTITY, default=Decimal(0))
    request_line = models.OneToOneField(
        PurchaseRequestLine,
        verbose_name=_("request line"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="order_line",
    )

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["order", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(received__lte=models.F("quantity")), name="order_line_not_over_received")
        ]

    def __str__(self) -> str:
        return f"{self.item} × {self.quantity}"

    @property
    def outstanding(self) -> Decimal:
        return self.quantity - self.received

    @property
    def amount(self) -> Decimal:
        return (self.quantity * self.unit_price).quantize(Decimal("0.01"))


class Receipt(models.Model):
    """One delivery against an order (an order may arrive in several)."""

    order = models.ForeignKey(PurchaseOrder, verbose_name=_("order"), on_delete=models.PROTECT, related_name="receipts")
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("received by"), on_delete=models.PROTECT, related_name="+"
    )
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-received_at", "-pk"]
        # Spend by supplier reads deliveries by period.
        indexes = [models.Index(fields=["-received_at"], name="supply_receipt_received_idx")]

    def __str__(self) -> str:
        return f"{self.order} {self.received_at:%Y-%m-%d}"


class ReceiptLine(models.Model):
    receipt = models.ForeignKey(Receipt, verbose_name=_("delivery"), on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(
        PurchaseOrderLine, verbose_name=_("order line"), on_delete=models.PROTECT, related_name="receipt_lines"
    )
    quantity = models.DecimalField(_("quantity"), **QUANTITY)
    unit_price = models.DecimalField(_("invoiced net unit price"), **MONEY)
    price_differs = models.BooleanField(_("price differs from the order"), default=False)

    class Meta:
        verbose_name = _("delivery line")
        verbose_name_plural = _("delivery lines")
        ordering = ["receipt", "pk"]

    def __str__(self) -> str:
        return f"{self.order_line.item} × {self.quantity}"


class Stocktake(models.Model):
    """A count of one location; approving it books the differences as adjustments."""

    location = models.ForeignKey(
        StorageLocation, verbose_name=_("storage location"), on_delete=models.PROTECT, related_name="stocktakes"
    )
    status = models.CharField(_("status"), max_length=16, choices=StocktakeStatus.choices, default=StocktakeStatus.OPEN)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("started by"), on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    reason = models.CharField(_("reason for the differences"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("stocktake")
        verbose_name_plural = _("stocktakes")
        ordering = ["-started_at", "-pk"]
        constraints = [
            # Two counts of one shelf at once would each book the other's differences.
            models.UniqueConstraint(
                fields=["location"],
                condition=Q(status="open"),
                name="stocktake_one_open_per_location",
                violation_error_message=_("A stocktake of this location is already in progress."),
                violation_error_code="open",
            ),
        ]
        indexes = [
            models.Index(fields=["location", "status"], name="stocktake_location_status_idx"),
            models.Index(fields=["status", "-started_at"], name="stocktake_status_started_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.location} {self.started_at:%Y-%m-%d}"


class StocktakeLine(models.Model):
    stocktake = models.ForeignKey(
        Stocktake, verbose_name=_("stocktake"), on_delete=models.CASCADE, related_name="lines"
    )
    item = models.ForeignKey(Item, verbose_name=_("item"), on_delete=models.PROTECT, related_name="+")
    expected = models.DecimalField(_("expected"), **QUANTITY)
    counted = models.DecimalField(_("counted"), **QUANTITY, null=True, blank=True)
    counted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("counted by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    counted_at = models.DateTimeField(_("counted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("stocktake line")
        verbose_name_plural = _("stocktake lines")
        ordering = ["stocktake", "item__name"]
        constraints = [models.UniqueConstraint(fields=["stocktake", "item"], name="stocktake_line_unique")]

    def __str__(self) -> str:
        return f"{self.item}: {self.counted} / {self.expected}"

    @property
    def difference(self) -> Decimal | None:
        return None if self.counted is None else self.counted - self.expected


class StockMovement(models.Model):
    """One change of stock at a location. Append-only: a mistake is corrected by another movement."""

    level = models.ForeignKey(
        StockLevel, verbose_name=_("stock level"), on_delete=models.PROTECT, related_name="movements"
    )
    location = models.ForeignKey(
        StorageLocation, verbose_name=_("storage location"), on_delete=models.PROTECT, related_name="movements"
    )
    item = models.ForeignKey(Item, verbose_name=_("item"), on_delete=models.PROTECT, related_name="movements")
    branch = models.ForeignKey(Branch, verbose_name=_("branch"), on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=MovementKind.choices)
    quantity = models.DecimalField(_("quantity"), **QUANTITY, help_text=_("Positive in, negative out."))
    unit_price = models.DecimalField(_("net unit price"), **MONEY, null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("when"), auto_now_add=True)
    receipt_line = models.ForeignKey(
        ReceiptLine, verbose_name=_("delivery line"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    stocktake = models.ForeignKey(
        Stocktake, verbose_name=_("stocktake"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    visit_id = models.PositiveIntegerField(_("visit"), null=True, blank=True)

    class Meta:
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(quantity=0), name="stock_movement_not_zero"),
            models.CheckConstraint(
                condition=~Q(kind__in=["adjusted", "written_off"]) | ~Q(reason=""),
                name="stock_movement_reason_when_needed",
            ),
        ]
        indexes = [
            models.Index(fields=["branch", "-created_at"], name="stock_movement_branch_idx"),
            models.Index(fields=["location", "-created_at"], name="stock_movement_location_idx"),
            models.Index(fields=["item", "-created_at"], name="stock_movement_item_idx"),
            models.Index(fields=["kind", "-created_at"], name="stock_movement_kind_idx"),
            models.Index(fields=["actor", "-created_at"], name="stock_movement_actor_idx"),
            # The reports: one kind (consumption, adjustments) over a period in the user's branches.
            models.Index(fields=["branch", "kind", "-created_at"], name="stock_movement_branch_kind_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.item} {self.quantity}"


class VisitConsumption(models.Model):
    """What a visit of one type uses up from a location when it finishes (e.g. two pairs of gloves)."""

    location = models.ForeignKey(
        StorageLocation, verbose_name=_("take from"), on_delete=models.CASCADE, related_name="visit_rules"
    )
    visit_type_id = models.PositiveIntegerField(_("visit type"))
    item = models.ForeignKey(Item, verbose_name=_("item"), on_delete=models.CASCADE, related_name="+")
    quantity = models.DecimalField(_("quantity"), **QUANTITY, validators=[MinValueValidator(Decimal("0.001"))])

    class Meta:
        verbose_name = _("consumption per visit type")
        verbose_name_plural = _("consumption per visit type")
        ordering = ["location", "visit_type_id", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["location", "visit_type_id", "item"], name="visit_consumption_unique"),
        ]
        indexes = [models.Index(fields=["visit_type_id"], name="visit_consumption_type_idx")]

    def __str__(self) -> str:
        return f"{self.visit_type_id}: {self.item} × {self.quantity}"
