"""Test helpers: a complete, signed registration card for a guest (so a stay can check in)."""

from __future__ import annotations

import base64
from datetime import date
from typing import Any

from frontoffice.desk.services_registration import CardData, registration_card_save

# The smallest valid PNG: 1×1 transparent pixel.
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=")
PNG_DATA_URL = "data:image/png;base64," + base64.b64encode(PNG).decode()


def polish_card(**changes: Any) -> CardData:
    data = CardData(
        given_name="Jan",
        family_name="Kowalski",
        date_of_birth=date(1980, 3, 4),
        nationality="PL",
        street="ul. Długa 5",
        postal_code="00-001",
        city="Warszawa",
        country="PL",
    )
    for name, value in changes.items():
        setattr(data, name, value)
    return data


def foreign_card(**changes: Any) -> CardData:
    data = CardData(
        given_name="Hans",
        family_name="Müller",
        date_of_birth=date(1975, 6, 1),
        nationality="DE",
        street="Hauptstraße 1",
        postal_code="10115",
        city="Berlin",
        country="DE",
        document_type="passport",
        document_number="C01X00T47",
        document_issuing_country="DE",
        document_expiry=date(2099, 1, 1),
    )
    for name, value in changes.items():
        setattr(data, name, value)
    return data


def sign_cards(visit: Any, actor: Any) -> None:
    """Give every guest of the stay a complete Polish card."""
    for guest in visit.guests.select_related("client"):
        registration_card_save(
            guest=guest,
            actor=actor,
            data=polish_card(given_name=guest.client.given_name or "Gość", family_name=guest.client.family_name),
            signature_png=PNG,
        )
