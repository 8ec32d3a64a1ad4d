from django.db import models
from django.utils.translation import gettext_lazy as _


class ClientsPermission(models.TextChoices):
    VIEW_CLIENTS = "view_clients", _("Can find and view clients")
    EDIT_CLIENTS = "edit_clients", _("Can register and change clients")
    MERGE_CLIENTS = "merge_clients", _("Can review duplicates, merge and unmerge clients")
    IMPORT_CLIENTS = "import_clients", _("Can import and export clients")
    ERASE_CLIENTS = "erase_clients", _("Can export a client's data and erase (anonymise) clients")

    @property
    def perm(self) -> str:
        return f"clients.{self.value}"
