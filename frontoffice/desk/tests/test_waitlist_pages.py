"""The waitlist pages: the list with its figures, adding from an appointment, removing, the settings, the client's
link page (accept, decline, expired, used, tampered), and scoping."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client as Browser
from django.urls import reverse
from django.utils import timezone

from frontoffice.desk import services_calendar, services_waitlist
from frontoffice.desk.models import Appointment
from frontoffice.desk.models.waitlist import OfferStatus, WaitlistEntry, WaitlistPolicy, WaitlistStatus

from .fixtures_calendar import at
from .fixtures_waitlist import wait, waiting_client, waitlist_hook  # noqa: F401 - the autouse hook

pytestmark = pytest.mark.django_db


def _offer(booked, clerk):
    services_calendar.appointment_cancel(appointment=booked, actor=clerk, reason="Choroba")
    return services_waitlist.slot_record(appointment=booked, starts_at=booked.starts_at, ends_at=booked.ends_at)


def _link(offer):
    return reverse("desk:waitlist_offer", kwargs={"token": services_waitlist.make_token(offer=offer)})


def test_the_list_shows_entries_in_order_and_managers_see_the_figures(
    login, clerk, manager, anna, marek, branch, consultation, friday
):
    wait(anna, branch=branch, clerk=clerk, visit_type=consultation, until=friday)
    wait(marek, branch=branch, clerk=clerk, visit_type=consultation, until=friday, priority=2)
    body = login(clerk).get(reverse("desk:waitlist")).content.decode()
    assert body.index("Lewandowski") < body.index("Wiśniewska")
    assert "Backfill rate" not in body
    body = login(manager).get(reverse("desk:waitlist")).content.decode()
    assert "Backfill rate" in body and "Slots freed" in body


def test_the_list_filters_by_visit_type_and_status(
    login, clerk, anna, branch, consultation, friday, manager, organisation
):
    from frontoffice.desk import services

    other = services.visit_type_create(organisation=organisation, actor=manager, name="Szczepienie", vertical="clinic")
    wait(anna, branch=branch, clerk=clerk, visit_type=consultation, until=friday)
    client = login(clerk)
    assert "Wiśniewska" not in client.get(reverse("desk:waitlist"), {"visit_type": other.pk}).content.decode()
    assert "Wiśniewska" not in client.get(reverse("desk:waitlist"), {"status": "booked"}).content.decode()
    assert "Wiśniewska" in client.get(reverse("desk:waitlist"), {"status": "all"}).content.decode()


def test_the_list_page_uses_a_fixed_number_of_queries(
    login, manager, clerk, organisation, branch, consultation, friday, django_assert_max_num_queries
):
    for number in range(6):
        person = waiting_client(organisation, clerk, branch, f"Osoba Numer{number}")
        wait(person, branch=branch, clerk=clerk, visit_type=consultation, until=friday, priority=number % 3)
    client = login(manager)
    with django_assert_max_num_queries(16):
        response = client.get(reverse("desk:waitlist"))
    assert response.status_code == 200 and response.content.decode().count("Numer") >= 6


def test_an_appointment_page_leads_to_the_waitlist_prefilled(login, clerk, booked, patient, consultation, monday):
    client = login(clerk)
    detail = client.get(reverse("desk:appointment_detail", args=[booked.pk])).content.decode()
    assert f"/desk/waitlist/add/?branch={booked.branch_id}&amp;appointment={booked.pk}" in detail
    page = client.get(reverse("desk:waitlist_add"), {"appointment": booked.pk})
    assert page.status_code == 200 and "Kowalski" in page.content.decode()
    # when
    response = client.post(
        reverse("desk:waitlist_add") + f"?appointment={booked.pk}",
        {
            "branch": booked.branch_id,
            "appointment": booked.pk,
            "client": patient.pk,
            "visit_type": consultation.pk,
            "date_from": timezone.localdate().isoformat(),
            "date_to": (monday - timedelta(days=1)).isoformat(),
            "priority": 1,
            "channel": "",
        },
    )
    # then
    entry = WaitlistEntry.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("desk:waitlist_entry", args=[entry.pk])
    assert (entry.current_appointment, entry.priority, entry.channel) == (booked, 1, "sms")


def test_bad_input_keeps_what_was_typed(login, clerk, patient, branch, consultation):
    response = login(clerk).post(
        reverse("desk:waitlist_add"),
        {
            "branch": branch.pk,
            "client": patient.pk,
            "visit_type": consultation.pk,
            "date_from": "2026-12-10",
            "date_to": "2026-12-01",
            "priority": 0,
            "note": "Rano, proszę",
        },
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "The last day must not be before the first day." in body and "Rano, proszę" in body
    assert not WaitlistEntry.objects.exists()


def test_removing_needs_a_reason_and_shows_the_offers(login, clerk, booked, anna, branch, consultation, friday):
    entry = wait(anna, branch=branch, clerk=clerk, visit_type=consultation, until=friday)
    _offer(booked, clerk)
    client = login(clerk)
    page = client.get(reverse("desk:waitlist_entry", args=[entry.pk])).content.decode()
    assert "Waiting for an answer" in page
    assert client.post(reverse("desk:waitlist_remove", args=[entry.pk]), {"reason": ""}).status_code == 400
    assert client.post(reverse("desk:waitlist_remove", args=[entry.pk]), {"reason": "Wyjechała"}).status_code == 302
    entry.refresh_from_db()
    assert entry.status == WaitlistStatus.REMOVED and entry.removed_reason == "Wyjechała"


def test_managers_set_the_time_to_answer(login, manager, clerk, organisation):
    assert login(clerk).get(reverse("desk:waitlist_policy")).status_code == 403
    client = login(manager)
    bad = client.post(reverse("desk:waitlist_policy"), {"offer_minutes": 0, "notice_minutes": 60})
    assert bad.status_code == 400
    assert client.post(reverse("desk:waitlist_policy"), {"offer_minutes": 15, "notice_minutes": 120}).status_code == 302
    assert WaitlistPolicy.objects.get(organisation=organisation).offer_minutes == 15


def test_entries_of_another_branch_or_organisation_are_not_found(
    login, outsider_branch, outsider_org, clerk, anna, branch, consultation, friday
):
    entry = wait(anna, branch=branch, clerk=clerk, visit_type=consultation, until=friday)
    for user in (outsider_branch, outsider_org):
        client = login(user)
        assert client.get(reverse("desk:waitlist_entry", args=[entry.pk])).status_code == 404
        assert client.post(reverse("desk:waitlist_remove", args=[entry.pk]), {"reason": "x"}).status_code == 404
        assert "Wiśniewska" not in client.get(reverse("desk:waitlist")).content.decode()


# --- the client's link ------------------------------------------------------------------------------


def test_the_link_shows_the_slot_and_accepting_books_it_once(booked, anna, branch, clerk, consultation, friday):
    wait(anna, branch=branch, clerk=clerk, visit_type=consultation, until=friday)
    offer = _offer(booked, clerk)
    browser = Browser()
    page = browser.get(_link(offer))
    body = page.content.decode()
    assert page.status_code == 200 and "Dr Anna Nowak" in body and "Przyjmij ten termin" in body, "in Polish"
    # when a double click sends it twice
    first = browser.post(_link(offer), {"action": "accept"})
    second = browser.post(_link(offer), {"action": "accept"})
    # then
    assert first.status_code == second.status_code == 302
    assert Appointment.objects.filter(client=anna, status="booked").count() == 1
    assert "Zarezerwowano" in browser.get(_link(offer)).content.decode()


def test_declining_from_the_link(booked, anna, branch, clerk, consultation, friday):
    wait(anna, branch=branch, clerk=clerk, visit_type=consultation, until=friday)
    offer = _offer(booked, clerk)
    Browser().post(_link(offer), {"action": "decline"})
    offer.refresh_from_db()
    assert offer.status == OfferStatus.DECLINED


def test_a_tampered_link_gets_a_friendly_page(booked, anna, branch, clerk, consultation, friday):
    wait(anna, branch=branch, clerk=clerk, visit_type=consultation, until=friday)
    offer = _offer(booked, clerk)
    page = Browser().get(_link(offer)[:-3] + "xyz/")
    assert page.status_code == 404 and "This link does not work" in page.content.decode()
    assert Browser().post(_link(offer)[:-3] + "xyz/", {"action": "accept"}).status_code == 404
    assert not Appointment.objects.filter(client=anna).exists()


def test_a_link_naming_another_client_does_not_work(booked, anna, marek, branch, clerk, consultation, friday):
    from django.core import signing

    wait(anna, branch=branch, clerk=clerk, visit_type=consultation, until=friday)
    offer = _offer(booked, clerk)
    token = signing.TimestampSigner(salt=services_waitlist.SALT).sign_object({"o": offer.pk, "c": marek.pk})
    assert Browser().get(reverse("desk:waitlist_offer", kwargs={"token": token})).status_code == 404


def test_an_expired_offer_gets_a_friendly_page(booked, anna, branch, clerk, consultation, friday):
    wait(anna, branch=branch, clerk=clerk, visit_type=consultation, until=friday)
    offer = _offer(booked, clerk)
    services_waitlist.waitlist_offers(timezone.now() + timedelta(minutes=31))
    page = Browser().get(_link(offer))
    assert page.status_code == 410 and "Ta propozycja wygasła" in page.content.decode()


def test_a_slot_taken_meanwhile_says_sorry(booked, anna, patient, doctor, branch, clerk, consultation, friday):
    wait(anna, branch=branch, clerk=clerk, visit_type=consultation, until=friday)
    offer = _offer(booked, clerk)
    services_calendar.appointment_book(
        resource=doctor, client=patient, visit_type=consultation, starts_at=booked.starts_at, actor=clerk
    )
    browser = Browser()
    browser.post(_link(offer), {"action": "accept"})
    page = browser.get(_link(offer))
    assert page.status_code == 410 and "Przepraszamy, ten termin został zajęty" in page.content.decode()


def test_the_link_page_speaks_english_to_an_english_client(
    booked, organisation, branch, clerk, consultation, friday, monday
):
    english = waiting_client(organisation, clerk, branch, "John Smith", preferred_language="en")
    wait(english, branch=branch, clerk=clerk, visit_type=consultation, until=friday)
    offer = _offer(booked, clerk)
    assert "Accept this time" in Browser().get(_link(offer)).content.decode()
    assert offer.starts_at == at(monday, 9)


def test_a_clients_page_leads_to_the_waitlist_with_the_client_chosen(login, clerk, executive, anna):
    page = login(clerk).get(reverse("clients:client_detail", args=[anna.pk])).content.decode()
    assert f"/desk/waitlist/add/?client={anna.pk}" in page
    form = login(clerk).get(reverse("desk:waitlist_add"), {"client": anna.pk}).content.decode()
    assert f'name="client" value="{anna.pk}"' in form
    assert (
        "/desk/waitlist/add/"
        not in login(executive).get(reverse("clients:client_detail", args=[anna.pk])).content.decode()
    )
