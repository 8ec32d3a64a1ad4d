"""Forms of the phone area."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ..choices import AgentState, CallbackOutcome, CallbackStatus, Outcome

DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class AgentStateForm(forms.Form):
    state = forms.ChoiceField(label=_("My phone state"), choices=AgentState.choices)


class CallbackAttemptForm(forms.Form):
    outcome = forms.ChoiceField(label=_("How did the attempt end?"), choices=CallbackOutcome.choices)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class CallbackCloseForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Close as"), choices=[(CallbackStatus.DONE, _("Done")), (CallbackStatus.GAVE_UP, _("Gave up"))]
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class _TopicMixin(forms.Form):
    topic = forms.ModelChoiceField(label=_("Topic"), queryset=None, required=False)  # type: ignore[arg-type]

    def __init__(self, *args: Any, topics: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["topic"].queryset = topics  # type: ignore[attr-defined]


class CallOutcomeForm(_TopicMixin):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=[("", "—"), *Outcome.choices], required=False)
    summary = forms.CharField(
        label=_("Summary"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class OutboundCallForm(CallOutcomeForm):
    number = forms.CharField(label=_("Number called"), max_length=64)
    follow_up_due = forms.DateTimeField(label=_("Follow-up due"), required=False, widget=DATETIME_INPUT)
    follow_up_note = forms.CharField(label=_("Follow-up: what to do"), max_length=300, required=False)

    field_order = ["number", "topic", "outcome", "summary", "follow_up_due", "follow_up_note"]


class CtiTokenForm(forms.Form):
    name = forms.CharField(label=_("Name (which phone system)"), max_length=80)
    branch = forms.ModelChoiceField(label=_("Calls land in branch"), queryset=None)  # type: ignore[arg-type]
    uses_wrap_up = forms.BooleanField(label=_("Agents go into wrap-up after each call"), required=False, initial=True)

    def __init__(self, *args: Any, branches: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = branches  # type: ignore[attr-defined]


class AgentPhoneForm(forms.Form):
    user = forms.ModelChoiceField(label=_("Staff member"), queryset=None)  # type: ignore[arg-type]
    extension = forms.CharField(
        label=_("Extension"), max_length=32, required=False, help_text=_("Leave empty to remove the extension.")
    )

    def __init__(self, *args: Any, users: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = users  # type: ignore[attr-defined]
