"""Every write to clients: create and update (with their identifiers, contacts and addresses) and consents.

Duplicate checks, merge, import and erasure live in their own modules
(``matching``, ``merging``, ``importing``, ``privacy``) and call these.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from frontoffice.core.audit import audit, signed_in_user
from frontoffice.core.concurrency import bump_version, check_version
from frontoffice.core.models import Branch, Organisation
from frontoffice.core.numbering import next_number

from .choices import ClientKind, ContactKind
from .models import Client, ClientAddress, ClientContact, ClientIdentifier, ClientRelationship, Consent
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


class CleanedClientData(NamedTuple):
    """A ``ClientData``'s phones (E.164), e-mails and identifiers (with their normalised values), cleaned."""

    phones: list[str]
    emails: list[str]
    identifiers: list[tuple[IdentifierData, str]]


def validate_client_data(data: ClientData) -> CleanedClientData:
    """The registration form's checks: phones, e-mails and identifiers cleaned, and the name a person
    (family name) or a company (company name) needs. Every problem is reported at once, per field
    (``phones``, ``emails``, ``identifiers``, ``family_name``, ``company_name``); model field checks
    (lengths, choices) are left to ``full_clean``."""
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
    if data.kind == ClientKind.COMPANY:
        if not data.company_name.strip():
            errors["company_name"] = [_("Enter the company name.")]
    elif not data.family_name.strip():
        errors["family_name"] = [_("Enter the family name.")]
    if errors:
        raise ValidationError(errors)
    return CleanedClientData(list(dict.fromkeys(phones)), list(dict.fromkeys(emails)), identifiers)


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


@transaction.atomic
def client_create(*, organisation: Organisation, actor: Any, data: ClientData, branch: Branch | None = None) -> Client:
    """Register a client. Raises ValidationError (per field) for bad input and for an identifier another
    client already has; the caller is expected to have run the duplicate check first."""
    phones, emails, identifiers = validate_client_data(data)
    client = Client(
        organisation=organisation,
        registered_at_branch=branch,
        updated_by=signed_in_user(actor),
        **{name: getattr(data, name) for name in PERSON_FIELDS},
    )
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
    """Set a client's details, contacts, identifiers and addresses to ``data`` (a stale version is refused).

    Contacts, identifiers and addresses that ``data`` still lists are kept as they are stored, with what
    the forms do not show (a contact's label, a document's issuing country and expiry date) and without
    new history rows; only those added or removed are written."""
    client = Client.objects.select_for_update().get(pk=client.pk)
    check_version(client, expected_version)
    phones, emails, identifiers = validate_client_data(data)
    changed = [name for name in PERSON_FIELDS if getattr(client, name) != getattr(data, name)]
    for name in PERSON_FIELDS:
        setattr(client, name, getattr(data, name))
    bump_version(client, user=actor)
    set_search_fields(client, phones=phones, emails=emails)
    client.full_clean()
    client.save()
    _update_children(client, phones=phones, emails=emails, identifiers=identifiers, addresses=data.addresses)
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
    for kind, values in ((ContactKind.PHONE, phones), (ContactKind.EMAIL, emails)):
        for index, value in enumerate(values):
            ClientContact(
                organisation=organisation, client=client, kind=kind, value=value, is_primary=index == 0
            ).save()
    for identifier, normalised in identifiers:
        _save_identifier(
            ClientIdentifier(
                organisation=organisation,
                client=client,
                kind=identifier.kind,
                other_kind=identifier.other_kind.strip(),
                value=identifier.value.strip(),
                value_normalised=normalised,
                issuing_country=identifier.issuing_country,
                valid_until=identifier.valid_until,
            )
        )
    for address in addresses:
        if _has_address(address):
            _address_row(client, address).save()


def _save_identifier(row: ClientIdentifier) -> None:
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


def _has_address(address: AddressData) -> bool:
    return any((address.street, address.postal_code, address.city))


def _address_row(client: Client, address: AddressData) -> ClientAddress:
    return ClientAddress(
        client=client,
        kind=address.kind,
        street=address.street,
        postal_code=address.postal_code,
        city=address.city,
        country=address.country or "PL",
    )


def _update_children(
    client: Client,
    *,
    phones: list[str],
    emails: list[str],
    identifiers: list[tuple[IdentifierData, str]],
    addresses: list[AddressData],
) -> None:
    """Bring the stored contacts, identifiers and addresses in line with the new lists. A stored row that
    is still listed (the same normalised value) stays, so nothing the form does not show is lost; rows no
    longer listed are deleted before new ones are saved, so a value that only moved never collides."""
    _update_contacts(client, phones=phones, emails=emails)
    new_identifiers = _update_identifiers(client, identifiers)
    new_addresses = _update_addresses(client, addresses)
    _write_children(client, phones=[], emails=[], identifiers=new_identifiers, addresses=new_addresses)


def _update_contacts(client: Client, *, phones: list[str], emails: list[str]) -> None:
    """Contacts match by kind and stored value (E.164 phone, cleaned e-mail); a kept one keeps its label."""
    stored = {(contact.kind, contact.value): contact for contact in client.contacts.all()}
    wanted = [(str(ContactKind.PHONE), value, index == 0) for index, value in enumerate(phones)]
    wanted += [(str(ContactKind.EMAIL), value, index == 0) for index, value in enumerate(emails)]
    listed = {(kind, value) for kind, value, _primary in wanted}
    for key, contact in stored.items():
        if key not in listed:
            contact.delete()
    for kind, value, primary in wanted:
        kept = stored.get((kind, value))
        if kept is None:
            ClientContact(
                organisation=client.organisation, client=client, kind=kind, value=value, is_primary=primary
            ).save()
        elif kept.is_primary != primary:
            kept.is_primary = primary
            kept.save(update_fields=["is_primary"])


