from django.utils.translation import gettext_lazy as _

from frontoffice.core.navigation import MenuItem

from ..permissions import InteractionPermission

MENU: list[MenuItem] = [
    MenuItem(
        _("Web chat"),
        "interactions:chat_inbox",
        (InteractionPermission.LOG_INTERACTIONS.perm,),
        section=_("Contacts"),
        order=204,
        match_prefix="/interactions/chat/conversations/",
    ),
    MenuItem(
        _("Chat widgets"),
        "interactions:chat_widget_list",
        (InteractionPermission.MANAGE_CHANNELS.perm,),
        section=_("Contacts"),
        order=212,
        match_prefix="/interactions/chat/widgets/",
    ),
]
