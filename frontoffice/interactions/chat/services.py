"""Writes of the web chat: widgets, conversations and their messages, taking and ending chats,
and the offline form that becomes an e-mail case.

Every change is published after commit: ``branch_channel`` tells the branch's agents (a visitor
waits, a chat was taken or ended), ``conversation_channel`` tells the visitor's widget and the
agent's conversation page (a new message, the chat was taken or ended).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from frontoffice.core.audit import audit, signed_in_user
from frontoffice.core.events import channel, publish
from frontoffice.core.models import Branch

from .. import reporting, services
from ..choices import Channel, Outcome
from ..models import Case, ChatConversation, ChatMessage, ChatWidget
from ..models.chat import MESSAGE_MAX_LENGTH, ChatAuthor, ChatStatus, HoursSource
from .hours import parse_hours

KEY_SALT = "interactions.chat.visitor"


class ChatClosed(Exception):
    """The conversation has ended: no more messages."""


class AlreadyTaken(Exception):
    """Another agent took the chat first."""


def branch_channel(branch_id: int, organisation_id: int) -> str:
    return channel(organisation_id, "chat", "branch", branch_id)


def conversation_channel(conversation: ChatConversation) -> str:
    return channel(conversation.organisation_id, "chat", "conversation", conversation.pk)


def visitor_key(conversation: ChatConversation) -> str:
    """The signed key the visitor's widget sends with every request (no cookies)."""
    return signing.dumps({"c": conversation.pk, "w": conversation.widget_id}, salt=KEY_SALT, compress=True)


