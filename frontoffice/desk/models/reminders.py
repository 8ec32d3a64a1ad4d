"""Appointment reminders: an organisation's policy and one row per message to send.

A ``ReminderPolicy`` says whether reminders go out, how long before the appointment (a
first and an optional second lead time, in hours) and whether a booking confirmation is
sent; an organisation without one gets ``ReminderPolicy.defaults``. A ``Reminder`` is one
message about one appointment: a booking confirmation or a reminder, due at ``due_at``.
The periodic job ``desk.reminders`` (``services_reminders.reminders_send_due``) sends the
due ones, choosing the channel at that moment from the client's consents and contacts;
a reminder that cannot be sent is ``skipped`` with the reason, for the clerk to see.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from frontoffice.core.choices import Channel
from frontoffice.core.models import Organisation, OutboundMessage, TimeStampedModel

from .calendar import Appointment

LEAD_VALIDATORS = [MinValueValidator(1), MaxValueValidator(24 * 14)]


class ReminderPolicy(TimeStampedModel):
    """When an organisation's clients are reminded of their appointments."""

    organisation = models.OneToOneField(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="reminder_policy"
    )
    is_enabled = models.BooleanField(_("send reminders"), default=True)
    first_lead_hours = models.PositiveSmallIntegerField(
        _("first reminder, hours before"), default=24, validators=LEAD_VALIDATORS
    )
    second_lead_hours = models.PositiveSmallIntegerField(
        _("second reminder, hours before"),
        null=True,
        blank=True,
        validators=LEAD_VALIDATORS,
        help_text=_("Optional, e.g. 2 for a short reminder on the day."),
    )
    send_confirmation = models.BooleanField(
        _("send a booking confirmation"),
        default=True,
        help_text=_("With the check-in code and the link to confirm, cancel or check in."),
    )

    class Meta:
        verbose_name = _("reminder policy")
        verbose_name_plural = _("reminder policies")

    def __str__(self) -> str:
        return str(self.organisation)

    @classmethod
    def defaults(cls, organisation: Organisation) -> ReminderPolicy:
        """The policy of an organisation that has not saved one (not saved here)."""
        return cls(organisation=organisation)

    @property
    def lead_hours(self) -> list[int]:
        leads = {self.first_lead_hours, self.second_lead_hours} - {None}
        return sorted((int(hours) for hours in leads if hours), reverse=True)


class ReminderKind(models.TextChoices):
    CONFIRMATION = "confirmation", _("Booking confirmation")
    REMINDER = "reminder", _("Reminder")


class ReminderStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    SENT = "sent", _("Sent")
    SKIPPED = "skipped", _("Not sent")
    CANCELLED = "cancelled", _("Cancelled")


class SkipReason(models.TextChoices):
    """Why a reminder was not sent (stored as a code, shown in the reader's language)."""

    NO_CONSENT = "no_consent", _("no consent for reminders")
    DO_NOT_CONTACT = "do_not_contact", _("do not contact")
    NO_PHONE = "no_phone", _("no phone number")
    NO_EMAIL = "no_email", _("no e-mail address")
    NO_CONTACT = "no_contact", _("no phone number or e-mail address")
    INACTIVE_CLIENT = "inactive_client", _("client record merged or erased")
    DECEASED = "deceased", _("client deceased")
    TOO_LATE = "too_late", _("too late: the appointment had started")


class Reminder(models.Model):
    """One confirmation or reminder of an appointment, due at ``due_at``; sent, skipped (with the reason) or
    cancelled (the appointment was moved, cancelled or the client arrived)."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="+"
    )
    appointment = models.ForeignKey(
        Appointment, verbose_name=_("appointment"), on_delete=models.CASCADE, related_name="reminders"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=ReminderKind.choices, default=ReminderKind.REMINDER)
    lead_hours = models.PositiveSmallIntegerField(_("hours before"), null=True, blank=True)
    due_at = models.DateTimeField(_("due at"), db_index=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ReminderStatus.choices, default=ReminderStatus.SCHEDULED
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, blank=True)
    skip_reason = models.CharField(_("why it was not sent"), max_length=20, choices=SkipReason.choices, blank=True)
    message = models.ForeignKey(
        OutboundMessage,
        verbose_name=_("message"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["appointment", "due_at", "pk"]
        indexes = [
            models.Index(fields=["due_at"], condition=Q(status="scheduled"), name="reminder_scheduled_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.due_at:%Y-%m-%d %H:%M}"
