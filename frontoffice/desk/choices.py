"""Choices of the desk app. The vertical of a visit type reuses core's ``BusinessKind``."""

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class VisitStatus(models.TextChoices):
    """Every status of every vertical; ``workflow.py`` says which belong to which and how they connect."""

    # clinic
    PLANNED = "planned", _("Planned")
    ARRIVED = "arrived", _("Arrived")
    IN_PROGRESS = "in_progress", _("In progress")
    FINISHED = "finished", _("Finished")
    # hotel
    BOOKED = "booked", _("Booked")
    CHECKED_IN = "checked_in", _("Checked in")
    CHECKED_OUT = "checked_out", _("Checked out")
    # retail and office
    OPEN = "open", pgettext_lazy("transaction status", "Open")
    PAID = "paid", _("Paid")
    FULFILLED = "fulfilled", _("Fulfilled")
    RETURNED = "returned", _("Returned")
    # shared ends
    CANCELLED = "cancelled", _("Cancelled")
    NO_SHOW = "no_show", _("No-show")


class VatRate(models.TextChoices):
    """Polish VAT rates; ``zw`` is exempt (zwolniony), which is not the same as 0 %."""

    STANDARD = "23", "23%"
    REDUCED = "8", "8%"
    SUPER_REDUCED = "5", "5%"
    ZERO = "0", "0%"
    EXEMPT = "zw", pgettext_lazy("VAT exempt", "exempt (zw)")

    @property
    def percent(self) -> Decimal:
        return Decimal(0) if self is VatRate.EXEMPT else Decimal(self.value)


class RoomKind(models.TextChoices):
    SINGLE = "single", _("Single")
    DOUBLE = "double", _("Double")
    TWIN = "twin", _("Twin")
    FAMILY = "family", _("Family")
    SUITE = "suite", _("Suite")
    APARTMENT = "apartment", _("Apartment")


class DocumentKind(models.TextChoices):
    ID_SCAN = "id_scan", _("ID document scan")
    INSURANCE_CARD = "insurance_card", _("Insurance card")
    CONSENT = "consent", _("Signed consent")
    OTHER = "other", _("Other")


class ResourceKind(models.TextChoices):
    PRACTITIONER = "practitioner", _("Practitioner")
    STAFF = "staff", _("Staff member")
    ROOM = "room", _("Room")
    EQUIPMENT = "equipment", _("Equipment")


class AppointmentStatus(models.TextChoices):
    """FHIR Appointment statuses (the codes FHIR uses; ``arrived`` is FHIR's checked-in)."""

    PROPOSED = "proposed", _("Proposed")
    PENDING = "pending", _("Pending")
    BOOKED = "booked", _("Booked")
    ARRIVED = "arrived", pgettext_lazy("appointment status", "Arrived")
    FULFILLED = "fulfilled", pgettext_lazy("appointment status", "Fulfilled")
    CANCELLED = "cancelled", pgettext_lazy("appointment status", "Cancelled")
    NOSHOW = "noshow", pgettext_lazy("appointment status", "No-show")
    WAITLIST = "waitlist", _("On the waitlist")


class RepeatRule(models.TextChoices):
    WEEKLY = "weekly", _("Every N weeks")
    DAILY = "daily", _("Every N days")
