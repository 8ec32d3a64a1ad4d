"""Forms of the money pages. Amounts are read as text so that a wrong one comes back as typed, with the
service's message (overpayment, a negative amount) beside it."""

from __future__ import annotations

import uuid
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ..choices import VatRate
from ..models import MoneySettings
from .choices import PaymentMethod


def new_token() -> str:
    return uuid.uuid4().hex


class AmountField(forms.CharField):
    """A money amount as typed ("120,50" or "120.50"); the service decides whether it is allowed."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
        super().__init__(**kwargs)

    def clean(self, value: Any) -> Any:
        value = super().clean(value)
        text = str(value).replace(" ", "").replace("\u00a0", "").replace(",", ".")
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise forms.ValidationError(_("Enter an amount, e.g. 120.50."), code="invalid") from None
        if not amount.is_finite():
            raise forms.ValidationError(_("Enter an amount, e.g. 120.50."), code="invalid")
        return amount


class TokenForm(forms.Form):
    """Carries a one-time token: a double-clicked submit sends the same token twice and is stored once."""

    token = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.fields["token"].initial = new_token()


class PaymentForm(TokenForm):
    method = forms.ChoiceField(label=_("Method"), choices=PaymentMethod.choices, widget=forms.RadioSelect)
    amount = AmountField(label=_("Amount"))
    terminal_receipt = forms.CharField(
        label=_("Terminal receipt number"), max_length=40, required=False, help_text=_("Card payments: required.")
    )
    reference = forms.CharField(
        label=_("Reference"),
        max_length=100,
        required=False,
        help_text=_("Transfer title, insurer's claim number or voucher code (insurer and voucher: required)."),
    )


class RefundForm(TokenForm):
    amount = AmountField(label=_("Amount"))
    method = forms.ChoiceField(label=_("Given back by"), choices=PaymentMethod.choices)
    reason = forms.CharField(label=_("Reason"), max_length=300)


class RefundDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))], widget=forms.HiddenInput)
    comment = forms.CharField(label=_("Comment"), max_length=300, required=False)


class ChargeForm(forms.Form):
    description = forms.CharField(label=_("Description"), max_length=200)
    quantity = forms.DecimalField(label=_("Quantity"), max_digits=10, decimal_places=3, initial=1)
    unit_price = AmountField(label=_("Unit price (gross)"))
    vat_rate = forms.ChoiceField(label=_("VAT rate"), choices=VatRate.choices, initial=VatRate.STANDARD)


class ChargeVoidForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the charge void?"), max_length=300, help_text=_("E.g. the wrong minibar item was posted.")
    )


class CorrectionForm(forms.Form):
    """A correction invoice: for each line of the invoice (as earlier corrections left it) the quantity and
    gross unit price it should have said, or the whole invoice cancelled; always a reason."""

    to_zero = forms.BooleanField(label=_("Cancel the whole invoice (correct every line to zero)"), required=False)
    # Not required here: the service checks the reason together with the lines, so every mistake shows at once.
    reason = forms.CharField(
        label=_("Reason for the correction"),
        max_length=300,
        required=False,
        help_text=_("Required; printed on the correction invoice."),
    )

    def __init__(self, *args: Any, lines: list[dict[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lines = [{**line, "rate_label": str(VatRate(line["vat_rate"]).label)} for line in lines]
        for line in lines:
            number = line["position"]
            self.fields[f"quantity_{number}"] = forms.CharField(
                label=_("Quantity, line %(number)s") % {"number": number},
                max_length=20,
                initial=line["quantity"],
                required=False,
                widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
            )
            self.fields[f"unit_price_{number}"] = forms.CharField(
                label=_("Unit price (gross), line %(number)s") % {"number": number},
                max_length=20,
                initial=line["unit_price"],
                required=False,
                widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
            )

    def line_rows(self) -> list[tuple[dict[str, str], forms.BoundField, forms.BoundField]]:
        return [
            (line, self[f"quantity_{line['position']}"], self[f"unit_price_{line['position']}"]) for line in self.lines
        ]

    def changes(self) -> list[tuple[int, str, str]]:
        """(position, quantity, unit price) as typed, blank meaning unchanged."""
        rows = []
        for line in self.lines:
            number = line["position"]
            quantity = (self.cleaned_data.get(f"quantity_{number}") or line["quantity"]).strip()
            price = (self.cleaned_data.get(f"unit_price_{number}") or line["unit_price"]).strip()
            rows.append((int(number), quantity.replace(",", "."), price.replace(" ", "").replace(",", ".")))
        return rows


class DrawerOpenForm(forms.Form):
    opening_float = AmountField(label=_("Float"), help_text=_("The cash counted into the drawer at opening."))


class DrawerCloseForm(forms.Form):
    counted_amount = AmountField(label=_("Counted cash"), help_text=_("All the cash in the drawer, float included."))
    note = forms.CharField(
        label=_("Note"), max_length=300, required=False, help_text=_("Required when the count differs.")
    )


class InvoiceForm(forms.Form):
    buyer_name = forms.CharField(label=_("Buyer"), max_length=200)
    buyer_nip = forms.CharField(label=_("Buyer's NIP"), max_length=13, required=False)
    buyer_address = forms.CharField(label=_("Buyer's address"), max_length=300, required=False)


class MoneySettingsForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    approval_ladder = forms.CharField(
        label=_("Refund approval ladder"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("One step a line: an amount and a role, e.g. “200 manager”, “2000 admin”."),
    )

    class Meta:
        model = MoneySettings
        fields = [
            "seller_name",
            "seller_nip",
            "seller_street",
            "seller_postal_code",
            "seller_city",
            "void_limit",
            "early_departure_fee",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.fields["version"].initial = self.instance.version
            self.initial["approval_ladder"] = "\n".join(
                f"{step['above']} {step['role']}" for step in self.instance.approval_ladder
            )

    def clean_approval_ladder(self) -> list[dict[str, str]]:
        steps = []
        for number, line in enumerate(self.cleaned_data["approval_ladder"].splitlines(), start=1):
            parts = line.split()
            if not parts:
                continue
            try:
                if len(parts) != 2:
                    raise InvalidOperation
                amount = Decimal(parts[0].replace(",", "."))
            except InvalidOperation:
                raise forms.ValidationError(
                    _("Line %(line)s: write an amount and a role, e.g. “200 manager”."), params={"line": number}
                ) from None
            steps.append({"above": str(amount.quantize(Decimal("0.01"))), "role": parts[1].lower()})
        return steps
