"""Hotel registration cards: required fields by nationality, the check-in guard, the guest-report export."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from frontoffice.clients.services import ClientData, client_create
from frontoffice.core.concurrency import StaleEdit
from frontoffice.core.files import private_storage
from frontoffice.core.models import AuditEntry
from frontoffice.desk import services
from frontoffice.desk import services_registration as cards
from frontoffice.desk.choices import VisitStatus as S
from frontoffice.desk.models import GuestExport, RegistrationCard
from frontoffice.desk.services import VisitData
from frontoffice.desk.tests.cards import PNG, PNG_DATA_URL, foreign_card, polish_card

pytestmark = pytest.mark.django_db


@pytest.fixture
def booked(branch, clerk, patient, room_night, room):
    """A stay booked for today, without any card yet."""
    today = services.branch_today(branch)
    return services.visit_create(
        branch=branch,
        actor=clerk,
        client=patient,
        visit_type=room_night,
        data=VisitData(arrival_date=today, departure_date=today + timedelta(days=2), room=room),
    )


def _guest(visit):
    return visit.guests.select_related("client").get(is_primary=True)


# --- required fields by nationality -------------------------------------------------------------


def test_a_polish_guest_needs_no_document():
    assert "document_number" not in cards.required_fields("PL")
    assert cards.card_problems(polish_card(), arrival=None, has_signature=True) == {}


def test_a_foreign_guest_must_show_a_document():
    assert set(cards.DOCUMENT_FIELDS) <= set(cards.required_fields("UA"))
    problems = cards.card_problems(
        foreign_card(document_type="", document_number="", document_issuing_country="", document_expiry=None),
        arrival=None,
        has_signature=True,
    )
    assert set(problems) == set(cards.DOCUMENT_FIELDS)
    assert problems["document_number"] == ["Required for a guest who is not a Polish citizen."]


def test_a_guest_from_outside_the_eu_cannot_register_with_an_id_card():
    problems = cards.card_problems(
        foreign_card(nationality="UA", document_type="id_card"), arrival=None, has_signature=True
    )
    assert "document_type" in problems
    assert cards.card_problems(foreign_card(document_type="id_card"), arrival=None, has_signature=True) == {}


def test_an_expired_document_and_bad_country_codes_are_refused():
    problems = cards.card_problems(
        foreign_card(document_expiry=date(2024, 5, 1), country="Germany"), arrival=date(2024, 6, 1), has_signature=True
    )
    assert set(problems) == {"document_expiry", "country"}


def test_a_card_without_a_signature_is_incomplete():
    assert set(cards.card_problems(polish_card(), arrival=None, has_signature=False)) == {"signature"}


def test_the_signature_must_be_a_png_data_url():
    assert cards.decode_signature(PNG_DATA_URL) == PNG
    assert cards.decode_signature("") is None
    for bad in ("data:image/jpeg;base64,AAAA", "data:image/png;base64,not base64!", "data:image/png;base64,QUJD"):
        with pytest.raises(ValidationError):
            cards.decode_signature(bad)


# --- saving -------------------------------------------------------------------------------------


def test_saving_a_complete_card_stamps_the_signature_and_is_audited(booked, clerk):
    card = cards.registration_card_save(guest=_guest(booked), actor=clerk, data=polish_card(), signature_png=PNG)
    assert card.is_complete and card.signed_at is not None and bytes(card.signature_png) == PNG
    assert AuditEntry.objects.filter(action="registration_card.create", target_id=str(card.pk)).exists()


def test_an_incomplete_card_is_refused_with_every_missing_field(booked, clerk):
    with pytest.raises(ValidationError) as caught:
        cards.registration_card_save(
            guest=_guest(booked), actor=clerk, data=foreign_card(document_number="", city=""), signature_png=None
        )
    assert set(caught.value.error_dict) == {"document_number", "city", "signature"}
    assert not RegistrationCard.objects.exists()


def test_country_codes_and_document_numbers_are_normalised(booked, clerk):
    card = cards.registration_card_save(
        guest=_guest(booked),
        actor=clerk,
        data=foreign_card(nationality=" de", country="de", document_number="c01 x00t47"),
        signature_png=PNG,
    )
    assert (card.nationality, card.country, card.document_number) == ("DE", "DE", "C01X00T47")


def test_a_stale_card_edit_is_refused_and_the_signature_is_kept(booked, clerk, manager):
    guest = _guest(booked)
    cards.registration_card_save(guest=guest, actor=clerk, data=polish_card(), signature_png=PNG)
    card = cards.registration_card_save(guest=guest, actor=manager, data=polish_card(city="Kraków"), expected_version=1)
    assert card.version == 2 and card.has_signature
    with pytest.raises(StaleEdit):
        cards.registration_card_save(guest=guest, actor=clerk, data=polish_card(city="Gdańsk"), expected_version=1)


def test_only_hotel_stays_have_cards(clinic_visit, clerk, patient):
    from frontoffice.desk.models import VisitGuest

    stray = VisitGuest.objects.create(visit=clinic_visit, client=patient)
    with pytest.raises(ValidationError):
        cards.registration_card_save(guest=stray, actor=clerk, data=polish_card(), signature_png=PNG)


def test_the_card_is_prefilled_from_the_client(organisation, clerk, branch, booked):
    from frontoffice.clients.services import AddressData, IdentifierData

    visitor = client_create(
        organisation=organisation,
        actor=clerk,
        data=ClientData(
            given_name="Olena",
            family_name="Shevchenko",
            date_of_birth=date(1990, 2, 3),
            identifiers=[
                IdentifierData(kind="passport", value="FA123456", issuing_country="UA", valid_until=date(2030, 1, 1))
            ],
            addresses=[AddressData(street="Khreshchatyk 1", postal_code="01001", city="Kyiv", country="UA")],
        ),
        branch=branch,
    )
    guest = services.visit_guest_add(visit=booked, client=visitor, actor=clerk)
    data = cards.prefill(guest)
    assert (data.nationality, data.document_type, data.document_number, data.city) == (
        "UA",
        "passport",
        "FA123456",
        "Kyiv",
    )


# --- the check-in guard -------------------------------------------------------------------------


def test_check_in_without_a_card_is_refused_naming_the_guest(booked, clerk):
    with pytest.raises(ValidationError) as caught:
        services.visit_transition(visit=booked, to_status=S.CHECKED_IN, actor=clerk)
    assert caught.value.messages == ["Fill in and sign the registration card of: Jan Kowalski."]
    booked.refresh_from_db()
    assert booked.status == S.BOOKED


def test_check_in_needs_every_guests_card(booked, clerk, second_guest):
    cards.registration_card_save(guest=_guest(booked), actor=clerk, data=polish_card(), signature_png=PNG)
    extra = services.visit_guest_add(visit=booked, client=second_guest, actor=clerk)
    with pytest.raises(ValidationError) as caught:
        services.visit_transition(visit=booked, to_status=S.CHECKED_IN, actor=clerk)
    assert "Maria Kowalska" in caught.value.messages[0] and "Jan Kowalski" not in caught.value.messages[0]
    cards.registration_card_save(guest=extra, actor=clerk, data=foreign_card(), signature_png=PNG)
    assert services.visit_transition(visit=booked, to_status=S.CHECKED_IN, actor=clerk).status == S.CHECKED_IN


def test_a_document_that_expires_before_the_arrival_blocks_check_in(booked, clerk):
    guest = _guest(booked)
    cards.registration_card_save(guest=guest, actor=clerk, data=foreign_card(), signature_png=PNG)
    RegistrationCard.objects.filter(guest=guest).update(document_expiry=booked.arrival_date - timedelta(days=1))
    with pytest.raises(ValidationError):
        services.visit_transition(visit=booked, to_status=S.CHECKED_IN, actor=clerk)


# --- the guest-report export ------------------------------------------------------------------


def test_the_export_lists_the_nights_foreign_guests_and_sends_nothing(booked, clerk, second_guest, manager, branch):
    cards.registration_card_save(guest=_guest(booked), actor=clerk, data=polish_card(), signature_png=PNG)
    extra = services.visit_guest_add(visit=booked, client=second_guest, actor=clerk)
    cards.registration_card_save(guest=extra, actor=clerk, data=foreign_card(), signature_png=PNG)
    services.visit_transition(visit=booked, to_status=S.CHECKED_IN, actor=clerk)

    export = cards.guest_export_run(branch=branch, day=booked.arrival_date, actor=manager)

    rows = list(csv.DictReader(io.StringIO(export.content), delimiter=";"))
    assert export.row_count == 1 and export.adapter == "local-file"
    assert rows[0]["family_name"] == "Müller" and rows[0]["nationality"] == "DE"
    assert rows[0]["document_number"] == "C01X00T47" and rows[0]["stay_number"] == booked.number
    stored = private_storage().open(export.file_name).read().decode("utf-8")
    assert stored == export.content
    assert AuditEntry.objects.filter(action="guest_export.run", target_id=str(export.pk)).exists()
    nobody = cards.guest_export_run(branch=branch, day=booked.departure_date, actor=manager)
    assert nobody.row_count == 0 and GuestExport.objects.count() == 2


def test_a_booked_stay_is_not_in_the_export(booked, clerk, manager, branch):
    cards.registration_card_save(guest=_guest(booked), actor=clerk, data=foreign_card(), signature_png=PNG)
    assert cards.guest_export_run(branch=branch, day=booked.arrival_date, actor=manager).row_count == 0
