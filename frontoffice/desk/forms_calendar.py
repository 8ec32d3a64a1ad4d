"""Forms of the calendars: resources and their hours, absences, closures, booking, moving, finding a slot."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from frontoffice.core.choices import Weekday
from frontoffice.core.forms import VersionedModelForm

from .choices import RepeatRule
from .models import ReminderPolicy, Resource

RANGE = re.compile(r"^\s*(\d{1,2})[:.](\d{2})\s*[-–]\s*(\d{1,2})[:.](\d{2})\s*$")
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME_INPUT = forms.TimeInput(attrs={"type": "time", "step": 300}, format="%H:%M")
DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def local_moment(day: date, at: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, at, tzinfo=zone)


class ResourceForm(VersionedModelForm):
    class Meta:
        model = Resource
        fields = ["name", "kind", "staff_member", "room", "visit_types", "is_active"]
        widgets = {"visit_types": forms.CheckboxSelectMultiple}

    def __init__(self, *args: Any, staff: Any, rooms: Any, visit_types: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["staff_member"].queryset = staff
        self.fields["room"].queryset = rooms
        self.fields["visit_types"].queryset = visit_types


def _parse_ranges(text: str) -> list[tuple[time, time]]:
    ranges = []
    for part in filter(None, (piece.strip() for piece in text.split(","))):
        match = RANGE.match(part)
        if not match:
            raise ValidationError(_("Write ranges like 08:00-12:00, 13:00-16:00."), code="format")
        h1, m1, h2, m2 = (int(group) for group in match.groups())
        try:
            start, end = time(h1, m1), time(h2, m2)
        except ValueError:
            raise ValidationError(_("Write ranges like 08:00-12:00, 13:00-16:00."), code="format") from None
        if end <= start:
            raise ValidationError(_("A working range must end after it starts."), code="order")
        ranges.append((start, end))
    return ranges


class HoursForm(forms.Form):
    """The weekly hours, one text field a weekday: "08:00-12:00, 13:00-16:00" (the gap is the break)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for value, label in Weekday.choices:
            self.fields[f"day{value}"] = forms.CharField(
                label=label, required=False, max_length=200, help_text=_("e.g. 08:00-12:00, 13:00-16:00")
            )

    @staticmethod
    def initial_for(rows: list[Any]) -> dict[str, str]:
        initial: dict[str, list[str]] = {}
        for row in rows:
            initial.setdefault(f"day{row.weekday}", []).append(f"{row.starts_at:%H:%M}-{row.ends_at:%H:%M}")
        return {name: ", ".join(parts) for name, parts in initial.items()}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self.ranges: list[tuple[int, time, time]] = []
        for value in Weekday.values:
            name = f"day{value}"
            try:
                self.ranges += [(value, start, end) for start, end in _parse_ranges(cleaned.get(name, ""))]
            except ValidationError as error:
                self.add_error(name, error)
        return cleaned


class AbsenceForm(forms.Form):
    starts_at = forms.DateTimeField(label=_("Away from"), widget=DATETIME_INPUT)
    ends_at = forms.DateTimeField(label=_("Back at"), widget=DATETIME_INPUT)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=200)


class ClosureForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DATE_INPUT)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=200)


class BookForm(forms.Form):
    resource = forms.ModelChoiceField(label=_("Resource"), queryset=Resource.objects.none())
    visit_type = forms.ModelChoiceField(label=_("Visit type"), queryset=None)  # type: ignore[arg-type]
    day = forms.DateField(label=_("Date"), widget=DATE_INPUT)
    at = forms.TimeField(label=_("Time"), widget=TIME_INPUT)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    repeat = forms.ChoiceField(
        label=_("Repeat"), required=False, choices=[("", _("Does not repeat")), *RepeatRule.choices]
    )
    interval = forms.IntegerField(label=_("Every"), required=False, min_value=1, max_value=52, initial=1)
    count = forms.IntegerField(label=_("Occurrences"), required=False, min_value=1, max_value=60)
    until = forms.DateField(label=_("Until"), required=False, widget=DATE_INPUT)
    skip_conflicts = forms.BooleanField(label=_("Book the free occurrences and skip the taken ones"), required=False)

    def __init__(self, *args: Any, resources: Any, visit_types: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["resource"].queryset = resources
        self.fields["visit_type"].queryset = visit_types

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("repeat") and not cleaned.get("count") and not cleaned.get("until"):
            self.add_error("count", _("Give the number of occurrences or the last day."))
        return cleaned


class MoveForm(forms.Form):
    resource = forms.ModelChoiceField(label=_("Resource"), queryset=Resource.objects.none())
    day = forms.DateField(label=_("Date"), widget=DATE_INPUT)
    at = forms.TimeField(label=_("Time"), widget=TIME_INPUT)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, resources: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["resource"].queryset = resources


class ReminderPolicyForm(VersionedModelForm):
    class Meta:
        model = ReminderPolicy
        fields = ["is_enabled", "first_lead_hours", "second_lead_hours", "send_confirmation"]


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Why is it cancelled?"), max_length=300)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class FindSlotForm(forms.Form):
    visit_type = forms.ModelChoiceField(label=_("Visit type"), queryset=None)  # type: ignore[arg-type]
    resource = forms.ModelChoiceField(
        label=_("Resource"), queryset=Resource.objects.none(), required=False, empty_label=_("Anyone who does it")
    )
    day = forms.DateField(label=_("From"), widget=DATE_INPUT, required=False)

    def __init__(self, *args: Any, resources: Any, visit_types: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["resource"].queryset = resources
        self.fields["visit_type"].queryset = visit_types
