"""Permissions owned by the core app, declared once.

Each member's value is the codename; ``PERM`` gives the ``app_label.codename``
string that ``user.has_perm`` expects. Role grants live in
``frontoffice.accounts.roles``.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CorePermission(models.TextChoices):
    VIEW_ORGANISATION = "view_organisation_settings", _("Can view the organisation and its branches")
    MANAGE_ORGANISATION = "manage_organisation", _("Can change the organisation, branches and departments")
    VIEW_AUDIT = "view_audit", _("Can open the history of any record")
    VIEW_MESSAGES = "view_outbound_messages", _("Can see outgoing e-mail and SMS")

    @property
    def perm(self) -> str:
        return f"core.{self.value}"
