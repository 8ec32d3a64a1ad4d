"""The phone: CTI tokens, the raw CTI event log, one ``Call`` per phone contact, callbacks and agent states.

A call is one ``Interaction`` (channel phone, ``external_id`` = the PBX call id); ``Call`` holds what only
a phone call has (ring, talk, hold and wrap-up seconds, the hangup cause, transfers) so voice metrics (AHT
with hold and wrap-up, ASA, abandonment) can be computed from stored values. Every CTI event is kept as it
came (``CtiEvent``) with what became of it, so a PBX day can be audited and replayed.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from frontoffice.clients.models import Client
from frontoffice.core.models import Branch, Organisation, TimeStampedModel

from ..choices import AgentState, CallbackOutcome, CallbackStatus, CallState, CtiOutcome
from .contacts import Interaction
from .setup import Team


class CtiToken(TimeStampedModel):
    """The secret in a PBX's webhook address; only its hash is stored. Calls land in ``branch``."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="+"
    )
    branch = models.ForeignKey(
        Branch, verbose_name=_("branch"), on_delete=models.CASCADE, related_name="+", help_text=_("Calls land here.")
    )
    name = models.CharField(_("name"), max_length=80)
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("beginning of the token"), max_length=8, editable=False)
    uses_wrap_up = models.BooleanField(
        _("wrap-up after calls"),
        default=True,
        help_text=_("After a call the agent is in wrap-up until the PBX (or the agent) ends it."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("phone system token")
        verbose_name_plural = _("phone system tokens")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.name


class AgentPhone(TimeStampedModel):
    """A staff member's extension, so the PBX's ``answeringNumber`` or ``user[]`` finds them."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="+"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("staff member"), on_delete=models.CASCADE, related_name="agent_phone"
    )
    extension = models.CharField(_("extension"), max_length=32)

    class Meta:
        verbose_name = _("extension")
        verbose_name_plural = _("extensions")
        ordering = ["extension"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "extension"], name="agent_phone_extension_unique")
        ]

    def __str__(self) -> str:
        return self.extension


class Call(TimeStampedModel):
    """The phone-only facts of one call; the contact itself is ``interaction``."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="+"
    )
    branch = models.ForeignKey(Branch, verbose_name=_("branch"), on_delete=models.CASCADE, related_name="+")
    interaction = models.OneToOneField(
        Interaction, verbose_name=_("contact"), on_delete=models.CASCADE, related_name="call"
    )
    call_id = models.CharField(_("PBX call id"), max_length=250)
    state = models.CharField(_("state"), max_length=12, choices=CallState.choices, default=CallState.RINGING)
    from_number = models.CharField(_("from"), max_length=64, blank=True)
    to_number = models.CharField(_("to"), max_length=64, blank=True)
    queue = models.CharField(_("queue"), max_length=80, blank=True)
    # Set once: by the queue when a team holds it, else by the agent who answered (see phone/teams.py).
    team = models.ForeignKey(
        Team, verbose_name=_("team"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    rang_for = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("rang for"), related_name="+", blank=True
    )
    cause = models.CharField(_("hangup cause"), max_length=32, blank=True)
    ring_seconds = models.PositiveIntegerField(
        _("waiting seconds"), null=True, blank=True, help_text=_("From the first ring to the answer (or hang-up).")
    )
    talk_seconds = models.PositiveIntegerField(_("talk seconds"), null=True, blank=True)
    hold_seconds = models.PositiveIntegerField(_("hold seconds"), default=0)
    hold_started_at = models.DateTimeField(_("on hold since"), null=True, blank=True)
    wrap_up_started_at = models.DateTimeField(_("wrap-up started"), null=True, blank=True)
    wrap_up_seconds = models.PositiveIntegerField(_("wrap-up seconds"), null=True, blank=True)
    transfers = models.PositiveSmallIntegerField(_("transfers"), default=0)
    event_count = models.PositiveIntegerField(_("events"), default=0)
    # [fingerprint, received (Unix time) or null when the PBX stamped the event] for each event of the call:
    # duplicates are recognised on the row the webhook locks anyway, without a query of their own.
    seen_events = models.JSONField(_("events seen"), default=list, blank=True, editable=False)

    class Meta:
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["organisation", "call_id"], name="call_id_unique")]

    def __str__(self) -> str:
        return self.call_id

    @property
    def handle_seconds(self) -> int | None:
        """Talk + hold + wrap-up: what AHT averages."""
        if self.talk_seconds is None:
            return None
        return self.talk_seconds + self.hold_seconds + (self.wrap_up_seconds or 0)


