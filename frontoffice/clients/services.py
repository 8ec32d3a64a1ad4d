"""Every write to clients: create and update (with their identifiers, contacts and addresses) and consents.

Duplicate checks, merge, import and erasure live in their own modules
(``matching``, ``merging``, ``importing``, ``privacy``) and call these.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from frontoffice.core.audit import audit, signed_in_user
from frontoffice.core.concurrency import bump_version, check_version
from frontoffice.core.models import Branch, Organisation
from frontoffice.core.numbering import next_number

from .choices import ContactKind
from .models import Client, ClientAddress, ClientContact, ClientIdentifier, Consent
from .normalise import fold, normalise_identifier, phone_digits
from .validation import clean_email, clean_identifier, clean_phone

CLIENT_NUMBER_PREFIX = "K"
PERSON_FIELDS = (
    "kind",
    "given_name",
    "family_name",
    "second_family_name",
    "company_name",
    "date_of_birth",
    "sex",
    "preferred_language",
    "preferred_channel",
    "is_vip",
    "do_not_contact",
    "is_deceased",
    "notes",
    "external_id",
)


@dataclass(frozen=True)
class IdentifierData:
    kind: str
    value: str
    other_kind: str = ""
    issuing_country: str = ""
    valid_until: date | None = None


@dataclass(frozen=True)
class AddressData:
    street: str = ""
    postal_code: str = ""
    city: str = ""
    country: str = "PL"
    kind: str = "home"


@dataclass
class ClientData:
    """Everything a registration form or an import row can say about a client."""

    given_name: str = ""
    family_name: str = ""
    second_family_name: str = ""
    company_name: str = ""
    kind: str = "person"
    date_of_birth: date | None = None
    sex: str = ""
    preferred_language: str = "pl"
    preferred_channel: str = ""
    is_vip: bool = False
    do_not_contact: bool = False
    is_deceased: bool = False
    notes: str = ""
    external_id: str = ""
    phones: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    identifiers: list[IdentifierData] = field(default_factory=list)
    addresses: list[AddressData] = field(default_factory=list)


def _validate(data: ClientData) -> tuple[list[str], list[str], list[tuple[IdentifierData, str]]]:
    """Phones, e-mails and identifiers, cleaned; every problem reported at once, per field."""
    errors: dict[str, list[str]] = {}
    phones, emails, identifiers = [], [], []
    for raw in data.phones:
        try:
            phones.append(clean_phone(raw))
        except ValidationError as error:
            errors.setdefault("phones", []).extend(error.messages)
    for raw in data.emails:
        try:
            emails.append(clean_email(raw))
        except ValidationError as error:
            errors.setdefault("emails", []).extend(error.messages)
    for identifier in data.identifiers:
        try:
            identifiers.append((identifier, clean_identifier(identifier.kind, identifier.value)))
        except ValidationError as error:
            errors.setdefault("identifiers", []).extend(error.messages)
    if errors:
        raise ValidationError(errors)
    return list(dict.fromkeys(phones)), list(dict.fromkeys(emails)), identifiers


def set_search_fields(client: Client, *, phones: list[str], emails: list[str]) -> None:
    """Write the folded copies used by search and matching (not saved here)."""
    names = [client.given_name, client.family_name, client.second_family_name, client.company_name]
    client.search_name = " ".join(part for part in (fold(name) for name in names) if part)
    client.search_phones = " ".join(phone_digits(phone) for phone in phones)
    client.search_emails = " ".join(emails)


def refresh_search_fields(client: Client) -> None:
    """Recompute the folded copies from the client's stored contacts and save them (after a merge, say)."""
    contacts = list(client.contacts.all())
    set_search_fields(
        client,
        phones=[c.value for c in contacts if c.kind == ContactKind.PHONE],
        emails=[c.value for c in contacts if c.kind == ContactKind.EMAIL],
    )
    client.save(update_fields=["search_name", "search_phones", "search_emails"])


def _check_names(client: Client) -> None:
    if client.kind == "company":
        if not client.company_name.strip():
            raise ValidationError({"company_name": _("Enter the company name.")})
    elif not client.family_name.strip():
        raise ValidationError({"family_name": _("Enter the family name.")})


@transaction.atomic
def client_create(*, organisation: Organisation, actor: Any, data: ClientData, branch: Branch | None = None) -> Client:
    """Register a client. Raises ValidationError (per field) for bad input and for an identifier another
    client already has; the caller is expected to have run the duplicate check first."""
    phones, emails, identifiers = _validate(data)
    client = Client(
        organisation=organisation,
        registered_at_branch=branch,
        updated_by=signed_in_user(actor),
        **{name: getattr(data, name) for name in PERSON_FIELDS},
    )
    _check_names(client)
    client.number = next_number(organisation=organisation, prefix=CLIENT_NUMBER_PREFIX)
    set_search_fields(client, phones=phones, emails=emails)
    client.full_clean(exclude=["number"])
    client.save()
    _write_children(client, phones=phones, emails=emails, identifiers=identifiers, addresses=data.addresses)
    audit(
        actor=actor,
        action="client.create",
        target=client,
        organisation=organisation,
        branch=branch,
        summary=client.display_name,
    )
    return client


