"""Surveys with their versions and questions, invitation rules, invitations, responses and their answers.

A ``Survey`` is what a manager names and switches on; its texts and questions live in a
``SurveyVersion``. A version that has been sent or answered is never changed again: an edit then makes
the next version, and every invitation and response keeps the version it was made with, so older
results keep meaning what they meant.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from frontoffice.clients.models import Client
from frontoffice.core.models import Branch, Organisation, OutboundMessage, TimeStampedModel

from .choices import InvitationStatus, InviteChannel, QuestionKind, SurveyKind, Trigger
from .permissions import FeedbackPermission


def _in(language: str | None, polish: str, english: str) -> str:
    """The text in ``language`` (Polish by default), falling back to the other one when empty."""
    if (language or get_language() or "pl").startswith("en"):
        return english or polish
    return polish or english


class Survey(TimeStampedModel):
    """A survey of one kind, with its current version; switched off surveys are no longer sent."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=120, help_text=_("For staff; clients see the title."))
    kind = models.CharField(_("kind"), max_length=10, choices=SurveyKind.choices)
    is_active = models.BooleanField(_("active"), default=True)
    current_version = models.ForeignKey(
        "feedback.SurveyVersion",
        verbose_name=_("current version"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        ordering = ["name", "pk"]
        permissions = FeedbackPermission.choices
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="survey_name_unique")]
        indexes = [models.Index(fields=["organisation", "kind", "is_active"], name="survey_org_kind_idx")]

    def __str__(self) -> str:
        return self.name


