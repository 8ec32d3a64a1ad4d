"""Choices of intake forms."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class FieldKind(models.TextChoices):
    TEXT = "text", _("Text")
    LONG_TEXT = "long_text", _("Long text")
    NUMBER = "number", _("Number")
    DATE = "date", pgettext_lazy("field type", "Date")
    SINGLE_CHOICE = "single_choice", _("Single choice")
    MULTIPLE_CHOICE = "multiple_choice", _("Multiple choice")
    YES_NO = "yes_no", _("Yes/no")
    SIGNATURE = "signature", _("Signature")
    FILE = "file", _("File")


CHOICE_KINDS = frozenset({FieldKind.SINGLE_CHOICE, FieldKind.MULTIPLE_CHOICE})
ATTACHMENT_KINDS = frozenset({FieldKind.SIGNATURE, FieldKind.FILE})


class ClientField(models.TextChoices):
    """The client's details an answer may be compared with (and, if the clerk chooses, update)."""

    PHONE = "phone", _("Phone")
    EMAIL = "email", _("E-mail")
    STREET = "street", _("Street and number")
    POSTAL_CODE = "postal_code", _("Postal code")
    CITY = "city", _("City")
    DATE_OF_BIRTH = "date_of_birth", _("Date of birth")


class SubmissionStatus(models.TextChoices):
    FILLED = "filled", pgettext_lazy("intake form", "Filled")
    ACCEPTED = "accepted", pgettext_lazy("intake form", "Accepted")


class SubmissionSource(models.TextChoices):
    DESK = "desk", _("at the desk")
    LINK = "link", _("by the client, through the link")
