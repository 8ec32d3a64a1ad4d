"""API schemas for clients: the match check, create, read, update and consents."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ninja import Field, Schema

from frontoffice.core.apikit import InSchema
from frontoffice.core.choices import Language

from .choices import AddressKind, ClientKind, ConsentMethod, ConsentPurpose, ContactChannel, IdentifierKind, Sex
from .models import Client, Consent
from .services import AddressData, ClientData, IdentifierData


class IdentifierIn(InSchema):
    """A typed identifier. PESEL, NIP and REGON are checked; "other" never is."""

    kind: IdentifierKind = Field(description="Kind of identifier.")
    value: str = Field(min_length=1, max_length=60, description="The number, as written on the document.")
    other_kind: str = Field("", max_length=60, description="For `other`: what it is, e.g. `Ukrainian RNOKPP`.")
    issuing_country: str = Field("", max_length=2, description="ISO 3166 two-letter code of the issuing country.")
    valid_until: date | None = Field(None, description="Expiry date of the document.")


class AddressIn(InSchema):
    kind: AddressKind = Field(AddressKind.HOME, description="Kind of address.")
    street: str = Field("", max_length=200, description="Street and number.")
    postal_code: str = Field("", max_length=16, description="Postal code.")
    city: str = Field("", max_length=100, description="City.")
    country: str = Field("PL", min_length=2, max_length=2, description="ISO 3166 two-letter country code.")


class MatchIn(InSchema):
    """What is known about a person so far; every field is optional."""

    given_name: str = Field("", max_length=100, description="Given name.")
    family_name: str = Field("", max_length=100, description="Family name.")
    second_family_name: str = Field("", max_length=100, description="Second family name.")
    date_of_birth: date | None = Field(None, description="Date of birth.")
    sex: Sex | None = Field(None, description="Sex.")
    phones: list[str] = Field(default_factory=list, max_length=10, description="Phones, in any format.")
    emails: list[str] = Field(default_factory=list, max_length=10, description="E-mail addresses.")
    identifiers: list[IdentifierIn] = Field(default_factory=list, max_length=10, description="Identifiers.")


class ClientIn(InSchema):
    """A client's details, as the registration form takes them."""

    kind: ClientKind = Field(ClientKind.PERSON, description="A person or a company.")
    given_name: str = Field("", max_length=100, description="Given name.")
    family_name: str = Field("", max_length=100, description="Family name (required for a person).")
    second_family_name: str = Field("", max_length=100, description="Second family name.")
    company_name: str = Field("", max_length=200, description="Company name (required for a company).")
    date_of_birth: date | None = Field(None, description="Date of birth.")
    sex: Sex | None = Field(None, description="Sex.")
    preferred_language: Language = Field(Language.POLISH, description="Language to address the client in.")
    preferred_channel: ContactChannel | None = Field(None, description="Preferred contact channel.")
    is_vip: bool = Field(False, description="VIP.")
    do_not_contact: bool = Field(False, description="Do not contact.")
    is_deceased: bool = Field(False, description="Deceased.")
    notes: str = Field("", max_length=5000, description="Notes.")
    external_id: str = Field("", max_length=100, description="The client's id in another system.")
    phones: list[str] = Field(default_factory=list, max_length=10, description="Phones; stored in E.164.")
    emails: list[str] = Field(default_factory=list, max_length=10, description="E-mail addresses.")
    identifiers: list[IdentifierIn] = Field(default_factory=list, max_length=10, description="Identifiers.")
    addresses: list[AddressIn] = Field(default_factory=list, max_length=5, description="Addresses.")

    def client_data(self) -> ClientData:
        return ClientData(
            kind=self.kind,
            given_name=self.given_name,
            family_name=self.family_name,
            second_family_name=self.second_family_name,
            company_name=self.company_name,
            date_of_birth=self.date_of_birth,
            sex=self.sex or "",
            preferred_language=self.preferred_language,
            preferred_channel=self.preferred_channel or "",
            is_vip=self.is_vip,
            do_not_contact=self.do_not_contact,
            is_deceased=self.is_deceased,
            notes=self.notes,
            external_id=self.external_id,
            phones=list(self.phones),
            emails=list(self.emails),
            identifiers=[
                IdentifierData(
                    kind=i.kind,
                    value=i.value,
                    other_kind=i.other_kind,
                    issuing_country=i.issuing_country,
                    valid_until=i.valid_until,
                )
                for i in self.identifiers
            ],
            addresses=[
                AddressData(street=a.street, postal_code=a.postal_code, city=a.city, country=a.country, kind=a.kind)
                for a in self.addresses
            ],
        )


class ClientCreateIn(ClientIn):
    """A new client, with the answers to the duplicate and PESEL checks."""

    create_anyway: bool = Field(
        False, description="Create the client even though a probable match exists (needs `create_anyway_reason`)."
    )
    create_anyway_reason: str = Field(
        "", max_length=300, description="Why this is a different person than the probable match; logged."
    )
    confirm_pesel_mismatch: bool = Field(
        False, description="The date of birth and sex are right although the PESEL says otherwise."
    )


