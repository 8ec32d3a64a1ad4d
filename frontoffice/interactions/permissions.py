"""The interactions app's permissions, declared once (on the models' Meta) and granted in roles.py."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class InteractionPermission(models.TextChoices):
    """Contacts, follow-ups, the client timeline and the phone: declared on ``Interaction``."""

    VIEW_INTERACTIONS = "view_interactions", _("Can see contacts (calls, e-mails, chats, visits at the counter)")
    LOG_INTERACTIONS = "log_interactions", _("Can log contacts, take calls and chats, and keep follow-ups")
    MANAGE_CHANNELS = "manage_channels", _("Can set up topics, teams, phone tokens, mailboxes and the chat widget")

    @property
    def perm(self) -> str:
        return f"interactions.{self.value}"


class CasePermission(models.TextChoices):
    """Cases (tickets) with their SLA: declared on ``Case``."""

    VIEW_CASES = "view_cases", _("Can see cases")
    WORK_CASES = "work_cases", _("Can open, answer, assign to themselves and resolve cases")
    SUPERVISE_CASES = "supervise_cases", _("Can assign cases to others, merge them and set up SLA policies")

    @property
    def perm(self) -> str:
        return f"interactions.{self.value}"
