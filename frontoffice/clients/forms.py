"""Forms of the registration and edit pages, of consents and of relationships.

The client form is a plain form (not a ModelForm): it gathers a ``ClientData``
for the services, with numbered inputs for phones, e-mails and identifiers
(``phone_1``, ``phone_2`` …) so that every one gets its own message.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from frontoffice.core.choices import Language

from .choices import (
    ClientKind,
    ConsentMethod,
    ConsentPurpose,
    ContactChannel,
    ContactKind,
    IdentifierKind,
    RelationshipKind,
    Sex,
)
from .models import Client
from .services import PERSON_FIELDS, AddressData, ClientData, IdentifierData
from .validation import clean_email, clean_identifier, clean_phone

CONSENT_FIELDS = {
    ConsentPurpose.PROCESSING: "consent_processing",
    ConsentPurpose.MARKETING: "consent_marketing",
    ConsentPurpose.SMS_REMINDERS: "consent_sms_reminders",
    ConsentPurpose.EMAIL_REMINDERS: "consent_email_reminders",
}
# Fields the duplicate check reads; a partly filled form is checked with these alone.
MATCH_FIELDS = ("given_name", "family_name", "second_family_name", "company_name", "date_of_birth", "sex")


def _blank(choices: Any, label: str = "—") -> list[tuple[str, Any]]:
    return [("", label), *choices]


class ClientForm(forms.Form):
    """A client's details. ``slots`` is how many phones, e-mails and identifiers the form offers (at least 2)."""

    kind = forms.ChoiceField(label=_("Kind"), choices=ClientKind.choices, initial=ClientKind.PERSON)
    given_name = forms.CharField(label=_("Given name"), max_length=100, required=False)
    family_name = forms.CharField(label=_("Family name"), max_length=100, required=False)
    second_family_name = forms.CharField(label=_("Second family name"), max_length=100, required=False)
    company_name = forms.CharField(label=_("Company name"), max_length=200, required=False)
    date_of_birth = forms.DateField(
        label=_("Date of birth"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    sex = forms.ChoiceField(label=_("Sex"), choices=_blank(Sex.choices), required=False)
    street = forms.CharField(label=_("Street and number"), max_length=200, required=False)
    postal_code = forms.CharField(label=_("Postal code"), max_length=16, required=False)
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    country = forms.CharField(label=_("Country"), max_length=2, min_length=2, initial="PL")
    preferred_language = forms.ChoiceField(
        label=_("Preferred language"), choices=Language.choices, initial=Language.POLISH
    )
    preferred_channel = forms.ChoiceField(
        label=_("Preferred contact channel"), choices=_blank(ContactChannel.choices), required=False
    )
    is_vip = forms.BooleanField(label=_("VIP"), required=False)
    do_not_contact = forms.BooleanField(label=_("Do not contact"), required=False)
    is_deceased = forms.BooleanField(label=_("Deceased"), required=False)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, slots: int = 2, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.slots = max(2, slots)
        for number in range(1, self.slots + 1):
            self.fields[f"phone_{number}"] = forms.CharField(
                label=_("Phone %(number)s") % {"number": number},
                max_length=40,
                required=False,
                widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
            )
            self.fields[f"email_{number}"] = forms.CharField(
                label=_("E-mail %(number)s") % {"number": number},
                max_length=254,
                required=False,
                widget=forms.TextInput(attrs={"type": "email", "autocomplete": "off"}),
            )
        for number in range(1, self.slots + 1):
            self.fields[f"id_kind_{number}"] = forms.ChoiceField(
                label=_("Identifier %(number)s: kind") % {"number": number},
                choices=IdentifierKind.choices,
                initial=IdentifierKind.PESEL,
                required=False,
            )
            self.fields[f"id_other_kind_{number}"] = forms.CharField(
                label=_("Identifier %(number)s: kind, for “Other”") % {"number": number},
                max_length=60,
                required=False,
                help_text=_("e.g. Ukrainian RNOKPP"),
            )
            self.fields[f"id_value_{number}"] = forms.CharField(
                label=_("Identifier %(number)s: number") % {"number": number},
                max_length=60,
                required=False,
                widget=forms.TextInput(attrs={"autocomplete": "off"}),
            )

    # --- groups for the template -------------------------------------------------

    def bound_group(self, names: list[str]) -> list[forms.BoundField]:
        return [self[name] for name in names if name in self.fields]

    @property
    def contact_fields(self) -> list[forms.BoundField]:
        names = [f"phone_{n}" for n in range(1, self.slots + 1)] + [f"email_{n}" for n in range(1, self.slots + 1)]
        return self.bound_group(names)

    @property
    def identifier_rows(self) -> list[list[forms.BoundField]]:
        return [
            self.bound_group([f"id_kind_{n}", f"id_other_kind_{n}", f"id_value_{n}"]) for n in range(1, self.slots + 1)
        ]

    # --- cleaning: one message per field ----------------------------------------------

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for number in range(1, self.slots + 1):
            phone = (data.get(f"phone_{number}") or "").strip()
            if phone:
                try:
                    clean_phone(phone)
                except ValidationError as error:
                    self.add_error(f"phone_{number}", error)
            email = (data.get(f"email_{number}") or "").strip()
            if email:
                try:
                    clean_email(email)
                except ValidationError as error:
                    self.add_error(f"email_{number}", error)
            value = (data.get(f"id_value_{number}") or "").strip()
            kind = data.get(f"id_kind_{number}") or IdentifierKind.PESEL
            if value:
                try:
                    clean_identifier(kind, value)
                except ValidationError as error:
                    self.add_error(f"id_value_{number}", error)
                if kind == IdentifierKind.OTHER and not (data.get(f"id_other_kind_{number}") or "").strip():
                    self.add_error(f"id_other_kind_{number}", _("Say what kind of identifier this is."))
        if data.get("kind") == ClientKind.COMPANY:
            if not (data.get("company_name") or "").strip():
                self.add_error("company_name", _("Enter the company name."))
        elif "family_name" in data and not (data.get("family_name") or "").strip():
            self.add_error("family_name", _("Enter the family name."))
        return data

    def client_data(self, *, extra_addresses: list[AddressData] | None = None) -> ClientData:
        """The cleaned form as the services take it."""
        return data_from_values(self.cleaned_data, slots=self.slots, extra_addresses=extra_addresses)


def data_from_values(
    values: dict[str, Any], *, slots: int, extra_addresses: list[AddressData] | None = None
) -> ClientData:
    """A ``ClientData`` from cleaned (or half-cleaned, for the match panel) form values."""

    def text(name: str) -> str:
        return str(values.get(name) or "").strip()

    identifiers = [
        IdentifierData(
            kind=text(f"id_kind_{n}") or IdentifierKind.PESEL,
            value=text(f"id_value_{n}"),
            other_kind=text(f"id_other_kind_{n}"),
        )
        for n in range(1, slots + 1)
        if text(f"id_value_{n}")
    ]
    address = AddressData(
        street=text("street"), postal_code=text("postal_code"), city=text("city"), country=text("country") or "PL"
    )
    return ClientData(
        kind=text("kind") or ClientKind.PERSON,
        given_name=text("given_name"),
        family_name=text("family_name"),
        second_family_name=text("second_family_name"),
        company_name=text("company_name"),
        date_of_birth=values.get("date_of_birth") or None,
        sex=text("sex"),
        preferred_language=text("preferred_language") or Language.POLISH,
        preferred_channel=text("preferred_channel"),
        is_vip=bool(values.get("is_vip")),
        do_not_contact=bool(values.get("do_not_contact")),
        is_deceased=bool(values.get("is_deceased")),
        notes=str(values.get("notes") or ""),
        phones=[text(f"phone_{n}") for n in range(1, slots + 1) if text(f"phone_{n}")],
        emails=[text(f"email_{n}") for n in range(1, slots + 1) if text(f"email_{n}")],
        identifiers=identifiers,
        addresses=[address, *(extra_addresses or [])],
    )


class RegistrationForm(ClientForm):
    """The new-client form: details, consents, and the answers to the duplicate and PESEL checks."""

    consent_processing = forms.BooleanField(label=_("Processing of personal data"), required=False)
    consent_marketing = forms.BooleanField(label=_("Marketing"), required=False)
    consent_sms_reminders = forms.BooleanField(label=_("SMS reminders"), required=False)
    consent_email_reminders = forms.BooleanField(label=_("E-mail reminders"), required=False)
    consent_method = forms.ChoiceField(
        label=_("How the consents were given"), choices=ConsentMethod.choices, initial=ConsentMethod.PAPER
    )
    confirm_pesel_mismatch = forms.BooleanField(
        label=_("The typed date of birth and sex are right (the PESEL disagrees)"), required=False
    )
    create_anyway = forms.BooleanField(label=_("Create anyway: this is a different person"), required=False)
    create_anyway_reason = forms.CharField(
        label=_("Why is this a different person?"),
        max_length=300,
        required=False,
        help_text=_("Needed only when a probable match is listed."),
    )

    @property
    def consent_fields(self) -> list[forms.BoundField]:
        return self.bound_group([*CONSENT_FIELDS.values(), "consent_method"])

    def consents(self) -> list[str]:
        return [purpose for purpose, name in CONSENT_FIELDS.items() if self.cleaned_data.get(name)]


class ClientEditForm(ClientForm):
    """Changing a client: the version it was opened at travels with the form."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


def edit_initial(client: Client) -> tuple[dict[str, Any], int]:
    """A client's stored values as the edit form's initial data, and how many slots it needs."""
    contacts = list(client.contacts.all())
    phones = [c.value for c in contacts if c.kind == ContactKind.PHONE]
    emails = [c.value for c in contacts if c.kind == ContactKind.EMAIL]
    identifiers = list(client.identifiers.all())
    slots = max(2, len(phones), len(emails), len(identifiers))
    initial: dict[str, Any] = {
        name: getattr(client, name)
        # Everything a person's record holds except the import's external ID, which the form never edits.
        for name in PERSON_FIELDS
        if name != "external_id"
    }
    initial["version"] = client.version
    for number, phone in enumerate(phones, start=1):
        initial[f"phone_{number}"] = phone
    for number, email in enumerate(emails, start=1):
        initial[f"email_{number}"] = email
    for number, identifier in enumerate(identifiers, start=1):
        initial[f"id_kind_{number}"] = identifier.kind
        initial[f"id_other_kind_{number}"] = identifier.other_kind
        initial[f"id_value_{number}"] = identifier.value
    addresses = list(client.addresses.all())
    if addresses:
        first = addresses[0]
        initial.update(street=first.street, postal_code=first.postal_code, city=first.city, country=first.country)
    return initial, slots


def other_addresses(client: Client) -> list[AddressData]:
    """Addresses beyond the first, which the edit form does not show: kept as they are."""
    return [
        AddressData(street=a.street, postal_code=a.postal_code, city=a.city, country=a.country, kind=a.kind)
        for a in list(client.addresses.all())[1:]
    ]


class ConsentForm(forms.Form):
    purpose = forms.ChoiceField(label=_("Purpose"), choices=ConsentPurpose.choices)
    method = forms.ChoiceField(label=_("How it was given"), choices=ConsentMethod.choices)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class RelationshipForm(forms.Form):
    """A guardian, emergency contact, employer or company contact: a client chosen with the picker (its
    hidden input ``related_client``), or a person known only by name and phone."""

    kind = forms.ChoiceField(label=_("Relationship"), choices=RelationshipKind.choices)
    related_client = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    name = forms.CharField(
        label=_("Or the person's name"),
        max_length=200,
        required=False,
        help_text=_("When the person is not a client."),
    )
    phone = forms.CharField(
        label=_("Phone"), max_length=40, required=False, widget=forms.TextInput(attrs={"type": "tel"})
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        phone = (data.get("phone") or "").strip()
        if phone:
            try:
                data["phone"] = clean_phone(phone)
            except ValidationError as error:
                self.add_error("phone", error)
        if not data.get("related_client") and not (data.get("name") or "").strip() and "name" not in self.errors:
            self.add_error("related_client", _("Choose a client, or write the person's name."))
        return data
