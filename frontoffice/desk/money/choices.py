"""Choices of the money part of the desk."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class PaymentMethod(models.TextChoices):
    CASH = "cash", _("Cash")
    CARD = "card", _("Card")
    TRANSFER = "transfer", _("Bank transfer")
    INSURER = "insurer", pgettext_lazy("payment method", "Insurer")
    VOUCHER = "voucher", _("Voucher")


class ChargeKind(models.TextChoices):
    """``service`` and ``nights`` are posted by the desk from the visit type; ``extra`` is added by a clerk."""

    SERVICE = "service", pgettext_lazy("charge kind", "Service")
    NIGHTS = "nights", _("Accommodation")
    EXTRA = "extra", _("Extra charge")


class RefundStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class DocumentKind(models.TextChoices):
    RECEIPT = "receipt", _("Receipt")
    INVOICE = "invoice", _("VAT invoice")
    CORRECTION = "correction", _("Correction invoice")
