from .cases import Case
from .contacts import FollowUp, Interaction
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
    "FollowUp",
    "Interaction",
    "Team",
    "Topic",
]
