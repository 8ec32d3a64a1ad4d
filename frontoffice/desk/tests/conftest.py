"""Desk fixtures: a client, a visit type per vertical, rooms, and a visit of each kind at ``branch``."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from frontoffice.clients.services import ClientData, client_create
from frontoffice.desk import services
from frontoffice.desk.services import VisitData
from frontoffice.desk.tests.cards import sign_cards

from .fixtures_calendar import booked, doctor, monday, second_doctor  # noqa: F401 - calendar fixtures
from .fixtures_intake import intake_form, intake_storage, intake_visit  # noqa: F401 - intake fixtures
from .fixtures_queue import board, kiosk, registration, results, window1, window2  # noqa: F401 - queue fixtures
from .fixtures_reminders import all_day, reminded, today_appointment  # noqa: F401 - reminder fixtures
from .fixtures_waitlist import anna, friday, marek  # noqa: F401 - waitlist fixtures


@pytest.fixture(autouse=True)
def _private_files_in_a_temporary_folder(settings, tmp_path):
    """Card images, intake files and guest reports go to a folder of the test's own (see core/files.py)."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def patient(organisation, clerk, branch):
    return client_create(
        organisation=organisation,
        actor=clerk,
        data=ClientData(given_name="Jan", family_name="Kowalski", phones=["600 200 300"]),
        branch=branch,
    )


@pytest.fixture
def second_guest(organisation, clerk, branch):
    return client_create(
        organisation=organisation,
        actor=clerk,
        data=ClientData(given_name="Maria", family_name="Kowalska"),
        branch=branch,
    )


@pytest.fixture
def consultation(organisation, manager):
    return services.visit_type_create(
        organisation=organisation,
        actor=manager,
        name="Konsultacja internistyczna",
        vertical="clinic",
        duration_minutes=20,
        price=Decimal("150.00"),
        vat_rate="zw",
    )


@pytest.fixture
def room_night(organisation, manager):
    return services.visit_type_create(
        organisation=organisation, actor=manager, name="Nocleg", vertical="hotel", price=Decimal("320.00"), vat_rate="8"
    )


@pytest.fixture
def sale(organisation, manager):
    return services.visit_type_create(organisation=organisation, actor=manager, name="Sprzedaż", vertical="retail")


@pytest.fixture
def room(branch, manager):
    return services.room_create(branch=branch, actor=manager, number="101", floor=1, kind="double", capacity=2)


@pytest.fixture
def other_room(branch, manager):
    return services.room_create(branch=branch, actor=manager, number="102", floor=1, kind="single", capacity=1)


def later_today(branch):
    """An hour from now, or now when that would be tomorrow at the branch (late-evening runs of the suite):
    "today's" visits must be on the branch's today whenever the tests run."""
    zone = ZoneInfo(branch.time_zone)
    now = timezone.now()
    later = now + timedelta(hours=1)
    return later if later.astimezone(zone).date() == now.astimezone(zone).date() else now


@pytest.fixture
def clinic_visit(branch, clerk, patient, consultation):
    return services.visit_create(
        branch=branch,
        actor=clerk,
        client=patient,
        visit_type=consultation,
        data=VisitData(scheduled_at=later_today(branch), reason="Kaszel"),
    )


@pytest.fixture
def stay(branch, clerk, patient, room_night, room):
    """A stay booked for today whose primary guest has signed a registration card (check-in needs one)."""
    today = services.branch_today(branch)
    visit = services.visit_create(
        branch=branch,
        actor=clerk,
        client=patient,
        visit_type=room_night,
        data=VisitData(arrival_date=today, departure_date=today + timedelta(days=3), room=room),
    )
    sign_cards(visit, clerk)
    return visit


@pytest.fixture
def shop_sale(branch, clerk, patient, sale):
    return services.visit_create(branch=branch, actor=clerk, client=patient, visit_type=sale)


@pytest.fixture
def checked_in(stay, clerk):
    """The stay, checked in: three nights at 320.00 (8 % VAT) charged."""
    return services.visit_transition(visit=stay, to_status="checked_in", actor=clerk)
