"""Working cases: notes, replies, canned replies, SLA policies and clocks, reporting events, team routing.

SLA clocks are stored per case and target (``CaseSla``) as the pure clock's ``to_dict()`` state and are
fed when things happen (``cases/sla.py``); ``CaseEvent`` rows carry the durations reports read, so
nothing is recomputed later.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from frontoffice.core.files import PrivateUploadTo, private_storage
from frontoffice.core.models import Organisation, TimeStampedModel

from .cases import Case
from .contacts import Interaction
from .setup import Team


class CaseNote(TimeStampedModel):
    """An internal note on a case (never sent to the customer), optionally with one attachment."""

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = models.TextField(_("note"), max_length=8000)
    attachment = models.FileField(
        _("attachment"), storage=private_storage, upload_to=PrivateUploadTo("case-notes"), blank=True
    )
    attachment_name = models.CharField(_("attachment name"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("case note")
        verbose_name_plural = _("case notes")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["case", "created_at"], name="case_note_case_idx")]

    def __str__(self) -> str:
        return self.body[:60]


class ReplyDelivery(models.TextChoices):
    SENT = "sent", _("Sent")
    MANUAL = "manual", _("To send manually")


class CaseReply(TimeStampedModel):
    """A public reply written on the case page, and whether a channel sent it or a person must."""

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="replies")
    interaction = models.ForeignKey(
        Interaction, verbose_name=_("contact"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = models.TextField(_("reply"), max_length=20000)
    delivery = models.CharField(_("delivery"), max_length=8, choices=ReplyDelivery.choices)

    class Meta:
        verbose_name = _("case reply")
        verbose_name_plural = _("case replies")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["case", "created_at"], name="case_reply_case_idx")]

    def __str__(self) -> str:
        return self.body[:60]


class CannedReply(TimeStampedModel):
    """A prepared answer in both languages; ``{{ client.given_name }}``-style variables are filled in."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="+"
    )
    title = models.CharField(_("title"), max_length=120)
    body_en = models.TextField(_("text in English"), max_length=8000, blank=True)
    body_pl = models.TextField(_("text in Polish"), max_length=8000, blank=True)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("canned reply")
        verbose_name_plural = _("canned replies")
        ordering = ["title", "pk"]
        constraints = [models.UniqueConstraint(fields=["organisation", "title"], name="canned_reply_title_unique")]

    def __str__(self) -> str:
        return self.title


class SlaPolicyRecord(TimeStampedModel):
    """An organisation's SLA policy as managers edit it; ``cases/sla.py`` turns it into ``sla.policy.SlaPolicy``.

    JSON fields hold lists: ``channels``, ``priorities``, ``client_flags``, ``pause_statuses``,
    ``closed_dates`` (ISO dates); ``weekly_hours`` is ``{"0": [["08:00", "16:00"]], …}`` (0 = Monday);
    ``escalation`` is ``[{"role": "agent", "moment": "before", "minutes": 30}, …]``.
    """

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="+"
    )
    order = models.PositiveSmallIntegerField(_("order"), default=100, help_text=_("Lower numbers are tried first."))
    name = models.CharField(_("name"), max_length=120)
    is_active = models.BooleanField(_("in use"), default=True)
    channels = models.JSONField(_("channels"), default=list, blank=True)
    priorities = models.JSONField(_("priorities"), default=list, blank=True)
    client_flags = models.JSONField(_("client flags"), default=list, blank=True)
    first_response_minutes = models.PositiveIntegerField(_("first response (minutes)"), null=True, blank=True)
    next_response_minutes = models.PositiveIntegerField(_("next response (minutes)"), null=True, blank=True)
    resolution_minutes = models.PositiveIntegerField(_("resolution (minutes)"), null=True, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="Europe/Warsaw")
    always_open = models.BooleanField(_("24/7"), default=False)
    weekly_hours = models.JSONField(_("opening hours"), default=dict, blank=True)
    closed_dates = models.JSONField(_("extra closed days"), default=list, blank=True)
    pause_statuses = models.JSONField(_("pausing statuses"), default=list, blank=True)
    escalation = models.JSONField(_("escalation ladder"), default=list, blank=True)

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        ordering = ["order", "pk"]
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="sla_policy_name_unique")]

    def __str__(self) -> str:
        return self.name


