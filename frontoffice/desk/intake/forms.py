"""Django forms of the builder; the filled form itself is rendered from the version's fields (``_fields.html``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import IntakeField, IntakeFormVersion
from .choices import CHOICE_KINDS, ClientField, FieldKind
from .services import FieldData


class IntakeFormCreateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120, help_text=_("How staff find the form."))
    title_pl = forms.CharField(label=_("Title shown to the client (Polish)"), max_length=200, required=False)
    title_en = forms.CharField(label=_("Title shown to the client (English)"), max_length=200, required=False)


class IntakeFormSettingsForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    is_active = forms.BooleanField(label=_("Active"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class VersionTextsForm(forms.Form):
    title_pl = forms.CharField(label=_("Title (Polish)"), max_length=200)
    title_en = forms.CharField(label=_("Title (English)"), max_length=200, required=False)
    intro_pl = forms.CharField(
        label=_("Introduction (Polish)"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    intro_en = forms.CharField(
        label=_("Introduction (English)"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    @classmethod
    def for_version(cls, version: IntakeFormVersion) -> VersionTextsForm:
        return cls(
            initial={
                "title_pl": version.title_pl,
                "title_en": version.title_en,
                "intro_pl": version.intro_pl,
                "intro_en": version.intro_en,
            }
        )


def parse_choices(text: str) -> list[dict[str, str]]:
    """One option per line: ``value | Polish label | English label`` (labels optional)."""
    options = []
    for line in text.splitlines():
        parts = [part.strip() for part in line.split("|")]
        if parts and parts[0]:
            options.append(
                {
                    "value": parts[0],
                    "label_pl": parts[1] if len(parts) > 1 else "",
                    "label_en": parts[2] if len(parts) > 2 else "",
                }
            )
    return options


def choices_text(options: list[dict[str, str]]) -> str:
    return "\n".join(f"{o['value']} | {o.get('label_pl', '')} | {o.get('label_en', '')}" for o in options)


class FieldForm(forms.Form):
    label_pl = forms.CharField(label=_("Label (Polish)"), max_length=300)
    label_en = forms.CharField(label=_("Label (English)"), max_length=300)
    key = forms.CharField(
        label=_("Key"),
        max_length=40,
        help_text=_("Lower-case letters, digits and underscores (e.g. allergies); conditions refer to it."),
    )
    kind = forms.ChoiceField(label=_("Type"), choices=FieldKind.choices)
    required = forms.BooleanField(label=_("Required"), required=False)
    help_pl = forms.CharField(label=_("Help text (Polish)"), max_length=500, required=False)
    help_en = forms.CharField(label=_("Help text (English)"), max_length=500, required=False)
    choices_text = forms.CharField(
        label=_("Options"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Single and multiple choice: one option per line, “value | Polish label | English label”."),
    )
    show_if_key = forms.ChoiceField(label=_("Show only when field"), required=False)
    show_if_value = forms.CharField(
        label=_("has the answer"),
        max_length=100,
        required=False,
        help_text=_("An option's value, or yes / no."),
    )
    maps_to = forms.ChoiceField(
        label=_("Client detail"),
        required=False,
        choices=[("", "—"), *ClientField.choices],
        help_text=_("Compared with the client's record when the form is accepted."),
    )
    position = forms.IntegerField(label=_("Position"), required=False, min_value=0, max_value=32000)

    def __init__(self, *args: Any, others: list[IntakeField], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "—"), *[(f.key, f"{f.label} ({f.key})") for f in others]]
        self.fields["show_if_key"].choices = choices  # type: ignore[attr-defined]

    @classmethod
    def for_field(cls, item: IntakeField, *, others: list[IntakeField]) -> FieldForm:
        initial = {name: getattr(item, name) for name in ("label_pl", "label_en", "key", "kind", "required")}
        initial |= {name: getattr(item, name) for name in ("help_pl", "help_en", "show_if_key", "show_if_value")}
        initial |= {"maps_to": item.maps_to, "position": item.position, "choices_text": choices_text(item.choices)}
        return cls(initial=initial, others=others)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") in CHOICE_KINDS and not parse_choices(data.get("choices_text") or ""):
            self.add_error("choices_text", _("Give the options, one per line."))
        return data

    def field_data(self) -> FieldData:
        data = self.cleaned_data
        return FieldData(
            key=data["key"],
            kind=data["kind"],
            label_pl=data["label_pl"],
            label_en=data["label_en"],
            help_pl=data.get("help_pl") or "",
            help_en=data.get("help_en") or "",
            required=bool(data.get("required")),
            choices=parse_choices(data.get("choices_text") or ""),
            show_if_key=data.get("show_if_key") or "",
            show_if_value=data.get("show_if_value") or "",
            maps_to=data.get("maps_to") or "",
            position=data.get("position"),
        )


class AcceptForm(forms.Form):
    """One choice per differing detail: ``update`` or ``keep``; both radios start unticked on purpose."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, differing: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for row in differing:
            self.fields[f"choice_{row.client_field}"] = forms.ChoiceField(
                label=row.label,
                choices=[("update", _("Update the client")), ("keep", _("Keep what is on file"))],
                widget=forms.RadioSelect,
                error_messages={"required": _("Choose whether to update the client or keep what is on file.")},
            )

    def decisions(self) -> tuple[set[str], set[str]]:
        update = {
            n.removeprefix("choice_") for n, v in self.cleaned_data.items() if n.startswith("choice_") and v == "update"
        }
        keep = {
            n.removeprefix("choice_") for n, v in self.cleaned_data.items() if n.startswith("choice_") and v == "keep"
        }
        return update, keep


class LinkForm(forms.Form):
    send = forms.ChoiceField(
        choices=[("", _("Only show the link")), ("email", _("E-mail")), ("sms", _("SMS"))], required=False
    )
