"""The supplies app's permissions, declared once (on ``Item``'s Meta) and granted in roles.py."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SuppliesPermission(models.TextChoices):
    VIEW_SUPPLIES = "view_supplies", _("Can see the catalogue, stock and movements")
    TAKE_STOCK = "take_stock", _("Can take supplies from stock")
    REQUEST_SUPPLIES = "request_supplies", _("Can request supplies")
    APPROVE_REQUESTS = "approve_requests", _("Can approve supply requests (up to the amount the ladder allows)")
    MANAGE_ORDERS = "manage_orders", _("Can send orders to suppliers and receive deliveries")
    COUNT_STOCK = "count_stock", _("Can count stock and correct it")
    MANAGE_CATALOGUE = "manage_catalogue", _("Can manage items, suppliers, locations and the approval ladder")
    VIEW_SUPPLY_REPORTS = "view_supply_reports", _("Can see supply reports")

    @property
    def perm(self) -> str:
        return f"supplies.{self.value}"
