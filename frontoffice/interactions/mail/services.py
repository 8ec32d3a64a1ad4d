"""Writes of the e-mail channel: mailboxes, reading a mailbox, threading into cases, and replying.

Reading (``mailbox_poll``, run by the periodic job ``interactions.mail_poll`` and by
``frontoffice manage mail_poll``) remembers the folder's UIDVALIDITY and the last UID read, so a
message is fetched once; storing is idempotent by Message-ID as well (the contact's
``external_id`` is unique per organisation and channel), so a renumbered folder is read again
without duplicates. A mailbox that fails is retried with a doubling pause (1 minute up to 1 hour)
and shown as down to the managers.

Each message becomes an inbound e-mail contact (the sender matched to a client) that joins a case:
the case of an earlier message it answers (Message-ID, In-Reply-To, References), else the case
whose number is in the subject (``[C-2026-000123]``), else a new one. A delivery failure report
never opens a case: it joins the case of the message that bounced and marks that message bounced.
Nothing here ever answers automatically, so an auto-reply can never start a loop.
"""

from __future__ import annotations

import imaplib
import logging
import mimetypes
import os
import re
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from email.message import EmailMessage as StdEmailMessage
from email.utils import format_datetime, formataddr
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.html import linebreaks
from django.utils.translation import gettext as _

from frontoffice.core.audit import audit, signed_in_user
from frontoffice.core.models import Branch
from frontoffice.core.periodic import periodic

from .. import services as interaction_services
from ..choices import Channel, Direction, Outcome
from ..models import Case, EmailAttachment, EmailMessage, Interaction, Mailbox
from ..models.mail import DeliveryStatus
from . import transport
from .parsing import ParsedMail, message_ids, parse

log = logging.getLogger(__name__)

CASE_REFERENCE = re.compile(r"\[(C-\d{4}-\d{4,})\]")
BACKOFF_FIRST = timedelta(minutes=1)
BACKOFF_MOST = timedelta(hours=1)
# While one process reads a mailbox, others leave it alone for this long.
POLL_LEASE = timedelta(minutes=10)
SEND_ATTEMPTS = 8
REPLY_ATTACHMENTS_MOST = 10
MAILBOX_FIELDS = (
    "address",
    "from_name",
    "is_active",
    "imap_host",
    "imap_port",
    "imap_security",
    "imap_user",
    "imap_password",
    "imap_folder",
    "smtp_host",
    "smtp_port",
    "smtp_security",
    "smtp_user",
    "smtp_password",
    "poll_seconds",
)
SECRET_FIELDS = ("imap_password", "smtp_password")


def backoff(failures: int) -> timedelta:
    """The pause after ``failures`` failures in a row: 1, 2, 4 … minutes, never more than an hour."""
    return min(BACKOFF_FIRST * 2 ** max(failures - 1, 0), BACKOFF_MOST)


# --- Mailboxes ---------------------------------------------------------------------


@transaction.atomic
def mailbox_create(*, branch: Branch, actor: Any, data: dict[str, Any]) -> Mailbox:
    """Set up a mailbox that lands in ``branch``; it is read at the next sweep."""
    mailbox = Mailbox(organisation_id=branch.organisation_id, branch=branch)
    for name in MAILBOX_FIELDS:
        if name in data:
            setattr(mailbox, name, data[name])
    mailbox.full_clean()
    mailbox.save()
    audit(
        actor=actor,
        action="interactions.mailbox_create",
        target=mailbox,
        organisation=branch.organisation,
        branch=branch,
        summary=_("Mailbox %(address)s set up") % {"address": mailbox.address},
    )
    return mailbox


