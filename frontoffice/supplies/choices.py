"""Choices of the supplies app, with translated labels."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ItemCategory(models.TextChoices):
    MEDICAL = "medical", _("Medical consumables")
    OFFICE = "office", _("Office supplies")
    CLEANING = "cleaning", _("Cleaning supplies")
    AMENITIES = "amenities", _("Hotel amenities")
    RETAIL = "retail", _("Retail goods")
    OTHER = "other", _("Other")


class Unit(models.TextChoices):
    PIECE = "piece", _("piece")
    PAIR = "pair", _("pair")
    PACK = "pack", _("pack")
    BOX = "box", _("box")
    BOTTLE = "bottle", _("bottle")
    ROLL = "roll", _("roll")
    LITRE = "litre", _("litre")
    KILOGRAM = "kg", _("kilogram")
    METRE = "metre", _("metre")


class MovementKind(models.TextChoices):
    RECEIVED = "received", _("Received")
    CONSUMED = "consumed", _("Consumed")
    TRANSFERRED_OUT = "transfer_out", _("Transferred out")
    TRANSFERRED_IN = "transfer_in", _("Transferred in")
    ADJUSTED = "adjusted", _("Adjusted")
    WRITTEN_OFF = "written_off", _("Written off")


# Movements that must say why.
NEEDS_REASON = frozenset({MovementKind.ADJUSTED, MovementKind.WRITTEN_OFF})
# Movements that take stock out (negative quantity) and those that bring it in (positive).
OUTGOING = frozenset({MovementKind.CONSUMED, MovementKind.TRANSFERRED_OUT, MovementKind.WRITTEN_OFF})
INCOMING = frozenset({MovementKind.RECEIVED, MovementKind.TRANSFERRED_IN})


class RequestStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    ORDERED = "ordered", _("Ordered")
    CANCELLED = "cancelled", _("Cancelled")


class OrderStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SENT = "sent", _("Sent")
    PARTLY_RECEIVED = "partly_received", _("Partly received")
    RECEIVED = "received", _("Received")
    CANCELLED = "cancelled", _("Cancelled")


RECEIVABLE = frozenset({OrderStatus.SENT, OrderStatus.PARTLY_RECEIVED})


class StocktakeStatus(models.TextChoices):
    OPEN = "open", _("Counting")
    APPROVED = "approved", _("Approved")
    CANCELLED = "cancelled", _("Cancelled")
