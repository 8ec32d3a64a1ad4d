from django.utils.translation import gettext_lazy as _

from frontoffice.core.navigation import MenuItem

from ..permissions import CasePermission

MENU: list[MenuItem] = [
    MenuItem(
        _("Cases"),
        "interactions:case_list",
        (CasePermission.VIEW_CASES.perm,),
        section=_("Contacts"),
        order=203,
        match_prefix="/interactions/cases/",
    ),
    MenuItem(
        _("SLA and routing"),
        "interactions:sla_policy_list",
        (CasePermission.SUPERVISE_CASES.perm,),
        section=_("Contacts"),
        order=210,
        match_prefix="/interactions/cases/sla/",
    ),
    MenuItem(
        _("Canned replies"),
        "interactions:canned_reply_list",
        (CasePermission.SUPERVISE_CASES.perm,),
        section=_("Contacts"),
        order=211,
        match_prefix="/interactions/cases/canned/",
    ),
]
