from .cases import Case
from .contacts import FollowUp, Interaction
from .mail import EmailAttachment, EmailMessage, Mailbox
from .phone import AgentPhone, AgentStateChange, Call, Callback, CtiEvent, CtiToken
from .setup import Team, Topic

__all__ = [
    "AgentPhone",
    "AgentStateChange",
    "Call",
    "Callback",
    "Case",
    "CtiEvent",
    "CtiToken",
    "EmailAttachment",
    "EmailMessage",
    "FollowUp",
    "Interaction",
    "Mailbox",
    "Team",
    "Topic",
]
