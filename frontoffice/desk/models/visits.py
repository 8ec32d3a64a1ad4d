"""Visit types, rooms and visits: one ``Visit`` is a clinic visit, a hotel stay or a shop/office transaction.

The per-vertical details live on the visit itself (a few nullable columns) or in
child rows (``VisitGuest`` for a stay's guests, ``VisitLine`` for a transaction's
items), so one list, one day page and one API serve every vertical.

Hooks for the parts built on top of this (keep these names stable):

- intake forms: ``VisitType`` gets a nullable ``intake_form`` foreign key, added by the
  forms app's own migration; submissions point at ``Visit``;
- coverage / eligibility: a coverage row points at ``Visit`` (and at the client);
  ``VisitType.coverage_required`` tells it when one is needed; a transition guard in
  ``workflow`` refuses an arrival without one;
- charges, payments, refunds, the folio: rows point at ``Visit``; ``VisitLine`` totals are
  what a shop transaction charges; a guard refuses a check-out with an open balance;
- hotel registration cards: one per ``VisitGuest``;
- handover log and documents: point at ``Visit`` and ``Client``.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from frontoffice.accounts.choices import Role
from frontoffice.accounts.models import StaffMember
from frontoffice.clients.models import Client
from frontoffice.core.choices import BusinessKind
from frontoffice.core.models import Branch, Organisation, TimeStampedModel

from ..choices import RoomKind, VatRate, VisitStatus
from ..permissions import DeskPermission

MONEY = {"max_digits": 12, "decimal_places": 2}


def validate_role_list(value: object) -> None:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValidationError(_("Give the roles as a list of role codes."))
    unknown = sorted(set(value) - set(Role.values))
    if unknown:
        raise ValidationError(_("Unknown roles: %(roles)s."), params={"roles": ", ".join(unknown)})


class VisitType(TimeStampedModel):
    """What the organisation offers at the desk: a consultation, a room rate, a sale, a service order.

    ``price`` is the gross price in the organisation's currency. ``intake_form`` is the form
    a visit of this type asks for (see ``models/intake.py``).
    """

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="visit_types"
    )
    name = models.CharField(_("name"), max_length=120)
    vertical = models.CharField(
        _("kind of business"),
        max_length=16,
        choices=BusinessKind.choices,
        help_text=_("Decides the statuses and the details a visit of this type has."),
    )
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"), default=30, validators=[MaxValueValidator(24 * 60)]
    )
    price = models.DecimalField(_("price (gross)"), default=Decimal("0.00"), validators=[MinValueValidator(0)], **MONEY)
    vat_rate = models.CharField(_("VAT rate"), max_length=3, choices=VatRate.choices, default=VatRate.STANDARD)
    coverage_required = models.BooleanField(
        _("coverage required"), default=False, help_text=_("An insurance or other coverage must be on file.")
    )
    intake_form = models.ForeignKey(
        "desk.IntakeForm",
        verbose_name=_("intake form"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="visit_types",
        help_text=_("The form a client fills for a visit of this type (before arrival or at the desk)."),
    )
    performed_by_roles = models.JSONField(
        _("performed by roles"),
        default=list,
        blank=True,
        validators=[validate_role_list],
        help_text=_("Roles whose staff may perform it (as practitioner); empty: anyone."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("visit type")
        verbose_name_plural = _("visit types")
        ordering = ["vertical", "name"]
        permissions = DeskPermission.choices
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"],
                name="visit_type_name_unique_in_organisation",
                violation_error_message=_("Another visit type already has this name."),
                violation_error_code="unique",
            ),
            models.CheckConstraint(condition=Q(price__gte=0), name="visit_type_price_not_negative"),
        ]
        indexes = [models.Index(fields=["organisation", "is_active", "vertical"], name="visit_type_org_active_idx")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.intake_form_id is not None and self.intake_form.organisation_id != self.organisation_id:
            raise ValidationError({"intake_form": _("Choose one of the organisation's intake forms.")})


class Room(TimeStampedModel):
    """A hotel room (or any bookable room) of a branch."""

    branch = models.ForeignKey(Branch, verbose_name=_("branch"), on_delete=models.PROTECT, related_name="rooms")
    number = models.CharField(_("room number"), max_length=20)
    floor = models.SmallIntegerField(_("floor"), default=0)
    kind = models.CharField(_("kind"), max_length=16, choices=RoomKind.choices, default=RoomKind.DOUBLE)
    capacity = models.PositiveSmallIntegerField(
        _("beds"), default=2, validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        ordering = ["branch", "floor", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["branch", "number"],
                name="room_number_unique_in_branch",
                violation_error_message=_("This branch already has a room with this number."),
                violation_error_code="unique",
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="room_capacity_positive"),
        ]

    def __str__(self) -> str:
        return self.number


class Visit(TimeStampedModel):
    """One visit (clinic), stay (hotel) or transaction (shop, office) of a client at a branch.

    ``status`` moves only through ``services.visit_transition``, which follows the
    vertical's state machine in ``workflow.py`` and writes a ``VisitStatusChange``.
    ``scheduled_at`` is when it is planned (a stay: the arrival day at check-in time);
    the day page and every list filter on it.
    """

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="visits"
    )
    branch = models.ForeignKey(Branch, verbose_name=_("branch"), on_delete=models.PROTECT, related_name="visits")
    client = models.ForeignKey(Client, verbose_name=_("client"), on_delete=models.PROTECT, related_name="visits")
    visit_type = models.ForeignKey(
        VisitType, verbose_name=_("visit type"), on_delete=models.PROTECT, related_name="visits"
    )
    vertical = models.CharField(_("kind of business"), max_length=16, choices=BusinessKind.choices, editable=False)
    number = models.CharField(_("number"), max_length=32, editable=False)
    status = models.CharField(_("status"), max_length=16, choices=VisitStatus.choices, editable=False)
    status_changed_at = models.DateTimeField(_("status since"), editable=False)
    scheduled_at = models.DateTimeField(_("scheduled for"))
    responsible = models.ForeignKey(
        StaffMember,
        verbose_name=_("staff responsible"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="visits_responsible",
    )
    notes = models.TextField(_("notes"), blank=True)
    # clinic
    reason = models.CharField(_("reason for the visit"), max_length=300, blank=True)
    practitioner = models.ForeignKey(
        StaffMember,
        verbose_name=_("practitioner"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="visits_performed",
    )
    referral_number = models.CharField(_("referral number"), max_length=60, blank=True)
    # hotel
    arrival_date = models.DateField(_("arrival"), null=True, blank=True)
    departure_date = models.DateField(_("departure"), null=True, blank=True)
    room = models.ForeignKey(
        Room, verbose_name=_("room"), on_delete=models.PROTECT, null=True, blank=True, related_name="stays"
    )
    early_departure = models.BooleanField(
        _("left early"), default=False, editable=False, help_text=_("Checked out before the departure date.")
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["scheduled_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "number"], name="visit_number_unique"),
            models.CheckConstraint(
                condition=Q(arrival_date__isnull=True)
                | Q(departure_date__isnull=True)
                | Q(departure_date__gt=F("arrival_date")),
                name="visit_departure_after_arrival",
                violation_error_message=_("The departure must be after the arrival."),
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "branch", "scheduled_at"], name="visit_org_branch_when_idx"),
            models.Index(
                fields=["organisation", "branch", "status", "scheduled_at"], name="visit_org_branch_status_idx"
            ),
            models.Index(fields=["organisation", "scheduled_at"], name="visit_org_when_idx"),
            models.Index(fields=["client", "-scheduled_at"], name="visit_client_when_idx"),
            models.Index(fields=["branch", "status", "departure_date"], name="visit_branch_departure_idx"),
            models.Index(fields=["room", "status"], name="visit_room_status_idx"),
            models.Index(fields=["practitioner", "scheduled_at"], name="visit_practitioner_when_idx"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_stay(self) -> bool:
        return self.vertical == BusinessKind.HOTEL

    @property
    def has_lines(self) -> bool:
        return self.vertical in (BusinessKind.RETAIL, BusinessKind.OFFICE)


class VisitStatusChange(models.Model):
    """One transition of a visit: when, by whom, from which status to which, and why."""

    visit = models.ForeignKey(Visit, verbose_name=_("visit"), on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(_("from"), max_length=16, choices=VisitStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=16, choices=VisitStatus.choices)
    at = models.DateTimeField(_("when"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["visit", "at", "pk"]
        indexes = [models.Index(fields=["to_status", "at"], name="visit_status_change_to_idx")]

    def __str__(self) -> str:
        return f"{self.from_status or '∅'} → {self.to_status}"


class VisitRoomChange(models.Model):
    """A guest moved to another room during the stay."""

    visit = models.ForeignKey(Visit, verbose_name=_("stay"), on_delete=models.CASCADE, related_name="room_changes")
    from_room = models.ForeignKey(
        Room, verbose_name=_("from room"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    to_room = models.ForeignKey(Room, verbose_name=_("to room"), on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("when"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("room change")
        verbose_name_plural = _("room changes")
        ordering = ["visit", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_room_id} → {self.to_room_id}"


class VisitGuest(models.Model):
    """A guest of a stay; the booking client is the primary guest. Registration cards hang off this row.

    A guest appears on a stay once; that is checked by the service rather than by a unique
    constraint, so that merging two clients who shared a room never fails half-way.
    """

    visit = models.ForeignKey(Visit, verbose_name=_("stay"), on_delete=models.CASCADE, related_name="guests")
    client = models.ForeignKey(Client, verbose_name=_("guest"), on_delete=models.PROTECT, related_name="stays_as_guest")
    is_primary = models.BooleanField(_("primary guest"), default=False)
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("guest")
        verbose_name_plural = _("guests")
        ordering = ["visit", "-is_primary", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["visit"], condition=Q(is_primary=True), name="visit_guest_one_primary_per_stay"
            ),
        ]
        indexes = [models.Index(fields=["client"], name="visit_guest_client_idx")]

    def __str__(self) -> str:
        return str(self.client)


class VisitLine(models.Model):
    """An item of a shop or office transaction. ``unit_price`` is gross, as Polish shelf prices are.

    The totals are computed by the service (``pricing.line_totals``): gross = quantity ×
    unit price, VAT extracted from the gross at the line's rate, net = gross − VAT; each
    rounded half-up to the grosz.
    """

    visit = models.ForeignKey(Visit, verbose_name=_("transaction"), on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField(_("position"))
    description = models.CharField(_("description"), max_length=200)
    quantity = models.DecimalField(
        _("quantity"), max_digits=10, decimal_places=3, validators=[MinValueValidator(Decimal("0.001"))]
    )
    unit_price = models.DecimalField(_("unit price (gross)"), validators=[MinValueValidator(0)], **MONEY)
    vat_rate = models.CharField(_("VAT rate"), max_length=3, choices=VatRate.choices, default=VatRate.STANDARD)
    total_net = models.DecimalField(_("net"), editable=False, **MONEY)
    total_vat = models.DecimalField(_("VAT"), editable=False, **MONEY)
    total_gross = models.DecimalField(_("gross"), editable=False, **MONEY)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("line item")
        verbose_name_plural = _("line items")
        ordering = ["visit", "position", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="visit_line_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="visit_line_price_not_negative"),
        ]

    def __str__(self) -> str:
        return self.description
