"""Queue e-mail and SMS for the worker; deliver them from a background task.

Services call ``email_queue`` / ``sms_queue`` inside their transaction. The
message row is written at once (so the record of what was sent is never
lost) and the task is enqueued only after the transaction commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone

from .choices import Channel, MessageStatus
from .models import Organisation, OutboundAttachment, OutboundMessage
from .sms import Sms, SmsError, get_sms_backend

MAX_ATTEMPTS = 5


def email_queue(
    *,
    to: str,
    subject: str,
    body: str,
    html_body: str = "",
    organisation: Organisation | None = None,
    attachments: Sequence[tuple[str, bytes, str]] = (),
) -> OutboundMessage:
    """Queue an e-mail; ``attachments`` are ``(filename, content, content type)`` stored with the message."""
    message = OutboundMessage.objects.create(
        organisation=organisation,
        channel=Channel.EMAIL,
        recipient=to,
        subject=subject,
        body=body,
        html_body=html_body,
    )
    for filename, content, content_type in attachments:
        OutboundAttachment.objects.create(
            message=message, filename=filename, content=content, content_type=content_type
        )
    _enqueue_after_commit(message)
    return message


def sms_queue(*, to: str, text: str, organisation: Organisation | None = None) -> OutboundMessage:
    message = OutboundMessage.objects.create(organisation=organisation, channel=Channel.SMS, recipient=to, body=text)
    _enqueue_after_commit(message)
    return message


def _enqueue_after_commit(message: OutboundMessage) -> None:
    from .tasks import deliver_message

    transaction.on_commit(partial(deliver_message.enqueue, message_id=message.pk))


def message_deliver(*, message_id: int) -> OutboundMessage:
    """Send one queued message; record the outcome on the row. Used by the task."""
    message = OutboundMessage.objects.get(pk=message_id)
    if message.status == MessageStatus.SENT:
        return message  # a retried task must not send twice
    message.attempts += 1
    try:
        if message.channel == Channel.EMAIL:
            _send_email(message)
        else:
            message.provider_id = get_sms_backend().send(
                Sms(to=message.recipient, text=message.body, sender=settings.SMS_SENDER)
            )
    except (OSError, SmsError) as error:
        message.error = str(error)[:2000]
        message.status = MessageStatus.FAILED if message.attempts >= MAX_ATTEMPTS else MessageStatus.QUEUED
        message.save(update_fields=["attempts", "error", "status"])
        raise
    message.status = MessageStatus.SENT
    message.sent_at = timezone.now()
    message.error = ""
    message.save(update_fields=["attempts", "error", "status", "sent_at", "provider_id"])
    return message


def _send_email(message: OutboundMessage) -> None:
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body,
        to=[message.recipient],
        headers={"X-FrontOffice-Message": str(message.pk)},
    )
    if message.html_body:
        email.attach_alternative(message.html_body, "text/html")
    for attachment in message.attachments.all():
        email.attach(attachment.filename, bytes(attachment.content), attachment.content_type)
    email.send(fail_silently=False)
