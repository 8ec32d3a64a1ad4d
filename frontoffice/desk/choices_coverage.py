"""Choices of the coverage area (payers, policies, eligibility, how a visit is paid)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PayerKind(models.TextChoices):
    PUBLIC_FUND = "public_fund", _("Public fund (e.g. NFZ)")
    PRIVATE_INSURER = "private_insurer", _("Private insurer")
    EMPLOYER = "employer", _("Employer's medical plan")
    OTHER = "other", _("Other payer")


class CoverageOrder(models.TextChoices):
    PRIMARY = "primary", _("Primary")
    SECONDARY = "secondary", _("Secondary")


class SubscriberRelationship(models.TextChoices):
    SELF = "self", _("Self")
    SPOUSE = "spouse", _("Spouse or partner")
    CHILD = "child", _("Child")
    OTHER = "other", _("Other")


class EligibilityResult(models.TextChoices):
    ELIGIBLE = "eligible", _("Eligible")
    NOT_ELIGIBLE = "not_eligible", _("Not eligible")
    UNKNOWN = "unknown", _("No clear answer")
    UNAVAILABLE = "unavailable", _("Service unavailable")
    NO_COVERAGE = "no_coverage", _("No coverage on file")


class Billing(models.TextChoices):
    COVERAGE = "coverage", _("Coverage")
    SELF_PAY = "self_pay", _("Self-pay")


class SelfPayReason(models.TextChoices):
    NOT_ELIGIBLE = "not_eligible", _("the payer says the client is not eligible")
    UNKNOWN = "unknown", _("the eligibility answer was unclear")
    UNAVAILABLE = "unavailable", _("the eligibility service was unavailable")
    NO_COVERAGE = "no_coverage", _("no coverage on file")
    NOT_CHECKED = "not_checked", _("coverage required but not confirmed at arrival")


class DocumentType(models.TextChoices):
    """Identity documents a hotel accepts at registration."""

    ID_CARD = "id_card", _("National ID card")
    PASSPORT = "passport", _("Passport")
    RESIDENCE_CARD = "residence_card", _("Residence card")
    OTHER = "other", _("Other travel document")
