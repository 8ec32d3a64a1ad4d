from .cases import Case
from .contacts import FollowUp, Interaction
from .setup import Team, Topic

__all__ = ["Case", "FollowUp", "Interaction", "Team", "Topic"]
