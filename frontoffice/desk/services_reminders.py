"""Writes of reminders: the organisation's policy, scheduling with the appointment's life, and sending.

``services_calendar`` calls ``appointment_scheduled`` when an appointment is booked or moved and
``appointment_closed`` when it is cancelled, marked a no-show or checked in, inside its own
transaction. The periodic job ``desk.reminders`` sends what is due: only while the appointment
is still booked and ahead, by the channel chosen at that moment (``choose_channel``), marking
each row done in the same transaction that queues its message, so two sweeps never send twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from frontoffice.clients.choices import ConsentPurpose, ContactChannel
from frontoffice.clients.models import Client
from frontoffice.core.audit import audit, signed_in_user
from frontoffice.core.choices import Channel
from frontoffice.core.concurrency import bump_version
from frontoffice.core.models import Organisation
from frontoffice.core.notifications import email_queue, sms_queue
from frontoffice.core.periodic import periodic

from . import appointment_links, slots
from .choices import AppointmentStatus
from .models import Appointment, Reminder, ReminderPolicy
from .models.reminders import ReminderKind, ReminderStatus, SkipReason

S = AppointmentStatus
SENDABLE = (S.BOOKED, S.PENDING)
BATCH = 100
CONSENT_OF = {Channel.SMS: ConsentPurpose.SMS_REMINDERS, Channel.EMAIL: ConsentPurpose.EMAIL_REMINDERS}


# --- policy ---------------------------------------------------------------------------------------


def policy_for(organisation: Organisation | Any) -> ReminderPolicy:
    """The organisation's saved policy, or the defaults (on, 24 hours, confirmation sent)."""
    policy = ReminderPolicy.objects.filter(organisation_id=organisation.pk).first()
    return policy if policy is not None else ReminderPolicy.defaults(organisation)


@transaction.atomic
def reminder_policy_save(
    *,
    organisation: Organisation,
    actor: Any,
    is_enabled: bool,
    first_lead_hours: int,
    second_lead_hours: int | None,
    send_confirmation: bool,
    expected_version: int | None = None,
) -> ReminderPolicy:
    """Save the policy; reminders already scheduled keep their times (new bookings and moves use the new one)."""
    from frontoffice.core.concurrency import check_version

    policy = ReminderPolicy.objects.select_for_update().filter(organisation=organisation).first()
    creating = policy is None
    if policy is None:
        policy = ReminderPolicy(organisation=organisation, updated_by=signed_in_user(actor))
    else:
        check_version(policy, expected_version)
        bump_version(policy, user=actor)
    if second_lead_hours is not None and second_lead_hours >= first_lead_hours:
        raise ValidationError(
            {"second_lead_hours": [_("The second reminder must come later: fewer hours before than the first.")]}
        )
    policy.is_enabled = is_enabled
    policy.first_lead_hours = first_lead_hours
    policy.second_lead_hours = second_lead_hours
    policy.send_confirmation = send_confirmation
    policy.full_clean()
    policy.save()
    audit(
        actor=actor,
        action="reminders.policy_save",
        target=policy,
        organisation=organisation,
        summary=_("Reminder settings saved"),
        data={
            "created": creating,
            "is_enabled": is_enabled,
            "first_lead_hours": first_lead_hours,
            "second_lead_hours": second_lead_hours,
            "send_confirmation": send_confirmation,
        },
    )
    return policy


# --- scheduling (called by services_calendar inside its transaction) ------------------------------


def _cancel_scheduled(appointment: Appointment, *, kinds: tuple[str, ...]) -> int:
    return Reminder.objects.filter(appointment=appointment, status=ReminderStatus.SCHEDULED, kind__in=kinds).update(
        status=ReminderStatus.CANCELLED
    )


def appointment_scheduled(*, appointment: Appointment, confirm: bool, now: datetime | None = None) -> list[Reminder]:
    """(Re)plan the reminders of a booked or moved appointment; with ``confirm``, send the confirmation now."""
    now = now or timezone.now()
    policy = policy_for(appointment.organisation)
    _cancel_scheduled(appointment, kinds=(ReminderKind.REMINDER,))
    created: list[Reminder] = []
    for hours in policy.lead_hours if policy.is_enabled else []:
        due_at = appointment.starts_at - timedelta(hours=hours)
        if due_at <= now:
            continue  # booked inside the lead time: the confirmation (or the next reminder) covers it
        created.append(
            Reminder.objects.create(
                organisation_id=appointment.organisation_id,
                appointment=appointment,
                kind=ReminderKind.REMINDER,
                lead_hours=hours,
                due_at=due_at,
            )
        )
    if confirm and policy.send_confirmation:
        confirmation = Reminder.objects.create(
            organisation_id=appointment.organisation_id,
            appointment=appointment,
            kind=ReminderKind.CONFIRMATION,
            due_at=now,
        )
        _deliver(confirmation, appointment, now)
        created.append(confirmation)
    return created


def appointment_closed(*, appointment: Appointment) -> int:
    """Cancelled, a no-show or checked in: nothing more is sent about it."""
    return _cancel_scheduled(appointment, kinds=(ReminderKind.REMINDER, ReminderKind.CONFIRMATION))


# --- channel --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChannelChoice:
    channel: str  # "" when skipped
    recipient: str
    skip_reason: str  # a SkipReason when skipped


def _contact(client: Client, channel: str) -> str:
    kind = "email" if channel == Channel.EMAIL else "phone"
    contact = client.contacts.filter(kind=kind).order_by("-is_primary", "pk").first()
    return contact.value if contact is not None else ""


