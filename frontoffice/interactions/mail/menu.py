from django.utils.translation import gettext_lazy as _

from frontoffice.core.navigation import MenuItem

from ..permissions import InteractionPermission

MENU: list[MenuItem] = [
    MenuItem(
        _("Mailboxes"),
        "interactions:mailbox_list",
        (InteractionPermission.MANAGE_CHANNELS.perm,),
        section=_("Contacts"),
        order=213,
        match_prefix="/interactions/mail/mailboxes/",
    ),
]
