"""Coverage (insurance): the payer directory, a client's policies, eligibility checks, how a visit is paid.

- ``Payer``: the organisation's directory of who may pay for a client (a public fund such
  as NFZ, private insurers, an employer's medical plan).
- ``Coverage``: a client's policy with a payer: member number, group, plan, subscriber and
  relationship, validity, order (primary / secondary), copay per visit type, card images.
  The rules (one open policy per order, dates that make sense, a self-subscriber is the
  client) are checked by ``services_coverage`` with the client locked; the database checks
  only the dates, because a client merge moves ``client`` and ``subscriber`` one column at a
  time and a cross-column constraint would refuse it half-way.
- ``EligibilityCheck``: every question asked of the eligibility service, with its answer;
  never changed after it is written.
- ``VisitBilling``: how a visit is paid (coverage or self-pay) and why; the self-pay flag the
  day page and the visit page show comes from here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from frontoffice.clients.models import Client
from frontoffice.core.files import private_storage, random_name
from frontoffice.core.models import Branch, Organisation, TimeStampedModel

from ..choices_coverage import (
    Billing,
    CoverageOrder,
    EligibilityResult,
    PayerKind,
    SelfPayReason,
    SubscriberRelationship,
)
from .visits import MONEY, Visit, VisitType


def card_image_path(instance: Any, filename: str) -> str:
    """Random, relative: ``coverage/<organisation>/<uuid>.<ext>`` (the extension the service sniffed)."""
    return random_name(f"coverage/{instance.organisation_id}", Path(filename).suffix.lstrip(".").lower() or "bin")


class Payer(TimeStampedModel):
    """Someone who pays for a client's visits: a public fund or an insurer, in the organisation's directory."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="payers"
    )
    name = models.CharField(_("name"), max_length=160)
    kind = models.CharField(_("kind"), max_length=20, choices=PayerKind.choices, default=PayerKind.PRIVATE_INSURER)
    code = models.CharField(
        _("code"), max_length=40, blank=True, help_text=_("The payer's own code, e.g. the NFZ branch number.")
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("payer")
        verbose_name_plural = _("payers")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"],
                name="payer_name_unique_in_organisation",
                violation_error_message=_("Another payer already has this name."),
                violation_error_code="unique",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "is_active"], name="payer_org_active_idx")]

    def __str__(self) -> str:
        return self.name


