from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import CHANNELS, PERIOD_KINDS
from .dashboard import Span, span_of
from .dictionary import METRICS
from .selectors import MAX_PERIOD_DAYS, Filters


class PeriodForm(forms.Form):
    """The dashboard's period and filters, read from the URL so that a view can be shared."""

    date_from = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))
    branch = forms.ModelChoiceField(label=_("Branch"), queryset=None, required=False)  # type: ignore[arg-type]
    channel = forms.ChoiceField(label=_("Channel"), choices=CHANNELS, required=False)

    def __init__(self, *args: Any, branches: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = branches
        if branches is None:
            del self.fields["branch"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end:
            if start > end:
                self.add_error("date_to", _("The period starts after it ends."))
            elif (end - start).days + 1 > MAX_PERIOD_DAYS:
                self.add_error(
                    "date_to", _("The period is too long: at most %(days)s days.") % {"days": MAX_PERIOD_DAYS}
                )
        return data


def default_period(today: dt.date) -> tuple[dt.date, dt.date]:
    """The last seven whole days."""
    return today - dt.timedelta(days=7), today - dt.timedelta(days=1)


class ScopedChoiceField(forms.TypedChoiceField):
    """A branch chosen from the user's own, or any other number in a shared URL: the selectors answer that
    one with 404, as for any record of a branch the user does not work at."""

    def valid_value(self, value: Any) -> bool:
        return str(value).isdigit()


class DashboardForm(forms.Form):
    """A dashboard's period and filters, read from the URL so that a view can be shared.

    ``period`` is a day, the ISO week or the calendar month holding ``date`` (today when left out), or the
    custom range ``date_from``–``date_to``. Someone who sees only their own figures has no team or staff
    member to choose; a staff member asked for in the URL reaches the selectors, which refuse another's.
    """

    period = forms.ChoiceField(label=_("Period"), choices=PERIOD_KINDS, required=False)
    date = forms.DateField(label=_("Day in the period"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    branch = ScopedChoiceField(label=_("Branch"), coerce=int, required=False, empty_value=None)
    team = forms.TypedChoiceField(label=_("Team"), coerce=int, required=False, empty_value=None)
    agent = forms.TypedChoiceField(label=_("Staff member"), coerce=int, required=False, empty_value=None)
    channel = forms.ChoiceField(label=_("Channel"), choices=CHANNELS, required=False)

    def __init__(
        self,
        data: Any,
        *,
        today: dt.date,
        branches: Iterable[tuple[int, str]] | None = None,
        teams: Iterable[tuple[int, str]] | None = None,
        agents: Iterable[tuple[int, str]] | None = None,
    ) -> None:
        super().__init__(data)
        self.today = today
        if branches is None:
            del self.fields["branch"]
        else:
            self.fields["branch"].choices = [("", _("Any")), *branches]  # type: ignore[attr-defined]
        for name, choices in (("team", teams), ("agent", agents)):
            if choices is None:
                self.fields[name] = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
            else:
                self.fields[name].choices = [("", _("Any")), *choices]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("period") or "week"
        data["period"] = kind
        if kind == "custom":
            start, end = data.get("date_from"), data.get("date_to")
            if start is None and "date_from" not in self.errors:
                self.add_error("date_from", _("Choose the first day of the range."))
            if end is None and "date_to" not in self.errors:
                self.add_error("date_to", _("Choose the last day of the range."))
            if start and end:
                if start > end:
                    self.add_error("date_to", _("The period starts after it ends."))
                elif (end - start).days + 1 > MAX_PERIOD_DAYS:
                    self.add_error(
                        "date_to", _("The period is too long: at most %(days)s days.") % {"days": MAX_PERIOD_DAYS}
                    )
        return data

    @property
    def span(self) -> Span:
        data = self.cleaned_data
        return span_of(data["period"], data.get("date") or self.today, data.get("date_from"), data.get("date_to"))

    @property
    def filters(self) -> Filters:
        data = self.cleaned_data
        return Filters(
            branch_id=data.get("branch"),
            team_id=data.get("team"),
            agent_id=data.get("agent"),
            channel=data.get("channel") or "",
        )


class DrilldownForm(DashboardForm):
    metric = forms.ChoiceField(label=_("Metric"))

    def __init__(self, data: Any, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.fields["metric"].choices = [(metric.key, metric.name) for metric in METRICS]  # type: ignore[attr-defined]
        self.order_fields(["metric"])
