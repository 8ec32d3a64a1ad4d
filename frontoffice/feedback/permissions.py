"""The feedback app's permissions, declared once (on ``Survey``'s Meta) and granted in roles.py."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class FeedbackPermission(models.TextChoices):
    VIEW_FEEDBACK = "view_feedback", _("Can see survey invitations and responses")
    SEND_SURVEYS = "send_surveys", _("Can send a survey by hand and open it on the desk tablet")
    MANAGE_SURVEYS = "manage_surveys", _("Can build surveys and set their invitation rules")

    @property
    def perm(self) -> str:
        return f"feedback.{self.value}"
