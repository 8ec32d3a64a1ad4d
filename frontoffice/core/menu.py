from django.utils.translation import gettext_lazy as _

from .navigation import MenuItem
from .permissions import CorePermission

MENU = [
    MenuItem(_("Home"), "core:home", order=0),
    MenuItem(
        _("Branches"),
        "core:branch_list",
        (CorePermission.VIEW_ORGANISATION.perm,),
        section=_("Organisation"),
        order=800,
        match_prefix="/branches/",
    ),
    MenuItem(
        _("Organisation settings"),
        "core:organisation_detail",
        (CorePermission.MANAGE_ORGANISATION.perm,),
        section=_("Organisation"),
        order=810,
        match_prefix="/organisation/",
    ),
    MenuItem(
        _("Audit log"),
        "core:audit_list",
        (CorePermission.VIEW_AUDIT.perm,),
        section=_("Organisation"),
        order=830,
        match_prefix="/audit/",
    ),
    MenuItem(
        _("Outgoing messages"),
        "core:message_list",
        (CorePermission.VIEW_MESSAGES.perm,),
        section=_("Organisation"),
        order=840,
        match_prefix="/messages/",
    ),
]