class CaseSla(TimeStampedModel):
    """One SLA clock of a case (first response, next response or resolution) with its stored state."""

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="sla_clocks")
    policy = models.ForeignKey(
        SlaPolicyRecord, verbose_name=_("SLA policy"), on_delete=models.PROTECT, related_name="clocks"
    )
    target = models.CharField(_("target"), max_length=16)
    state = models.JSONField(_("clock state"), default=dict)
    status = models.CharField(_("status"), max_length=12)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    breached_at = models.DateTimeField(_("breached at"), null=True, blank=True)
    fulfilled = models.BooleanField(_("met"), null=True, blank=True)
    escalations_sent = models.JSONField(_("escalation steps sent"), default=list, blank=True)
    next_escalation_at = models.DateTimeField(_("next escalation"), null=True, blank=True)

    class Meta:
        verbose_name = _("SLA clock")
        verbose_name_plural = _("SLA clocks")
        ordering = ["case", "pk"]
        indexes = [
            models.Index(fields=["case", "target"], name="case_sla_case_idx"),
            # Breaching soon (the queue) and the escalation job: running clocks by deadline.
            models.Index(fields=["status", "due_at"], name="case_sla_due_idx"),
            models.Index(
                fields=["next_escalation_at"],
                condition=Q(next_escalation_at__isnull=False),
                name="case_sla_escalation_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.target}"


class CaseEventKind(models.TextChoices):
    CREATED = "created", _("Case opened")
    FIRST_RESPONSE = "first_response", _("First response")
    REPLY = "reply", _("Reply")
    CUSTOMER_MESSAGE = "customer_message", _("Customer message")
    STATUS = "status", _("Status changed")
    PAUSED = "paused", _("SLA paused")
    RESUMED = "resumed", _("SLA resumed")
    RESOLVED = "resolved", _("Resolved")
    REOPENED = "reopened", _("Reopened")
    CLOSED = "closed", _("Closed")
    ASSIGNED = "assigned", _("Assigned")
    MERGED = "merged", _("Merged")
    COMPLAINT = "complaint", _("Marked as a complaint")
    SLA_MET = "sla_met", _("SLA target met")
    SLA_BREACHED = "sla_breached", _("SLA target breached")
    ESCALATED = "escalated", _("Escalated")


class CaseEvent(models.Model):
    """A reporting event of a case, with the durations known at that moment (issue 7 reads these)."""

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=20, choices=CaseEventKind.choices)
    at = models.DateTimeField(_("at"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    target = models.CharField(_("SLA target"), max_length=16, blank=True)
    business_seconds = models.PositiveIntegerField(_("business seconds"), null=True, blank=True)
    calendar_seconds = models.PositiveIntegerField(_("calendar seconds"), null=True, blank=True)
    from_value = models.CharField(_("from"), max_length=32, blank=True)
    to_value = models.CharField(_("to"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["at", "pk"]
        indexes = [
            models.Index(fields=["case", "at"], name="case_event_case_idx"),
            models.Index(fields=["kind", "at"], name="case_event_kind_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind}"


class EscalationNotice(models.Model):
    """One escalation step sent to one person (unique: a step is never sent twice to the same person)."""

    clock = models.ForeignKey(CaseSla, verbose_name=_("SLA clock"), on_delete=models.CASCADE, related_name="notices")
    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="+")
    step_key = models.CharField(_("step"), max_length=40)
    role = models.CharField(_("role"), max_length=16)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="+"
    )
    due_at = models.DateTimeField(_("deadline"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"))

    class Meta:
        verbose_name = _("escalation notice")
        verbose_name_plural = _("escalation notices")
        ordering = ["-sent_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["clock", "step_key", "recipient"], name="escalation_notice_once"),
        ]
        indexes = [models.Index(fields=["recipient", "-sent_at"], name="escalation_notice_user_idx")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.step_key}"


class AssignmentRule(models.TextChoices):
    MANUAL = "manual", _("Manual")
    ROUND_ROBIN = "round_robin", _("Round-robin")
    LEAST_LOADED = "least_loaded", _("Least loaded")


class TeamRouting(TimeStampedModel):
    """How a team's new unassigned cases find an owner."""

    team = models.OneToOneField(Team, verbose_name=_("team"), on_delete=models.CASCADE, related_name="routing")
    rule = models.CharField(
        _("assignment"), max_length=16, choices=AssignmentRule.choices, default=AssignmentRule.MANUAL
    )
    last_assigned = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("last assigned to"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("team routing")
        verbose_name_plural = _("team routing")

    def __str__(self) -> str:
        return f"{self.team} {self.rule}"
