"""Choices of the feedback app: survey kinds and their scales, questions, triggers, channels, statuses."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class SurveyKind(models.TextChoices):
    CSAT = "csat", _("Customer satisfaction (CSAT, 1–5)")
    NPS = "nps", _("Net Promoter Score (NPS, 0–10)")
    CES = "ces", _("Customer effort (CES, 1–7)")
    CUSTOM = "custom", _("Custom (several questions)")
    COMPLAINT = "complaint", _("Satisfaction with complaint handling (1–5)")


# The main question's scale for each kind; a custom survey's scale questions carry their own.
SCALES: dict[str, tuple[int, int]] = {
    SurveyKind.CSAT: (1, 5),
    SurveyKind.NPS: (0, 10),
    SurveyKind.CES: (1, 7),
    SurveyKind.COMPLAINT: (1, 5),
}


class QuestionKind(models.TextChoices):
    SCALE = "scale", _("Scale (a number)")
    CHOICE = "choice", _("Choice (one of a list)")
    TEXT = "text", _("Free text")


class Trigger(models.TextChoices):
    CASE_RESOLVED = "case_resolved", _("A case is resolved")
    VISIT_FINISHED = "visit_finished", _("A visit is finished")
    CHECK_OUT = "check_out", _("A hotel guest checks out")
    PURCHASE = "purchase", _("A purchase is paid")
    RELATIONSHIP = "relationship", _("Periodic relationship survey")
    MANUAL = "manual", _("Sent by hand")


class InviteChannel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")
    IN_PERSON = "in_person", _("In person (desk tablet)")


class InvitationStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    SENT = "sent", pgettext_lazy("invitation status", "Sent")
    FAILED = "failed", pgettext_lazy("invitation status", "Failed")
    ANSWERED = "answered", pgettext_lazy("invitation status", "Answered")
    EXPIRED = "expired", pgettext_lazy("invitation status", "Expired")
    CANCELLED = "cancelled", pgettext_lazy("invitation status", "Cancelled")


# An invitation in these states may still be answered.
OPEN_STATUSES = (InvitationStatus.SCHEDULED, InvitationStatus.SENT)


class ScoreBand(models.TextChoices):
    """For filtering responses: low (detractor / dissatisfied), middle, high (promoter / satisfied)."""

    LOW = "low", _("Low")
    MIDDLE = "middle", _("Middle")
    HIGH = "high", _("High")
