"""E-mail through the API: mailboxes and their status (managers), an e-mail contact's message, replying to a case."""

import base64
import binascii
from datetime import datetime
from typing import Any

from django.core.files.base import ContentFile
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import field_validator
from pydantic_core import PydanticCustomError

from frontoffice.core.apikit import Id, InSchema, LimitOffsetPagination, current_user, idempotent, requires

from ..permissions import CasePermission, InteractionPermission
from ..selectors import case_get
from . import selectors, services

router = Router(tags=["Interactions"])

MANAGE = InteractionPermission.MANAGE_CHANNELS.perm
VIEW = InteractionPermission.VIEW_INTERACTIONS.perm
VIEW_CASES = CasePermission.VIEW_CASES.perm
WORK = CasePermission.WORK_CASES.perm


class MailboxOut(Schema):
    """A mailbox's settings without its passwords, and how reading it goes."""

    id: int
    branch_id: int
    address: str
    from_name: str
    is_active: bool
    imap_host: str
    imap_port: int
    imap_security: str = Field(description="ssl, starttls or none.")
    imap_user: str
    imap_folder: str
    smtp_host: str
    smtp_port: int
    smtp_security: str = Field(description="ssl, starttls or none.")
    smtp_user: str
    poll_seconds: int
    is_down: bool = Field(description="The last attempt to read it failed.")
    last_success_at: datetime | None
    last_error: str
    last_error_at: datetime | None
    consecutive_failures: int
    next_attempt_at: datetime | None = Field(description="When it is read next (later after failures, up to 1 h).")
    is_watched: bool = Field(
        description="The worker holds an IDLE connection, so new mail is read within seconds (else at each poll)."
    )
    idle: str = Field(description='What the IDLE watcher last said: "watching", "unsupported" or "" (not watched).')
    idle_seen_at: datetime | None = Field(description="When the IDLE watcher last confirmed its connection.")


class AttachmentOut(Schema):
    id: int
    filename: str
    content_type: str
    size: int
    skipped: bool = Field(description="Too large: listed but not kept.")


class EmailOut(Schema):
    id: int
    interaction_id: int
    case_id: int | None = Field(description="The case the e-mail belongs to.")
    direction: str = Field(description="inbound or outbound.")
    message_id: str
    in_reply_to: str
    references: str
    from_address: str
    from_name: str
    to: str
    cc: str
    subject: str
    text_body: str
    html_body: str = Field(description="Sanitised: no scripts, styles, handlers or remote images.")
    is_auto_submitted: bool
    is_bounce: bool
    problems: str = Field(description="What could not be read, one line each.")
    status: str = Field(description="received; or for replies queued, sent, failed or bounced.")
    send_error: str
    sent_at: datetime | None
    created_at: datetime
    attachments: list[AttachmentOut]

    @staticmethod
    def resolve_case_id(obj: Any) -> int | None:
        return obj.interaction.case_id

    @staticmethod
    def resolve_direction(obj: Any) -> str:
        return obj.interaction.direction

    @staticmethod
    def resolve_attachments(obj: Any) -> list[Any]:
        return list(obj.attachments.all())


class AttachmentIn(InSchema):
    filename: str = Field(min_length=1, max_length=255, examples=["price-list.pdf"])
    content_base64: str = Field(min_length=1, description="The file's bytes, base64-encoded.")

    @field_validator("content_base64")
    @classmethod
    def _base64(cls, value: str) -> str:
        try:
            base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raise PydanticCustomError("base64", _("This is not base64-encoded content.")) from None
        return value

    def as_file(self) -> ContentFile[bytes]:
        return ContentFile(base64.b64decode(self.content_base64), name=self.filename)


class ReplyIn(InSchema):
    body: str = Field(min_length=1, max_length=20000)
    to: str | None = Field(None, max_length=254, description="Default: the sender of the case's last e-mail.")
    attachments: list[AttachmentIn] = Field(
        default_factory=list,
        description="Files to send with the reply: at most 10, together at most FRONTOFFICE_MAIL_ATTACHMENT_MAX_MB.",
    )


@router.get("/interactions/mail/mailboxes", response=list[MailboxOut], summary="List mailboxes")
@paginate(LimitOffsetPagination)
@requires(MANAGE)
def interactions_mail_mailbox_list(request: HttpRequest) -> Any:
    """Mailboxes landing in your branches with how reading them goes; passwords are never returned."""
    return selectors.mailbox_list(user=current_user(request))


@router.get("/interactions/mail/mailboxes/{int:mailbox_id}", response=MailboxOut, summary="Get a mailbox")
@requires(MANAGE)
def interactions_mail_mailbox_get(request: HttpRequest, mailbox_id: Id) -> Any:
    return selectors.mailbox_get(user=current_user(request), pk=mailbox_id)


@router.get(
    "/interactions/mail/contacts/{int:interaction_id}", response=list[EmailOut], summary="Get a contact's e-mail"
)
@requires(VIEW)
def interactions_mail_contact_messages(request: HttpRequest, interaction_id: Id) -> Any:
    """The message of an e-mail contact (a list of one, so that other channels can share the shape)."""
    interaction = selectors.email_interaction_get(user=current_user(request), pk=interaction_id)
    return list(selectors.email_messages_of(interaction=interaction).select_related("interaction"))


@router.get("/interactions/mail/cases/{int:case_id}", response=list[EmailOut], summary="List a case's e-mails")
@requires(VIEW, VIEW_CASES)
def interactions_mail_case_messages(request: HttpRequest, case_id: Id) -> Any:
    """Every e-mail of a case, oldest first."""
    user = current_user(request)
    case = case_get(user=user, pk=case_id)
    return list(selectors.case_emails(user=user, case_id=case.pk))


@router.post(
    "/interactions/mail/cases/{int:case_id}/reply", response={201: EmailOut}, summary="Reply to a case by e-mail"
)
@requires(WORK)
@idempotent
def interactions_mail_reply(request: HttpRequest, case_id: Id, payload: ReplyIn) -> Any:
    """Records the reply on the case and sends it from the case's mailbox (status `queued` until the
    server takes it; a failure is retried). The subject carries the case number and the threading
    headers point at the case's last e-mail. Files go in `attachments` (base64); they are kept with the
    message and shown on the outbound contact. Send `Idempotency-Key` to make a retry safe."""
    user = current_user(request)
    case = case_get(user=user, pk=case_id)
    message = services.email_reply(
        case=case,
        body=payload.body,
        actor=user,
        to=payload.to,
        attachments=[attachment.as_file() for attachment in payload.attachments],
    )
    return Status(201, message)
