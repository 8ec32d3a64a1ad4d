"""Forms of the catalogue, location, ladder, order and delivery pages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from frontoffice.core.forms import VersionedModelForm

from .choices import ItemCategory, OrderStatus
from .forms import QUANTITY_INPUT
from .models import Item, PurchaseOrderLine, Supplier

MONEY_INPUT = forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01", "min": "0"})
ACTIVE_CHOICES = [("yes", _("Active")), ("no", _("Inactive")), ("all", _("All"))]


def _quantity(label: Any, *, required: bool = True) -> forms.DecimalField:
    return forms.DecimalField(
        label=label, max_digits=12, decimal_places=3, min_value=Decimal(0), required=required, widget=QUANTITY_INPUT
    )


class ItemFilterForm(forms.Form):
    q = forms.CharField(label=_("Name or code"), required=False, max_length=100)
    category = forms.ChoiceField(label=_("Category"), choices=[("", _("All")), *ItemCategory.choices], required=False)
    supplier = forms.ModelChoiceField(label=_("Preferred supplier"), queryset=None, required=False)
    active = forms.ChoiceField(label=_("Active"), choices=ACTIVE_CHOICES, required=False)

    def __init__(self, *args: Any, suppliers: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["supplier"].queryset = suppliers  # type: ignore[attr-defined]


class ItemForm(VersionedModelForm):
    class Meta:
        model = Item
        fields = [
            "name",
            "code",
            "category",
            "unit",
            "whole_units_only",
            "pack_size",
            "preferred_supplier",
            "last_price",
            "vat_rate",
            "is_critical",
            "is_active",
        ]
        widgets = {"pack_size": QUANTITY_INPUT, "last_price": MONEY_INPUT, "vat_rate": MONEY_INPUT}

    def __init__(self, *args: Any, suppliers: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["preferred_supplier"].queryset = suppliers  # type: ignore[attr-defined]


class SupplierForm(VersionedModelForm):
    class Meta:
        model = Supplier
        fields = ["name", "nip", "order_email", "contact_person", "phone", "street", "postal_code", "city", "is_active"]
        help_texts = {"nip": _("10 digits; dashes and spaces are fine.")}


class DepartmentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.branch.name} — {obj.name}"


class OwnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.get_full_name() or obj.get_username()


class LocationForm(forms.Form):
    branch = forms.ModelChoiceField(label=_("Branch"), queryset=None)
    name = forms.CharField(label=_("Name"), max_length=200)
    department = DepartmentChoiceField(label=_("Department"), queryset=None, required=False)
    owner = OwnerChoiceField(
        label=_("Owner"), queryset=None, required=False, help_text=_("Receives the low-stock alerts.")
    )

    def __init__(
        self, *args: Any, branches: Any = None, departments: Any = None, owners: Any = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = branches  # type: ignore[attr-defined]
        self.fields["department"].queryset = departments  # type: ignore[attr-defined]
        self.fields["owner"].queryset = owners  # type: ignore[attr-defined]


class LocationEditForm(LocationForm):
    """The same form for an existing location, whose branch does not change."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["branch"]


class LevelForm(forms.Form):
    """The reorder point and target level of one item at one location."""

    item = forms.ModelChoiceField(label=_("Item"), queryset=None)
    reorder_point = _quantity(_("Reorder point"))
    target_level = _quantity(_("Target level"))

    def __init__(
        self, *args: Any, items: Any = None, hidden_item: bool = False, form_id: str = "", **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = items  # type: ignore[attr-defined]
        if hidden_item:
            self.fields["item"].widget = forms.HiddenInput()
        if form_id:  # a row of a table: its inputs belong to a <form> placed elsewhere in the row
            for field in self.fields.values():
                field.widget.attrs["form"] = form_id


class LadderStepForm(forms.Form):
    up_to = forms.DecimalField(
        label=_("Up to amount"), max_digits=12, decimal_places=2, required=False, widget=MONEY_INPUT
    )
    role = forms.ChoiceField(label=_("Approved by"), required=False)

    def __init__(self, *args: Any, roles: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [("", "—"), *roles]  # type: ignore[attr-defined]

    @property
    def is_filled(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return bool(data.get("role") or data.get("up_to") is not None)


class BaseLadderFormSet(forms.BaseFormSet):
    def __init__(self, *args: Any, roles: Any = (), **kwargs: Any) -> None:
        self.roles = roles
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        return {**super().get_form_kwargs(index), "roles": self.roles}


LadderFormSet = forms.formset_factory(LadderStepForm, formset=BaseLadderFormSet, extra=2, max_num=12)


class VisitRuleForm(forms.Form):
    location = forms.ModelChoiceField(label=_("Take from"), queryset=None)
    visit_type = forms.ModelChoiceField(label=_("Visit type"), queryset=None)
    item = forms.ModelChoiceField(label=_("Item"), queryset=None)
    quantity = forms.DecimalField(label=_("Quantity per visit"), max_digits=12, decimal_places=3, widget=QUANTITY_INPUT)

    def __init__(
        self, *args: Any, locations: Any = None, visit_types: Any = None, items: Any = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = locations  # type: ignore[attr-defined]
        self.fields["visit_type"].queryset = visit_types  # type: ignore[attr-defined]
        self.fields["item"].queryset = items  # type: ignore[attr-defined]


class OrderFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=[("", _("All")), *OrderStatus.choices], required=False)


class ReceiptForm(forms.Form):
    """One row per line still outstanding: how much came and at what net price."""

    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, lines: list[PurchaseOrderLine], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lines = lines
        for line in lines:
            self.fields[f"quantity_{line.pk}"] = forms.DecimalField(
                label=_("Delivered"),
                max_digits=12,
                decimal_places=3,
                required=False,
                initial=f"{line.outstanding.normalize():f}",
                widget=QUANTITY_INPUT,
            )
            self.fields[f"price_{line.pk}"] = forms.DecimalField(
                label=_("Invoiced net unit price"),
                max_digits=12,
                decimal_places=2,
                min_value=Decimal(0),
                required=False,
                initial=line.unit_price,
                widget=MONEY_INPUT,
            )

    def rows(self) -> list[tuple[PurchaseOrderLine, Any, Any]]:
        return [(line, self[f"quantity_{line.pk}"], self[f"price_{line.pk}"]) for line in self.lines]