def _update_identifiers(
    client: Client, identifiers: list[tuple[IdentifierData, str]]
) -> list[tuple[IdentifierData, str]]:
    """Identifiers match by kind, "other" kind and normalised value. What the data leaves empty (issuing
    country, expiry date: the edit form does not show them) keeps its stored value. Returns the new ones."""
    stored = {(row.kind, row.other_kind, row.value_normalised): row for row in client.identifiers.all()}
    wanted = {(data.kind, data.other_kind.strip(), normalised): data for data, normalised in identifiers}
    for key, row in stored.items():
        if key not in wanted:
            row.delete()
    new: list[tuple[IdentifierData, str]] = []
    for key, data in wanted.items():
        kept = stored.get(key)
        if kept is None:
            new.append((data, key[2]))
            continue
        changes: dict[str, Any] = {
            "value": data.value.strip(),
            "issuing_country": data.issuing_country or kept.issuing_country,
            "valid_until": data.valid_until or kept.valid_until,
        }
        if any(getattr(kept, name) != value for name, value in changes.items()):
            for name, value in changes.items():
                setattr(kept, name, value)
            kept.save(update_fields=list(changes))
    return new


def _update_addresses(client: Client, addresses: list[AddressData]) -> list[AddressData]:
    """An address listed exactly as stored stays; stored ones no longer listed go. Returns the new ones."""
    stored = list(client.addresses.all())
    new: list[AddressData] = []
    for address in addresses:
        if not _has_address(address):
            continue
        match = next((row for row in stored if _same_address(row, address)), None)
        if match is None:
            new.append(address)
        else:
            stored.remove(match)
    for row in stored:
        row.delete()
    return new


def _same_address(row: ClientAddress, address: AddressData) -> bool:
    stored = (row.kind, row.street, row.postal_code, row.city, row.country)
    return stored == (address.kind, address.street, address.postal_code, address.city, address.country or "PL")


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


@transaction.atomic
def relationship_add(
    *,
    client: Client,
    actor: Any,
    kind: str,
    related_client: Client | None = None,
    name: str = "",
    phone: str = "",
    note: str = "",
) -> ClientRelationship:
    """Record the client's guardian, emergency contact, employer or company contact: another client of
    the same organisation, or a person known only by name (and phone). Raises ValidationError, per field,
    for a client of another organisation, the client itself, a merged-away or erased client, a name given
    beside a chosen client, a bad phone, and a relationship already listed."""
    client = Client.objects.select_for_update().get(pk=client.pk)
    if not client.is_active_record:
        raise ValidationError(_("This client was merged or erased; its relationships cannot change."))
    name, note = name.strip(), note.strip()
    errors: dict[str, str] = {}
    if related_client is not None:
        if related_client.organisation_id != client.organisation_id:
            errors["related_client"] = _("Choose a client of your organisation.")
        elif related_client.pk == client.pk:
            errors["related_client"] = _("A client cannot be related to themselves.")
        elif not related_client.is_active_record:
            errors["related_client"] = _("That client was merged or erased; choose another.")
        if name:
            errors["name"] = _("Choose a client or write a name, not both.")
    elif not name:
        errors["related_client"] = _("Choose a client, or write the person's name.")
    if phone.strip():
        try:
            phone = clean_phone(phone)
        except ValidationError as error:
            errors["phone"] = error.messages[0]
    if not errors:
        same = client.relationships.filter(kind=kind)
        if related_client is not None and same.filter(related_client=related_client).exists():
            errors["related_client"] = _("This relationship is already listed.")
        elif related_client is None and any(
            fold(other.name) == fold(name) for other in same.filter(related_client=None)
        ):
            errors["name"] = _("This relationship is already listed.")
    if errors:
        raise ValidationError(errors)
    relationship = ClientRelationship(
        client=client, kind=kind, related_client=related_client, name=name, phone=phone.strip(), note=note
    )
    relationship.full_clean()
    relationship.save()
    # The summary names the kind only: the other person's name would outlive their erasure in this client's log.
    audit(
        actor=actor,
        action="client.relationship_add",
        target=client,
        organisation=client.organisation,
        summary=f"{client.display_name}: {relationship.get_kind_display()}",
        data={"relationship": relationship.pk, "kind": kind, "related_client": related_client and related_client.pk},
    )
    return relationship


@transaction.atomic
def relationship_remove(*, relationship: ClientRelationship, actor: Any) -> None:
    """Remove one of the client's relationships (the related client, if any, stays as it is)."""
    client = Client.objects.select_for_update().get(pk=relationship.client_id)
    if not client.is_active_record:
        raise ValidationError(_("This client was merged or erased; its relationships cannot change."))
    audit(
        actor=actor,
        action="client.relationship_remove",
        target=client,
        organisation=client.organisation,
        summary=f"{client.display_name}: {relationship.get_kind_display()}",
        data={
            "relationship": relationship.pk,
            "kind": relationship.kind,
            "related_client": relationship.related_client_id,
        },
    )
    relationship.delete()


def has_active_consent(client: Client, purpose: str) -> bool:
    return client.consents.filter(purpose=purpose, withdrawn_at__isnull=True).exists()


__all__ = [
    "CLIENT_NUMBER_PREFIX",
    "PERSON_FIELDS",
    "AddressData",
    "CleanedClientData",
    "ClientData",
    "IdentifierData",
    "client_create",
    "client_update",
    "consent_give",
    "consent_withdraw",
    "has_active_consent",
    "normalise_identifier",
    "refresh_search_fields",
    "relationship_add",
    "relationship_remove",
    "set_search_fields",
    "validate_client_data",
]
