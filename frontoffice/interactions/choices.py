"""Choices shared by the interactions app's models, forms and API."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("E-mail")
    CHAT = "chat", _("Web chat")
    SMS = "sms", _("SMS")
    WEB_FORM = "web_form", _("Web form")
    IN_PERSON = "in_person", _("In person")
    LETTER = "letter", _("Letter")


class Direction(models.TextChoices):
    INBOUND = "inbound", _("Inbound")
    OUTBOUND = "outbound", _("Outbound")


class Outcome(models.TextChoices):
    """How a contact ended, as the person who handled it records it (metrics count from these)."""

    RESOLVED = "resolved", _("Resolved")
    INFORMATION = "information", _("Information given")
    FOLLOW_UP = "follow_up", _("Follow-up needed")
    CASE_OPENED = "case_opened", _("Case opened")
    TRANSFERRED = "transferred", _("Transferred")
    NO_ANSWER = "no_answer", _("No answer")
    VOICEMAIL = "voicemail", _("Left a message")
    MISSED = "missed", _("Missed")
    ABANDONED = "abandoned", _("Abandoned by the caller")
    WRONG_NUMBER = "wrong_number", _("Wrong number")
    BLOCKED = "blocked", _("Rejected: blocked number")
    OTHER = "other", _("Other")


class ClientMatch(models.TextChoices):
    """How the client on a contact was found: the "maybe" state waits for a person to confirm."""

    NONE = "none", _("Unknown")
    AUTOMATIC = "automatic", _("Matched automatically")
    MAYBE = "maybe", _("Maybe: confirm the client")
    CONFIRMED = "confirmed", _("Confirmed by staff")


class CaseStatus(models.TextChoices):
    NEW = "new", _("New")
    OPEN = "open", _("Open")
    PENDING_CUSTOMER = "pending_customer", _("Waiting for the customer")
    PENDING_INTERNAL = "pending_internal", _("Waiting internally")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


# Statuses in which nobody owes the customer anything yet: SLA clocks pause here.
PAUSED_STATUSES = frozenset({CaseStatus.PENDING_CUSTOMER})
FINISHED_STATUSES = frozenset({CaseStatus.RESOLVED, CaseStatus.CLOSED})


class CasePriority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class CallState(models.TextChoices):
    RINGING = "ringing", _("Ringing")
    ANSWERED = "answered", _("In progress")
    ON_HOLD = "on_hold", _("On hold")
    ENDED = "ended", _("Ended")


class CtiOutcome(models.TextChoices):
    """What became of one CTI event."""

    APPLIED = "applied", _("Applied")
    DUPLICATE = "duplicate", _("Duplicate, ignored")
    OUT_OF_ORDER = "out_of_order", _("Out of order, ignored")
    UNKNOWN_CALL = "unknown_call", _("Unknown call")
    QUEUED = "queued", _("Received, not applied yet")


class CallbackStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    GAVE_UP = "gave_up", _("Gave up")


class CallbackOutcome(models.TextChoices):
    REACHED = "reached", _("Reached the caller")
    NO_ANSWER = "no_answer", _("No answer")
    BUSY = "busy", _("Busy")
    VOICEMAIL = "voicemail", _("Left a message")
    WRONG_NUMBER = "wrong_number", _("Wrong number")


class AgentState(models.TextChoices):
    AVAILABLE = "available", _("Available")
    ON_CALL = "on_call", _("On a call")
    WRAP_UP = "wrap_up", _("Wrap-up")
    BREAK = "break", _("On a break")
    OFFLINE = "offline", _("Offline")


class BlockReason(models.TextChoices):
    """Why a number is on a branch's blocked list."""

    ABUSE = "abuse", _("Abuse of the line")
    HARASSMENT = "harassment", _("Harassment of staff")
    MARKETING = "marketing", _("Unwanted marketing")
    OTHER = "other", _("Other")
