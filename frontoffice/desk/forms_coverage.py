"""Forms of the coverage area and the registration card. Clients (subscriber) come from the clients picker."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from frontoffice.core.forms import VersionedModelForm

from .choices_coverage import CoverageOrder, DocumentType, SubscriberRelationship
from .forms import DATE_INPUT
from .models import Coverage, Payer, RegistrationCard, VisitType
from .services_coverage import CoverageData
from .services_registration import CARD_FIELDS, CardData

COUNTRY_INPUT = forms.TextInput(attrs={"maxlength": 2, "size": 3, "autocomplete": "country", "class": "short"})


class PayerForm(VersionedModelForm):
    class Meta:
        model = Payer
        fields = ["name", "kind", "code", "phone", "notes", "is_active"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}


class CoverageForm(forms.Form):
    """A policy; copays per visit type are extra fields ``copay_<visit type id>``."""

    payer: forms.ModelChoiceField[Payer] = forms.ModelChoiceField(label=_("Payer"), queryset=Payer.objects.none())
    member_number = forms.CharField(label=_("Member or policy number"), max_length=60)
    group_number = forms.CharField(label=_("Group"), max_length=60, required=False)
    plan_name = forms.CharField(label=_("Plan"), max_length=120, required=False)
    order = forms.ChoiceField(label=_("Order"), choices=CoverageOrder.choices, initial=CoverageOrder.PRIMARY)
    relationship = forms.ChoiceField(
        label=_("Subscriber's relationship"),
        choices=SubscriberRelationship.choices,
        initial=SubscriberRelationship.SELF,
        help_text=_("For anything but “self”, choose the subscriber below."),
    )
    valid_from = forms.DateField(label=_("Valid from"), widget=DATE_INPUT)
    valid_to = forms.DateField(label=_("Valid to"), widget=DATE_INPUT, required=False)
    card_front = forms.FileField(label=_("Card (front)"), required=False, help_text=_("JPEG, PNG or WebP."))
    card_back = forms.FileField(label=_("Card (back)"), required=False, help_text=_("JPEG, PNG or WebP."))
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, payers: QuerySet[Payer], visit_types: QuerySet[VisitType], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["payer"].queryset = payers  # type: ignore[attr-defined]
        self.visit_types = list(visit_types)
        for visit_type in self.visit_types:
            self.fields[f"copay_{visit_type.pk}"] = forms.DecimalField(
                label=_("Copay: %(type)s") % {"type": visit_type.name},
                required=False,
                min_value=Decimal(0),
                max_digits=12,
                decimal_places=2,
            )

    @classmethod
    def initial_for(cls, coverage: Coverage) -> dict[str, Any]:
        initial: dict[str, Any] = {
            name: getattr(coverage, name)
            for name in ("member_number", "group_number", "plan_name", "order", "relationship", "valid_from")
        }
        initial |= {"payer": coverage.payer_id, "valid_to": coverage.valid_to, "notes": coverage.notes}
        initial["version"] = coverage.version
        for copay in coverage.copays.all():
            initial[f"copay_{copay.visit_type_id}"] = copay.amount
        return initial

    def copay_fields(self) -> list[forms.BoundField]:
        return [self[f"copay_{visit_type.pk}"] for visit_type in self.visit_types]

    def coverage_data(self, subscriber: Any) -> CoverageData:
        data = self.cleaned_data
        return CoverageData(
            payer=data["payer"],
            member_number=data["member_number"],
            valid_from=data["valid_from"],
            valid_to=data["valid_to"],
            order=data["order"],
            relationship=data["relationship"],
            subscriber=subscriber,
            group_number=data["group_number"],
            plan_name=data["plan_name"],
            notes=data["notes"],
        )

    def copays(self) -> dict[VisitType, Decimal]:
        return {
            visit_type: self.cleaned_data[f"copay_{visit_type.pk}"]
            for visit_type in self.visit_types
            if self.cleaned_data.get(f"copay_{visit_type.pk}") is not None
        }


class CardForm(forms.Form):
    """The registration card; ``signature`` is the PNG data URL the signature pad writes."""

    given_name = forms.CharField(label=_("Given name"), max_length=100, required=False)
    family_name = forms.CharField(label=_("Family name"), max_length=100, required=False)
    date_of_birth = forms.DateField(label=_("Date of birth"), widget=DATE_INPUT, required=False)
    nationality = forms.CharField(
        label=_("Nationality"),
        max_length=2,
        required=False,
        widget=COUNTRY_INPUT,
        help_text=_("Country code, e.g. PL."),
    )
    street = forms.CharField(label=_("Street and number"), max_length=200, required=False)
    postal_code = forms.CharField(label=_("Postal code"), max_length=16, required=False)
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    country = forms.CharField(label=_("Country of residence"), max_length=2, required=False, widget=COUNTRY_INPUT)
    document_type = forms.ChoiceField(
        label=_("ID document"), choices=[("", "—"), *DocumentType.choices], required=False
    )
    document_number = forms.CharField(label=_("Document number"), max_length=40, required=False)
    document_issuing_country = forms.CharField(
        label=_("Issuing country"), max_length=2, required=False, widget=COUNTRY_INPUT
    )
    document_expiry = forms.DateField(label=_("Document valid until"), widget=DATE_INPUT, required=False)
    signature = forms.CharField(widget=forms.HiddenInput, required=False, max_length=400_000)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    @classmethod
    def initial_from(cls, data: CardData, card: RegistrationCard | None) -> dict[str, Any]:
        initial = {name: getattr(data, name) for name in CARD_FIELDS}
        if card is not None:
            initial["version"] = card.version
        return initial

    def card_data(self) -> CardData:
        values: dict[str, Any] = {
            name: self.cleaned_data.get(name) or (None if name in DATE_FIELDS else "") for name in CARD_FIELDS
        }
        return CardData(**values)


DATE_FIELDS = ("date_of_birth", "document_expiry")


class GuestExportForm(forms.Form):
    branch: forms.ModelChoiceField[Any] = forms.ModelChoiceField(label=_("Branch"), queryset=Payer.objects.none())
    day = forms.DateField(label=_("Night of"), widget=DATE_INPUT)

    def __init__(self, *args: Any, branches: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = branches  # type: ignore[attr-defined]
