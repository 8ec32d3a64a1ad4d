from django.utils.translation import gettext_lazy as _

from frontoffice.core.navigation import MenuItem

from .permissions import AccountsPermission

MENU = [
    MenuItem(
        _("Staff"),
        "accounts:staff_list",
        (AccountsPermission.VIEW_STAFF.perm,),
        section=_("Organisation"),
        order=820,
        match_prefix="/staff/",
    ),
    MenuItem(
        _("API tokens"), "accounts:token_list", (AccountsPermission.USE_API.perm,), section=_("My account"), order=900
    ),
    MenuItem(_("My preferences"), "accounts:profile", section=_("My account"), order=910),
]
