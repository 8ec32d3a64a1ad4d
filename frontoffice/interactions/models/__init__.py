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
from .contacts import FollowUp, Interaction
from .setup import Team, Topic

__all__ = [
    "AssignmentRule",
    "CannedReply",
    "Case",
    "CaseEvent",
    "CaseEventKind",
    "CaseNote",
    "CaseReply",
    "CaseSla",
    "EscalationNotice",
    "FollowUp",
    "Interaction",
    "ReplyDelivery",
    "SlaPolicyRecord",
    "Team",
    "TeamRouting",
    "Topic",
]
