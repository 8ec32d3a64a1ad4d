from django.db import models
from django.utils.translation import gettext_lazy as _


class MoneyPermission(models.TextChoices):
    TAKE_PAYMENTS = "take_payments", _("Can take payments, add charges, ask for refunds and work a cash drawer")
    VOID_CHARGES = "void_charges", _("Can void a charge posted by mistake, with a reason, before a document covers it")
    CORRECT_INVOICES = "correct_invoices", _("Can issue correction invoices")
    APPROVE_REFUNDS = "approve_refunds", _("Can approve or reject refunds above the organisation's limit")
    REVIEW_DRAWERS = "review_drawers", _("Can see every clerk's cash drawer sessions and their discrepancies")
    MANAGE_MONEY_SETTINGS = "manage_money_settings", _("Can set the seller's details and the refund approval ladder")

    @property
    def perm(self) -> str:
        return f"desk.{self.value}"