@transaction.atomic
def mailbox_update(*, mailbox: Mailbox, actor: Any, data: dict[str, Any], branch: Branch | None = None) -> Mailbox:
    """Change a mailbox; a blank password keeps the stored one (passwords are never shown back)."""
    if branch is not None:
        if branch.organisation_id != mailbox.organisation_id:
            raise ValidationError({"branch": _("This branch belongs to another organisation.")})
        mailbox.branch = branch
    changed = []
    for name in MAILBOX_FIELDS:
        if name not in data or (name in SECRET_FIELDS and not data[name]):
            continue
        if getattr(mailbox, name) != data[name]:
            changed.append(name)
            setattr(mailbox, name, data[name])
    if {"imap_host", "imap_user", "imap_folder"} & set(changed):
        # Another folder: its UIDs mean nothing here (Message-IDs still keep what was read from doubling).
        mailbox.uid_validity = None
        mailbox.last_uid = 0
    # Changed settings are tried at the next sweep, not after the back-off.
    mailbox.next_attempt_at = None
    mailbox.version += 1
    mailbox.full_clean()
    mailbox.save()
    audit(
        actor=actor,
        action="interactions.mailbox_update",
        target=mailbox,
        organisation=mailbox.branch.organisation,
        branch=mailbox.branch,
        summary=_("Mailbox %(address)s changed") % {"address": mailbox.address},
        data={"fields": [name for name in changed if name not in SECRET_FIELDS]},
    )
    return mailbox


def mailbox_test(*, mailbox: Mailbox) -> list[tuple[str, str]]:
    """Try signing in to the IMAP and SMTP servers; (server, error) for each that failed."""
    return transport.connection_check(mailbox)


def mailbox_failed(*, mailbox: Mailbox, error: BaseException, now: datetime | None = None) -> None:
    """Record that reading the mailbox failed: it shows as down, and is tried again after the back-off."""
    now = now or timezone.now()
    failures = mailbox.consecutive_failures + 1
    Mailbox.objects.filter(pk=mailbox.pk).update(
        consecutive_failures=failures,
        last_error=transport.describe(error),
        last_error_at=now,
        next_attempt_at=now + backoff(failures),
    )
    mailbox.refresh_from_db()
    log.warning("mailbox %s: %s (failure %d)", mailbox.address, transport.describe(error), failures)


def mailbox_idle_mark(*, pk: int, state: str) -> None:
    """Record what the IDLE watcher does with a mailbox (watching, no IDLE on the server, or nothing)."""
    Mailbox.objects.filter(pk=pk).update(idle=state, idle_seen_at=timezone.now() if state else None)


def mailbox_poll(*, mailbox: Mailbox, now: datetime | None = None, connection: imaplib.IMAP4 | None = None) -> int:
    """Read the mailbox's new messages into contacts and cases; return how many were new.

    ``connection`` is an open, signed-in IMAP session to read on (the IDLE watcher's); without
    it a session is opened for this read. Never raises for a server or network failure: it is
    recorded on the mailbox (with the next attempt after the back-off) and the mailbox shows as
    down until a read succeeds.
    """
    now = now or timezone.now()
    try:
        if connection is not None:
            stored, failed = _read_new(mailbox, connection, now)
        else:
            with transport.imap_session(mailbox) as session:
                stored, failed = _read_new(mailbox, session, now)
    except transport.READ_ERRORS as error:
        mailbox_failed(mailbox=mailbox, error=error, now=now)
        return 0
    if failed:
        return stored
    Mailbox.objects.filter(pk=mailbox.pk).update(
        consecutive_failures=0,
        last_error="",
        last_success_at=now,
        next_attempt_at=now + timedelta(seconds=mailbox.poll_seconds),
    )
    mailbox.refresh_from_db()
    return stored


def _read_new(mailbox: Mailbox, connection: imaplib.IMAP4, now: datetime) -> tuple[int, bool]:
    """Store the messages above the last UID read: (how many were new, whether storing one failed)."""
    stored = 0
    validity = transport.imap_select(connection, mailbox.imap_folder)
    after = mailbox.last_uid if mailbox.uid_validity == validity else 0
    for uid in transport.imap_new_uids(connection, after):
        raw = transport.imap_fetch(connection, uid)
        try:
            if message_ingest(mailbox=mailbox, raw=raw) is not None:
                stored += 1
        except IntegrityError:
            pass  # another process stored the same Message-ID a moment ago
        except Exception as error:
            # A message we cannot store: stop here (it is read again next time) and show the
            # mailbox as down with the reason, rather than skip the message and lose it.
            log.exception("mailbox %s: storing UID %s failed", mailbox.address, uid)
            mailbox_failed(mailbox=mailbox, error=error, now=now)
            return stored, True
        # Remember each message as soon as it is stored: a failure later does not read it twice.
        Mailbox.objects.filter(pk=mailbox.pk).update(last_uid=uid, uid_validity=validity)
        mailbox.last_uid, mailbox.uid_validity = uid, validity
    if mailbox.uid_validity != validity:
        Mailbox.objects.filter(pk=mailbox.pk).update(last_uid=after, uid_validity=validity)
    return stored, False


