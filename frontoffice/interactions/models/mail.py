"""E-mail: the organisation's mailboxes, every message read or sent, and the files that came with them.

A ``Mailbox`` is read over IMAP by a periodic job and sends over SMTP. Each message read becomes an
inbound e-mail ``Interaction`` with one ``EmailMessage`` (headers, bodies, what could not be read) and
its ``EmailAttachment`` rows; each reply sent is an outbound ``Interaction`` with its ``EmailMessage``,
which also carries the delivery state (queued, sent, failed, bounced) so that nothing is lost.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from frontoffice.core.files import PrivateUploadTo, private_storage
from frontoffice.core.models import Branch, Organisation, TimeStampedModel
from frontoffice.core.sealing import SealedCharField

from .contacts import Interaction


class Security(models.TextChoices):
    """How the connection to a mail server is protected."""

    SSL = "ssl", _("TLS from the start (IMAPS 993, SMTPS 465)")
    STARTTLS = "starttls", _("STARTTLS (IMAP 143, submission 587)")
    NONE = "none", _("None (test servers only)")


class IdleState(models.TextChoices):
    """What the worker's IDLE watcher last said about a mailbox (mail/watch.py)."""

    NONE = "", _("not watched")
    WATCHING = "watching", _("watched with IDLE")
    UNSUPPORTED = "unsupported", _("the server offers no IDLE")


# The IDLE watcher renews its IDLE (and confirms it on the mailbox) this often; a confirmation older than
# IDLE_STALE means the watcher is gone (the worker stopped) and only the periodic poll reads the mailbox.
IDLE_RENEW = timedelta(minutes=10)
IDLE_STALE = IDLE_RENEW + timedelta(minutes=2)


class DeliveryStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    QUEUED = "queued", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Could not be sent")
    BOUNCED = "bounced", _("Bounced")


