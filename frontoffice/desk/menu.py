from django.utils.translation import gettext_lazy as _

from frontoffice.core.navigation import MenuItem

from .permissions import DeskPermission

MENU = [
    MenuItem(
        _("Today at the desk"),
        "desk:day",
        (DeskPermission.VIEW_VISITS.perm,),
        section=_("Front desk"),
        order=90,
    ),
    MenuItem(
        _("New visit"),
        "desk:visit_create",
        (DeskPermission.EDIT_VISITS.perm,),
        section=_("Front desk"),
        order=91,
        match_prefix="/desk/visits/new/",
    ),
    MenuItem(
        _("Visits"),
        "desk:visit_list",
        (DeskPermission.VIEW_VISITS.perm,),
        section=_("Front desk"),
        order=92,
        match_prefix="/desk/visits/",
    ),
    MenuItem(
        _("Visit types"),
        "desk:visit_type_list",
        (DeskPermission.MANAGE_VISIT_TYPES.perm,),
        section=_("Front desk"),
        order=110,
        match_prefix="/desk/visit-types/",
    ),
    MenuItem(
        _("Rooms"),
        "desk:room_list",
        (DeskPermission.MANAGE_VISIT_TYPES.perm,),
        section=_("Front desk"),
        order=111,
        match_prefix="/desk/rooms/",
    ),
    MenuItem(
        _("Payers"),
        "desk:payer_list",
        (DeskPermission.MANAGE_VISIT_TYPES.perm,),
        section=_("Front desk"),
        order=112,
        match_prefix="/desk/payers/",
    ),
    MenuItem(
        _("Guest reports"),
        "desk:guest_exports",
        (DeskPermission.MANAGE_VISIT_TYPES.perm,),
        section=_("Front desk"),
        order=113,
        match_prefix="/desk/guest-reports/",
    ),
]
