"""Forms of the supplies pages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import ItemCategory, MovementKind

QUANTITY_INPUT = forms.NumberInput(attrs={"inputmode": "decimal", "step": "any", "min": "0", "class": "big"})


class TakeForm(forms.Form):
    """The phone page: how many of the chosen item at the chosen location."""

    quantity = forms.DecimalField(label=_("How many"), max_digits=12, decimal_places=3, widget=QUANTITY_INPUT)


class RequestLineForm(forms.Form):
    item = forms.ModelChoiceField(label=_("Item"), queryset=None, required=False)
    quantity = forms.DecimalField(
        label=_("Quantity"), max_digits=12, decimal_places=3, required=False, widget=QUANTITY_INPUT
    )

    def __init__(self, *args: Any, items: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = items  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("item") and data.get("quantity") is None:
            self.add_error("quantity", _("Enter a quantity."))
        if data.get("quantity") is not None and not data.get("item"):
            self.add_error("item", _("Choose an item."))
        return data


class BaseRequestLineFormSet(forms.BaseFormSet):
    def __init__(self, *args: Any, items: Any = None, **kwargs: Any) -> None:
        self.items = items
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        return {**super().get_form_kwargs(index), "items": self.items}

    @property
    def empty_form(self) -> forms.Form:
        return self.form(
            auto_id=self.auto_id, prefix=self.add_prefix("__prefix__"), empty_permitted=True, items=self.items
        )


RequestLineFormSet = forms.formset_factory(RequestLineForm, formset=BaseRequestLineFormSet, extra=3)


class RequestForm(forms.Form):
    location = forms.ModelChoiceField(label=_("For location"), queryset=None)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, locations: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = locations  # type: ignore[attr-defined]


class DecisionForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class StockFilterForm(forms.Form):
    location = forms.ModelChoiceField(label=_("Location"), queryset=None, required=False)
    category = forms.ChoiceField(label=_("Category"), choices=[("", _("All")), *ItemCategory.choices], required=False)
    q = forms.CharField(label=_("Item"), required=False, max_length=100)
    low_only = forms.BooleanField(label=_("Only below the reorder point"), required=False)

    def __init__(self, *args: Any, locations: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = locations  # type: ignore[attr-defined]


class MovementFilterForm(forms.Form):
    location = forms.ModelChoiceField(label=_("Location"), queryset=None, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", _("All")), *MovementKind.choices], required=False)
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, locations: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = locations  # type: ignore[attr-defined]


def whole(value: Decimal) -> Decimal:
    return value.normalize() if value == value.to_integral_value() else value
