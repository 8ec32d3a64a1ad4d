"""Forms of the waitlist: adding a client, removing one, filtering the list, the figures' period, the policy."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .forms_calendar import DATE_INPUT
from .models import Resource
from .models.waitlist import WaitlistChannel, WaitlistPriority, WaitlistStatus


class EntryForm(forms.Form):
    visit_type = forms.ModelChoiceField(label=_("Visit type"), queryset=None)  # type: ignore[arg-type]
    resource = forms.ModelChoiceField(
        label=_("Resource"), queryset=Resource.objects.none(), required=False, empty_label=_("Anyone who does it")
    )
    date_from = forms.DateField(label=_("Earliest day"), widget=DATE_INPUT)
    date_to = forms.DateField(label=_("Latest day"), widget=DATE_INPUT)
    priority = forms.TypedChoiceField(
        label=_("Priority"), choices=WaitlistPriority.choices, coerce=int, initial=WaitlistPriority.NORMAL
    )
    channel = forms.ChoiceField(
        label=_("Offer by"),
        choices=[("", _("The client's preferred channel")), *WaitlistChannel.choices],
        required=False,
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args: Any, resources: Any, visit_types: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["resource"].queryset = resources
        self.fields["visit_type"].queryset = visit_types

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            self.add_error("date_to", _("The last day must not be before the first day."))
        return data


class RemoveForm(forms.Form):
    reason = forms.CharField(label=_("Why is the client taken off the list?"), max_length=300)


class FilterForm(forms.Form):
    visit_type = forms.ModelChoiceField(
        label=_("Visit type"),
        queryset=None,  # type: ignore[arg-type]
        required=False,
        empty_label=_("All"),
    )
    resource = forms.ModelChoiceField(
        label=_("Resource"), queryset=Resource.objects.none(), required=False, empty_label=_("All")
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("Waiting or offered")), ("all", _("All")), *WaitlistStatus.choices],
        required=False,
    )
    date_from = forms.DateField(label=_("Figures from"), widget=DATE_INPUT, required=False)
    date_to = forms.DateField(label=_("Figures until"), widget=DATE_INPUT, required=False)

    def __init__(self, *args: Any, resources: Any, visit_types: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["resource"].queryset = resources
        self.fields["visit_type"].queryset = visit_types


class PolicyForm(forms.Form):
    offer_minutes = forms.IntegerField(
        label=_("Time to answer an offer (minutes)"),
        min_value=1,
        max_value=24 * 60,
        help_text=_("Never past the start of the offered slot."),
    )
    notice_minutes = forms.IntegerField(
        label=_("Minimum notice (minutes)"),
        min_value=0,
        max_value=7 * 24 * 60,
        help_text=_("Slots starting sooner than this are not offered."),
    )
