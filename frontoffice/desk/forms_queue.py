"""Forms of the walk-in queue: issuing a ticket, and the manager's set-up of services, counters and screens."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models.queue import BoardScreen, Counter, QueueService, ScreenKind, TicketCategory


class IssueForm(forms.Form):
    """The category of the next ticket; the service is the button pressed."""

    category = forms.ChoiceField(
        choices=TicketCategory.choices, initial=TicketCategory.NORMAL, required=False, label=_("Category")
    )

    def clean_category(self) -> str:
        return self.cleaned_data.get("category") or TicketCategory.NORMAL


class QueueServiceForm(forms.ModelForm):
    class Meta:
        model = QueueService
        fields = ["name", "prefix", "minutes_per_client", "position", "is_active", "visit_types"]
        widgets = {"visit_types": forms.CheckboxSelectMultiple}

    def __init__(self, *args: Any, visit_types: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if visit_types is not None:
            self.fields["visit_types"].queryset = visit_types  # type: ignore[attr-defined]


class CounterForm(forms.ModelForm):
    class Meta:
        model = Counter
        fields = ["name", "services", "is_active"]
        widgets = {"services": forms.CheckboxSelectMultiple}

    def __init__(self, *args: Any, services: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["services"].queryset = services  # type: ignore[attr-defined]


class ScreenForm(forms.ModelForm):
    kind = forms.ChoiceField(choices=ScreenKind.choices, label=_("Kind"), initial=ScreenKind.BOARD)

    class Meta:
        model = BoardScreen
        fields = ["name", "kind", "services", "chime"]
        widgets = {"services": forms.CheckboxSelectMultiple}

    def __init__(self, *args: Any, services: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["services"].queryset = services  # type: ignore[attr-defined]


class QueueReportForm(forms.Form):
    """The report's period: at most ``MAX_DAYS`` days, the last not before the first."""

    first_day = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    last_day = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        from .selectors_queue_report import MAX_DAYS

        data = super().clean()
        first, last = data.get("first_day"), data.get("last_day")
        if first and last:
            if last < first:
                self.add_error("last_day", _("The last day cannot come before the first."))
            elif (last - first).days + 1 > MAX_DAYS:
                self.add_error("last_day", _("Choose at most %(days)d days.") % {"days": MAX_DAYS})
        return data
