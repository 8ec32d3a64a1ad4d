from django.utils.translation import gettext_lazy as _

from frontoffice.core.navigation import MenuItem

from .permissions import ClientsPermission

MENU = [
    MenuItem(
        _("New client"),
        "clients:client_create",
        (ClientsPermission.EDIT_CLIENTS.perm,),
        section=_("Front desk"),
        order=101,
        match_prefix="/clients/new/",
    ),
    MenuItem(
        _("Duplicates"),
        "clients:duplicate_list",
        (ClientsPermission.MERGE_CLIENTS.perm,),
        section=_("Front desk"),
        order=102,
        match_prefix="/clients/duplicates/",
    ),
    MenuItem(
        _("Clients"),
        "clients:client_list",
        (ClientsPermission.VIEW_CLIENTS.perm,),
        section=_("Front desk"),
        order=100,
        match_prefix="/clients/",
    ),
]
