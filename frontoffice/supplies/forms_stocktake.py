"""Forms of the stocktake pages and of the "move or correct stock" page."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import StocktakeStatus
from .forms import QUANTITY_INPUT
from .models import StocktakeLine
from .services_stocktake import count_field

REASON_INPUT = forms.TextInput(attrs={"autocomplete": "off"})
REASON_REQUIRED = {"required": _("Say why: a reason is required for adjustments and write-offs.")}
# A signed quantity: the adjustment form takes "-2" as well as "3".
SIGNED_INPUT = forms.NumberInput(attrs={"inputmode": "decimal", "step": "any", "class": "big"})


class StocktakeFilterForm(forms.Form):
    location = forms.ModelChoiceField(label=_("Location"), queryset=None, required=False)
    status = forms.ChoiceField(label=_("Status"), choices=[("", _("All")), *StocktakeStatus.choices], required=False)

    def __init__(self, *args: Any, locations: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = locations  # type: ignore[attr-defined]


class StocktakeStartForm(forms.Form):
    location = forms.ModelChoiceField(label=_("Location to count"), queryset=None)

    def __init__(self, *args: Any, locations: Any = None, **kwargs: Any) -> None:
        # Its own ids: the list's filter form on the same page has a "location" field too.
        kwargs.setdefault("auto_id", "start_%s")
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = locations  # type: ignore[attr-defined]


class StocktakeCountForm(forms.Form):
    """One input per line. Each field remembers what the page showed (``show_hidden_initial``), so only
    the figures this person changed are sent: two people counting one location on two phones do not
    wipe each other's counts with the blanks their pages still show."""

    def __init__(self, *args: Any, lines: Iterable[StocktakeLine] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lines = list(lines)
        for line in self.lines:
            name = count_field(line.item_id)
            self.fields[name] = forms.DecimalField(
                label=line.item.name,
                required=False,
                max_digits=12,
                decimal_places=3,
                initial=_plain(line.counted),
                show_hidden_initial=True,
                widget=forms.NumberInput(
                    attrs={
                        "inputmode": "decimal",
                        "step": "any",
                        "min": "0",
                        "class": "big",
                        "aria-describedby": f"id_{name}_expected",
                    }
                ),
            )
            self.fields[name].line = line  # type: ignore[attr-defined]

    def rows(self) -> list[tuple[StocktakeLine, forms.BoundField]]:
        return [(line, self[count_field(line.item_id)]) for line in self.lines]

    def changed_counts(self) -> dict[int, Decimal | None]:
        return {line.item_id: self.cleaned_data[count_field(line.item_id)] for line in self.changed_lines()}

    def changed_lines(self) -> list[StocktakeLine]:
        changed = set(self.changed_data)
        return [line for line in self.lines if count_field(line.item_id) in changed]


def _plain(value: Decimal | None) -> str | None:
    return None if value is None else f"{value.normalize():f}"


class StocktakeApproveForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the differences"),
        required=False,
        max_length=300,
        widget=REASON_INPUT,
        help_text=_("Required when the count differs from the books; kept with every adjustment."),
    )


# --- move or correct stock -------------------------------------------------------------------------------


class TransferForm(forms.Form):
    target = forms.ModelChoiceField(label=_("Move to"), queryset=None)
    quantity = forms.DecimalField(label=_("How many"), max_digits=12, decimal_places=3, widget=QUANTITY_INPUT)

    def __init__(self, *args: Any, targets: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = targets  # type: ignore[attr-defined]


class AdjustForm(forms.Form):
    # Named like the service's error keys, so its messages land on the right field.
    quantity = forms.DecimalField(
        label=_("Change by"),
        max_digits=12,
        decimal_places=3,
        widget=SIGNED_INPUT,
        help_text=_("Positive adds stock, negative (e.g. -2) takes it off the books."),
    )
    reason = forms.CharField(label=_("Reason"), max_length=300, widget=REASON_INPUT, error_messages=REASON_REQUIRED)


class WriteOffForm(forms.Form):
    quantity = forms.DecimalField(label=_("How many"), max_digits=12, decimal_places=3, widget=QUANTITY_INPUT)
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        widget=REASON_INPUT,
        error_messages=REASON_REQUIRED,
        help_text=_("e.g. expired, damaged, lost"),
    )
