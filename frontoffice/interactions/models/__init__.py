from .cases import Case
from .chat import ChatConversation, ChatMessage, ChatWidget
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
    "ChatConversation",
    "ChatMessage",
    "ChatWidget",
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