def choose_channel(client: Client) -> ChannelChoice:
    """The preferred channel if consented to and reachable, else the other consented one; else why not."""
    if not client.is_active_record:
        return ChannelChoice("", "", SkipReason.INACTIVE_CLIENT)
    if client.do_not_contact:
        return ChannelChoice("", "", SkipReason.DO_NOT_CONTACT)
    if client.is_deceased:
        return ChannelChoice("", "", SkipReason.DECEASED)
    consented = set(
        client.consents.filter(purpose__in=list(CONSENT_OF.values()), withdrawn_at__isnull=True).values_list(
            "purpose", flat=True
        )
    )
    channels = [channel for channel, purpose in CONSENT_OF.items() if purpose in consented]
    if not channels:
        return ChannelChoice("", "", SkipReason.NO_CONSENT)
    preferred = Channel.EMAIL if client.preferred_channel == ContactChannel.EMAIL else Channel.SMS
    if client.preferred_channel in (ContactChannel.EMAIL, ContactChannel.SMS, ContactChannel.PHONE):
        channels.sort(key=lambda channel: channel != preferred)
    missing: list[str] = []
    for channel in channels:
        recipient = _contact(client, channel)
        if recipient:
            return ChannelChoice(channel, recipient, "")
        missing.append(channel)
    if len(missing) > 1:
        return ChannelChoice("", "", SkipReason.NO_CONTACT)
    return ChannelChoice("", "", SkipReason.NO_EMAIL if missing[0] == Channel.EMAIL else SkipReason.NO_PHONE)


# --- the message ----------------------------------------------------------------------------------


def message_parts(appointment: Appointment, kind: str) -> dict[str, str]:
    """Subject and text in the client's language (else the organisation's), time in the branch's zone."""
    client = appointment.client
    language = client.preferred_language or appointment.organisation.default_language
    zone = slots.zone_of(appointment.branch)
    branch = appointment.branch
    with translation.override(language):
        values = {
            "organisation": appointment.organisation.name,
            "visit_type": appointment.visit_type.name,
            "when": formats.date_format(timezone.localtime(appointment.starts_at, zone), "DATETIME_FORMAT"),
            "place": ", ".join(part for part in (branch.name, branch.address) if part),
            "code": appointment.check_in_code,
            "url": appointment_links.public_url(appointment),
        }
        if kind == ReminderKind.CONFIRMATION:
            subject = _("Your appointment is booked")
            text = (
                _(
                    "%(organisation)s: your appointment (%(visit_type)s) is booked for %(when)s at %(place)s. "
                    "Check-in code: %(code)s. Confirm, cancel or check in: %(url)s"
                )
                % values
            )
        else:
            subject = _("Reminder of your appointment")
            text = (
                _(
                    "%(organisation)s: reminder of your appointment (%(visit_type)s) on %(when)s at %(place)s. "
                    "Check-in code: %(code)s. Confirm, cancel or check in: %(url)s"
                )
                % values
            )
        html = ""
        if appointment.check_in_code:
            from django.template.loader import render_to_string

            html = render_to_string(
                "desk/reminders/email.html",
                {
                    "text": text,
                    "code": appointment.check_in_code,
                    "qr": appointment_links.qr_png_data_uri(appointment.check_in_code),
                    "url": values["url"],
                },
            )
    return {"subject": subject, "text": text, "html": html}


def _deliver(reminder: Reminder, appointment: Appointment, now: datetime) -> bool:
    """Queue the message (or record why not); the caller holds the row. True when a message was queued."""
    choice = choose_channel(appointment.client)
    if not choice.channel:
        reminder.status, reminder.skip_reason = ReminderStatus.SKIPPED, choice.skip_reason
        reminder.save(update_fields=["status", "skip_reason"])
        return False
    parts = message_parts(appointment, reminder.kind)
    if choice.channel == Channel.EMAIL:
        message = email_queue(
            to=choice.recipient,
            subject=parts["subject"],
            body=parts["text"],
            html_body=parts["html"],
            organisation=appointment.organisation,
        )
    else:
        message = sms_queue(to=choice.recipient, text=parts["text"], organisation=appointment.organisation)
    reminder.status, reminder.channel, reminder.message, reminder.sent_at = (
        ReminderStatus.SENT,
        choice.channel,
        message,
        now,
    )
    reminder.save(update_fields=["status", "channel", "message", "sent_at"])
    return True


def _send_one(reminder_id: int, now: datetime) -> bool:
    with transaction.atomic():
        rows = Reminder.objects.filter(pk=reminder_id, status=ReminderStatus.SCHEDULED, due_at__lte=now)
        if connection.features.has_select_for_update_skip_locked:
            rows = rows.select_for_update(skip_locked=True)
        reminder = rows.first()
        if reminder is None:
            return False  # another sweep took it, or it was cancelled meanwhile
        appointment = Appointment.objects.select_related("organisation", "branch", "client", "visit_type").get(
            pk=reminder.appointment_id
        )
        if appointment.status not in SENDABLE:
            reminder.status = ReminderStatus.CANCELLED
            reminder.save(update_fields=["status"])
            return False
        if appointment.starts_at <= now:
            reminder.status, reminder.skip_reason = ReminderStatus.SKIPPED, SkipReason.TOO_LATE
            reminder.save(update_fields=["status", "skip_reason"])
            return False
        return _deliver(reminder, appointment, now)


@periodic("desk.reminders")
def reminders_send_due(now: datetime) -> int:
    """Send every reminder due by ``now``; returns how many messages were queued. Safe to run concurrently."""
    sent, after = 0, 0
    while True:
        due = list(
            Reminder.objects.filter(status=ReminderStatus.SCHEDULED, due_at__lte=now, pk__gt=after)
            .order_by("pk")
            .values_list("pk", flat=True)[:BATCH]
        )
        if not due:
            return sent
        for reminder_id in due:
            sent += _send_one(reminder_id, now)
        after = due[-1]