class ClientUpdateIn(ClientIn):
    """All of a client's details (they replace the stored ones) and the version they were read at."""

    version: int = Field(ge=0, description="The `version` read with the client; a newer stored version gives 409.")


class ReasonOut(Schema):
    code: str = Field(
        description="Stable code: `identifier`, `family_name`, `given_name`, `birth_date`, `phone`, `email`, `sex`."
    )
    text: str = Field(description="The reason in the user's language, e.g. `same date of birth`.")
    weight: float = Field(description="What the reason adds to the score (negative for disagreements).")


class CandidateOut(Schema):
    id: int = Field(description="Client id.")
    number: str = Field(description="Client number.")
    name: str = Field(description="Display name.")
    date_of_birth: date | None = Field(description="Date of birth.")
    score: float = Field(description="Sum of the reasons' weights.")
    level: str = Field(description="`exact` (shared identifier), `probable` or `possible`.")
    reasons: list[ReasonOut] = Field(description="Why the client is proposed, strongest first.")


class MatchOut(Schema):
    candidates: list[CandidateOut] = Field(description="Existing clients that may be this person, best first.")
    pesel_warnings: list[str] = Field(description="Where a PESEL contradicts the date of birth or sex.")


class IdentifierOut(Schema):
    kind: str = Field(description="Kind of identifier.")
    other_kind: str = Field(description="For `other`: what it is.")
    value: str = Field(description="The number as written.")
    issuing_country: str = Field(description="Issuing country.")
    valid_until: date | None = Field(description="Expiry date.")


class AddressOut(Schema):
    kind: str = Field(description="Kind of address.")
    street: str = Field(description="Street and number.")
    postal_code: str = Field(description="Postal code.")
    city: str = Field(description="City.")
    country: str = Field(description="Country.")


class ConsentOut(Schema):
    purpose: str = Field(description="What the consent is for.")
    method: str = Field(description="How it was given.")
    given_at: datetime = Field(description="When it was given.")
    recorded_by: str | None = Field(description="Who on the staff recorded it.")
    withdrawn_at: datetime | None = Field(description="When it was withdrawn; null while it is active.")
    note: str = Field(description="Note.")

    @staticmethod
    def resolve_recorded_by(obj: Consent) -> str | None:
        return obj.recorded_by.get_username() if obj.recorded_by else None


class ConsentIn(InSchema):
    purpose: ConsentPurpose = Field(description="What the consent is for.")
    method: ConsentMethod = Field(description="How it was given.")
    note: str = Field("", max_length=200, description="Note.")


class ClientOut(Schema):
    id: int = Field(description="Client id.")
    number: str = Field(description="Client number.")
    kind: str = Field(description="`person` or `company`.")
    display_name: str = Field(description="Name as shown.")
    given_name: str = Field(description="Given name.")
    family_name: str = Field(description="Family name.")
    second_family_name: str = Field(description="Second family name.")
    company_name: str = Field(description="Company name.")
    date_of_birth: date | None = Field(description="Date of birth.")
    sex: str = Field(description="Sex; empty when not given.")
    preferred_language: str = Field(description="Preferred language.")
    preferred_channel: str = Field(description="Preferred contact channel; empty when none.")
    is_vip: bool = Field(description="VIP.")
    do_not_contact: bool = Field(description="Do not contact.")
    is_deceased: bool = Field(description="Deceased.")
    notes: str = Field(description="Notes.")
    external_id: str = Field(description="Id in another system.")
    needs_review: bool = Field(description="Registered despite a probable match; awaiting duplicate review.")
    phones: list[str] = Field(description="Phones in E.164.")
    emails: list[str] = Field(description="E-mail addresses.")
    identifiers: list[IdentifierOut] = Field(description="Identifiers.")
    addresses: list[AddressOut] = Field(description="Addresses.")
    consents: list[ConsentOut] = Field(description="Consents, active and withdrawn.")
    version: int = Field(description="Goes up by one on every change; send it back with PUT.")
    replaced_by: int | None = Field(
        None,
        description="Set when the id asked for was merged away: the id of the surviving client, whose data this is.",
    )

    @staticmethod
    def resolve_phones(obj: Client) -> list[str]:
        return [c.value for c in obj.contacts.all() if c.kind == "phone"]

    @staticmethod
    def resolve_emails(obj: Client) -> list[str]:
        return [c.value for c in obj.contacts.all() if c.kind == "email"]

    @staticmethod
    def resolve_identifiers(obj: Client) -> Any:
        return list(obj.identifiers.all())

    @staticmethod
    def resolve_addresses(obj: Client) -> Any:
        return list(obj.addresses.all())

    @staticmethod
    def resolve_consents(obj: Client) -> Any:
        return list(obj.consents.all())

    @staticmethod
    def resolve_replaced_by(obj: Client) -> int | None:
        return getattr(obj, "requested_replaced_by", None)