@periodic("interactions.mail_poll")
def mail_poll_due(now: datetime) -> int:
    """Read every active mailbox whose time has come; each is claimed first so one process reads it."""
    due = Mailbox.objects.filter(is_active=True).filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
    stored = 0
    for mailbox in due.select_related("branch"):
        claimed = Mailbox.objects.filter(pk=mailbox.pk, next_attempt_at=mailbox.next_attempt_at).update(
            next_attempt_at=now + POLL_LEASE
        )
        if claimed:
            stored += mailbox_poll(mailbox=mailbox, now=now)
    return stored


# --- Storing a message ---------------------------------------------------------------


def _survivor(case: Case) -> Case:
    seen = {case.pk}
    while case.merged_into_id is not None and case.merged_into_id not in seen:
        seen.add(case.merged_into_id)
        case = Case.objects.get(pk=case.merged_into_id)
    return case


def thread_case(*, organisation_id: int, parsed: ParsedMail) -> Case | None:
    """The case a message belongs to: by the messages it answers, then by a case number in its subject."""
    ids = [value for value in (parsed.in_reply_to, *parsed.references, *parsed.bounced_message_ids) if value]
    if ids:
        earlier = (
            EmailMessage.objects.filter(
                organisation_id=organisation_id, message_id__in=ids, interaction__case__isnull=False
            )
            .select_related("interaction__case")
            .order_by("-pk")
            .first()
        )
        if earlier is not None and earlier.interaction.case is not None:
            return _survivor(earlier.interaction.case)
    for number in CASE_REFERENCE.findall(parsed.subject):
        case = Case.objects.filter(organisation_id=organisation_id, number=number).first()
        if case is not None:
            return _survivor(case)
    return None


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}"


@transaction.atomic
def message_ingest(*, mailbox: Mailbox, raw: bytes) -> Interaction | None:
    """Store one raw message read from ``mailbox``; None when it was stored before (same Message-ID)."""
    parsed = parse(raw)
    organisation_id = mailbox.organisation_id
    if Interaction.objects.filter(
        organisation_id=organisation_id, channel=Channel.EMAIL, external_id=parsed.message_id
    ).exists():
        return None
    limit = settings.MAIL_ATTACHMENT_MAX_BYTES
    problems = list(parsed.problems)
    for attachment in parsed.attachments:
        if len(attachment.data) > limit:
            problems.append(
                _("The attachment %(name)s (%(size)s MB) is larger than %(limit)s MB and was not kept.")
                % {"name": attachment.filename, "size": _megabytes(len(attachment.data)), "limit": _megabytes(limit)}
            )
    case = thread_case(organisation_id=organisation_id, parsed=parsed)
    bounced = None
    if parsed.is_bounce and parsed.bounced_message_ids:
        bounced = (
            EmailMessage.objects.filter(
                organisation_id=organisation_id,
                message_id__in=parsed.bounced_message_ids,
                interaction__direction=Direction.OUTBOUND,
            )
            .order_by("-pk")
            .first()
        )
    summary = ""
    if parsed.is_bounce:
        summary = _("Delivery failure report: the message could not be delivered.")
    if problems:
        summary = "\n".join([summary, _("Could not be read:"), *problems]).strip()
    interaction = interaction_services.interaction_record(
        branch=mailbox.branch,
        channel=Channel.EMAIL,
        actor=None,
        direction=Direction.INBOUND,
        started_at=timezone.now(),
        contact_address="" if parsed.is_bounce else parsed.from_address,
        subject=parsed.subject[:200],
        summary=summary[:4000],
        external_id=parsed.message_id,
        case=case,
        outcome=Outcome.OTHER if parsed.is_bounce else "",
    )
    message = EmailMessage(
        organisation_id=organisation_id,
        interaction=interaction,
        mailbox=mailbox,
        message_id=parsed.message_id,
        in_reply_to=parsed.in_reply_to,
        references=" ".join(parsed.references),
        from_address=parsed.from_address,
        from_name=parsed.from_name,
        to=", ".join(parsed.to),
        cc=", ".join(parsed.cc),
        subject=parsed.subject,
        text_body=parsed.text_body,
        html_body=parsed.html_body,
        headers=parsed.headers,
        is_auto_submitted=parsed.is_auto_submitted,
        is_bounce=parsed.is_bounce,
        problems="\n".join(problems),
        size=parsed.size,
        status=DeliveryStatus.RECEIVED,
    )
    message.full_clean()
    message.save()
    for attachment in parsed.attachments:
        row = EmailAttachment(
            message=message,
            filename=attachment.filename,
            content_type=attachment.content_type,
            size=len(attachment.data),
            skipped=len(attachment.data) > limit,
        )
        if not row.skipped:
            row.file.save(attachment.filename, ContentFile(attachment.data), save=False)
        row.save()
    if bounced is not None:
        bounced.status = DeliveryStatus.BOUNCED
        bounced.send_error = (parsed.text_body or summary)[:2000]
        bounced.save(update_fields=["status", "send_error", "updated_at"])
    if case is None and not parsed.is_bounce:
        # Auto-replies open cases as people's mail does (a web form's notification is one); they are
        # only never answered automatically. Delivery reports never open one.
        interaction_services.case_open(
            branch=mailbox.branch,
            subject=(parsed.subject or _("(no subject)"))[:200],
            actor=None,
            channel=Channel.EMAIL,
            interaction=interaction,
        )
    return interaction


