"""Filters of the supply reports. They are read from the query string, so a filtered report is a link to share."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import MovementKind

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# A report over more than two years is a different question (and a long table): ask for a shorter period.
LONGEST_PERIOD = timedelta(days=2 * 366)


class _PeriodForm(forms.Form):
    date_from = forms.DateField(label=_("From"), required=False, widget=DATE_INPUT)
    date_to = forms.DateField(label=_("To"), required=False, widget=DATE_INPUT)
    period_required = True

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if self.period_required:
            for name in ("date_from", "date_to"):
                if name not in self.errors and not data.get(name):
                    self.add_error(name, _("Enter a date."))
        if start and end:
            if end < start:
                self.add_error("date_to", _("The end of the period cannot be before its start."))
            elif self.period_required and end - start > LONGEST_PERIOD:
                self.add_error("date_to", _("Choose a period of at most two years."))
        return data


class _Choice(forms.ModelChoiceField):
    def __init__(self, label: Any, **kwargs: Any) -> None:
        super().__init__(label=label, queryset=None, required=False, empty_label=_("All"), **kwargs)


class _LocationChoice(_Choice):
    """A location or department, named with its branch: two branches often have a "Reception"."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.branch.name})"


class _PersonChoice(_Choice):
    def label_from_instance(self, obj: Any) -> str:
        return obj.get_full_name() or obj.get_username()


class ConsumptionFilterForm(_PeriodForm):
    location = _LocationChoice(_("Location"))
    department = _LocationChoice(_("Department"))

    def __init__(self, *args: Any, locations: Any = None, departments: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = locations  # type: ignore[attr-defined]
        self.fields["department"].queryset = departments  # type: ignore[attr-defined]


class SpendFilterForm(_PeriodForm):
    supplier = _Choice(_("Supplier"))

    def __init__(self, *args: Any, suppliers: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["supplier"].queryset = suppliers  # type: ignore[attr-defined]


class LowStockFilterForm(forms.Form):
    location = _LocationChoice(_("Location"))

    def __init__(self, *args: Any, locations: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = locations  # type: ignore[attr-defined]


CORRECTION_KINDS = [
    ("", _("Adjustments and write-offs")),
    (MovementKind.ADJUSTED.value, MovementKind.ADJUSTED.label),
    (MovementKind.WRITTEN_OFF.value, MovementKind.WRITTEN_OFF.label),
]


class AdjustmentFilterForm(_PeriodForm):
    period_required = False
    person = _PersonChoice(_("Person"))
    location = _LocationChoice(_("Location"))
    item = _Choice(_("Item"))
    kind = forms.ChoiceField(label=_("Kind"), choices=CORRECTION_KINDS, required=False)

    field_order = ["person", "location", "item", "kind", "date_from", "date_to"]

    def __init__(self, *args: Any, people: Any = None, locations: Any = None, items: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people  # type: ignore[attr-defined]
        self.fields["location"].queryset = locations  # type: ignore[attr-defined]
        self.fields["item"].queryset = items  # type: ignore[attr-defined]
