"""Hotel registration cards: which fields a guest's nationality requires, saving a card, the check-in rule,
and the guest-report export.

Required on every card (Polish hotel practice; a guest signs the card at check-in):
given name, family name, date of birth, nationality, address (street, city, country) and the
signature. A foreign guest (nationality other than PL) must also present an identity document
(Schengen implementing convention, art. 45): its type, number, issuing country and expiry
date, valid on the arrival day; only citizens of the EU, the EEA and Switzerland may show a
national ID card, others a passport, a residence card or another travel document. For Polish
guests the document is optional, but what is given is checked the same way.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from frontoffice.clients.choices import IdentifierKind
from frontoffice.core.audit import audit, signed_in_user
from frontoffice.core.choices import BusinessKind
from frontoffice.core.concurrency import bump_version, check_version

from . import workflow
from .choices import VisitStatus
from .choices_coverage import DocumentType
from .countries import HOME_COUNTRY, ID_CARD_COUNTRIES, is_country, normalise_country
from .models import RegistrationCard, Visit, VisitGuest

SIGNATURE_MAX_BYTES = 200 * 1024
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

ALWAYS_REQUIRED = ("given_name", "family_name", "date_of_birth", "nationality", "street", "city", "country")
DOCUMENT_FIELDS = ("document_type", "document_number", "document_issuing_country", "document_expiry")
COUNTRY_FIELDS = ("nationality", "country", "document_issuing_country")


@dataclass
class CardData:
    given_name: str = ""
    family_name: str = ""
    date_of_birth: date | None = None
    nationality: str = ""
    street: str = ""
    postal_code: str = ""
    city: str = ""
    country: str = ""
    document_type: str = ""
    document_number: str = ""
    document_issuing_country: str = ""
    document_expiry: date | None = None


CARD_FIELDS = tuple(item.name for item in fields(CardData))


def is_foreigner(nationality: str) -> bool:
    return normalise_country(nationality) != HOME_COUNTRY


def required_fields(nationality: str) -> tuple[str, ...]:
    """The card fields a guest of ``nationality`` must fill in (the signature is required as well)."""
    if nationality and is_foreigner(nationality):
        return ALWAYS_REQUIRED + DOCUMENT_FIELDS
    return ALWAYS_REQUIRED


def card_problems(data: CardData, *, arrival: date | None, has_signature: bool) -> dict[str, list[str]]:
    """Every field that is missing or wrong, with a message; empty when the card is complete."""
    problems: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        problems.setdefault(field, []).append(message)

    nationality = normalise_country(data.nationality)
    for name in required_fields(nationality):
        if getattr(data, name) in ("", None):
            if name in DOCUMENT_FIELDS:
                add(name, _("Required for a guest who is not a Polish citizen."))
            else:
                add(name, _("This field is required."))
    for name in COUNTRY_FIELDS:
        value = getattr(data, name)
        if value and not is_country(value):
            add(name, _("Enter a two-letter country code, e.g. PL, DE, UA."))
    today = timezone.localdate()
    if data.date_of_birth and data.date_of_birth > today:
        add("date_of_birth", _("The date of birth cannot be in the future."))
    document_given = any(getattr(data, name) not in ("", None) for name in DOCUMENT_FIELDS)
    if document_given and not is_foreigner(nationality or HOME_COUNTRY):
        for name in ("document_type", "document_number"):
            if not getattr(data, name):
                add(name, _("Complete the document, or leave all its fields empty."))
    if data.document_expiry and data.document_expiry < (arrival or today):
        add("document_expiry", _("The document has expired; ask for a valid one."))
    if (
        data.document_type == DocumentType.ID_CARD
        and nationality
        and is_foreigner(nationality)
        and nationality not in ID_CARD_COUNTRIES
    ):
        add(
            "document_type",
            _("A citizen of %(country)s needs a passport or a residence card, not an ID card.")
            % {"country": nationality},
        )
    if not has_signature:
        add("signature", _("The guest has not signed the card."))
    return problems


def decode_signature(value: str) -> bytes | None:
    """A PNG from a ``data:image/png;base64,…`` URL (what the signature pad sends); empty: None."""
    value = (value or "").strip()
    if not value:
        return None
    prefix = "data:image/png;base64,"
    if not value.startswith(prefix):
        raise ValidationError({"signature": _("The signature must be a PNG image.")})
    try:
        png = base64.b64decode(value[len(prefix) :], validate=True)
    except (binascii.Error, ValueError):
        raise ValidationError({"signature": _("The signature could not be read; sign again.")}) from None
    if not png.startswith(PNG_MAGIC):
        raise ValidationError({"signature": _("The signature must be a PNG image.")})
    if len(png) > SIGNATURE_MAX_BYTES:
        raise ValidationError({"signature": _("The signature image is too large.")})
    return png


def card_data_of(card: RegistrationCard) -> CardData:
    return CardData(**{name: getattr(card, name) for name in CARD_FIELDS})


def prefill(guest: VisitGuest) -> CardData:
    """What the client record already knows: name, birth date, home address, a travel document."""
    client = guest.client
    data = CardData(given_name=client.given_name, family_name=client.family_name, date_of_birth=client.date_of_birth)
    address = client.addresses.order_by("pk").first()
    if address is not None:
        data.street, data.postal_code, data.city = address.street, address.postal_code, address.city
        data.country = address.country
    documents = {row.kind: row for row in client.identifiers.all()}
    if IdentifierKind.PESEL in documents:
        data.nationality = HOME_COUNTRY
    for kind, document_type in (
        (IdentifierKind.PASSPORT, DocumentType.PASSPORT),
        (IdentifierKind.ID_CARD, DocumentType.ID_CARD),
    ):
        row = documents.get(kind)
        if row is not None:
            data.document_type, data.document_number = document_type, row.value
            data.document_issuing_country, data.document_expiry = row.issuing_country, row.valid_until
            data.nationality = data.nationality or row.issuing_country
            break
    return data


def _normalised(data: CardData) -> CardData:
    values = {}
    for name in CARD_FIELDS:
        value = getattr(data, name)
        if isinstance(value, str):
            value = value.strip()
            if name in COUNTRY_FIELDS:
                value = normalise_country(value)
            if name == "document_number":
                value = value.upper().replace(" ", "")
        values[name] = value
    return CardData(**values)


@transaction.atomic
def registration_card_save(
    *,
    guest: VisitGuest,
    actor: Any,
    data: CardData,
    signature_png: bytes | None = None,
    expected_version: int | None = None,
) -> RegistrationCard:
    """Create or change a guest's card. Every field the guest's nationality requires must be in.

    ``signature_png`` None keeps the stored signature (a new one replaces it and restamps
    ``signed_at``). An existing card with a stale ``expected_version`` is refused.
    """
    visit = (
        Visit.objects.select_for_update(of=("self",)).select_related("organisation", "branch").get(pk=guest.visit_id)
    )
    if visit.vertical != BusinessKind.HOTEL:
        raise ValidationError(_("Only hotel stays have registration cards."))
    if workflow.is_final(visit.vertical, visit.status):
        raise ValidationError(_("This stay is closed."))
    card = RegistrationCard.objects.filter(guest=guest).first()
    creating = card is None
    if card is None:
        card = RegistrationCard(organisation_id=visit.organisation_id, guest=guest, updated_by=signed_in_user(actor))
    else:
        check_version(card, expected_version)
    data = _normalised(data)
    signature = signature_png if signature_png is not None else card.signature_png
    problems = card_problems(data, arrival=visit.arrival_date, has_signature=bool(signature))
    if problems:
        raise ValidationError(problems)
    for name in CARD_FIELDS:
        setattr(card, name, getattr(data, name))
    if signature_png is not None:
        card.signature_png, card.signed_at = signature_png, timezone.now()
    card.is_complete = True
    if not creating:
        bump_version(card, user=actor)
    card.full_clean()
    card.save()
    audit(
        actor=actor,
        action="registration_card.create" if creating else "registration_card.update",
        target=card,
        organisation=visit.organisation,
        branch=visit.branch,
        summary=f"{visit.number}: {card}",
        data={"guest": guest.pk, "signed": signature_png is not None},
    )
    return card


# --- check-in rule -----------------------------------------------------------------------------


def incomplete_guests(visit: Visit) -> list[VisitGuest]:
    """Guests of the stay without a complete card (none, or one that no longer holds, e.g. an expired document)."""
    missing = []
    for guest in visit.guests.select_related("client", "registration_card"):
        card = getattr(guest, "registration_card", None)
        if card is None or card_problems(
            card_data_of(card), arrival=visit.arrival_date, has_signature=card.has_signature
        ):
            missing.append(guest)
    return missing


def cards_complete(visit: Any, to_status: str, actor: Any) -> None:
    """Check-in guard: every guest of the stay has a complete, signed registration card."""
    missing = incomplete_guests(visit)
    if missing:
        raise ValidationError(
            _("Fill in and sign the registration card of: %(names)s.")
            % {"names": ", ".join(guest.client.display_name for guest in missing)},
            code="registration_card",
        )


def register_rules() -> None:
    workflow.register_guard(cards_complete, to_status=VisitStatus.CHECKED_IN, vertical=BusinessKind.HOTEL)


# --- the guest-report export ------------------------------------------------------------------


def guest_report_rows(*, branch: Any, day: date) -> list[Any]:
    """The foreign guests who stayed at ``branch`` on the night starting on ``day`` (see ``guest_export``)."""
    from .guest_export import GuestReportRow

    cards = (
        RegistrationCard.objects.filter(
            guest__visit__branch=branch,
            guest__visit__status__in=(VisitStatus.CHECKED_IN, VisitStatus.CHECKED_OUT),
            guest__visit__arrival_date__lte=day,
            guest__visit__departure_date__gt=day,
        )
        .exclude(nationality=HOME_COUNTRY)
        .select_related("guest__visit__room")
        .order_by("guest__visit__number", "guest__pk")
    )
    rows = []
    for card in cards:
        visit = card.guest.visit

        def text(value: Any) -> str:
            return value.isoformat() if hasattr(value, "isoformat") else str(value or "")

        rows.append(
            GuestReportRow(
                stay_number=visit.number,
                room=visit.room.number if visit.room else "",
                arrival=text(visit.arrival_date),
                departure=text(visit.departure_date),
                family_name=card.family_name,
                given_name=card.given_name,
                date_of_birth=text(card.date_of_birth),
                nationality=card.nationality,
                document_type=card.document_type,
                document_number=card.document_number,
                document_issuing_country=card.document_issuing_country,
                document_expiry=text(card.document_expiry),
                country_of_residence=card.country,
                city=card.city,
                street=card.street,
                postal_code=card.postal_code,
                signed_at=text(card.signed_at),
            )
        )
    return rows


@transaction.atomic
def guest_export_run(*, branch: Any, day: date, actor: Any) -> Any:
    """Export the day's foreign guests through the configured adapter; the run and its output are recorded."""
    from .guest_export import exporter
    from .models import GuestExport

    rows = guest_report_rows(branch=branch, day=day)
    adapter = exporter()
    outcome = adapter.export(organisation_id=branch.organisation_id, branch_code=branch.code, day=day, rows=rows)
    export = GuestExport.objects.create(
        organisation_id=branch.organisation_id,
        branch=branch,
        day=day,
        created_by=signed_in_user(actor),
        adapter=adapter.name[:60],
        row_count=len(rows),
        file_name=outcome.file_name[:200],
        content=outcome.content,
    )
    audit(
        actor=actor,
        action="guest_export.run",
        target=export,
        organisation=branch.organisation,
        branch=branch,
        summary=f"{branch.code} {day.isoformat()}: {len(rows)}",
        data={"rows": len(rows), "adapter": adapter.name},
    )
    return export
