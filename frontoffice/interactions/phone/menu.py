from django.utils.translation import gettext_lazy as _

from frontoffice.core.navigation import MenuItem

from ..permissions import InteractionPermission

VIEW = InteractionPermission.VIEW_INTERACTIONS.perm

MENU: list[MenuItem] = [
    MenuItem(
        _("Callbacks"),
        "interactions:callback_list",
        (VIEW,),
        section=_("Phone"),
        order=220,
        match_prefix="/interactions/phone/callbacks/",
    ),
    MenuItem(
        _("Calls"),
        "interactions:call_list",
        (VIEW,),
        section=_("Phone"),
        order=221,
        match_prefix="/interactions/phone/calls/",
    ),
    MenuItem(
        _("Phone system"),
        "interactions:phone_settings",
        (InteractionPermission.MANAGE_CHANNELS.perm,),
        section=_("Phone"),
        order=222,
        match_prefix="/interactions/phone/settings/",
    ),
    MenuItem(
        _("Blocked numbers"),
        "interactions:blocked_number_list",
        (InteractionPermission.MANAGE_CHANNELS.perm,),
        section=_("Phone"),
        order=223,
        match_prefix="/interactions/phone/blocked/",
    ),
]
