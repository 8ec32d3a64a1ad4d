from django.utils.translation import gettext_lazy as _

from frontoffice.core.navigation import MenuItem

from ..permissions import InteractionPermission

VIEW = InteractionPermission.VIEW_INTERACTIONS.perm
LOG = InteractionPermission.LOG_INTERACTIONS.perm
SETUP = InteractionPermission.MANAGE_CHANNELS.perm
SECTION = _("Contacts")

# Orders 200–209 belong to this area; the phone, mail, chat and cases areas follow.
MENU: list[MenuItem] = [
    MenuItem(_("Log a contact"), "interactions:interaction_create", (LOG,), section=SECTION, order=200),
    MenuItem(_("Contacts"), "interactions:interaction_list", (VIEW,), section=SECTION, order=201),
    MenuItem(
        _("My follow-ups"),
        "interactions:follow_up_list",
        (LOG,),
        section=SECTION,
        order=202,
        match_prefix="/interactions/follow-ups/",
    ),
    MenuItem(
        _("Contact topics"),
        "interactions:topic_list",
        (SETUP,),
        section=SECTION,
        order=208,
        match_prefix="/interactions/topics/",
    ),
    MenuItem(
        _("Teams"), "interactions:team_list", (SETUP,), section=SECTION, order=209, match_prefix="/interactions/teams/"
    ),
]
