from .cases import Case
from .casework import (
    AssignmentRule,
    CannedReply,
    CaseEvent,
    CaseEventKind,
    CaseNote,
    CaseReply,
    CaseSla,
    EscalationNotice,
    ReplyDelivery,
    SlaPolicyRecord,
    TeamRouting,
)
from .chat import ChatConversation, ChatMessage, ChatWidget
from .contacts import FollowUp, Interaction
from .mail import EmailAttachment, EmailMessage, Mailbox
from .phone import AgentPhone, AgentStateChange, Call, Callback, CtiEvent, CtiToken
from .phone_setup import BlockedNumber, PhoneSettings
from .setup import Team, TeamPhoneQueue, Topic

__all__ = [
    "AgentPhone",
    "AgentStateChange",
    "AssignmentRule",
    "BlockedNumber",
    "Call",
    "Callback",
    "CannedReply",
    "Case",
    "CaseEvent",
    "CaseEventKind",
    "CaseNote",
    "CaseReply",
    "CaseSla",
    "ChatConversation",
    "ChatMessage",
    "ChatWidget",
    "CtiEvent",
    "CtiToken",
    "EmailAttachment",
    "EmailMessage",
    "EscalationNotice",
    "FollowUp",
    "Interaction",
    "Mailbox",
    "PhoneSettings",
    "ReplyDelivery",
    "SlaPolicyRecord",
    "Team",
    "TeamPhoneQueue",
    "TeamRouting",
    "Topic",
]
