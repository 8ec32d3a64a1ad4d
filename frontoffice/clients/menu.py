from django.utils.translation import gettext_lazy as _

from frontoffice.core.navigation import MenuItem

from .permissions import ClientsPermission

MENU = [
    MenuItem(
        _("Clients"),
        "clients:client_list",
        (ClientsPermission.VIEW_CLIENTS.perm,),
        section=_("Front desk"),
        order=100,
        match_prefix="/clients/",
    ),
]
