"""Money at the desk: charges, payments, refunds, cash drawer sessions, receipts and invoices.

A visit's **folio** is its charges (a shop's ``VisitLine`` rows, plus ``Charge`` rows: the visit
type's price for a clinic visit, nights × the nightly price for a stay, extras a clerk adds), the
payments taken on it and the refunds given back. Its balance is charges − payments + approved
refunds; ``money.selectors.folio`` computes it.

The organisation has no tax number in core, and the seller on a Polish invoice needs one, so the
seller's details live here in ``MoneySettings`` (one row per organisation), with the refund approval
ladder. Documents keep a copy of the seller and buyer as they were when issued.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from stdnum.pl import nip

from frontoffice.accounts.choices import Role
from frontoffice.core.models import Branch, Organisation, TimeStampedModel

from ..choices import VatRate
from ..money.choices import ChargeKind, DocumentKind, PaymentMethod, RefundStatus
from ..money.permissions import MoneyPermission
from ..money.roles import APPROVER_ROLES
from .visits import MONEY, Visit

POSITIVE = [MinValueValidator(Decimal("0.01"))]


def validate_nip(value: str) -> None:
    if value and not nip.is_valid(value):
        raise ValidationError(_("This is not a valid NIP (10 digits with a correct check digit)."), code="nip")


def validate_ladder(value: object) -> None:
    """``[{"above": "500.00", "role": "manager"}, …]``: amounts ascending, each naming an approving role."""
    if not isinstance(value, list):
        raise ValidationError(_("The approval ladder is a list of steps."))
    last = Decimal("-1")
    for step in value:
        if not isinstance(step, dict) or set(step) != {"above", "role"}:
            raise ValidationError(_("Each step of the ladder has an amount (“above”) and a role."))
        try:
            amount = Decimal(str(step["above"]))
        except ArithmeticError:
            raise ValidationError(_("Each step's amount must be a number.")) from None
        if amount < 0 or amount <= last:
            raise ValidationError(_("The ladder's amounts must be zero or more and go up step by step."))
        if step["role"] not in APPROVER_ROLES:
            raise ValidationError(
                _("Only these roles can approve refunds: %(roles)s."), params={"roles": ", ".join(APPROVER_ROLES)}
            )
        last = amount


def default_ladder() -> list[dict[str, str]]:
    return [{"above": "200.00", "role": "manager"}]


class MoneySettings(TimeStampedModel):
    """The seller printed on receipts and invoices, and the refund approval ladder, of one organisation."""

    organisation = models.OneToOneField(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="desk_money_settings"
    )
    seller_name = models.CharField(
        _("seller's name"), max_length=200, blank=True, help_text=_("Empty: the organisation's name.")
    )
    seller_nip = models.CharField(_("seller's NIP"), max_length=13, blank=True, validators=[validate_nip])
    seller_street = models.CharField(_("street and number"), max_length=200, blank=True)
    seller_postal_code = models.CharField(_("postal code"), max_length=16, blank=True)
    seller_city = models.CharField(
        _("city"), max_length=100, blank=True, help_text=_("Empty address: the branch's address.")
    )
    void_limit = models.DecimalField(
        _("void limit"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("Voiding a charge above this amount needs a manager or higher. Empty: no limit."),
        **MONEY,
    )
    early_departure_fee = models.DecimalField(
        _("early departure fee"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_(
            "Charged (gross, at the stay's VAT rate) when a guest leaves before the departure date. Empty: no fee."
        ),
        **MONEY,
    )
    approval_ladder = models.JSONField(
        _("refund approval ladder"),
        default=default_ladder,
        blank=True,
        validators=[validate_ladder],
        help_text=_("Refunds above each amount need approval by the role named (or a higher one)."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("money settings")
        verbose_name_plural = _("money settings")
        permissions = MoneyPermission.choices

    def __str__(self) -> str:
        return str(self.organisation)


class DrawerSession(models.Model):
    """A clerk's cash drawer from opening (with a float) to closing (with a counted amount).

    Every cash payment and cash refund is linked to the open session of the clerk who handles the
    cash; other payments taken while it is open are linked too, for the close summary. A clerk has
    at most one open session.
    """

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    branch = models.ForeignKey(
        Branch, verbose_name=_("branch"), on_delete=models.PROTECT, related_name="drawer_sessions"
    )
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("clerk"), on_delete=models.PROTECT, related_name="drawer_sessions"
    )
    opened_at = models.DateTimeField(_("opened at"))
    opening_float = models.DecimalField(_("float"), validators=[MinValueValidator(0)], **MONEY)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    expected_amount = models.DecimalField(_("expected in the drawer"), null=True, blank=True, **MONEY)
    counted_amount = models.DecimalField(
        _("counted"), null=True, blank=True, validators=[MinValueValidator(0)], **MONEY
    )
    discrepancy = models.DecimalField(
        _("discrepancy"), null=True, blank=True, help_text=_("Counted − expected: below zero is missing cash."), **MONEY
    )
    close_note = models.CharField(_("note at closing"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("cash drawer session")
        verbose_name_plural = _("cash drawer sessions")
        ordering = ["-opened_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["clerk"],
                condition=Q(closed_at__isnull=True),
                name="drawer_one_open_session_per_clerk",
                violation_error_message=_("You already have an open cash drawer."),
            ),
            models.CheckConstraint(condition=Q(opening_float__gte=0), name="drawer_float_not_negative"),
        ]
        indexes = [
            models.Index(fields=["organisation", "branch", "-opened_at"], name="drawer_org_branch_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.clerk} {self.opened_at:%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class Charge(models.Model):
    """Something a visit charges besides a shop's line items; ``unit_price`` is gross, like ``VisitLine``.

    The ``service`` (clinic) and ``nights`` (hotel) charges are posted by the desk, one that counts per
    visit. A void charge no longer counts but stays on the folio: the desk voids its own when a visit is
    cancelled or a guest leaves early (and posts the nights stayed instead); a clerk voids an extra posted
    by mistake, with a reason, until a receipt or an invoice covers it.
    """

    visit = models.ForeignKey(Visit, verbose_name=_("visit"), on_delete=models.PROTECT, related_name="charges")
    kind = models.CharField(_("kind"), max_length=10, choices=ChargeKind.choices, default=ChargeKind.EXTRA)
    description = models.CharField(_("description"), max_length=200)
    quantity = models.DecimalField(
        _("quantity"), max_digits=10, decimal_places=3, validators=[MinValueValidator(Decimal("0.001"))]
    )
    unit_price = models.DecimalField(_("unit price (gross)"), validators=[MinValueValidator(0)], **MONEY)
    vat_rate = models.CharField(_("VAT rate"), max_length=3, choices=VatRate.choices, default=VatRate.STANDARD)
    total_net = models.DecimalField(_("net"), editable=False, **MONEY)
    total_vat = models.DecimalField(_("VAT"), editable=False, **MONEY)
    total_gross = models.DecimalField(_("gross"), editable=False, **MONEY)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    voided_at = models.DateTimeField(_("void since"), null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("voided by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    void_reason = models.CharField(_("why void"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("charge")
        verbose_name_plural = _("charges")
        ordering = ["visit", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["visit", "kind"],
                condition=~Q(kind=ChargeKind.EXTRA) & Q(voided_at__isnull=True),
                name="charge_default_once_per_visit",
            ),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="charge_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="charge_price_not_negative"),
        ]

    def __str__(self) -> str:
        return self.description


class Payment(models.Model):
    """Money received on a visit. Several payments may settle one visit (split payment).

    A payment taken before a clinic visit starts or a guest checks in is a **deposit**. ``token``
    comes from the form (or the API's Idempotency-Key), so a double-clicked submit is stored once.
    """

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    branch = models.ForeignKey(Branch, verbose_name=_("branch"), on_delete=models.PROTECT, related_name="+")
    visit = models.ForeignKey(Visit, verbose_name=_("visit"), on_delete=models.PROTECT, related_name="payments")
    method = models.CharField(_("method"), max_length=10, choices=PaymentMethod.choices)
    amount = models.DecimalField(_("amount"), validators=POSITIVE, **MONEY)
    is_deposit = models.BooleanField(_("deposit"), default=False)
    terminal_receipt = models.CharField(
        _("terminal receipt number"), max_length=40, blank=True, help_text=_("Printed by the card terminal.")
    )
    reference = models.CharField(
        _("reference"), max_length=100, blank=True, help_text=_("Transfer title, insurer's claim or voucher code.")
    )
    drawer_session = models.ForeignKey(
        DrawerSession,
        verbose_name=_("cash drawer session"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payments",
    )
    token = models.CharField(_("submission token"), max_length=64, blank=True, editable=False)
    taken_at = models.DateTimeField(_("taken at"))
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("taken by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["visit", "taken_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "token"], condition=~Q(token=""), name="payment_token_unique"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(
                condition=~Q(method=PaymentMethod.CARD) | ~Q(terminal_receipt=""), name="payment_card_has_receipt"
            ),
            models.CheckConstraint(
                condition=~Q(method=PaymentMethod.CASH) | Q(drawer_session__isnull=False),
                name="payment_cash_in_a_drawer",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "branch", "taken_at"], name="payment_org_branch_when_idx")]

    def __str__(self) -> str:
        return f"{self.amount} {self.method}"


class Refund(models.Model):
    """Money given back on a visit, with a reason. Above the organisation's limit it waits for approval
    by the role the approval ladder names; only an approved refund changes the balance."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    branch = models.ForeignKey(Branch, verbose_name=_("branch"), on_delete=models.PROTECT, related_name="+")
    visit = models.ForeignKey(Visit, verbose_name=_("visit"), on_delete=models.PROTECT, related_name="refunds")
    method = models.CharField(_("method"), max_length=10, choices=PaymentMethod.choices)
    amount = models.DecimalField(_("amount"), validators=POSITIVE, **MONEY)
    reason = models.CharField(_("reason"), max_length=300)
    status = models.CharField(_("status"), max_length=10, choices=RefundStatus.choices, default=RefundStatus.PENDING)
    required_role = models.CharField(
        _("approval by"), max_length=16, blank=True, help_text=_("Empty: within the limit, no approval needed.")
    )
    drawer_session = models.ForeignKey(
        DrawerSession,
        verbose_name=_("cash drawer session"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="refunds",
    )
    token = models.CharField(_("submission token"), max_length=64, blank=True, editable=False)
    requested_at = models.DateTimeField(_("asked for at"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("asked for by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decision_comment = models.CharField(_("comment"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        ordering = ["visit", "requested_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "token"], condition=~Q(token=""), name="refund_token_unique"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive"),
            models.CheckConstraint(condition=~Q(reason=""), name="refund_has_reason"),
            models.CheckConstraint(
                condition=~Q(method=PaymentMethod.CASH) | Q(drawer_session__isnull=False),
                name="refund_cash_from_a_drawer",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "status", "requested_at"], name="refund_org_status_idx")]

    def __str__(self) -> str:
        return f"−{self.amount} {self.method}"

    @property
    def required_role_label(self) -> str:
        return str(Role(self.required_role).label) if self.required_role in Role.values else self.required_role


class SaleDocument(models.Model):
    """A receipt, a VAT invoice or a correction invoice of a visit, as issued: seller, buyer, lines and the
    VAT breakdown are copied in, so the document prints the same whatever changes later. Invoice numbers
    (``FV-YYYY-…``), receipt numbers (``PAR-YYYY-…``) and correction numbers (``FK-YYYY-…``) are gap-free
    per organisation and year.

    A **correction** (*faktura korygująca*) points at the invoice it corrects (``corrects``) and has a
    reason. Its ``lines`` hold each corrected line before and after; its ``vat_breakdown`` and totals are
    the **difference** (below zero when the amount goes down), so the invoice plus its corrections is what
    the visit now charges.
    """

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    branch = models.ForeignKey(Branch, verbose_name=_("branch"), on_delete=models.PROTECT, related_name="+")
    visit = models.ForeignKey(Visit, verbose_name=_("visit"), on_delete=models.PROTECT, related_name="sale_documents")
    kind = models.CharField(_("kind"), max_length=10, choices=DocumentKind.choices)
    number = models.CharField(_("number"), max_length=32)
    issued_at = models.DateTimeField(_("issued at"))
    sale_date = models.DateField(_("date of sale"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    seller_name = models.CharField(_("seller"), max_length=200)
    seller_nip = models.CharField(_("seller's NIP"), max_length=13, blank=True)
    seller_address = models.CharField(_("seller's address"), max_length=300, blank=True)
    buyer_name = models.CharField(_("buyer"), max_length=200, blank=True)
    buyer_nip = models.CharField(_("buyer's NIP"), max_length=13, blank=True, validators=[validate_nip])
    buyer_address = models.CharField(_("buyer's address"), max_length=300, blank=True)
    lines = models.JSONField(_("lines"), default=list, blank=True)
    vat_breakdown = models.JSONField(_("VAT by rate"), default=list, blank=True)
    payments = models.JSONField(_("payment methods"), default=list, blank=True)
    total_net = models.DecimalField(_("net"), **MONEY)
    total_vat = models.DecimalField(_("VAT"), **MONEY)
    total_gross = models.DecimalField(_("gross"), **MONEY)
    corrects = models.ForeignKey(
        "self",
        verbose_name=_("corrected invoice"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
    )
    reason = models.CharField(_("reason for the correction"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("sales document")
        verbose_name_plural = _("sales documents")
        ordering = ["-issued_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "number"], name="sale_document_number_unique"),
            models.UniqueConstraint(
                fields=["visit", "kind"],
                condition=~Q(kind=DocumentKind.CORRECTION),
                name="sale_document_one_of_each_per_visit",
            ),
            models.CheckConstraint(
                condition=(Q(kind=DocumentKind.CORRECTION) & Q(corrects__isnull=False) & ~Q(reason=""))
                | (~Q(kind=DocumentKind.CORRECTION) & Q(corrects__isnull=True)),
                name="sale_document_correction_has_invoice_and_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class FiscalPrintout(models.Model):
    """What the local fiscal printer adapter would have printed (the record a real printer replaces)."""

    document = models.ForeignKey(
        SaleDocument, verbose_name=_("document"), on_delete=models.PROTECT, related_name="fiscal_printouts"
    )
    printer = models.CharField(_("printer"), max_length=60)
    printed_at = models.DateTimeField(_("printed at"), auto_now_add=True)
    payload = models.JSONField(_("what was printed"))

    class Meta:
        verbose_name = _("fiscal printout")
        verbose_name_plural = _("fiscal printouts")
        ordering = ["-printed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.printer}: {self.document_id}"


__all__ = [
    "Charge",
    "DrawerSession",
    "FiscalPrintout",
    "MoneySettings",
    "Payment",
    "Refund",
    "SaleDocument",
]