def conversation_for_key(*, widget: ChatWidget, key: str) -> ChatConversation | None:
    try:
        data = signing.loads(key, salt=KEY_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("w") != widget.pk or not isinstance(data.get("c"), int):
        return None
    return ChatConversation.objects.select_related("interaction").filter(pk=data["c"], widget=widget).first()


def message_data(message: ChatMessage) -> dict[str, Any]:
    """A message as the widget and the agent page receive it (text stays text: they escape it)."""
    return {"id": message.pk, "author": message.author, "text": message.text, "at": message.at.isoformat()}


def _clean_origins(text: str) -> str:
    validate = URLValidator(schemes=["http", "https"])
    origins = []
    for line in text.splitlines():
        origin = line.strip().rstrip("/")
        if not origin:
            continue
        try:
            validate(origin)
        except ValidationError:
            raise ValidationError(
                {"allowed_origins": _("%(origin)s is not a website address.") % {"origin": origin}}
            ) from None
        if origin.count("/") > 2:
            raise ValidationError(
                {"allowed_origins": _("Write only the scheme and host of %(origin)s, no path.") % {"origin": origin}}
            )
        origins.append(origin)
    return "\n".join(origins)


WIDGET_FIELDS = (
    "name",
    "allowed_origins",
    "greeting_en",
    "greeting_pl",
    "accent_colour",
    "text_colour",
    "hours_source",
    "own_hours",
    "answer_within_minutes",
    "is_active",
)


def _check_widget(widget: ChatWidget) -> None:
    widget.allowed_origins = _clean_origins(widget.allowed_origins)
    if widget.hours_source == HoursSource.OWN:
        try:
            parse_hours(widget.own_hours)
        except ValidationError as error:
            raise ValidationError({"own_hours": error.messages}) from None
    widget.full_clean()


@transaction.atomic
def widget_create(*, branch: Branch, actor: Any, **fields: Any) -> ChatWidget:
    """A new widget for ``branch``; ``fields`` are the editable ones (``WIDGET_FIELDS``)."""
    widget = ChatWidget(
        organisation_id=branch.organisation_id,
        branch=branch,
        created_by=signed_in_user(actor),
        **{name: value for name, value in fields.items() if name in WIDGET_FIELDS},
    )
    _check_widget(widget)
    widget.save()
    audit(
        actor=actor,
        action="interactions.chat_widget_create",
        target=widget,
        organisation=branch.organisation,
        branch=branch,
        summary=_("Chat widget %(name)s created") % {"name": widget.name},
    )
    return widget


@transaction.atomic
def widget_update(*, widget: ChatWidget, branch: Branch, actor: Any, **fields: Any) -> ChatWidget:
    if branch.organisation_id != widget.organisation_id:
        raise ValidationError({"branch": _("This branch belongs to another organisation.")})
    widget.branch = branch
    for name, value in fields.items():
        if name in WIDGET_FIELDS:
            setattr(widget, name, value)
    _check_widget(widget)
    widget.save()
    audit(
        actor=actor,
        action="interactions.chat_widget_update",
        target=widget,
        organisation=branch.organisation,
        branch=branch,
        summary=_("Chat widget %(name)s changed") % {"name": widget.name},
    )
    return widget


def _clean_email(email: str, *, required: bool = False) -> str:
    email = email.strip()
    if required and not email:
        raise ValidationError({"email": _("Give your e-mail address: the answer goes there.")})
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise ValidationError({"email": _("Enter a valid e-mail address.")}) from None
    return email


def _clean_text(text: str) -> str:
    text = text.replace("\x00", "").strip()
    if not text:
        raise ValidationError({"text": _("Write a message.")})
    if len(text) > MESSAGE_MAX_LENGTH:
        raise ValidationError(
            {"text": _("A message may have at most %(limit)s characters.") % {"limit": MESSAGE_MAX_LENGTH}}
        )
    return text


def _add_message(
    conversation: ChatConversation, *, author: str, text: str, staff: Any = None, at: datetime.datetime | None = None
) -> ChatMessage:
    message = ChatMessage(conversation=conversation, author=author, text=text, staff=staff, at=at or timezone.now())
    message.full_clean()
    message.save()
    publish(conversation_channel(conversation), {"type": "chat.message", "message": message_data(message)})
    publish(
        branch_channel(conversation.branch_id, conversation.organisation_id),
        {"type": "chat.message", "conversation": conversation.pk, "author": author},
    )
    return message


@transaction.atomic
def chat_start(
    *, widget: ChatWidget, name: str = "", email: str = "", language: str = "pl", text: str = ""
) -> ChatConversation:
    """A visitor starts a chat: one chat contact (matched to a client by the e-mail), waiting for an agent."""
    name = name.replace("\x00", "").strip()[:100]
    email = _clean_email(email)
    interaction = services.interaction_record(
        branch=widget.branch,
        channel=Channel.CHAT,
        actor=None,
        contact_address=email,
        subject=name,
        report=False,  # reported when the chat ends, with the agent who took it
    )
    conversation = ChatConversation(
        organisation_id=widget.organisation_id,
        branch_id=widget.branch_id,
        widget=widget,
        interaction=interaction,
        visitor_name=name,
        visitor_email=email,
        language="pl" if language.startswith("pl") else "en",
    )
    conversation.full_clean()
    conversation.save()
    interaction.external_id = f"chat-{conversation.pk}"
    interaction.save(update_fields=["external_id", "updated_at"])
    if text.strip():
        _add_message(conversation, author=ChatAuthor.VISITOR, text=_clean_text(text))
    publish(
        branch_channel(widget.branch_id, widget.organisation_id),
        {"type": "chat.waiting", "conversation": conversation.pk},
    )
    return conversation


@transaction.atomic
def chat_visitor_say(*, conversation: ChatConversation, text: str) -> ChatMessage:
    if conversation.status == ChatStatus.ENDED:
        raise ChatClosed
    return _add_message(conversation, author=ChatAuthor.VISITOR, text=_clean_text(text))


@transaction.atomic
def chat_take(*, conversation: ChatConversation, agent: Any) -> ChatConversation:
    """Assign a waiting chat to ``agent``; when two agents press at once, one gets it, the other AlreadyTaken."""
    taken = ChatConversation.objects.filter(pk=conversation.pk, status=ChatStatus.WAITING).update(
        status=ChatStatus.ACTIVE, agent=agent, updated_at=timezone.now()
    )
    if not taken:
        raise AlreadyTaken
    conversation.refresh_from_db()
    now = timezone.now()
    interaction = conversation.interaction
    interaction.staff = agent
    interaction.answered_at = max(now, interaction.started_at)
    interaction.save(update_fields=["staff", "answered_at", "updated_at"])
    who = agent.get_full_name() or agent.username
    _add_message(
        conversation,
        author=ChatAuthor.SYSTEM,
        text=(_("%(agent)s joined the chat.") % {"agent": who}),
    )
    publish(conversation_channel(conversation), {"type": "chat.taken", "agent": who})
    publish(
        branch_channel(conversation.branch_id, conversation.organisation_id),
        {"type": "chat.taken", "conversation": conversation.pk},
    )
    audit(
        actor=agent,
        action="interactions.chat_take",
        target=interaction,
        organisation=interaction.branch.organisation,
        branch=interaction.branch,
        summary=_("Chat taken"),
    )
    return conversation


@transaction.atomic
def chat_reply(*, conversation: ChatConversation, agent: Any, text: str) -> ChatMessage:
    """The agent who holds the chat answers."""
    if conversation.status == ChatStatus.ENDED:
        raise ChatClosed
    if conversation.agent_id != agent.pk:
        raise ValidationError(_("Take the chat before you answer."))
    return _add_message(conversation, author=ChatAuthor.AGENT, text=_clean_text(text), staff=agent)


@transaction.atomic
def chat_end(*, conversation: ChatConversation, actor: Any = None, outcome: str = "") -> ChatConversation:
    """End a chat (the agent, or the visitor when ``actor`` is None); ending twice changes nothing."""
    if conversation.status == ChatStatus.ENDED:
        return conversation
    interaction = conversation.interaction
    if not outcome:
        outcome = Outcome.INFORMATION if conversation.status == ChatStatus.ACTIVE else Outcome.ABANDONED
    conversation.status = ChatStatus.ENDED
    conversation.save(update_fields=["status", "updated_at"])
    interaction.ended_at = max(timezone.now(), interaction.started_at)
    interaction.outcome = interaction.outcome or outcome
    interaction.save(update_fields=["ended_at", "outcome", "updated_at"])
    reporting.contact_recorded(interaction)
    _add_message(conversation, author=ChatAuthor.SYSTEM, text=_("The chat has ended."))
    publish(conversation_channel(conversation), {"type": "chat.ended"})
    publish(
        branch_channel(conversation.branch_id, conversation.organisation_id),
        {"type": "chat.ended", "conversation": conversation.pk},
    )
    audit(
        actor=actor,
        action="interactions.chat_end",
        target=interaction,
        organisation=interaction.branch.organisation,
        branch=interaction.branch,
        summary=_("Chat ended"),
    )
    return conversation


@transaction.atomic
def chat_open_case(*, conversation: ChatConversation, actor: Any, subject: str = "") -> Case:
    """Open a case from the chat's contact (the transcript stays on the chat)."""
    interaction = conversation.interaction
    if interaction.case_id is not None:
        raise ValidationError(_("This chat already belongs to a case."))
    first = conversation.messages.filter(author=ChatAuthor.VISITOR).first()
    subject = subject.strip() or (first.text[:200] if first else _("Web chat"))
    case = services.case_open(
        branch=conversation.branch, subject=subject, actor=actor, interaction=interaction, owner=actor
    )
    if interaction.outcome != Outcome.CASE_OPENED:
        interaction.outcome = Outcome.CASE_OPENED
        interaction.save(update_fields=["outcome", "updated_at"])
    return case


@transaction.atomic
def chat_offline_message(
    *, widget: ChatWidget, name: str, email: str, text: str, conversation: ChatConversation | None = None
) -> Case:
    """Outside the widget's hours, or when nobody took the chat: the visitor's message becomes an e-mail case.

    A web-form contact holds the message and opens the case; a waiting chat of the same visitor ends as missed.
    """
    text = _clean_text(text)
    name = name.replace("\x00", "").strip()[:100]
    email = _clean_email(email, required=True)
    interaction = services.interaction_record(
        branch=widget.branch,
        channel=Channel.WEB_FORM,
        actor=None,
        contact_address=email,
        subject=(_("Message from the chat widget: %(name)s") % {"name": name or email})[:200],
        summary=text,
        outcome=Outcome.CASE_OPENED,
    )
    case = services.case_open(
        branch=widget.branch, subject=text.splitlines()[0][:200], actor=None, interaction=interaction
    )
    if conversation is not None and conversation.status == ChatStatus.WAITING:
        chat_end(conversation=conversation, outcome=Outcome.MISSED)
    publish(
        branch_channel(widget.branch_id, widget.organisation_id),
        {"type": "chat.offline_message", "case": case.pk},
    )
    return case