def may_auto_reply(message: EmailMessage) -> bool:
    """Whether an automatic answer (an acknowledgement) may go to this message's sender: never to a program."""
    return not (message.is_auto_submitted or message.is_bounce or not message.from_address)


# --- Replying ---------------------------------------------------------------------------


def _reply_subject(subject: str, number: str, *, answering: bool) -> str:
    subject = subject.strip()
    if answering and subject and not re.match(r"(?i)^(re|odp|aw|sv):", subject):
        subject = f"Re: {subject}"
    if f"[{number}]" not in subject:
        subject = f"{subject} [{number}]".strip()
    return subject[:500]


def _case_mailbox(case: Case, last: EmailMessage | None) -> Mailbox:
    if last is not None and last.mailbox is not None:
        return last.mailbox
    mailboxes = Mailbox.objects.filter(organisation_id=case.organisation_id, is_active=True).order_by("pk")
    mailbox = mailboxes.filter(branch_id=case.branch_id).first() or mailboxes.first()
    if mailbox is None:
        raise ValidationError(_("The organisation has no active mailbox to send from."))
    return mailbox


def _attachment_name(file: File) -> str:
    name = os.path.basename((getattr(file, "name", "") or "").replace("\\", "/")).strip()
    return (name or "attachment")[-255:]


def _check_attachments(files: Sequence[File]) -> None:
    """Refuse, with a translated message, more files or more megabytes than one reply may carry."""
    if len(files) > REPLY_ATTACHMENTS_MOST:
        raise ValidationError(
            {"attachments": _("At most %(count)s files may go with one reply.") % {"count": REPLY_ATTACHMENTS_MOST}}
        )
    limit = settings.MAIL_ATTACHMENT_MAX_BYTES
    total = sum(file.size or 0 for file in files)
    if total > limit:
        raise ValidationError(
            {
                "attachments": _("The attachments come to %(size)s; at most %(limit)s may go with one reply.")
                % {"size": filesizeformat(total), "limit": filesizeformat(limit)}
            }
        )
    for file in files:
        if not file.size:
            raise ValidationError({"attachments": _("The file %(name)s is empty.") % {"name": _attachment_name(file)}})


