from django.utils.translation import gettext_lazy as _

from frontoffice.core.navigation import MenuItem

from .permissions import SuppliesPermission as P

SECTION = _("Supplies")

# Orders 400–419 belong to the supplies app (after Feedback).
MENU: list[MenuItem] = [
    MenuItem(_("Take from stock"), "supplies:take", (P.TAKE_STOCK.perm,), section=SECTION, order=400),
    MenuItem(
        _("Stock"),
        "supplies:stock_list",
        (P.VIEW_SUPPLIES.perm,),
        section=SECTION,
        order=401,
        match_prefix="/supplies/stock/",
    ),
    MenuItem(
        _("Supply requests"),
        "supplies:request_list",
        (P.VIEW_SUPPLIES.perm,),
        section=SECTION,
        order=402,
        match_prefix="/supplies/requests/",
    ),
    MenuItem(
        _("Stocktakes"),
        "supplies:stocktake_list",
        (P.VIEW_SUPPLIES.perm,),
        section=SECTION,
        order=405,
        match_prefix="/supplies/stocktakes/",
    ),
    MenuItem(
        _("Supply reports"),
        "supplies:report_consumption",
        (P.VIEW_SUPPLY_REPORTS.perm,),
        section=SECTION,
        order=407,
        match_prefix="/supplies/reports/",
    ),
    MenuItem(
        _("Adjustments and write-offs"),
        "supplies:report_adjustments",
        (P.VIEW_SUPPLY_REPORTS.perm,),
        section=SECTION,
        order=408,
        match_prefix="/supplies/adjustments/",
    ),
    MenuItem(
        _("Stock movements"),
        "supplies:movement_list",
        (P.VIEW_SUPPLIES.perm,),
        section=SECTION,
        order=409,
        match_prefix="/supplies/movements/",
    ),
    MenuItem(
        _("Purchase orders"),
        "supplies:order_list",
        (P.VIEW_SUPPLIES.perm,),
        section=SECTION,
        order=403,
        match_prefix="/supplies/orders/",
    ),
    MenuItem(
        _("Items"),
        "supplies:item_list",
        (P.VIEW_SUPPLIES.perm,),
        section=SECTION,
        order=410,
        match_prefix="/supplies/items/",
    ),
    MenuItem(
        _("Suppliers"),
        "supplies:supplier_list",
        (P.VIEW_SUPPLIES.perm,),
        section=SECTION,
        order=411,
        match_prefix="/supplies/suppliers/",
    ),
    MenuItem(
        _("Storage locations"),
        "supplies:location_list",
        (P.VIEW_SUPPLIES.perm,),
        section=SECTION,
        order=412,
        match_prefix="/supplies/locations/",
    ),
    MenuItem(_("Approval ladder"), "supplies:ladder", (P.MANAGE_CATALOGUE.perm,), section=SECTION, order=413),
    MenuItem(
        _("Consumption per visit type"),
        "supplies:visit_rule_list",
        (P.MANAGE_CATALOGUE.perm,),
        section=SECTION,
        order=414,
        match_prefix="/supplies/visit-rules/",
    ),
]
