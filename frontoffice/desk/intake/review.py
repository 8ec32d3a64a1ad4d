"""Answers that say something about the client, compared with what is on file.

Pure apart from reading the client's contacts and addresses. A difference is shown to
the clerk side by side; nothing is written to the client unless the clerk chooses
"update" for that detail (``services.intake_submission_accept``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError

from frontoffice.clients.choices import ContactKind
from frontoffice.clients.models import Client
from frontoffice.clients.validation import clean_email, clean_phone

from .choices import ClientField


@dataclass(frozen=True)
class Difference:
    client_field: str
    label: str
    answer: str  # as the client gave it (cleaned)
    on_file: str  # what the client's record says ("" when nothing)
    differs: bool


def on_file(client: Client, client_field: str) -> str:
    if client_field in (ClientField.PHONE, ClientField.EMAIL):
        kind = ContactKind.PHONE if client_field == ClientField.PHONE else ContactKind.EMAIL
        contact = next((c for c in client.contacts.all() if c.kind == kind), None)  # primary first
        return contact.value if contact else ""
    if client_field == ClientField.DATE_OF_BIRTH:
        return client.date_of_birth.isoformat() if client.date_of_birth else ""
    address = next(iter(client.addresses.all()), None)
    return str(getattr(address, client_field, "") or "") if address else ""


def normalised(client_field: str, value: str) -> str:
    """The form in which two values of a detail are compared (a phone in E.164, an e-mail cleaned…)."""
    value = (value or "").strip()
    try:
        if client_field == ClientField.PHONE and value:
            return clean_phone(value)
        if client_field == ClientField.EMAIL and value:
            return clean_email(value)
    except ValidationError:
        return value
    if client_field == ClientField.POSTAL_CODE:
        return value.replace(" ", "")
    return " ".join(value.casefold().split())


def _all_on_file(client: Client, client_field: str) -> set[str]:
    """Every stored value that counts as "the same" (a client's second phone is not a difference)."""
    if client_field in (ClientField.PHONE, ClientField.EMAIL):
        kind = ContactKind.PHONE if client_field == ClientField.PHONE else ContactKind.EMAIL
        return {normalised(client_field, c.value) for c in client.contacts.all() if c.kind == kind}
    return {normalised(client_field, on_file(client, client_field))}


def differences(*, client: Client, fields: list[Any], answers: dict[str, Any]) -> list[Difference]:
    """One row per answered field that maps to a client detail, in the form's order."""
    rows: list[Difference] = []
    seen: set[str] = set()
    for item in fields:
        if not item.maps_to or item.maps_to in seen:
            continue
        answer = str(answers.get(item.key) or "").strip()
        if not answer:
            continue
        seen.add(item.maps_to)
        stored = on_file(client, item.maps_to)
        rows.append(
            Difference(
                client_field=item.maps_to,
                label=str(ClientField(item.maps_to).label),
                answer=answer,
                on_file=stored,
                differs=normalised(item.maps_to, answer) not in _all_on_file(client, item.maps_to),
            )
        )
    return rows
