"""Forms of the web chat's staff pages: the widget set-up, the agent's reply, opening a case."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from frontoffice.core.models import Branch
from frontoffice.core.scoping import scope_for, scope_queryset

from ..models import ChatWidget
from ..models.chat import MESSAGE_MAX_LENGTH


class WidgetForm(forms.ModelForm):
    class Meta:
        model = ChatWidget
        fields = [
            "name",
            "branch",
            "allowed_origins",
            "greeting_en",
            "greeting_pl",
            "accent_colour",
            "text_colour",
            "hours_source",
            "own_hours",
            "answer_within_minutes",
            "is_active",
        ]
        widgets = {
            "allowed_origins": forms.Textarea(attrs={"rows": 3}),
            "own_hours": forms.Textarea(attrs={"rows": 4}),
            "accent_colour": forms.TextInput(attrs={"type": "color"}),
            "text_colour": forms.TextInput(attrs={"type": "color"}),
        }

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A manager picks among their own branches; admins among all of the organisation's.
        branches = scope_queryset(Branch.objects.filter(is_active=True), user, branch_field=None)
        allowed = scope_for(user).branch_ids
        self.fields["branch"].queryset = branches if allowed is None else branches.filter(pk__in=allowed)  # type: ignore[attr-defined]

    def service_fields(self) -> dict[str, Any]:
        return {name: value for name, value in self.cleaned_data.items() if name != "branch"}


class ReplyForm(forms.Form):
    text = forms.CharField(
        label=_("Reply"),
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "data-chat-reply": ""}),
        help_text=_("Enter sends; Shift+Enter starts a new line."),
    )


class CaseForm(forms.Form):
    subject = forms.CharField(label=_("Case subject"), max_length=200, required=False)