class Mailbox(TimeStampedModel):
    """An address of the organisation: read over IMAP into one branch, answered over SMTP."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    branch = models.ForeignKey(
        Branch,
        verbose_name=_("branch"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The branch the mail lands in: its staff see the messages and the cases."),
    )
    address = models.EmailField(_("address"))
    from_name = models.CharField(_("sender name"), max_length=120, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    imap_host = models.CharField(_("IMAP server"), max_length=255)
    imap_port = models.PositiveIntegerField(_("IMAP port"), default=993)
    imap_security = models.CharField(_("IMAP security"), max_length=10, choices=Security.choices, default=Security.SSL)
    imap_user = models.CharField(_("IMAP user"), max_length=255)
    imap_password = SealedCharField(_("IMAP password"), max_length=255, blank=True)
    imap_folder = models.CharField(_("folder"), max_length=255, default="INBOX")
    smtp_host = models.CharField(_("SMTP server"), max_length=255)
    smtp_port = models.PositiveIntegerField(_("SMTP port"), default=587)
    smtp_security = models.CharField(
        _("SMTP security"), max_length=10, choices=Security.choices, default=Security.STARTTLS
    )
    smtp_user = models.CharField(_("SMTP user"), max_length=255, blank=True)
    smtp_password = SealedCharField(_("SMTP password"), max_length=255, blank=True)
    poll_seconds = models.PositiveIntegerField(
        _("check every (seconds)"), default=120, help_text=_("How often new mail is looked for.")
    )
    # Where reading stopped: a new UIDVALIDITY means the server renumbered the folder.
    uid_validity = models.BigIntegerField(_("UIDVALIDITY"), null=True, blank=True, editable=False)
    last_uid = models.BigIntegerField(_("last UID read"), default=0, editable=False)
    last_success_at = models.DateTimeField(_("last read"), null=True, blank=True, editable=False)
    last_error = models.TextField(_("last error"), blank=True, editable=False)
    last_error_at = models.DateTimeField(_("last error at"), null=True, blank=True, editable=False)
    consecutive_failures = models.PositiveIntegerField(_("failures in a row"), default=0, editable=False)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True, editable=False)
    idle = models.CharField(
        _("IDLE"), max_length=12, choices=IdleState.choices, default=IdleState.NONE, blank=True, editable=False
    )
    idle_seen_at = models.DateTimeField(_("IDLE last confirmed"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("mailbox")
        verbose_name_plural = _("mailboxes")
        ordering = ["address", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "address"], name="mailbox_address_unique"),
        ]
        indexes = [models.Index(fields=["is_active", "next_attempt_at"], name="mailbox_due_idx")]

    def __str__(self) -> str:
        return self.address

    @property
    def is_down(self) -> bool:
        return self.consecutive_failures > 0

    @property
    def poll_minutes(self) -> int:
        return max(1, -(-self.poll_seconds // 60))

    @property
    def is_watched(self) -> bool:
        """New mail is read within seconds: the worker holds an IDLE connection and confirmed it lately."""
        return (
            self.idle == IdleState.WATCHING
            and self.idle_seen_at is not None
            and timezone.now() - self.idle_seen_at <= IDLE_STALE
        )


class EmailMessage(TimeStampedModel):
    """The e-mail behind an e-mail contact: its headers, its bodies, and (outbound) its delivery."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    interaction = models.OneToOneField(
        Interaction, verbose_name=_("contact"), on_delete=models.CASCADE, related_name="email"
    )
    mailbox = models.ForeignKey(
        Mailbox, verbose_name=_("mailbox"), on_delete=models.SET_NULL, null=True, blank=True, related_name="messages"
    )
    message_id = models.CharField(_("Message-ID"), max_length=255)
    in_reply_to = models.CharField(_("In-Reply-To"), max_length=255, blank=True)
    references = models.TextField(_("References"), blank=True)
    from_address = models.CharField(_("from"), max_length=254, blank=True)
    from_name = models.CharField(_("sender name"), max_length=200, blank=True)
    to = models.TextField(_("to"), blank=True)
    cc = models.TextField(_("copy to"), blank=True)
    subject = models.CharField(_("subject"), max_length=500, blank=True)
    text_body = models.TextField(_("text"), blank=True)
    html_body = models.TextField(_("HTML (sanitised)"), blank=True)
    headers = models.JSONField(_("headers of note"), default=dict, blank=True)
    is_auto_submitted = models.BooleanField(_("automatic reply"), default=False)
    is_bounce = models.BooleanField(_("delivery failure report"), default=False)
    problems = models.TextField(_("what could not be read"), blank=True)
    size = models.PositiveIntegerField(_("size in bytes"), default=0)
    status = models.CharField(
        _("delivery"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.RECEIVED
    )
    attempts = models.PositiveSmallIntegerField(_("send attempts"), default=0)
    send_error = models.TextField(_("last sending error"), blank=True)
    next_attempt_at = models.DateTimeField(_("next send attempt"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("e-mail")
        verbose_name_plural = _("e-mails")
        ordering = ["-created_at", "-pk"]
        indexes = [
            # Threading looks earlier messages up by their Message-ID within the organisation.
            models.Index(fields=["organisation", "message_id"], name="email_message_id_idx"),
            models.Index(fields=["status", "next_attempt_at"], name="email_send_due_idx"),
        ]

    def __str__(self) -> str:
        return self.subject or self.message_id


class EmailAttachment(TimeStampedModel):
    """A file that came with an e-mail, kept privately; an oversized one is listed but not kept."""

    message = models.ForeignKey(
        EmailMessage, verbose_name=_("e-mail"), on_delete=models.CASCADE, related_name="attachments"
    )
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=127)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    file = models.FileField(
        _("file"), storage=private_storage, upload_to=PrivateUploadTo("mail"), max_length=255, blank=True
    )
    skipped = models.BooleanField(_("not kept (too large)"), default=False)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.filename
