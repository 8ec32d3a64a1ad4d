"""The reports app's permissions, declared once (on ``RollupState``'s Meta) and granted in roles.py."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportsPermission(models.TextChoices):
    VIEW_REPORTS = "view_reports", _("Can see every figure of the branches they work at")
    VIEW_OWN_REPORTS = "view_own_reports", _("Can see their own figures next to their team's median")
    VIEW_EXECUTIVE_REPORTS = "view_executive_reports", _("Can compare every branch of the organisation")

    @property
    def perm(self) -> str:
        return f"reports.{self.value}"
