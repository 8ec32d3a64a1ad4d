from django.utils.translation import gettext_lazy as _

from frontoffice.core.navigation import MenuItem
from frontoffice.core.permissions import CorePermission

from .permissions import ReportsPermission

SECTION = _("Reports")

# Orders 700–719 belong to the reports app.
MENU: list[MenuItem] = [
    MenuItem(
        _("Dashboard"),
        "reports:dashboard",
        (ReportsPermission.VIEW_OWN_REPORTS.perm,),
        section=SECTION,
        order=700,
        match_prefix="/reports/dashboard/",
    ),
    MenuItem(
        _("All branches"),
        "reports:executive",
        (ReportsPermission.VIEW_EXECUTIVE_REPORTS.perm,),
        section=SECTION,
        order=701,
        match_prefix="/reports/executive/",
    ),
    MenuItem(
        _("Metrics"),
        "reports:overview",
        (ReportsPermission.VIEW_OWN_REPORTS.perm,),
        section=SECTION,
        order=702,
    ),
    MenuItem(
        _("Metric dictionary"),
        "reports:metric_dictionary",
        (CorePermission.VIEW_ORGANISATION.perm,),
        section=SECTION,
        order=703,
        match_prefix="/reports/metrics/",
    ),
]
