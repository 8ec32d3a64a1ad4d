"""The remote place-in-line link: "you are 3rd, about 12 minutes", and one message when they are next.

The token is ``TimestampSigner`` over the ticket's id with this module's salt: it cannot be
forged or altered without the secret key and expires after ``LINK_MAX_AGE`` (a ticket
lives one day). It shows only the ticket's number, service, place and estimate.
"""

from __future__ import annotations

from datetime import timedelta

from django.core import signing
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from frontoffice.core.notifications import email_queue, sms_queue

from .models.queue import Ticket, TicketStatus

SALT = "frontoffice.desk.queue-position"
LINK_MAX_AGE = timedelta(hours=18)


class LinkInvalid(Exception):
    """Tampered, truncated, expired or not a link of ours."""


def make_token(*, ticket_id: int) -> str:
    return signing.TimestampSigner(salt=SALT).sign(str(ticket_id))


def read_token(token: str) -> int:
    if not token or len(token) > 200:
        raise LinkInvalid
    try:
        value = signing.TimestampSigner(salt=SALT).unsign(token, max_age=LINK_MAX_AGE)
    except (signing.BadSignature, ValueError):
        raise LinkInvalid from None
    if not value.isdigit():
        raise LinkInvalid
    return int(value)


def contact_for(ticket: Ticket, channel: str) -> str:
    """The client's primary e-mail (``email``) or phone (``sms``), or "" when none is on file."""
    if ticket.client is None:
        return ""
    kind = "email" if channel == "email" else "phone"
    contact = ticket.client.contacts.filter(kind=kind).order_by("-is_primary", "pk").first()
    return contact.value if contact is not None else ""


def notify_if_next(*, service_id: int) -> None:
    """Tell the first waiting ticket of the line, once, by its channel, that it is next (inside the caller's
    transaction, so the message is queued only if the call commits)."""
    head = (
        Ticket.objects.filter(service_id=service_id, status=TicketStatus.WAITING)
        .select_related("client", "service", "organisation")
        .order_by("-day", "-priority", "queued_at", "pk")
        .first()
    )
    if head is None or not head.notify_channel or head.next_notified_at is not None:
        return
    recipient = contact_for(head, head.notify_channel)
    if not recipient:
        return
    language = (head.client.preferred_language if head.client else "") or head.organisation.default_language
    with translation.override(language):
        text = _(
            "%(organisation)s: ticket %(code)s is next at %(service)s. Please come back to the waiting room now."
        ) % {"organisation": head.organisation.name, "code": head.code, "service": head.service.name}
        subject = _("You are next")
    if head.notify_channel == "email":
        email_queue(to=recipient, subject=subject, body=text, organisation=head.organisation)
    else:
        sms_queue(to=recipient, text=text, organisation=head.organisation)
    Ticket.objects.filter(pk=head.pk).update(next_notified_at=timezone.now())
