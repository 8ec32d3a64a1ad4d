"""Forms of the desk. The client of a visit comes from the clients picker, not from these forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from frontoffice.accounts.choices import Role
from frontoffice.accounts.models import StaffMember
from frontoffice.core.choices import BusinessKind
from frontoffice.core.forms import VersionedModelForm

from .choices import VatRate, VisitStatus
from .models import Room, Visit, VisitType
from .services import CLINIC_ONLY, HOTEL_ONLY, VisitData

DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: StaffMember) -> str:  # type: ignore[override]
        return obj.user.get_full_name() or obj.user.get_username()


class VisitTypeForm(VersionedModelForm):
    performed_by_roles = forms.MultipleChoiceField(
        label=_("Performed by roles"),
        choices=Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Roles whose staff may perform it (as practitioner); none ticked: anyone."),
    )

    class Meta:
        model = VisitType
        fields = [
            "name",
            "vertical",
            "duration_minutes",
            "price",
            "vat_rate",
            "coverage_required",
            "intake_form",
            "performed_by_roles",
            "is_active",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only the organisation's own active forms (and the one already chosen, even if retired).
        forms_field = self.fields["intake_form"]
        organisation_id = self.instance.organisation_id
        current = self.instance.intake_form_id
        forms_field.queryset = forms_field.queryset.filter(organisation_id=organisation_id).filter(  # type: ignore[attr-defined]
            Q(is_active=True) | Q(pk=current or 0)
        )


class RoomForm(VersionedModelForm):
    class Meta:
        model = Room
        fields = ["number", "floor", "kind", "capacity", "is_active"]


class RoomCreateForm(RoomForm):
    branch = forms.ModelChoiceField(label=_("Branch"), queryset=None)  # type: ignore[arg-type]

    class Meta(RoomForm.Meta):
        fields = ["branch", *RoomForm.Meta.fields]

    def __init__(self, *args: Any, branches: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = branches  # type: ignore[attr-defined]
        if branches.count() == 1:
            self.fields["branch"].initial = branches.first()


class VisitForm(forms.Form):
    """A visit's details; the fields of other verticals than ``vertical`` are left out."""

    visit_type = forms.ModelChoiceField(label=_("Visit type"), queryset=None)  # type: ignore[arg-type]
    scheduled_at = forms.DateTimeField(label=_("Date and time"), required=False, widget=DATETIME_INPUT)
    responsible = StaffChoiceField(label=_("Staff responsible"), queryset=None, required=False)  # type: ignore[arg-type]
    reason = forms.CharField(label=_("Reason for the visit"), max_length=300, required=False)
    practitioner = StaffChoiceField(label=_("Practitioner"), queryset=None, required=False)  # type: ignore[arg-type]
    referral_number = forms.CharField(label=_("Referral number"), max_length=60, required=False)
    arrival_date = forms.DateField(label=_("Arrival"), required=False, widget=DATE_INPUT)
    departure_date = forms.DateField(label=_("Departure"), required=False, widget=DATE_INPUT)
    room = forms.ModelChoiceField(label=_("Room"), queryset=None, required=False)  # type: ignore[arg-type]
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(
        self,
        *args: Any,
        vertical: str,
        visit_types: Any,
        staff: Any,
        rooms: Any,
        fixed_type: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.vertical = vertical
        if fixed_type:  # a visit keeps its type: its statuses and details depend on it
            del self.fields["visit_type"]
        else:
            self.fields["visit_type"].queryset = visit_types  # type: ignore[attr-defined]
        self.fields["responsible"].queryset = staff  # type: ignore[attr-defined]
        self.fields["practitioner"].queryset = staff  # type: ignore[attr-defined]
        self.fields["room"].queryset = rooms  # type: ignore[attr-defined]
        if vertical != BusinessKind.CLINIC:
            for name in CLINIC_ONLY:
                del self.fields[name]
        if vertical == BusinessKind.HOTEL:
            del self.fields["scheduled_at"]
            self.fields["arrival_date"].required = True
            self.fields["departure_date"].required = True
        else:
            for name in HOTEL_ONLY:
                del self.fields[name]
        if vertical == BusinessKind.CLINIC:
            self.fields["scheduled_at"].required = True
        elif "scheduled_at" in self.fields:
            self.fields["scheduled_at"].help_text = _("Empty: now.")

    def visit_data(self) -> VisitData:
        data = self.cleaned_data
        return VisitData(**{name: data[name] for name in VisitData.__dataclass_fields__ if name in data})

    @staticmethod
    def initial_for(visit: Visit) -> dict[str, Any]:
        initial = {name: getattr(visit, name) for name in VisitData.__dataclass_fields__}
        initial["scheduled_at"] = timezone.localtime(visit.scheduled_at)
        initial["visit_type"] = visit.visit_type_id
        initial["version"] = visit.version
        return initial


class TransitionForm(forms.Form):
    to_status = forms.ChoiceField(label=_("New status"), choices=VisitStatus.choices)
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class LineForm(forms.Form):
    description = forms.CharField(label=_("Description"), max_length=200)
    quantity = forms.DecimalField(label=_("Quantity"), max_digits=10, decimal_places=3, initial=1)
    unit_price = forms.DecimalField(label=_("Unit price (gross)"), max_digits=12, decimal_places=2)
    vat_rate = forms.ChoiceField(label=_("VAT rate"), choices=VatRate.choices, initial=VatRate.STANDARD)


class RoomChangeForm(forms.Form):
    room = forms.ModelChoiceField(label=_("Move to room"), queryset=None)  # type: ignore[arg-type]
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)

    def __init__(self, *args: Any, rooms: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["room"].queryset = rooms  # type: ignore[attr-defined]


class VisitFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    branch = forms.ModelChoiceField(label=_("Branch"), queryset=None, required=False)  # type: ignore[arg-type]
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("Any")), *VisitStatus.choices])
    vertical = forms.ChoiceField(
        label=_("Kind of business"), required=False, choices=[("", _("Any")), *BusinessKind.choices]
    )
    date_from = forms.DateField(label=_("From"), required=False, widget=DATE_INPUT)
    date_to = forms.DateField(label=_("To"), required=False, widget=DATE_INPUT)

    def __init__(self, *args: Any, branches: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = branches  # type: ignore[attr-defined]
