from django.db import models
from django.utils.translation import gettext_lazy as _


class BusinessKind(models.TextChoices):
    CLINIC = "clinic", _("Clinic")
    HOTEL = "hotel", _("Hotel")
    RETAIL = "retail", _("Retail shop")
    OFFICE = "office", _("Office")


class Language(models.TextChoices):
    POLISH = "pl", _("Polish")
    ENGLISH = "en", _("English")


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class DepartmentKind(models.TextChoices):
    DEPARTMENT = "department", _("Department")
    AREA = "area", _("Area")


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")


class MessageStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