@transaction.atomic
def email_reply(
    *, case: Case, body: str, actor: Any, to: str | None = None, attachments: Sequence[File] = ()
) -> EmailMessage:
    """Answer a case by e-mail; the message is recorded at once and sent when the transaction commits.

    - Sent from the mailbox the case's last e-mail came through (else the organisation's active
      mailbox at the case's branch, else any active one); ``ValidationError`` when there is none.
    - ``attachments`` (uploaded files, any type) go with it: at most ``REPLY_ATTACHMENTS_MOST``
      files and ``MAIL_ATTACHMENT_MAX_BYTES`` together. They are kept privately with the message,
      so a retried send carries them too.
    - To ``to`` when given, else the sender of the case's last inbound e-mail, else the case's
      client's e-mail address; ``ValidationError`` when nobody is known.
    - The subject carries the case number (``Re: … [C-2026-000123]``); ``In-Reply-To`` and
      ``References`` point at the case's last e-mail, so the customer's answer threads back here.
    - Returns the outbound ``EmailMessage`` (``status`` queued); its ``interaction`` is the
      outbound e-mail contact on the case. A failed send is recorded and retried by the
      periodic job ``interactions.mail_send``; it is never lost.
    """
    body = body.strip()
    if not body:
        raise ValidationError({"body": _("Write the reply.")})
    attachments = list(attachments)
    _check_attachments(attachments)
    emails = EmailMessage.objects.filter(interaction__case=case).select_related("mailbox")
    last = emails.order_by("-pk").first()
    last_inbound = (
        emails.filter(interaction__direction=Direction.INBOUND, is_bounce=False, is_auto_submitted=False)
        .order_by("-pk")
        .first()
    ) or emails.filter(interaction__direction=Direction.INBOUND, is_bounce=False).order_by("-pk").first()
    recipient = (to or "").strip()
    if not recipient and last_inbound is not None:
        reply_to = last_inbound.headers.get("Reply-To", "")
        recipient = (message_ids(f"<{reply_to}>") and reply_to.strip("<> ")) or last_inbound.from_address
    if not recipient and case.client is not None:
        recipient = _client_email(case)
    if not recipient:
        raise ValidationError({"to": _("Nobody to send to: give the recipient's address.")})
    try:
        validate_email(recipient)
    except ValidationError:
        raise ValidationError({"to": _("This is not an e-mail address.")}) from None
    mailbox = _case_mailbox(case, last)
    domain = mailbox.address.rsplit("@", 1)[-1]
    message_id = f"<{uuid.uuid4().hex}@{domain}>"
    thread_from = last_inbound or last
    references = []
    in_reply_to = ""
    if thread_from is not None:
        references = [*message_ids(thread_from.references), thread_from.message_id][-20:]
        in_reply_to = thread_from.message_id
    subject = _reply_subject(
        thread_from.subject if thread_from else case.subject, case.number, answering=thread_from is not None
    )
    now = timezone.now()
    interaction = interaction_services.interaction_record(
        branch=case.branch,
        channel=Channel.EMAIL,
        actor=actor,
        direction=Direction.OUTBOUND,
        started_at=now,
        staff=signed_in_user(actor),
        contact_address=recipient,
        client=case.client,
        subject=subject[:200],
        external_id=message_id,
        case=case,
        outcome=Outcome.INFORMATION,
    )
    message = EmailMessage(
        organisation_id=case.organisation_id,
        interaction=interaction,
        mailbox=mailbox,
        message_id=message_id,
        in_reply_to=in_reply_to,
        references=" ".join(references),
        from_address=mailbox.address,
        from_name=mailbox.from_name,
        to=recipient,
        subject=subject,
        text_body=body,
        status=DeliveryStatus.QUEUED,
        next_attempt_at=now,
    )
    message.full_clean()
    message.save()
    for file in attachments:
        name = _attachment_name(file)
        row = EmailAttachment(
            message=message,
            filename=name,
            content_type=mimetypes.guess_type(name)[0] or "application/octet-stream",
            size=file.size or 0,
        )
        file.seek(0)
        row.file.save(name, file, save=False)
        row.full_clean()
        row.save()
    audit(
        actor=actor,
        action="interactions.email_reply",
        target=case,
        organisation=case.branch.organisation,
        branch=case.branch,
        summary=_("E-mail reply to %(to)s on case %(number)s") % {"to": recipient, "number": case.number},
    )
    transaction.on_commit(partial(_deliver_quietly, message.pk))
    return message


def _client_email(case: Case) -> str:
    """The case's client's e-mail address on file (the primary one first)."""
    from frontoffice.clients.choices import ContactKind

    assert case.client is not None
    contact = case.client.contacts.filter(kind=ContactKind.EMAIL).order_by("-is_primary", "pk").first()
    return contact.value if contact is not None else ""


