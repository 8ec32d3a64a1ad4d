"""Forms of the phone line's set-up: a branch's phone settings and the blocked-numbers list."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ..choices import BlockReason
from ..models.phone_setup import CALLBACK_DUE_MAX_MINUTES, CALLBACK_DUE_MIN_MINUTES


class PhoneSettingsForm(forms.Form):
    callback_due_minutes = forms.IntegerField(
        label=_("Callback due after (minutes)"),
        min_value=CALLBACK_DUE_MIN_MINUTES,
        max_value=CALLBACK_DUE_MAX_MINUTES,
        help_text=_("How long after a missed call its callback is due: 120 is two hours, 1440 a day."),
    )
    repeat_calls_join_callback = forms.BooleanField(
        label=_("Repeat calls add to the open callback"),
        required=False,
        help_text=_("Unticked: every missed call gets its own callback."),
    )
    outgoing_caller_id = forms.CharField(
        label=_("Outgoing caller ID"),
        max_length=32,
        required=False,
        help_text=_(
            "The number the phone system is asked to show when staff call out (the phone system must support it). "
            "Leave empty to let the phone system decide."
        ),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class BlockedNumberForm(forms.Form):
    branch = forms.ModelChoiceField(label=_("Branch"), queryset=None)  # type: ignore[arg-type]
    number = forms.CharField(
        label=_("Number"), max_length=40, help_text=_("Any format: +48 600 100 200, 600-100-200, 0048600100200.")
    )
    reason = forms.ChoiceField(label=_("Reason"), choices=BlockReason.choices)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args: Any, branches: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = branches  # type: ignore[attr-defined]
