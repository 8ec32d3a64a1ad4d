"""Forms of the case workspace."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ..choices import CasePriority, CaseStatus, Channel
from ..mail.forms import attachments_field
from ..models import AssignmentRule
from ..sla.policy import EscalationMoment, EscalationRole
from .selectors import TABS

TAB_LABELS = {
    "mine": _("Mine"),
    "team": _("My teams"),
    "unassigned": _("Unassigned"),
    "breaching": _("Breaching soon"),
    "all": _("All"),
}


class QueueForm(forms.Form):
    tab = forms.ChoiceField(label=_("Show"), choices=[(tab, TAB_LABELS[tab]) for tab in TABS], required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("Being worked")), *CaseStatus.choices], required=False
    )
    priority = forms.ChoiceField(label=_("Priority"), choices=[("", _("Any")), *CasePriority.choices], required=False)
    channel = forms.ChoiceField(label=_("Channel"), choices=[("", _("Any")), *Channel.choices], required=False)
    q = forms.CharField(
        label=_("Search"), max_length=100, required=False, help_text=_("Case number, subject or client.")
    )
    page = forms.IntegerField(min_value=1, max_value=10000, required=False, widget=forms.HiddenInput)


class CaseCreateForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=200)
    channel = forms.ChoiceField(label=_("Opened through"), choices=Channel.choices, initial=Channel.PHONE)
    priority = forms.ChoiceField(label=_("Priority"), choices=CasePriority.choices, initial=CasePriority.NORMAL)
    team = forms.ModelChoiceField(label=_("Team"), queryset=None, required=False, empty_label=_("No team"))  # type: ignore[arg-type]

    def __init__(self, *args: Any, teams: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams


class CaseEditForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    priority = forms.ChoiceField(label=_("Priority"), choices=CasePriority.choices)
    team = forms.ModelChoiceField(label=_("Team"), queryset=None, required=False, empty_label=_("No team"))  # type: ignore[arg-type]
    visit = forms.TypedChoiceField(label=_("Linked visit"), choices=(), required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, teams: Any, visits: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
        self.fields["visit"].choices = [("", _("No visit"))] + [
            (visit.pk, f"{visit.number} · {visit.scheduled_at:%Y-%m-%d}") for visit in visits
        ]


class StatusForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    status = forms.ChoiceField(label=_("New status"), choices=CaseStatus.choices)


class AssignForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    owner = forms.TypedChoiceField(label=_("Owner"), choices=(), required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, people: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [("", _("Nobody"))] + [
            (person.pk, person.get_full_name() or person.get_username()) for person in people
        ]


class NoteForm(forms.Form):
    body = forms.CharField(label=_("Internal note"), max_length=8000, widget=forms.Textarea(attrs={"rows": 3}))
    attachment = forms.FileField(label=_("Attachment (PDF or image)"), required=False)


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Reply to the customer"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 6, "data-send-on-ctrl-enter": "1"}),
        help_text=_("Ctrl+Enter sends."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Files go out only with e-mail replies; the page shows the field on e-mail cases.
        self.fields["attachments"] = attachments_field()


class MergeForm(forms.Form):
    target = forms.TypedChoiceField(label=_("Merge this case into"), choices=(), coerce=int)

    def __init__(self, *args: Any, candidates: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = [(case.pk, f"{case.number} · {case.subject}") for case in candidates]


class CannedReplyForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    body_pl = forms.CharField(label=_("Text in Polish"), max_length=8000, required=False, widget=forms.Textarea)
    body_en = forms.CharField(label=_("Text in English"), max_length=8000, required=False, widget=forms.Textarea)
    is_active = forms.BooleanField(label=_("In use"), required=False, initial=True)


def _parse_hours(text: str) -> dict[str, list[list[str]]]:
    """``Mon-Fri 08:00-16:00`` style lines → weekly hours; one line per day or range of days."""
    days = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
    hours: dict[str, list[list[str]]] = {}
    for line in text.splitlines():
        line = line.strip().lower()
        if not line:
            continue
        try:
            day_part, *ranges = line.split()
            first, _dash, last = day_part.partition("-")
            chosen = range(days[first[:3]], days[(last or first)[:3]] + 1)
            parsed = []
            for item in ranges:
                start, end = item.split("-")
                datetime.time.fromisoformat(start)
                datetime.time.fromisoformat(end)
                parsed.append([start, end])
        except (KeyError, ValueError) as error:
            raise forms.ValidationError(_("Cannot read the line “%(line)s”.") % {"line": line}) from error
        for day in chosen:
            hours.setdefault(str(day), []).extend(parsed)
    return hours


def hours_text(hours: dict[str, list[list[str]]]) -> str:
    names = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    return "\n".join(
        f"{names[int(day)]} " + " ".join(f"{start}-{end}" for start, end in ranges)
        for day, ranges in sorted(hours.items(), key=lambda item: int(item[0]))
    )


class SlaPolicyForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    order = forms.IntegerField(
        label=_("Order"), min_value=0, max_value=32000, initial=100, help_text=_("Lower numbers are tried first.")
    )
    is_active = forms.BooleanField(label=_("In use"), required=False, initial=True)
    channels = forms.MultipleChoiceField(
        label=_("Channels (none: any)"), choices=Channel.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    priorities = forms.MultipleChoiceField(
        label=_("Priorities (none: any)"),
        choices=CasePriority.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    vip_only = forms.BooleanField(label=_("Only VIP clients"), required=False)
    first_response_minutes = forms.IntegerField(
        label=_("First response (business minutes)"), min_value=0, required=False
    )
    next_response_minutes = forms.IntegerField(label=_("Next response (business minutes)"), min_value=0, required=False)
    resolution_minutes = forms.IntegerField(label=_("Resolution (business minutes)"), min_value=0, required=False)
    always_open = forms.BooleanField(label=_("Around the clock (24/7)"), required=False)
    time_zone = forms.CharField(label=_("Time zone"), max_length=64, initial="Europe/Warsaw")
    weekly_hours = forms.CharField(
        label=_("Opening hours"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        initial="Mon-Fri 08:00-16:00",
        help_text=_(
            "One line per day or range of days, e.g. “Mon-Fri 08:00-12:00 13:00-17:00”. "
            "Polish public holidays are closed."
        ),
    )
    closed_dates = forms.CharField(
        label=_("Extra closed days"), required=False, help_text=_("Dates as 2026-12-31, separated by spaces or commas.")
    )
    pause_statuses = forms.MultipleChoiceField(
        label=_("Statuses that pause the clocks"),
        choices=[
            (CaseStatus.PENDING_CUSTOMER.value, CaseStatus.PENDING_CUSTOMER.label),
            (CaseStatus.PENDING_INTERNAL.value, CaseStatus.PENDING_INTERNAL.label),
        ],
        required=False,
        initial=[CaseStatus.PENDING_CUSTOMER.value],
        widget=forms.CheckboxSelectMultiple,
    )
    escalation = forms.CharField(
        label=_("Escalation ladder"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        initial="agent before 30\nsupervisor at 0\nmanager after 60",
        help_text=_(
            "One step per line: who (agent, supervisor, manager, executive), "
            "when (before, at, after) and business minutes."
        ),
    )

    def clean_weekly_hours(self) -> dict[str, list[list[str]]]:
        return _parse_hours(self.cleaned_data.get("weekly_hours", ""))

    def clean_closed_dates(self) -> list[str]:
        raw = self.cleaned_data.get("closed_dates", "").replace(",", " ").split()
        try:
            return [datetime.date.fromisoformat(item).isoformat() for item in raw]
        except ValueError:
            raise forms.ValidationError(_("Write the dates as 2026-12-31.")) from None

    def clean_escalation(self) -> list[dict[str, Any]]:
        steps = []
        for line in self.cleaned_data.get("escalation", "").splitlines():
            if not line.strip():
                continue
            try:
                role, moment, minutes = line.split()
                steps.append(
                    {
                        "role": EscalationRole(role).value,
                        "moment": EscalationMoment(moment).value,
                        "minutes": int(minutes),
                    }
                )
            except ValueError:
                raise forms.ValidationError(_("Cannot read the step “%(line)s”.") % {"line": line.strip()}) from None
        return steps

    def model_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["client_flags"] = ["vip"] if data.pop("vip_only") else []
        return data

    @staticmethod
    def initial_from(policy: Any) -> dict[str, Any]:
        return {
            "name": policy.name,
            "order": policy.order,
            "is_active": policy.is_active,
            "channels": policy.channels,
            "priorities": policy.priorities,
            "vip_only": "vip" in (policy.client_flags or []),
            "first_response_minutes": policy.first_response_minutes,
            "next_response_minutes": policy.next_response_minutes,
            "resolution_minutes": policy.resolution_minutes,
            "always_open": policy.always_open,
            "time_zone": policy.time_zone,
            "weekly_hours": hours_text(policy.weekly_hours or {}),
            "closed_dates": " ".join(policy.closed_dates or []),
            "pause_statuses": policy.pause_statuses,
            "escalation": "\n".join(
                f"{s['role']} {s['moment']} {s.get('minutes', 0)}" for s in policy.escalation or []
            ),
        }


class RoutingForm(forms.Form):
    rule = forms.ChoiceField(label=_("Assignment"), choices=AssignmentRule.choices)
