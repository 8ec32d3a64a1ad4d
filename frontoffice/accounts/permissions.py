from django.db import models
from django.utils.translation import gettext_lazy as _


class AccountsPermission(models.TextChoices):
    VIEW_STAFF = "view_staff_directory", _("Can see staff of their branches")
    MANAGE_STAFF = "manage_staff", _("Can add and change staff members")
    USE_API = "use_api_tokens", _("Can create personal API tokens")

    @property
    def perm(self) -> str:
        return f"accounts.{self.value}"
