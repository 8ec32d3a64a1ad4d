"""One row per contact with the public in any channel, and the follow-ups hanging off it.

An ``Interaction`` is a phone call, an e-mail, a chat, an SMS, a web form, a conversation at the
counter or a letter. It records when it started, was answered and ended (voice metrics need all
three), who handled it, the client (matched by phone or e-mail; several candidates leave it as
"maybe" until somebody confirms), the topic and the outcome. Channel-specific detail (the call's
CTI events, the e-mail's headers and body, the chat's messages) lives in the channel's own
models, which point here.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from frontoffice.clients.models import Client
from frontoffice.core.models import Branch, Organisation, TimeStampedModel

from ..choices import Channel, ClientMatch, Direction, Outcome
from ..permissions import InteractionPermission
from .setup import Topic


class Interaction(TimeStampedModel):
    """A contact with the public: who, by which channel, when, about what, and how it ended."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    branch = models.ForeignKey(Branch, verbose_name=_("branch"), on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    direction = models.CharField(_("direction"), max_length=8, choices=Direction.choices, default=Direction.INBOUND)
    started_at = models.DateTimeField(_("started at"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    contact_address = models.CharField(
        _("phone number or e-mail"),
        max_length=254,
        blank=True,
        help_text=_("The other side's number (E.164) or address, as the channel gave it."),
    )
    client = models.ForeignKey(
        Client,
        verbose_name=_("client"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="interactions",
    )
    client_match = models.CharField(
        _("client match"), max_length=10, choices=ClientMatch.choices, default=ClientMatch.NONE
    )
    candidates = models.ManyToManyField(
        Client,
        verbose_name=_("possible clients"),
        related_name="+",
        blank=True,
        help_text=_("Clients with the same phone or e-mail, waiting for somebody to pick one."),
    )
    topic = models.ForeignKey(
        Topic, verbose_name=_("topic"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    summary = models.TextField(_("summary"), blank=True, max_length=4000)
    case = models.ForeignKey(
        "interactions.Case",
        verbose_name=_("case"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="interactions",
    )
    external_id = models.CharField(
        _("channel reference"),
        max_length=255,
        blank=True,
        help_text=_("The PBX call id, the e-mail's Message-ID or the chat id."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("logged by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["-started_at", "-pk"]
        permissions = InteractionPermission.choices
        constraints = [
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True) | Q(answered_at__gte=F("started_at")),
                name="interaction_answered_after_start",
                violation_error_message=_("A contact cannot be answered before it started."),
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=F("started_at")),
                name="interaction_ended_after_start",
                violation_error_message=_("A contact cannot end before it started."),
            ),
            # One row per call / message / chat: what makes webhooks and mail polling idempotent.
            models.UniqueConstraint(
                fields=["organisation", "channel", "external_id"],
                condition=~Q(external_id=""),
                name="interaction_external_id_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["branch", "-started_at"], name="interaction_branch_time_idx"),
            models.Index(fields=["client", "-started_at"], name="interaction_client_time_idx"),
            models.Index(fields=["staff", "-started_at"], name="interaction_staff_time_idx"),
            models.Index(fields=["organisation", "channel", "-started_at"], name="interaction_channel_idx"),
            models.Index(fields=["case", "started_at"], name="interaction_case_idx"),
            # The contact list for organisation-wide roles, by topic, and "needs a client".
            models.Index(fields=["organisation", "-started_at"], name="interaction_org_time_idx"),
            models.Index(fields=["topic", "-started_at"], name="interaction_topic_time_idx"),
            models.Index(fields=["organisation", "outcome", "-started_at"], name="interaction_outcome_time_idx"),
            # "Needs a client": the client is empty exactly while the match is unknown or "maybe". The
            # condition has no parameter, so SQLite's planner can use the partial index too.
            models.Index(
                fields=["organisation", "-started_at"],
                condition=Q(client__isnull=True),
                name="interaction_needs_client_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.started_at:%Y-%m-%d %H:%M}"


class FollowUp(TimeStampedModel):
    """Something somebody promised to do after a contact, with an owner and a due date."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="+"
    )
    branch = models.ForeignKey(Branch, verbose_name=_("branch"), on_delete=models.CASCADE, related_name="+")
    interaction = models.ForeignKey(
        Interaction,
        verbose_name=_("contact"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="follow_ups",
    )
    case = models.ForeignKey(
        "interactions.Case",
        verbose_name=_("case"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="follow_ups",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="+"
    )
    due_at = models.DateTimeField(_("due"))
    note = models.CharField(_("what to do"), max_length=300)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("done by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("set by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["due_at", "pk"]
        indexes = [
            # The owner's home page: open follow-ups, soonest first.
            models.Index(
                fields=["owner", "due_at"], condition=Q(done_at__isnull=True), name="follow_up_open_owner_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.note
