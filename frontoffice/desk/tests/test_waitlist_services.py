"""The waitlist's services: who is offered a freed slot, in which order, and what answers and time-outs do."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from frontoffice.clients.choices import ConsentPurpose
from frontoffice.clients.services import consent_withdraw
from frontoffice.core.models import AuditEntry
from frontoffice.desk import selectors_waitlist, services, services_calendar, services_waitlist
from frontoffice.desk.models import Appointment
from frontoffice.desk.models.waitlist import FreedSlot, OfferStatus, WaitlistEntry, WaitlistPolicy, WaitlistStatus

from .fixtures_calendar import at
from .fixtures_waitlist import wait, waiting_client, waitlist_hook  # noqa: F401 - the autouse hook

pytestmark = pytest.mark.django_db


def _book(resource, client, visit_type, clerk, starts_at):
    return services_calendar.appointment_book(
        resource=resource, client=client, visit_type=visit_type, starts_at=starts_at, actor=clerk
    ).appointment


def _free(appointment, clerk, now=None):
    """Cancel ``appointment`` and run the waitlist as the commit would."""
    services_calendar.appointment_cancel(appointment=appointment, actor=clerk, reason="Choroba")
    return services_waitlist.slot_record(
        appointment=appointment, starts_at=appointment.starts_at, ends_at=appointment.ends_at, now=now
    )


@pytest.fixture
def annas_later(anna, doctor, consultation, clerk, friday):
    """Anna holds Friday 09:00 and would rather come earlier."""
    return _book(doctor, anna, consultation, clerk, at(friday, 9))


def test_a_freed_slot_is_offered_to_the_waiting_client_by_sms_with_a_link_and_a_time_limit(
    booked, anna, annas_later, branch, clerk, consultation, friday, settings
):
    entry = wait(anna, branch=branch, clerk=clerk, visit_type=consultation, until=friday, current=annas_later)
    now = timezone.now()
    # when
    offer = _free(booked, clerk, now=now)
    # then
    assert offer is not None and offer.entry == entry
    assert (offer.resource_id, offer.starts_at, offer.ends_at) == (booked.resource_id, booked.starts_at, booked.ends_at)
    assert offer.expires_at == now + timedelta(minutes=30)
    entry.refresh_from_db()
    assert entry.status == WaitlistStatus.OFFERED
    assert offer.message.channel == "sms" and offer.message.recipient.startswith("+48600300")
    assert settings.PUBLIC_URL.rstrip("/") + "/desk/w/" in offer.message.body


def test_the_hook_runs_after_the_commit_of_a_cancellation(
    booked, anna, branch, clerk, consultation, friday, django_capture_on_commit_callbacks
):
    entry = wait(anna, branch=branch, clerk=clerk, visit_type=consultation, until=friday)
    with django_capture_on_commit_callbacks(execute=True):
        services_calendar.appointment_cancel(appointment=booked, actor=clerk, reason="Choroba")
    assert entry.offers.get().starts_at == booked.starts_at
    assert FreedSlot.objects.get().source == booked


def test_moving_an_appointment_away_offers_its_old_slot_on_its_old_resource(
    booked, anna, branch, clerk, consultation, doctor, second_doctor, monday, friday, django_capture_on_commit_callbacks
):
    entry = wait(anna, branch=branch, clerk=clerk, visit_type=consultation, until=friday, resource=doctor)
    with django_capture_on_commit_callbacks(execute=True):
        services_calendar.appointment_move(
            appointment=booked, actor=clerk, starts_at=at(monday, 9), resource=second_doctor
        )
    offer = entry.offers.get()
    assert (offer.resource_id, offer.starts_at) == (doctor.pk, at(monday, 9))


# --- eligibility, one rule at a time -----------------------------------------------------------------


def test_another_resource_is_not_offered(booked, anna, branch, clerk, consultation, second_doctor, friday):
    wait(anna, branch=branch, clerk=clerk, visit_type=consultation, until=friday, resource=second_doctor)
    assert _free(booked, clerk) is None


def test_a_slot_outside_the_window_is_not_offered(booked, anna, branch, clerk, consultation, monday):
    wait(anna, branch=branch, clerk=clerk, visit_type=consultation, until=monday - timedelta(days=1))
    assert _free(booked, clerk) is None


def test_a_slot_too_soon_is_not_offered(booked, anna, branch, clerk, consultation, friday, organisation):
    WaitlistPolicy.objects.create(organisation=organisation, offer_minutes=30, notice_minutes=60)
    wait(anna, branch=branch, clerk=clerk, visit_type=consultation, until=friday)
    services_calendar.appointment_cancel(appointment=booked, actor=clerk, reason="Choroba")
    late = booked.starts_at - timedelta(minutes=59)
    assert (
        services_waitlist.slot_record(appointment=booked, starts_at=booked.starts_at, ends_at=booked.ends_at, now=late)
        is None
    )


def test_a_slot_later_than_the_clients_current_appointment_is_not_offered(
    booked, anna, branch, clerk, consultation, doctor, monday, friday
):
    earlier = _book(doctor, anna, consultation, clerk, at(monday, 8))
    wait(anna, branch=branch, clerk=clerk, visit_type=consultation, until=friday, current=earlier)
    assert _free(booked, clerk) is None


def test_a_client_booked_elsewhere_at_that_time_is_not_offered(
    booked, anna, branch, clerk, consultation, second_doctor, monday, friday
):
    _book(second_doctor, anna, consultation, clerk, at(monday, 9, 10))
    wait(anna, branch=branch, clerk=clerk, visit_type=consultation, until=friday)
    assert _free(booked, clerk) is None


def test_a_visit_type_that_does_not_fit_before_the_next_booking_is_not_offered(
    booked, anna, patient, branch, clerk, manager, consultation, doctor, monday, friday, organisation
):
    long_visit = services.visit_type_create(
        organisation=organisation, actor=manager, name="Badanie długie", vertical="clinic", duration_minutes=60
    )
    doctor.visit_types.add(long_visit)
    _book(doctor, patient, consultation, clerk, at(monday, 9, 20))  # 09:20: an hour from 09:00 does not fit
    wait(anna, branch=branch, clerk=clerk, visit_type=long_visit, until=friday)
    assert _free(booked, clerk) is None


def test_a_waiting_client_of_another_branch_is_not_offered(
    booked, organisation, clerk, other_branch, consultation, friday
):
    elsewhere = waiting_client(organisation, clerk, other_branch, "Ola Kamińska")
    wait(elsewhere, branch=other_branch, clerk=clerk, visit_type=consultation, until=friday)
    assert _free(booked, clerk) is None


def test_a_client_with_a_pending_offer_is_not_offered_a_second_slot(
    booked, anna, patient, branch, clerk, consultation, doctor, monday, friday
):
    entry = wait(anna, branch=branch, clerk=clerk, visit_type=consultation, until=friday)
    other = _book(doctor, patient, consultation, clerk, at(monday, 11))
    assert _free(booked, clerk).entry == entry
    assert _free(other, clerk) is None
    assert entry.offers.count() == 1


# --- order and contact -------------------------------------------------------------------------------


def test_priority_comes_first_then_time_on_the_list(
    booked, anna, marek, organisation, branch, clerk, consultation, friday
):
    ola = waiting_client(organisation, clerk, branch, "Ola Kamińska")
    wait(anna, branch=branch, clerk=clerk, visit_type=consultation, until=friday)
    wait(marek, branch=branch, clerk=clerk, visit_type=consultation, until=friday, priority=2)
    wait(ola, branch=branch, clerk=clerk, visit_type=consultation, until=friday, priority=2)
    assert _free(booked, clerk).entry.client == marek


def test_a_client_without_consent_is_skipped_with_the_reason_and_the_next_one_is_offered(
    booked, anna, marek, branch, clerk, consultation, friday
):
    first = wait(anna, branch=branch, clerk=clerk, visit_type=consultation, until=friday)
    wait(marek, branch=branch, clerk=clerk, visit_type=consultation, until=friday)
    consent_withdraw(client=anna, actor=clerk, purpose=ConsentPurpose.SMS_REMINDERS)
    assert _free(booked, clerk).entry.client == marek
    first.refresh_from_db()
    assert first.status == WaitlistStatus.WAITING and first.skip_reason == "No consent to SMS reminders."
    assert AuditEntry.objects.filter(action="waitlist.skip").count() == 1


def test_do_not_contact_and_e_mail_consent_are_respected(booked, organisation, branch, clerk, consultation, friday):
    quiet = waiting_client(organisation, clerk, branch, "Ewa Cicha", email=True)
    quiet.do_not_contact = True
    quiet.save()
    mailer = waiting_client(organisation, clerk, branch, "Piotr Mailowy", sms=False, email=True)
    wait(quiet, branch=branch, clerk=clerk, visit_type=consultation, until=friday, channel="email")
    wait(mailer, branch=branch, clerk=clerk, visit_type=consultation, until=friday, channel="email")
    offer = _free(booked, clerk)
    assert offer.entry.client == mailer
    assert offer.message.channel == "email" and offer.message.recipient == "piotr@example.org"


def test_the_channel_defaults_to_the_clients_preferred_one(organisation, branch, clerk, consultation, friday):
    client = waiting_client(organisation, clerk, branch, "Ewa Mailowa", email=True, preferred_channel="email")
    assert (
        wait(client, branch=branch, clerk=clerk, visit_type=consultation, until=friday, channel="").channel == "email"
    )


# --- answers -----------------------------------------------------------------------------------------


def test_accepting_books_the_slot_and_cancels_the_later_appointment_which_is_offered_next(
    booked, anna, marek, annas_later, branch, clerk, consultation, friday, django_capture_on_commit_callbacks
):
    first = wait(anna, branch=branch, clerk=clerk, visit_type=consultation, until=friday, current=annas_later)
    second = wait(marek, branch=branch, clerk=clerk, visit_type=consultation, until=friday + timedelta(days=7))
    offer = _free(booked, clerk)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        services_waitlist.offer_accept(offer=offer)
    # then
    offer.refresh_from_db()
    first.refresh_from_db()
    annas_later.refresh_from_db()
    assert offer.status == OfferStatus.ACCEPTED and first.status == WaitlistStatus.BOOKED
    assert (offer.appointment.client, offer.appointment.starts_at) == (anna, booked.starts_at)
    assert annas_later.status == "cancelled"
    assert second.offers.get().starts_at == annas_later.starts_at, "the later slot goes to the next client"
    assert FreedSlot.objects.get(pk=offer.slot_id).filled


def test_a_double_accept_books_once(booked, anna, branch, clerk, consultation, friday):
    wait(anna, branch=branch, clerk=clerk, visit_type=consultation, until=friday)
    offer = _free(booked, clerk)
    services_waitlist.offer_accept(offer=offer)
    with pytest.raises(services_waitlist.OfferClosed) as closed:
        services_waitlist.offer_accept(offer=offer)
    assert closed.value.reason == OfferStatus.ACCEPTED
    assert Appointment.objects.filter(client=anna, status="booked").count() == 1


def test_a_slot_taken_meanwhile_withdraws_the_offer(booked, anna, patient, branch, clerk, consultation, doctor, friday):
    entry = wait(anna, branch=branch, clerk=clerk, visit_type=consultation, until=friday)
    offer = _free(booked, clerk)
    _book(doctor, patient, consultation, clerk, booked.starts_at)  # a clerk booked it by phone
    with pytest.raises(services_waitlist.OfferClosed) as closed:
        services_waitlist.offer_accept(offer=offer)
    assert closed.value.reason == OfferStatus.WITHDRAWN
    offer.refresh_from_db()
    entry.refresh_from_db()
    assert offer.status == OfferStatus.WITHDRAWN and entry.status == WaitlistStatus.WAITING
    assert not Appointment.objects.filter(client=anna).exists()


def test_declining_offers_the_slot_to_the_next_client_at_once(booked, anna, marek, branch, clerk, consultation, friday):
    first = wait(anna, branch=branch, clerk=clerk, visit_type=consultation, until=friday)
    second = wait(marek, branch=branch, clerk=clerk, visit_type=consultation, until=friday)
    offer = _free(booked, clerk)
    services_waitlist.offer_decline(offer=offer)
    first.refresh_from_db()
    assert first.status == WaitlistStatus.WAITING
    assert second.offers.get(status=OfferStatus.PENDING).slot_id == offer.slot_id
    assert first.offers.get().status == OfferStatus.DECLINED


def test_an_unanswered_offer_runs_out_and_goes_to_the_next_client_once(
    booked, anna, marek, branch, clerk, consultation, friday
):
    wait(anna, branch=branch, clerk=clerk, visit_type=consultation, until=friday)
    second = wait(marek, branch=branch, clerk=clerk, visit_type=consultation, until=friday)
    now = timezone.now()
    offer = _free(booked, clerk, now=now)
    assert services_waitlist.waitlist_offers(now + timedelta(minutes=29)) == 0
    # when the time limit passes
    later = now + timedelta(minutes=31)
    assert services_waitlist.waitlist_offers(later) == 1
    assert services_waitlist.waitlist_offers(later) == 0, "idempotent"
    # then
    offer.refresh_from_db()
    assert offer.status == OfferStatus.EXPIRED
    assert second.offers.get().expires_at == later + timedelta(minutes=30)
    with pytest.raises(services_waitlist.OfferClosed):
        services_waitlist.offer_accept(offer=offer)


def test_an_offer_never_runs_past_the_slot_start(booked, anna, branch, clerk, consultation, friday, organisation):
    WaitlistPolicy.objects.create(organisation=organisation, offer_minutes=600, notice_minutes=30)
    wait(anna, branch=branch, clerk=clerk, visit_type=consultation, until=friday)
    services_calendar.appointment_cancel(appointment=booked, actor=clerk, reason="Choroba")
    now = booked.starts_at - timedelta(hours=2)
    offer = services_waitlist.slot_record(
        appointment=booked, starts_at=booked.starts_at, ends_at=booked.ends_at, now=now
    )
    assert offer.expires_at == booked.starts_at


def test_entries_whose_window_passed_are_closed_by_the_job(anna, branch, clerk, consultation, friday):
    entry = wait(anna, branch=branch, clerk=clerk, visit_type=consultation, until=friday)
    assert services_waitlist.waitlist_offers(timezone.now() + timedelta(days=30)) == 1
    entry.refresh_from_db()
    assert entry.status == WaitlistStatus.EXPIRED


def test_removing_a_client_withdraws_their_offer_and_passes_it_on(
    booked, anna, marek, branch, clerk, consultation, friday
):
    first = wait(anna, branch=branch, clerk=clerk, visit_type=consultation, until=friday)
    second = wait(marek, branch=branch, clerk=clerk, visit_type=consultation, until=friday)
    _free(booked, clerk)
    with pytest.raises(ValidationError):
        services_waitlist.entry_remove(entry=first, actor=clerk, reason=" ")
    services_waitlist.entry_remove(entry=first, actor=clerk, reason="Wyjechała")
    assert first.offers.get().status == OfferStatus.WITHDRAWN
    assert second.offers.get().status == OfferStatus.PENDING


def test_adding_refuses_bad_input(anna, branch, other_branch, clerk, consultation, friday, organisation, manager):
    with pytest.raises(ValidationError) as refused:
        wait(
            anna,
            branch=branch,
            clerk=clerk,
            visit_type=consultation,
            until=services.branch_today(branch) - timedelta(days=1),
        )
    assert "date_to" in refused.value.message_dict
    wait(anna, branch=branch, clerk=clerk, visit_type=consultation, until=friday)
    with pytest.raises(ValidationError) as twice:
        wait(anna, branch=branch, clerk=clerk, visit_type=consultation, until=friday)
    assert "client" in twice.value.message_dict


def test_the_figures_count_freed_offered_backfilled_declined_and_expired(
    booked, anna, marek, patient, branch, clerk, manager, consultation, doctor, monday, friday
):
    wait(anna, branch=branch, clerk=clerk, visit_type=consultation, until=friday)
    wait(marek, branch=branch, clerk=clerk, visit_type=consultation, until=friday)
    services_waitlist.offer_decline(offer=_free(booked, clerk))  # Anna declines, Marek is offered it
    services_waitlist.offer_accept(offer=marek.waitlist_entries.get().offers.get())
    _free(_book(doctor, patient, consultation, clerk, at(monday, 11)), clerk)  # Anna is offered, no answer
    now = timezone.now()
    services_waitlist.waitlist_offers(now + timedelta(minutes=31))
    today = services.branch_today(branch)
    figures = selectors_waitlist.figures(user=manager, branch=branch, date_from=today, date_to=today)
    assert (figures.freed, figures.offered, figures.backfilled, figures.declined, figures.expired) == (2, 3, 1, 1, 1)
    assert figures.backfill_rate == 0.5


def test_an_erased_client_leaves_the_list_and_their_offer_is_withdrawn(
    booked, anna, branch, clerk, manager, consultation, friday
):
    from frontoffice.clients.privacy import client_erase

    entry = wait(anna, branch=branch, clerk=clerk, visit_type=consultation, until=friday)
    WaitlistEntry.objects.filter(pk=entry.pk).update(note="Dzwonić po 16")
    offer = _free(booked, clerk)
    client_erase(client=anna, actor=manager, reason="Written request")
    entry.refresh_from_db()
    offer.refresh_from_db()
    assert (entry.status, entry.note, offer.status) == (WaitlistStatus.REMOVED, "", OfferStatus.WITHDRAWN)


def test_the_entry_follows_a_merge(anna, marek, branch, clerk, manager, consultation, friday):
    from frontoffice.clients.merging import client_merge

    entry = wait(marek, branch=branch, clerk=clerk, visit_type=consultation, until=friday)
    client_merge(survivor=anna, merged=marek, actor=manager, field_choices={})
    entry.refresh_from_db()
    assert entry.client == anna


def test_the_time_out_job_is_registered():
    from frontoffice.core.periodic import registered_jobs

    assert registered_jobs()["desk.waitlist_offers"] is services_waitlist.waitlist_offers


def test_a_failing_offer_never_breaks_the_cancellation(
    booked, anna, branch, clerk, consultation, friday, monkeypatch, django_capture_on_commit_callbacks
):
    wait(anna, branch=branch, clerk=clerk, visit_type=consultation, until=friday)

    def broken(**kwargs):
        raise RuntimeError("SMS gateway misconfigured")

    monkeypatch.setattr(services_waitlist, "slot_record", broken)
    with django_capture_on_commit_callbacks(execute=True):
        services_calendar.appointment_cancel(appointment=booked, actor=clerk, reason="Choroba")
    booked.refresh_from_db()
    assert booked.status == "cancelled"
