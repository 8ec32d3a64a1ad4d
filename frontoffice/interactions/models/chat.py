"""Web chat: the widget a business embeds on its website, its conversations and their messages.

A ``ChatWidget`` belongs to one branch and is addressed by its public token (the ``data-widget``
attribute of the one script tag). Each visitor's ``ChatConversation`` is one chat ``Interaction``
(the contact record with its start, answer and end times and its owner); the conversation keeps
the chat's own state (waiting, active, ended) and its ``ChatMessage`` rows, plain text only.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from frontoffice.core.models import Branch, Organisation, TimeStampedModel

from .contacts import Interaction

MESSAGE_MAX_LENGTH = 2000

colour_validator = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Enter a colour as # and six hexadecimal digits."))


def new_widget_token() -> str:
    return secrets.token_urlsafe(18)


class HoursSource(models.TextChoices):
    BRANCH = "branch", _("The branch's opening hours")
    OWN = "own", _("The widget's own weekly hours")
    ALWAYS = "always", _("Always online")


class ChatStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting for an agent")
    ACTIVE = "active", _("In progress")
    ENDED = "ended", _("Ended")


class ChatAuthor(models.TextChoices):
    VISITOR = "visitor", _("Visitor")
    AGENT = "agent", _("Agent")
    SYSTEM = "system", _("System")


class ChatWidget(TimeStampedModel):
    """The chat button on a business's own website: where chats go, who may embed it, when it is online."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="+"
    )
    branch = models.ForeignKey(
        Branch,
        verbose_name=_("branch"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Its agents answer the chats."),
    )
    name = models.CharField(_("name"), max_length=80)
    token = models.CharField(_("public token"), max_length=40, unique=True, default=new_widget_token, editable=False)
    allowed_origins = models.TextField(
        _("allowed websites"),
        blank=True,
        help_text=_("One origin per line, e.g. https://www.example.com. Other websites cannot use the widget."),
    )
    greeting_en = models.CharField(_("greeting in English"), max_length=300, blank=True)
    greeting_pl = models.CharField(_("greeting in Polish"), max_length=300, blank=True)
    accent_colour = models.CharField(_("accent colour"), max_length=7, default="#1f5fbf", validators=[colour_validator])
    text_colour = models.CharField(
        _("text colour on the accent"), max_length=7, default="#ffffff", validators=[colour_validator]
    )
    hours_source = models.CharField(
        _("online hours"), max_length=8, choices=HoursSource.choices, default=HoursSource.BRANCH
    )
    own_hours = models.TextField(
        _("own weekly hours"),
        blank=True,
        help_text=_("One period per line: weekday number (1 Monday … 7 Sunday) and hours, e.g. 1 08:00-16:00."),
    )
    answer_within_minutes = models.PositiveSmallIntegerField(
        _("offer the e-mail form after (minutes)"),
        default=3,
        help_text=_("When no agent has taken a chat by then, the visitor may leave a message instead."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("chat widget")
        verbose_name_plural = _("chat widgets")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def origins(self) -> list[str]:
        return [line.strip().rstrip("/") for line in self.allowed_origins.splitlines() if line.strip()]

    def greeting(self, language: str) -> str:
        return (self.greeting_pl if language.startswith("pl") else self.greeting_en) or self.greeting_en


class ChatConversation(TimeStampedModel):
    """One visitor's chat: the contact record plus the chat's own state."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="+"
    )
    branch = models.ForeignKey(Branch, verbose_name=_("branch"), on_delete=models.PROTECT, related_name="+")
    widget = models.ForeignKey(
        ChatWidget, verbose_name=_("widget"), on_delete=models.PROTECT, related_name="conversations"
    )
    interaction = models.OneToOneField(
        Interaction, verbose_name=_("contact"), on_delete=models.CASCADE, related_name="chat"
    )
    status = models.CharField(_("status"), max_length=8, choices=ChatStatus.choices, default=ChatStatus.WAITING)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    visitor_name = models.CharField(_("visitor's name"), max_length=100, blank=True)
    visitor_email = models.EmailField(_("visitor's e-mail"), blank=True)
    language = models.CharField(_("language"), max_length=5, default="pl")

    class Meta:
        verbose_name = _("chat")
        verbose_name_plural = _("chats")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="active") | Q(agent__isnull=False),
                name="chat_active_has_agent",
                violation_error_message=_("A chat in progress has an agent."),
            ),
        ]
        indexes = [
            models.Index(fields=["branch", "status", "created_at"], name="chat_branch_status_idx"),
            models.Index(fields=["agent", "status"], name="chat_agent_status_idx"),
        ]

    def __str__(self) -> str:
        return self.visitor_name or self.visitor_email or f"#{self.pk}"


class ChatMessage(models.Model):
    """One line of a chat, as plain text (rendered escaped everywhere)."""

    conversation = models.ForeignKey(
        ChatConversation, verbose_name=_("chat"), on_delete=models.CASCADE, related_name="messages"
    )
    author = models.CharField(_("author"), max_length=8, choices=ChatAuthor.choices)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    text = models.TextField(_("text"), max_length=MESSAGE_MAX_LENGTH)
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("chat message")
        verbose_name_plural = _("chat messages")
        ordering = ["conversation", "pk"]

    def __str__(self) -> str:
        return self.text[:50]
