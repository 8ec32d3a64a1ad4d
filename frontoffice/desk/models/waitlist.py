"""The waitlist: clients who want an earlier slot, and the offers made to them when one frees up.

A ``WaitlistEntry`` says "this client wants visit type X (with resource R, or anyone who does X)
between these days, sooner than the appointment they hold". When an appointment is cancelled,
marked no-show or moved away, ``services_waitlist`` records a ``FreedSlot`` and offers it to the
first eligible entry (``WaitlistOffer``, with a signed accept link and a time limit from the
organisation's ``WaitlistPolicy``); a decline or a time-out passes it to the next one. At most one
offer of a freed slot is pending at a time (a partial unique constraint).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from frontoffice.clients.models import Client
from frontoffice.core.models import Branch, Organisation, OutboundMessage, TimeStampedModel

from .calendar import Appointment, Resource
from .visits import VisitType


class WaitlistPriority(models.IntegerChoices):
    NORMAL = 0, _("Normal")
    HIGH = 1, _("High")
    URGENT = 2, _("Urgent")


class WaitlistStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    OFFERED = "offered", _("Offered a slot")
    BOOKED = "booked", _("Booked")
    REMOVED = "removed", _("Removed")
    EXPIRED = "expired", _("Window passed")


class WaitlistChannel(models.TextChoices):
    SMS = "sms", _("SMS")
    EMAIL = "email", _("E-mail")


class OfferStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for an answer")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    EXPIRED = "expired", _("No answer in time")
    WITHDRAWN = "withdrawn", _("Withdrawn: the time was taken")


class WaitlistPolicy(TimeStampedModel):
    """An organisation's waitlist settings, edited by managers (defaults apply while there is no row)."""

    organisation = models.OneToOneField(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="waitlist_policy"
    )
    offer_minutes = models.PositiveIntegerField(
        _("time to answer an offer (minutes)"),
        default=30,
        help_text=_("How long a client has to accept a freed slot before it is offered to the next one."),
    )
    notice_minutes = models.PositiveIntegerField(
        _("minimum notice (minutes)"),
        default=60,
        help_text=_("A freed slot starting sooner than this is not offered: nobody could get there in time."),
    )

    class Meta:
        verbose_name = _("waitlist settings")
        verbose_name_plural = _("waitlist settings")
        constraints = [
            models.CheckConstraint(condition=Q(offer_minutes__gte=1), name="waitlist_policy_offer_positive"),
        ]

    def __str__(self) -> str:
        return str(self.organisation)


class WaitlistEntry(TimeStampedModel):
    """A client waiting for an earlier slot of a visit type, with a resource or anyone who does it."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    branch = models.ForeignKey(Branch, verbose_name=_("branch"), on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(
        Client, verbose_name=_("client"), on_delete=models.PROTECT, related_name="waitlist_entries"
    )
    visit_type = models.ForeignKey(VisitType, verbose_name=_("visit type"), on_delete=models.PROTECT, related_name="+")
    resource = models.ForeignKey(
        Resource,
        verbose_name=_("resource"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty: anyone who does the visit type."),
    )
    date_from = models.DateField(_("from"))
    date_to = models.DateField(_("until"))
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=WaitlistPriority.choices, default=WaitlistPriority.NORMAL
    )
    channel = models.CharField(_("channel"), max_length=8, choices=WaitlistChannel.choices)
    current_appointment = models.ForeignKey(
        Appointment,
        verbose_name=_("current appointment"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The later appointment the client holds and wants moved earlier."),
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=WaitlistStatus.choices, default=WaitlistStatus.WAITING, editable=False
    )
    removed_reason = models.CharField(_("reason for removal"), max_length=300, blank=True)
    skip_reason = models.CharField(
        _("last skipped because"),
        max_length=300,
        blank=True,
        editable=False,
        help_text=_("Why the client was passed over the last time a slot could have been offered."),
    )
    skipped_at = models.DateTimeField(_("last skipped at"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("added by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("waitlist entry")
        verbose_name_plural = _("waitlist entries")
        ordering = ["-priority", "created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(date_to__gte=F("date_from")),
                name="waitlist_window_ordered",
                violation_error_message=_("The last day must not be before the first day."),
            ),
        ]
        indexes = [
            # Candidates for a freed slot: one branch, still waiting, in order.
            models.Index(fields=["branch", "status", "-priority", "created_at"], name="waitlist_candidates_idx"),
            models.Index(fields=["status", "date_to"], name="waitlist_window_idx"),
            models.Index(fields=["client", "status"], name="waitlist_client_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.client_id}: {self.visit_type_id} {self.date_from}–{self.date_to}"


class FreedSlot(models.Model):
    """A slot that became free (cancellation, no-show, move): what the waitlist offers, and what the figures count."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="+"
    )
    branch = models.ForeignKey(Branch, verbose_name=_("branch"), on_delete=models.CASCADE, related_name="+")
    resource = models.ForeignKey(Resource, verbose_name=_("resource"), on_delete=models.CASCADE, related_name="+")
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    freed_at = models.DateTimeField(_("freed at"), db_index=True)
    source = models.ForeignKey(
        Appointment,
        verbose_name=_("freed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    filled = models.BooleanField(_("backfilled"), default=False)

    class Meta:
        verbose_name = _("freed slot")
        verbose_name_plural = _("freed slots")
        ordering = ["-freed_at", "pk"]
        indexes = [models.Index(fields=["branch", "freed_at"], name="freed_slot_branch_idx")]

    def __str__(self) -> str:
        return f"{self.resource_id}: {self.starts_at:%Y-%m-%d %H:%M}"


class WaitlistOffer(models.Model):
    """A freed slot offered to one waitlisted client, with a time limit."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="+"
    )
    branch = models.ForeignKey(Branch, verbose_name=_("branch"), on_delete=models.CASCADE, related_name="+")
    slot = models.ForeignKey(FreedSlot, verbose_name=_("freed slot"), on_delete=models.CASCADE, related_name="offers")
    entry = models.ForeignKey(WaitlistEntry, verbose_name=_("entry"), on_delete=models.CASCADE, related_name="offers")
    resource = models.ForeignKey(Resource, verbose_name=_("resource"), on_delete=models.CASCADE, related_name="+")
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    sent_at = models.DateTimeField(_("sent at"))
    expires_at = models.DateTimeField(_("answer by"), db_index=True)
    status = models.CharField(_("status"), max_length=10, choices=OfferStatus.choices, default=OfferStatus.PENDING)
    responded_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    appointment = models.ForeignKey(
        Appointment,
        verbose_name=_("booked appointment"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    message = models.ForeignKey(
        OutboundMessage, verbose_name=_("message"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("waitlist offer")
        verbose_name_plural = _("waitlist offers")
        ordering = ["-sent_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["slot"], condition=Q(status="pending"), name="waitlist_one_pending_offer_per_slot"
            ),
            models.UniqueConstraint(
                fields=["entry"], condition=Q(status="pending"), name="waitlist_one_pending_offer_per_entry"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "expires_at"], name="waitlist_offer_due_idx"),
            models.Index(fields=["branch", "sent_at"], name="waitlist_offer_branch_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.entry_id}: {self.starts_at:%Y-%m-%d %H:%M}"
