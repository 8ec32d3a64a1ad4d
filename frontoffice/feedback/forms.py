"""Forms of the feedback pages: a survey and its questions, a rule, a manual invitation, filters, the tablet."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import InvitationStatus, InviteChannel, QuestionKind, ScoreBand, SurveyKind
from .models import InvitationRule, Survey
from .services import QuestionData, RuleData, SurveyData

LINES = forms.Textarea(attrs={"rows": 3})


def _lines(value: str) -> tuple[str, ...]:
    return tuple(line.strip() for line in (value or "").splitlines() if line.strip())


class SurveyForm(forms.Form):
    name = forms.CharField(label=_("Name (for staff)"), max_length=120)
    kind = forms.ChoiceField(label=_("Kind"), choices=SurveyKind.choices)
    title_pl = forms.CharField(label=_("Title (Polish)"), max_length=200)
    title_en = forms.CharField(label=_("Title (English)"), max_length=200, required=False)
    intro_pl = forms.CharField(label=_("Introduction (Polish)"), max_length=2000, required=False, widget=LINES)
    intro_en = forms.CharField(label=_("Introduction (English)"), max_length=2000, required=False, widget=LINES)
    main_pl = forms.CharField(
        label=_("Main question (Polish)"),
        max_length=300,
        required=False,
        help_text=_("CSAT, NPS, CES and complaint surveys; empty: the standard wording."),
    )
    main_en = forms.CharField(label=_("Main question (English)"), max_length=300, required=False)
    ask_comment = forms.BooleanField(label=_("Ask for a comment after the score"), required=False, initial=True)
    thanks_pl = forms.CharField(label=_("Thank-you text (Polish)"), max_length=300, required=False)
    thanks_en = forms.CharField(label=_("Thank-you text (English)"), max_length=300, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["kind"]  # the kind of a survey never changes: its results must stay comparable

    def to_data(self, *, kind: str, questions: tuple[QuestionData, ...]) -> SurveyData:
        data = self.cleaned_data
        return SurveyData(
            name=data["name"],
            kind=kind,
            title_pl=data["title_pl"],
            title_en=data["title_en"],
            intro_pl=data["intro_pl"],
            intro_en=data["intro_en"],
            thanks_pl=data["thanks_pl"],
            thanks_en=data["thanks_en"],
            main_pl=data["main_pl"],
            main_en=data["main_en"],
            ask_comment=data["ask_comment"],
            questions=questions,
        )


class QuestionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of question"), choices=QuestionKind.choices)
    text_pl = forms.CharField(label=_("Question (Polish)"), max_length=300, required=False)
    text_en = forms.CharField(label=_("Question (English)"), max_length=300, required=False)
    scale_min = forms.IntegerField(label=_("Lowest score"), min_value=0, max_value=10, required=False, initial=1)
    scale_max = forms.IntegerField(label=_("Highest score"), min_value=0, max_value=10, required=False, initial=5)
    choices_pl = forms.CharField(label=_("Options (Polish), one per line"), required=False, widget=LINES)
    choices_en = forms.CharField(label=_("Options (English), one per line"), required=False, widget=LINES)
    required = forms.BooleanField(label=_("Required"), required=False)

    def to_data(self) -> QuestionData | None:
        data = self.cleaned_data
        if not data or not (data.get("text_pl") or "").strip():
            return None  # a blank row
        return QuestionData(
            kind=data["kind"],
            text_pl=data["text_pl"],
            text_en=data["text_en"],
            scale_min=data["scale_min"],
            scale_max=data["scale_max"],
            choices_pl=_lines(data["choices_pl"]),
            choices_en=_lines(data["choices_en"]),
            required=data["required"],
        )


QuestionFormSet = forms.formset_factory(QuestionForm, extra=0, max_num=30, validate_max=True)


def question_initial(version: Any) -> list[dict[str, Any]]:
    return [
        {
            "kind": q.kind,
            "text_pl": q.text_pl,
            "text_en": q.text_en,
            "scale_min": q.scale_min,
            "scale_max": q.scale_max,
            "choices_pl": "\n".join(q.choices_pl),
            "choices_en": "\n".join(q.choices_en),
            "required": q.required,
        }
        for q in version.questions.all()
    ]


class RuleForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = InvitationRule
        fields = [
            "trigger",
            "channel",
            "branch",
            "delay_minutes",
            "sampling_percent",
            "suppression_days",
            "period_days",
            "is_active",
        ]

    def __init__(self, *args: Any, branches: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = branches
        self.fields["branch"].empty_label = _("Every branch")
        self.fields["trigger"].choices = [c for c in self.fields["trigger"].choices if c[0] != "manual"]

    def to_data(self) -> RuleData:
        data = self.cleaned_data
        return RuleData(
            trigger=data["trigger"],
            channel=data["channel"],
            branch=data["branch"],
            delay_minutes=data["delay_minutes"],
            sampling_percent=data["sampling_percent"],
            suppression_days=data["suppression_days"],
            period_days=data["period_days"],
            is_active=data["is_active"],
        )


class InvitationForm(forms.Form):
    survey = forms.ModelChoiceField(label=_("Survey"), queryset=Survey.objects.none())
    branch = forms.ModelChoiceField(label=_("Branch"), queryset=None)  # type: ignore[arg-type]
    client = forms.CharField(
        label=_("Client number"), max_length=32, help_text=_("As on the client's page, e.g. K-000123.")
    )
    channel = forms.ChoiceField(
        label=_("Channel"),
        choices=[
            (InviteChannel.EMAIL.value, InviteChannel.EMAIL.label),
            (InviteChannel.SMS.value, InviteChannel.SMS.label),
        ],
    )

    def __init__(self, *args: Any, surveys: Any, branches: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["survey"].queryset = surveys
        self.fields["branch"].queryset = branches


class InvitationFilterForm(forms.Form):
    branch = forms.ModelChoiceField(label=_("Branch"), queryset=None, required=False)  # type: ignore[arg-type]
    survey = forms.ModelChoiceField(label=_("Survey"), queryset=None, required=False)  # type: ignore[arg-type]
    status = forms.ChoiceField(label=_("Status"), choices=[("", _("Any")), *InvitationStatus.choices], required=False)
    channel = forms.ChoiceField(label=_("Channel"), choices=[("", _("Any")), *InviteChannel.choices], required=False)
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, branches: Any, surveys: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = branches
        self.fields["survey"].queryset = surveys


class ResponseFilterForm(InvitationFilterForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", _("Any")), *SurveyKind.choices], required=False)
    band = forms.ChoiceField(label=_("Score"), choices=[("", _("Any")), *ScoreBand.choices], required=False)
    low_only = forms.BooleanField(label=_("Only those with a follow-up"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["status"]


class KioskForm(forms.Form):
    survey = forms.ModelChoiceField(label=_("Survey"), queryset=Survey.objects.none())

    def __init__(self, *args: Any, surveys: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["survey"].queryset = surveys