def build_message(message: EmailMessage) -> StdEmailMessage:
    """The outbound message as it goes over SMTP."""
    mailbox = message.mailbox
    assert mailbox is not None
    email = StdEmailMessage()
    email["From"] = formataddr((mailbox.from_name, mailbox.address)) if mailbox.from_name else mailbox.address
    email["To"] = message.to
    email["Subject"] = message.subject
    email["Date"] = format_datetime(message.created_at)
    email["Message-ID"] = message.message_id
    if message.in_reply_to:
        email["In-Reply-To"] = message.in_reply_to
    if message.references:
        email["References"] = message.references
    # A person wrote this; asking others not to auto-answer keeps out-of-office storms away.
    email["X-Auto-Response-Suppress"] = "OOF, AutoReply"
    # Plain text for every reader, and the same text as simple HTML for the ones that prefer it.
    email.set_content(message.text_body)
    email.add_alternative(
        f"<!DOCTYPE html><html><body>{linebreaks(message.text_body, autoescape=True)}</body></html>", subtype="html"
    )
    for attachment in message.attachments.filter(skipped=False).order_by("pk"):
        with attachment.file.open("rb") as stored:
            data = stored.read()
        maintype, _slash, subtype = attachment.content_type.partition("/")
        email.add_attachment(
            data, maintype=maintype or "application", subtype=subtype or "octet-stream", filename=attachment.filename
        )
    return email


def _deliver_quietly(message_pk: int) -> None:
    email_deliver(message_pk=message_pk)


def email_deliver(*, message_pk: int, now: datetime | None = None) -> EmailMessage:
    """Send one queued outbound message; a failure is recorded with the next attempt, never raised."""
    now = now or timezone.now()
    message = EmailMessage.objects.select_related("mailbox").get(pk=message_pk)
    if message.status != DeliveryStatus.QUEUED or message.mailbox is None:
        return message
    # Claim it: a parallel sweep or a second call does not send twice.
    claimed = EmailMessage.objects.filter(
        pk=message.pk, status=DeliveryStatus.QUEUED, attempts=message.attempts
    ).update(attempts=message.attempts + 1, next_attempt_at=now + POLL_LEASE)
    if not claimed:
        return message
    message.attempts += 1
    try:
        transport.smtp_send(message.mailbox, build_message(message))
    except transport.MAIL_ERRORS as error:
        message.send_error = transport.describe(error)
        if message.attempts >= SEND_ATTEMPTS:
            message.status = DeliveryStatus.FAILED
            message.next_attempt_at = None
        else:
            message.next_attempt_at = now + backoff(message.attempts)
        message.save(update_fields=["send_error", "status", "next_attempt_at", "updated_at"])
        log.warning("sending %s failed (attempt %d): %s", message.message_id, message.attempts, message.send_error)
        return message
    message.status = DeliveryStatus.SENT
    message.sent_at = now
    message.send_error = ""
    message.next_attempt_at = None
    message.save(update_fields=["send_error", "status", "sent_at", "next_attempt_at", "updated_at"])
    Interaction.objects.filter(pk=message.interaction_id).update(ended_at=now)
    return message


@periodic("interactions.mail_send")
def mail_send_due(now: datetime) -> int:
    """Send (again) every reply whose attempt is due; return how many went out."""
    due = EmailMessage.objects.filter(status=DeliveryStatus.QUEUED, next_attempt_at__lte=now).values_list(
        "pk", flat=True
    )
    return sum(email_deliver(message_pk=pk, now=now).status == DeliveryStatus.SENT for pk in list(due[:200]))


@transaction.atomic
def email_retry(*, message: EmailMessage, actor: Any) -> EmailMessage:
    """Put a reply that could not be sent back in the queue (after the server is fixed)."""
    if message.status != DeliveryStatus.FAILED:
        return message
    message.status = DeliveryStatus.QUEUED
    message.attempts = 0
    message.next_attempt_at = timezone.now()
    message.save(update_fields=["status", "attempts", "next_attempt_at", "updated_at"])
    interaction = message.interaction
    audit(
        actor=actor,
        action="interactions.email_retry",
        target=interaction,
        organisation=interaction.branch.organisation,
        branch=interaction.branch,
        summary=_("E-mail queued again: %(subject)s") % {"subject": message.subject},
    )
    transaction.on_commit(partial(_deliver_quietly, message.pk))
    return message


def case_reply_by_email(*, case: Case, body: str, actor: Any, attachments: Sequence[File] = ()) -> Interaction:
    """The reply sender of e-mail cases (``cases.replies``, registered in ``apps.py``): the outbound contact."""
    return email_reply(case=case, body=body, actor=actor, attachments=attachments).interaction
