from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .choices import Channel, MessageStatus, Weekday
from .models import Branch, Department, Organisation


def add_service_error(form: forms.BaseForm, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: per field where the form has the field, else on top."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


class VersionedModelForm(forms.ModelForm):
    """Carries the record's version so that a stale save can be refused."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.fields["version"].initial = self.instance.version

    def model_fields(self) -> dict:  # type: ignore[type-arg]
        return {name: value for name, value in self.cleaned_data.items() if name in self._meta.fields}


class OrganisationForm(VersionedModelForm):
    class Meta:
        model = Organisation
        fields = ["name", "default_language", "time_zone", "currency", "require_mfa"]


class BranchForm(VersionedModelForm):
    class Meta:
        model = Branch
        fields = [
            "name",
            "code",
            "street",
            "postal_code",
            "city",
            "country",
            "phone",
            "email",
            "time_zone",
            "is_active",
        ]


class DepartmentForm(forms.ModelForm):
    class Meta:
        model = Department
        fields = ["name", "kind"]


class OpeningHoursForm(forms.Form):
    """Opening hours for a week: per weekday up to two periods, written as 08:00-16:00."""

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        for day in Weekday:
            self.fields[f"day_{day.value}"] = forms.CharField(
                label=day.label,
                required=False,
                max_length=40,
                help_text=_("e.g. 08:00-16:00, or 08:00-12:00, 13:00-17:00; empty when closed"),
            )

    def clean(self):  # type: ignore[no-untyped-def]
        data = super().clean()
        periods = []
        for day in Weekday:
            raw = (data.get(f"day_{day.value}") or "").strip()
            if not raw:
                continue
            for chunk in raw.split(","):
                try:
                    start_text, end_text = (part.strip() for part in chunk.split("-"))
                    start = forms.TimeField().clean(start_text)
                    end = forms.TimeField().clean(end_text)
                except (ValueError, forms.ValidationError):
                    self.add_error(f"day_{day.value}", _("Write hours as 08:00-16:00."))
                    break
                if end <= start:
                    self.add_error(f"day_{day.value}", _("Closing time must be after opening time."))
                    break
                periods.append((day.value, start, end))
        data["periods"] = periods
        return data


class AuditFilterForm(forms.Form):
    action = forms.CharField(label=_("Action starts with"), required=False, max_length=80)


class MessageFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("Any")), *MessageStatus.choices])
    channel = forms.ChoiceField(label=_("Channel"), required=False, choices=[("", _("Any")), *Channel.choices])


class BranchFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    inactive = forms.BooleanField(label=_("Include inactive"), required=False)
