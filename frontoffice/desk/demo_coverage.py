"""Demo coverage and registration cards: payers and policies for clinic patients, cards for hotel guests.

Clinic: NFZ and two private insurers; about two thirds of the patients have an NFZ policy and
some a private one with copays. A few NFZ numbers end in 0 or 9, so the simulated eligibility
service shows a refusal and an unclear answer too (see ``eligibility.py``).
Hotel: every guest of a stay that was checked in has a signed card; some guests are foreigners.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from frontoffice.clients.models import Client
from frontoffice.core.choices import BusinessKind
from frontoffice.core.models import Organisation

from .choices import VisitStatus
from .choices_coverage import CoverageOrder, DocumentType, PayerKind
from .models import Coverage, CoverageCopay, Payer, RegistrationCard, VisitGuest, VisitType

# 1×1 PNG standing in for a drawn signature.
SIGNATURE = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010804000000b51c0c02"
    "0000000b4944415478da6364600000000600023081d02f0000000049454e44ae426082"
)
FOREIGNERS = (
    ("DE", DocumentType.ID_CARD, "Berlin", "Unter den Linden 5"),
    ("UA", DocumentType.PASSPORT, "Lwów", "vul. Svobody 12"),
    ("GB", DocumentType.PASSPORT, "London", "12 Baker Street"),
    ("CZ", DocumentType.ID_CARD, "Praha", "Václavské náměstí 1"),
)


def load(organisations: list[Organisation]) -> None:
    for seed, organisation in enumerate(organisations, start=1):
        if (
            Payer.objects.filter(organisation=organisation).exists()
            or RegistrationCard.objects.filter(organisation=organisation).exists()
        ):
            continue  # idempotent, like the rest of the demo
        rng = random.Random(seed * 7)  # noqa: S311 - invented demo data
        if organisation.kind == BusinessKind.CLINIC:
            _clinic(organisation, rng)
        elif organisation.kind == BusinessKind.HOTEL:
            _hotel(organisation, rng)


def _clinic(organisation: Organisation, rng: random.Random) -> None:
    nfz = Payer.objects.create(
        organisation=organisation, name="NFZ – Mazowiecki OW", kind=PayerKind.PUBLIC_FUND, code="07"
    )
    medicover = Payer.objects.create(organisation=organisation, name="Medicover", kind=PayerKind.PRIVATE_INSURER)
    Payer.objects.create(organisation=organisation, name="LUX MED", kind=PayerKind.EMPLOYER)
    paid_types = list(VisitType.objects.filter(organisation=organisation, coverage_required=False, price__gt=0))
    clients = Client.objects.filter(organisation=organisation, replaced_by__isnull=True, erased_at__isnull=True)
    for client in clients.order_by("pk"):
        roll = rng.random()
        if roll < 0.66:
            ending = rng.choice("12345678" * 6 + "09")
            Coverage.objects.create(
                organisation=organisation,
                client=client,
                payer=nfz,
                member_number=f"{rng.randint(10**9, 10**10 - 1)}{ending}",
                relationship="self",
                subscriber=client,
                valid_from=date(2020, 1, 1) + timedelta(days=rng.randint(0, 1500)),
                order=CoverageOrder.PRIMARY,
            )
        if roll < 0.2:
            private = Coverage.objects.create(
                organisation=organisation,
                client=client,
                payer=medicover,
                member_number=f"MC-{rng.randint(100000, 999999)}",
                group_number=f"GR{rng.randint(10, 99)}",
                plan_name="Komfort",
                relationship="self",
                subscriber=client,
                valid_from=timezone.localdate() - timedelta(days=rng.randint(30, 700)),
                order=CoverageOrder.SECONDARY,
            )
            CoverageCopay.objects.bulk_create(
                CoverageCopay(coverage=private, visit_type=visit_type, amount=Decimal("20.00"))
                for visit_type in paid_types
            )


def _hotel(organisation: Organisation, rng: random.Random) -> None:
    guests = VisitGuest.objects.filter(
        visit__organisation=organisation,
        visit__status__in=(VisitStatus.CHECKED_IN, VisitStatus.CHECKED_OUT),
    ).select_related("client", "visit")
    cards = []
    for guest in guests:
        client, visit = guest.client, guest.visit
        card = RegistrationCard(
            organisation=organisation,
            guest=guest,
            given_name=client.given_name or "—",
            family_name=client.family_name or client.company_name or "—",
            date_of_birth=client.date_of_birth or date(1980, 1, 1) + timedelta(days=rng.randint(0, 9000)),
            nationality="PL",
            street=f"ul. Polna {rng.randint(1, 80)}",
            postal_code=f"{rng.randint(10, 99)}-{rng.randint(100, 999)}",
            city=rng.choice(("Warszawa", "Kraków", "Gdańsk", "Poznań", "Wrocław")),
            country="PL",
            signature_png=SIGNATURE,
            signed_at=visit.scheduled_at,
            is_complete=True,
        )
        if rng.random() < 0.2:
            country, document, city, street = rng.choice(FOREIGNERS)
            card.nationality = card.country = card.document_issuing_country = country
            card.document_type, card.city, card.street = document, city, street
            card.document_number = f"{country}{rng.randint(1000000, 9999999)}"
            card.document_expiry = date(timezone.localdate().year + rng.randint(1, 8), 12, 31)
        cards.append(card)
    RegistrationCard.objects.bulk_create(cards, batch_size=500)
