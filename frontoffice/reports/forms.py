from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .selectors import MAX_PERIOD_DAYS

CHANNELS = [
    ("", _("Any")),
    ("phone", _("Phone")),
    ("email", _("E-mail")),
    ("chat", _("Web chat")),
    ("sms", _("SMS")),
    ("web_form", _("Web form")),
    ("in_person", _("In person")),
    ("letter", _("Letter")),
]


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