class CtiEvent(models.Model):
    """One event as the PBX sent it, and what became of it (applied, duplicate, out of order, unknown call)."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="+"
    )
    token = models.ForeignKey(
        CtiToken, verbose_name=_("token"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    call_id = models.CharField(_("PBX call id"), max_length=250, blank=True)
    kind = models.CharField(_("event"), max_length=20)
    payload = models.JSONField(_("payload"), default=dict)
    fingerprint = models.CharField(_("fingerprint"), max_length=64)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)
    occurred_at = models.DateTimeField(_("happened at"))
    sequence = models.PositiveIntegerField(_("number within the call"), default=0)
    outcome = models.CharField(_("result"), max_length=14, choices=CtiOutcome.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)
    lane = models.PositiveSmallIntegerField(
        _("queue lane"), default=0, help_text=_("Queued mode: which applier takes the event (from the call id).")
    )

    class Meta:
        verbose_name = _("CTI event")
        verbose_name_plural = _("CTI events")
        ordering = ["received_at", "pk"]
        indexes = [
            models.Index(fields=["organisation", "call_id", "fingerprint"], name="cti_event_dedupe_idx"),
            models.Index(fields=["organisation", "call_id", "outcome"], name="cti_event_call_idx"),
            # The appliers' queue: only queued rows, by lane, in arrival order.
            models.Index(fields=["lane", "id"], condition=Q(outcome="queued"), name="cti_event_queue_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.call_id}"


class Callback(TimeStampedModel):
    """A missed or abandoned inbound call somebody owes a call back; repeat calls from the number add to it."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="+"
    )
    branch = models.ForeignKey(Branch, verbose_name=_("branch"), on_delete=models.CASCADE, related_name="+")
    interaction = models.ForeignKey(
        Interaction, verbose_name=_("missed call"), on_delete=models.CASCADE, related_name="callbacks"
    )
    number = models.CharField(_("number to call"), max_length=64)
    client = models.ForeignKey(
        Client, verbose_name=_("client"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(_("status"), max_length=8, choices=CallbackStatus.choices, default=CallbackStatus.OPEN)
    missed_calls = models.PositiveSmallIntegerField(_("missed calls"), default=1)
    collects_repeats = models.BooleanField(
        _("repeat calls add to it"),
        default=True,
        help_text=_("Opened while the branch counted repeat calls on the open callback (one such callback a number)."),
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    outcome = models.CharField(_("last outcome"), max_length=14, choices=CallbackOutcome.choices, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    due_at = models.DateTimeField(_("due"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("callback")
        verbose_name_plural = _("callbacks")
        ordering = ["due_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "number"],
                condition=Q(status="open", collects_repeats=True),
                name="callback_one_open_per_number",
            ),
        ]
        indexes = [
            models.Index(fields=["branch", "status", "due_at"], name="callback_branch_status_idx"),
            models.Index(fields=["owner", "status", "due_at"], name="callback_owner_status_idx"),
        ]

    def __str__(self) -> str:
        return self.number


class AgentStateChange(models.Model):
    """A period a staff member spent in one state (available, on a call, wrap-up, break, offline)."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("staff member"), on_delete=models.CASCADE, related_name="+"
    )
    state = models.CharField(_("state"), max_length=10, choices=AgentState.choices)
    started_at = models.DateTimeField(_("from"))
    ended_at = models.DateTimeField(_("until"), null=True, blank=True)
    by_pbx = models.BooleanField(_("set by the phone system"), default=False)
    call = models.ForeignKey(
        Call, verbose_name=_("call"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("agent state")
        verbose_name_plural = _("agent states")
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["user"], condition=Q(ended_at__isnull=True), name="agent_state_one_open"),
        ]
        indexes = [models.Index(fields=["organisation", "started_at"], name="agent_state_org_time_idx")]

    def __str__(self) -> str:
        return self.get_state_display()
