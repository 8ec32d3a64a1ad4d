from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ClientKind(models.TextChoices):
    PERSON = "person", _("Person")
    COMPANY = "company", _("Company")


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", pgettext_lazy("sex", "Other")


class IdentifierKind(models.TextChoices):
    PESEL = "pesel", _("PESEL")
    PASSPORT = "passport", _("Passport")
    ID_CARD = "id_card", _("ID card")
    DRIVING_LICENCE = "driving_licence", _("Driving licence")
    NIP = "nip", _("NIP (tax number)")
    REGON = "regon", _("REGON")
    OTHER = "other", _("Other")


class ContactKind(models.TextChoices):
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("E-mail")


class ContactChannel(models.TextChoices):
    PHONE = "phone", _("Phone")
    SMS = "sms", _("SMS")
    EMAIL = "email", _("E-mail")
    LETTER = "letter", _("Letter")


class AddressKind(models.TextChoices):
    HOME = "home", pgettext_lazy("address kind", "Home")
    CORRESPONDENCE = "correspondence", _("Correspondence")
    BILLING = "billing", _("Billing")


class RelationshipKind(models.TextChoices):
    GUARDIAN = "guardian", _("Guardian")
    EMERGENCY = "emergency", _("Emergency contact")
    EMPLOYER = "employer", _("Employer")
    COMPANY_CONTACT = "company_contact", _("Contact person at a company")


class ConsentPurpose(models.TextChoices):
    PROCESSING = "processing", _("Processing of personal data")
    MARKETING = "marketing", _("Marketing")
    SMS_REMINDERS = "sms_reminders", _("SMS reminders")
    EMAIL_REMINDERS = "email_reminders", _("E-mail reminders")


class ConsentMethod(models.TextChoices):
    PAPER = "paper", _("Signed on paper")
    VERBAL = "verbal", _("Said aloud at the desk or on the phone")
    ELECTRONIC = "electronic", _("Electronically (form, e-mail, SMS)")
