from .cases import Case
from .contacts import FollowUp, Interaction
from .mail import EmailAttachment, EmailMessage, Mailbox
from .setup import Team, Topic

__all__ = ["Case", "EmailAttachment", "EmailMessage", "FollowUp", "Interaction", "Mailbox", "Team", "Topic"]