class SurveyVersion(models.Model):
    """The texts and questions of a survey as they were sent; immutable once sent or answered."""

    survey = models.ForeignKey(Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version number"))
    title_pl = models.CharField(_("title (Polish)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    intro_pl = models.TextField(_("introduction (Polish)"), blank=True, max_length=2000)
    intro_en = models.TextField(_("introduction (English)"), blank=True, max_length=2000)
    thanks_pl = models.CharField(_("thank-you text (Polish)"), max_length=300, blank=True)
    thanks_en = models.CharField(_("thank-you text (English)"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("survey version")
        verbose_name_plural = _("survey versions")
        ordering = ["survey", "-number"]
        constraints = [models.UniqueConstraint(fields=["survey", "number"], name="survey_version_unique")]

    def __str__(self) -> str:
        return f"{self.survey} v{self.number}"

    def title(self, language: str | None = None) -> str:
        return _in(language, self.title_pl, self.title_en)

    def intro(self, language: str | None = None) -> str:
        return _in(language, self.intro_pl, self.intro_en)

    def thanks(self, language: str | None = None) -> str:
        return _in(language, self.thanks_pl, self.thanks_en)


class Question(models.Model):
    """One question of a version: a scale (the survey's score when ``is_main``), a choice or free text."""

    version = models.ForeignKey(
        SurveyVersion, verbose_name=_("survey version"), on_delete=models.CASCADE, related_name="questions"
    )
    position = models.PositiveSmallIntegerField(_("position"))
    kind = models.CharField(_("kind"), max_length=8, choices=QuestionKind.choices)
    text_pl = models.CharField(_("question (Polish)"), max_length=300)
    text_en = models.CharField(_("question (English)"), max_length=300, blank=True)
    scale_min = models.SmallIntegerField(_("lowest score"), null=True, blank=True)
    scale_max = models.SmallIntegerField(_("highest score"), null=True, blank=True)
    choices_pl = models.JSONField(_("options (Polish)"), default=list, blank=True)
    choices_en = models.JSONField(_("options (English)"), default=list, blank=True)
    required = models.BooleanField(_("required"), default=False)
    is_main = models.BooleanField(
        _("main score"), default=False, help_text=_("The score that CSAT, NPS or CES is computed from.")
    )

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "position"], name="question_position_unique"),
            models.CheckConstraint(
                condition=~Q(kind=QuestionKind.SCALE) | Q(scale_min__isnull=False, scale_max__lt=100),
                name="question_scale_has_range",
            ),
        ]

    def __str__(self) -> str:
        return self.text_pl

    def text(self, language: str | None = None) -> str:
        return _in(language, self.text_pl, self.text_en)

    def options(self, language: str | None = None) -> list[str]:
        english = (language or get_language() or "pl").startswith("en")
        return list((self.choices_en or self.choices_pl) if english else (self.choices_pl or self.choices_en))

    @property
    def scale(self) -> list[int]:
        if self.scale_min is None or self.scale_max is None:
            return []
        return list(range(self.scale_min, self.scale_max + 1))


class InvitationRule(TimeStampedModel):
    """When to ask which clients to answer a survey: trigger, delay, channel, sampling and suppression."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    survey = models.ForeignKey(Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="rules")
    branch = models.ForeignKey(
        Branch,
        verbose_name=_("branch"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty: every branch."),
    )
    trigger = models.CharField(_("trigger"), max_length=16, choices=Trigger.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=InviteChannel.choices)
    delay_minutes = models.PositiveIntegerField(
        _("delay (minutes)"), default=60, validators=[MaxValueValidator(60 * 24 * 30)]
    )
    sampling_percent = models.PositiveSmallIntegerField(
        _("sample (%)"),
        default=100,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("Which share of the clients is asked; the same client is always in or out for one rule."),
    )
    suppression_days = models.PositiveSmallIntegerField(
        _("at most one survey per client every (days)"), default=30, validators=[MaxValueValidator(730)]
    )
    period_days = models.PositiveSmallIntegerField(
        _("ask again every (days)"),
        default=180,
        validators=[MinValueValidator(7), MaxValueValidator(730)],
        help_text=_("Only for the periodic relationship survey."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    last_run_at = models.DateTimeField(_("last periodic run"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("invitation rule")
        verbose_name_plural = _("invitation rules")
        ordering = ["survey", "trigger", "pk"]
        indexes = [models.Index(fields=["organisation", "trigger", "is_active"], name="rule_org_trigger_idx")]

    def __str__(self) -> str:
        return f"{self.survey}: {self.get_trigger_display()}"


class Invitation(models.Model):
    """One request to one client (or one walk-in at the tablet) to answer one version of a survey."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    branch = models.ForeignKey(Branch, verbose_name=_("branch"), on_delete=models.PROTECT, related_name="+")
    survey = models.ForeignKey(Survey, verbose_name=_("survey"), on_delete=models.PROTECT, related_name="+")
    survey_version = models.ForeignKey(
        SurveyVersion, verbose_name=_("survey version"), on_delete=models.PROTECT, related_name="+"
    )
    rule = models.ForeignKey(
        InvitationRule,
        verbose_name=_("rule"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitations",
    )
    trigger = models.CharField(_("trigger"), max_length=16, choices=Trigger.choices)
    client = models.ForeignKey(
        Client, verbose_name=_("client"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    channel = models.CharField(_("channel"), max_length=10, choices=InviteChannel.choices)
    recipient = models.CharField(_("sent to"), max_length=254, blank=True, help_text=_("E-mail or phone (E.164)."))
    language = models.CharField(_("language"), max_length=5, default="pl")
    status = models.CharField(
        _("status"), max_length=10, choices=InvitationStatus.choices, default=InvitationStatus.SCHEDULED
    )
    due_at = models.DateTimeField(_("to be sent at"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"))
    opened_at = models.DateTimeField(_("first opened at"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    source_type = models.CharField(
        _("about"), max_length=40, blank=True, help_text=_("What the survey asks about, e.g. desk.visit.")
    )
    source_id = models.CharField(_("about (id)"), max_length=40, blank=True)
    source_label = models.CharField(_("about (label)"), max_length=120, blank=True)
    served_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("served by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Who served the client; a low score goes to their team lead."),
    )
    message = models.ForeignKey(
        OutboundMessage,
        verbose_name=_("message"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("survey invitation")
        verbose_name_plural = _("survey invitations")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["organisation", "branch", "-created_at"], name="invitation_org_branch_idx"),
            models.Index(fields=["organisation", "status", "-created_at"], name="invitation_org_status_idx"),
            models.Index(fields=["survey", "-created_at"], name="invitation_survey_idx"),
            models.Index(fields=["organisation", "channel", "-created_at"], name="invitation_org_channel_idx"),
            # The worker's due list, the suppression check, the SMS reply match, "already asked about this?"
            models.Index(fields=["status", "due_at"], name="invitation_due_idx"),
            models.Index(fields=["client", "-created_at"], name="invitation_client_idx"),
            models.Index(fields=["channel", "recipient", "-sent_at"], name="invitation_recipient_idx"),
            models.Index(fields=["source_type", "source_id"], name="invitation_source_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.survey} → {self.recipient or self.get_channel_display()}"


class Response(models.Model):
    """A client's answer to one invitation; partial until submitted, then counted once."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    branch = models.ForeignKey(Branch, verbose_name=_("branch"), on_delete=models.PROTECT, related_name="+")
    survey = models.ForeignKey(Survey, verbose_name=_("survey"), on_delete=models.PROTECT, related_name="+")
    survey_version = models.ForeignKey(
        SurveyVersion, verbose_name=_("survey version"), on_delete=models.PROTECT, related_name="+"
    )
    invitation = models.OneToOneField(
        Invitation, verbose_name=_("invitation"), on_delete=models.CASCADE, related_name="response"
    )
    client = models.ForeignKey(
        Client, verbose_name=_("client"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=SurveyKind.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=InviteChannel.choices)
    score = models.SmallIntegerField(
        _("score"), null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(10)]
    )
    comment = models.TextField(_("comment"), blank=True, max_length=4000)
    is_complete = models.BooleanField(_("submitted"), default=False)
    is_low = models.BooleanField(_("low score"), default=False)
    follow_up = models.CharField(
        _("follow-up"), max_length=120, blank=True, help_text=_("What was opened for a low score.")
    )
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=10), name="response_score_range"
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "branch", "-submitted_at"], name="response_org_branch_idx"),
            models.Index(fields=["organisation", "kind", "-submitted_at"], name="response_org_kind_idx"),
            models.Index(fields=["survey", "-submitted_at"], name="response_survey_idx"),
            models.Index(fields=["organisation", "is_low", "-submitted_at"], name="response_org_low_idx"),
            models.Index(fields=["organisation", "channel", "-submitted_at"], name="response_org_channel_idx"),
            # The score band filter (kind + score range) and the roll-ups to come.
            models.Index(fields=["organisation", "kind", "score"], name="response_org_kind_score_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.survey}: {self.score if self.score is not None else '—'}"


class Answer(models.Model):
    """The answer to one question of the version the response is for."""

    response = models.ForeignKey(Response, verbose_name=_("response"), on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, verbose_name=_("question"), on_delete=models.PROTECT, related_name="+")
    score = models.SmallIntegerField(_("score"), null=True, blank=True)
    choice = models.CharField(_("choice"), max_length=200, blank=True)
    text = models.TextField(_("text"), blank=True, max_length=4000)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        ordering = ["response", "question__position"]
        constraints = [models.UniqueConstraint(fields=["response", "question"], name="answer_one_per_question")]

    def __str__(self) -> str:
        return str(self.score if self.score is not None else self.choice or self.text[:40])


class InboundSms(models.Model):
    """An SMS a client sent back: a digit scores the invitation, anything else is kept as its comment."""

    sender = models.CharField(_("from"), max_length=32)
    text = models.TextField(_("text"), max_length=1600)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)
    invitation = models.ForeignKey(
        Invitation,
        verbose_name=_("invitation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sms_replies",
    )

    class Meta:
        verbose_name = _("SMS reply")
        verbose_name_plural = _("SMS replies")
        ordering = ["-received_at", "-pk"]
        indexes = [models.Index(fields=["sender", "-received_at"], name="inbound_sms_sender_idx")]

    def __str__(self) -> str:
        return f"{self.sender}: {self.text[:40]}"
