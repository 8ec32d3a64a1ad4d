from .cases import Case
from .chat import ChatConversation, ChatMessage, ChatWidget
from .contacts import FollowUp, Interaction
from .setup import Team, Topic

__all__ = ["Case", "ChatConversation", "ChatMessage", "ChatWidget", "FollowUp", "Interaction", "Team", "Topic"]