@transaction.atomic
def client_update(*, client: Client, actor: Any, data: ClientData, expected_version: int | None) -> Client:
    """Replace a client's details, contacts, identifiers and addresses with ``data`` (a stale version is refused)."""
    client = Client.objects.select_for_update().get(pk=client.pk)
    check_version(client, expected_version)
    phones, emails, identifiers = _validate(data)
    changed = [name for name in PERSON_FIELDS if getattr(client, name) != getattr(data, name)]
    for name in PERSON_FIELDS:
        setattr(client, name, getattr(data, name))
    _check_names(client)
    bump_version(client, user=actor)
    set_search_fields(client, phones=phones, emails=emails)
    client.full_clean()
    client.save()
    _replace_children(client, phones=phones, emails=emails, identifiers=identifiers, addresses=data.addresses)
    audit(
        actor=actor,
        action="client.update",
        target=client,
        organisation=client.organisation,
        summary=client.display_name,
        data={"changed": changed},
    )
    return client


def _write_children(
    client: Client,
    *,
    phones: list[str],
    emails: list[str],
    identifiers: list[tuple[IdentifierData, str]],
    addresses: list[AddressData],
) -> None:
    organisation = client.organisation
    contacts = [
        ClientContact(
            organisation=organisation, client=client, kind=ContactKind.PHONE, value=phone, is_primary=index == 0
        )
        for index, phone in enumerate(phones)
    ]
    contacts += [
        ClientContact(
            organisation=organisation, client=client, kind=ContactKind.EMAIL, value=email, is_primary=index == 0
        )
        for index, email in enumerate(emails)
    ]
    for contact in contacts:
        contact.save()
    for identifier, normalised in identifiers:
        row = ClientIdentifier(
            organisation=organisation,
            client=client,
            kind=identifier.kind,
            other_kind=identifier.other_kind.strip(),
            value=identifier.value.strip(),
            value_normalised=normalised,
            issuing_country=identifier.issuing_country,
            valid_until=identifier.valid_until,
        )
        try:
            # A savepoint: on PostgreSQL a failed INSERT must not poison the surrounding transaction.
            with transaction.atomic():
                row.save()
        except IntegrityError:
            raise ValidationError(
                {
                    "identifiers": _("Another client already has the %(kind)s %(value)s.")
                    % {"kind": row.get_kind_display(), "value": row.value}
                },
                code="unique",
            ) from None
    for address in addresses:
        if any((address.street, address.postal_code, address.city)):
            ClientAddress.objects.create(
                client=client,
                kind=address.kind,
                street=address.street,
                postal_code=address.postal_code,
                city=address.city,
                country=address.country or "PL",
            )


def _replace_children(client: Client, **children: Any) -> None:
    client.contacts.all().delete()
    client.identifiers.all().delete()
    client.addresses.all().delete()
    _write_children(client, **children)


@transaction.atomic
def consent_give(*, client: Client, actor: Any, purpose: str, method: str, note: str = "") -> Consent:
    """Record a consent; an already active consent for the purpose is kept as it is."""
    existing = client.consents.filter(purpose=purpose, withdrawn_at__isnull=True).first()
    if existing is not None:
        return existing
    consent = Consent(
        client=client,
        purpose=purpose,
        method=method,
        given_at=timezone.now(),
        recorded_by=signed_in_user(actor),
        note=note,
    )
    consent.full_clean()
    consent.save()
    audit(
        actor=actor,
        action="client.consent_give",
        target=client,
        organisation=client.organisation,
        summary=f"{client.display_name}: {consent.get_purpose_display()}",
        data={"purpose": purpose, "method": method},
    )
    return consent


@transaction.atomic
def consent_withdraw(*, client: Client, actor: Any, purpose: str) -> Consent | None:
    consent = client.consents.filter(purpose=purpose, withdrawn_at__isnull=True).first()
    if consent is None:
        return None
    consent.withdrawn_at = timezone.now()
    consent.withdrawn_recorded_by = signed_in_user(actor)
    consent.save(update_fields=["withdrawn_at", "withdrawn_recorded_by"])
    audit(
        actor=actor,
        action="client.consent_withdraw",
        target=client,
        organisation=client.organisation,
        summary=f"{client.display_name}: {consent.get_purpose_display()}",
        data={"purpose": purpose},
    )
    return consent


def has_active_consent(client: Client, purpose: str) -> bool:
    return client.consents.filter(purpose=purpose, withdrawn_at__isnull=True).exists()


__all__ = [
    "AddressData",
    "ClientData",
    "IdentifierData",
    "client_create",
    "client_update",
    "consent_give",
    "consent_withdraw",
    "has_active_consent",
    "normalise_identifier",
    "refresh_search_fields",
    "set_search_fields",
]