class Coverage(TimeStampedModel):
    """A client's policy with a payer. ``valid_to`` empty: open-ended (an "open" policy)."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    client = models.ForeignKey(Client, verbose_name=_("client"), on_delete=models.PROTECT, related_name="coverages")
    payer = models.ForeignKey(Payer, verbose_name=_("payer"), on_delete=models.PROTECT, related_name="coverages")
    member_number = models.CharField(_("member or policy number"), max_length=60)
    group_number = models.CharField(_("group"), max_length=60, blank=True)
    plan_name = models.CharField(_("plan"), max_length=120, blank=True)
    relationship = models.CharField(
        _("subscriber's relationship"),
        max_length=10,
        choices=SubscriberRelationship.choices,
        default=SubscriberRelationship.SELF,
        help_text=_("How the client is related to the person who holds the policy."),
    )
    subscriber = models.ForeignKey(
        Client,
        verbose_name=_("subscriber"),
        on_delete=models.PROTECT,
        related_name="coverages_as_subscriber",
        help_text=_("Who holds the policy; the client themselves when the relationship is “self”."),
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True, help_text=_("Empty: until further notice."))
    order = models.CharField(_("order"), max_length=10, choices=CoverageOrder.choices, default=CoverageOrder.PRIMARY)
    card_front = models.FileField(
        _("card (front)"), storage=private_storage, upload_to=card_image_path, blank=True, max_length=200
    )
    card_back = models.FileField(
        _("card (back)"), storage=private_storage, upload_to=card_image_path, blank=True, max_length=200
    )
    notes = models.TextField(_("notes"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("coverage")
        verbose_name_plural = _("coverages")
        ordering = ["client", "order", "-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="coverage_dates_ordered",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
        ]
        indexes = [
            models.Index(fields=["client", "order", "valid_from"], name="coverage_client_order_idx"),
            models.Index(fields=["organisation", "member_number"], name="coverage_org_member_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.payer} {self.member_number}"


class CoverageCopay(models.Model):
    """What the client pays themselves for a visit of this type under this policy."""

    coverage = models.ForeignKey(Coverage, verbose_name=_("coverage"), on_delete=models.CASCADE, related_name="copays")
    visit_type = models.ForeignKey(VisitType, verbose_name=_("visit type"), on_delete=models.CASCADE, related_name="+")
    amount = models.DecimalField(_("copay"), validators=[MinValueValidator(0)], **MONEY)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("copay")
        verbose_name_plural = _("copays")
        ordering = ["coverage", "visit_type"]
        constraints = [
            models.UniqueConstraint(fields=["coverage", "visit_type"], name="coverage_copay_one_per_type"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="coverage_copay_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.visit_type_id}: {self.amount}"


class EligibilityCheck(models.Model):
    """One question to the eligibility service and its answer: when, by whom, for which policy and visit."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    branch = models.ForeignKey(
        Branch, verbose_name=_("branch"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    client = models.ForeignKey(
        Client, verbose_name=_("client"), on_delete=models.PROTECT, related_name="eligibility_checks"
    )
    coverage = models.ForeignKey(
        Coverage,
        verbose_name=_("coverage"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="eligibility_checks",
    )
    visit = models.ForeignKey(
        Visit,
        verbose_name=_("visit"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="eligibility_checks",
    )
    checked_at = models.DateTimeField(_("checked at"))
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("checked by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    service = models.CharField(_("service"), max_length=60)
    result = models.CharField(_("result"), max_length=16, choices=EligibilityResult.choices)
    message = models.CharField(_("message"), max_length=300, blank=True)
    copay = models.DecimalField(_("copay"), null=True, blank=True, **MONEY)
    reference = models.CharField(_("reference"), max_length=80, blank=True)
    raw_summary = models.JSONField(_("response summary"), default=dict, blank=True)

    class Meta:
        verbose_name = _("eligibility check")
        verbose_name_plural = _("eligibility checks")
        ordering = ["-checked_at", "-pk"]
        indexes = [
            models.Index(fields=["client", "-checked_at"], name="eligibility_client_when_idx"),
            models.Index(fields=["visit", "-checked_at"], name="eligibility_visit_when_idx"),
            models.Index(fields=["organisation", "-checked_at"], name="eligibility_org_when_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.checked_at:%Y-%m-%d %H:%M} {self.result}"

    @property
    def confirms(self) -> bool:
        return self.result == EligibilityResult.ELIGIBLE


class VisitBilling(TimeStampedModel):
    """How one visit is paid: under a coverage, or by the client (self-pay), with the reason.

    Written by the eligibility check and by the arrival rule for visit types that require
    coverage; it never blocks the clerk. ``copay`` is what the client pays at the desk
    under the coverage (from the eligibility answer, else the policy's copay for the type).
    """

    visit = models.OneToOneField(Visit, verbose_name=_("visit"), on_delete=models.CASCADE, related_name="billing")
    billing = models.CharField(_("paid by"), max_length=10, choices=Billing.choices)
    self_pay_reason = models.CharField(
        _("reason for self-pay"), max_length=16, choices=SelfPayReason.choices, blank=True
    )
    coverage = models.ForeignKey(
        Coverage, verbose_name=_("coverage"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    copay = models.DecimalField(_("copay"), null=True, blank=True, **MONEY)
    last_check = models.ForeignKey(
        EligibilityCheck,
        verbose_name=_("last eligibility check"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("visit billing")
        verbose_name_plural = _("visit billing")
        constraints = [
            models.CheckConstraint(
                condition=Q(billing="coverage", self_pay_reason="") | Q(billing="self_pay"),
                name="visit_billing_reason_only_for_self_pay",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.visit_id}: {self.billing}"

    @property
    def is_self_pay(self) -> bool:
        return self.billing == Billing.SELF_PAY
