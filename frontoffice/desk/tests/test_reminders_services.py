"""Reminders: scheduled with the appointment's life, sent by the periodic job by the right channel, once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import translation

from frontoffice.clients.services import consent_give, consent_withdraw
from frontoffice.core.models import OutboundMessage
from frontoffice.core.periodic import registered_jobs
from frontoffice.desk import appointment_links, services_calendar, services_reminders
from frontoffice.desk.models import Appointment, Reminder, ReminderPolicy
from frontoffice.desk.services_reminders import choose_channel, reminders_send_due

from .fixtures_calendar import at

pytestmark = pytest.mark.django_db


def _book(doctor, client, visit_type, clerk, starts_at, **kwargs):
    return services_calendar.appointment_book(
        resource=doctor, client=client, visit_type=visit_type, starts_at=starts_at, actor=clerk, **kwargs
    ).appointment


def _reminders(appointment, **filters):
    return list(Reminder.objects.filter(appointment=appointment, kind="reminder", **filters).order_by("due_at"))


def test_booking_schedules_a_reminder_a_day_ahead_and_sends_the_confirmation_with_code_and_link(
    doctor, reminded, consultation, clerk, monday
):
    # when
    appointment = _book(doctor, reminded, consultation, clerk, at(monday, 9))
    # then: one reminder 24 h ahead, and the confirmation went out by SMS at once
    (reminder,) = _reminders(appointment)
    assert reminder.status == "scheduled" and reminder.due_at == at(monday, 9) - timedelta(hours=24)
    confirmation = Reminder.objects.get(appointment=appointment, kind="confirmation")
    assert confirmation.status == "sent" and confirmation.channel == "sms"
    assert confirmation.message.recipient.endswith("600700800")
    assert appointment.check_in_code in confirmation.message.body
    assert "/desk/a/" in confirmation.message.body
    assert len(appointment.check_in_code) == 8
    assert set(appointment.check_in_code) <= set(appointment_links.CODE_ALPHABET)


def test_the_organisations_policy_sets_a_second_reminder_or_none(
    doctor, reminded, consultation, clerk, manager, monday, organisation
):
    services_reminders.reminder_policy_save(
        organisation=organisation,
        actor=manager,
        is_enabled=True,
        first_lead_hours=48,
        second_lead_hours=2,
        send_confirmation=False,
    )
    appointment = _book(doctor, reminded, consultation, clerk, at(monday, 9))
    assert [item.lead_hours for item in _reminders(appointment)] == [48, 2]
    assert not Reminder.objects.filter(appointment=appointment, kind="confirmation").exists()
    # when: reminders are switched off
    services_reminders.reminder_policy_save(
        organisation=organisation,
        actor=manager,
        is_enabled=False,
        first_lead_hours=24,
        second_lead_hours=None,
        send_confirmation=False,
        expected_version=ReminderPolicy.objects.get().version,
    )
    later = _book(doctor, reminded, consultation, clerk, at(monday, 10))
    assert _reminders(later) == []


def test_a_second_reminder_must_come_after_the_first(manager, organisation):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        services_reminders.reminder_policy_save(
            organisation=organisation,
            actor=manager,
            is_enabled=True,
            first_lead_hours=2,
            second_lead_hours=24,
            send_confirmation=True,
        )
    assert "second_lead_hours" in refused.value.message_dict


def test_moving_reschedules_the_reminder(doctor, reminded, consultation, clerk, monday):
    appointment = _book(doctor, reminded, consultation, clerk, at(monday, 9))
    # when
    services_calendar.appointment_move(appointment=appointment, actor=clerk, starts_at=at(monday, 11))
    # then
    assert [item.due_at for item in _reminders(appointment, status="scheduled")] == [
        at(monday, 11) - timedelta(hours=24)
    ]
    assert len(_reminders(appointment, status="cancelled")) == 1


def test_cancelling_cancels_the_reminders_and_the_job_sends_nothing(doctor, reminded, consultation, clerk, monday):
    appointment = _book(doctor, reminded, consultation, clerk, at(monday, 9))
    services_calendar.appointment_cancel(appointment=appointment, actor=clerk, reason="Wyjazd")
    assert _reminders(appointment, status="scheduled") == []
    assert reminders_send_due(at(monday, 8, 30)) == 0


def test_a_series_is_confirmed_once(doctor, reminded, consultation, clerk, monday):
    result = services_calendar.series_book(
        resource=doctor, client=reminded, visit_type=consultation, starts_at=at(monday, 9), actor=clerk, count=3
    )
    assert len(result.appointments) == 3
    assert Reminder.objects.filter(kind="confirmation").count() == 1
    assert Reminder.objects.filter(kind="reminder", status="scheduled").count() == 3


def test_the_job_sends_what_is_due_once_even_when_run_again(doctor, reminded, consultation, clerk, monday):
    # given
    appointment = _book(doctor, reminded, consultation, clerk, at(monday, 9))
    before = OutboundMessage.objects.count()
    due = at(monday, 9) - timedelta(hours=24)
    # when / then: not yet due
    assert reminders_send_due(due - timedelta(minutes=1)) == 0
    # when / then: due
    assert reminders_send_due(due) == 1
    assert reminders_send_due(due + timedelta(minutes=5)) == 0
    (reminder,) = _reminders(appointment)
    assert reminder.status == "sent" and reminder.sent_at == due and reminder.channel == "sms"
    assert OutboundMessage.objects.count() == before + 1
    assert "reminder of your appointment" in reminder.message.body
    assert "desk.reminders" in registered_jobs()


def test_a_reminder_found_after_the_start_is_skipped_as_too_late(doctor, reminded, consultation, clerk, monday):
    appointment = _book(doctor, reminded, consultation, clerk, at(monday, 9))
    assert reminders_send_due(at(monday, 9, 5)) == 0
    (reminder,) = _reminders(appointment)
    assert reminder.status == "skipped" and reminder.skip_reason == "too_late"


def test_without_consent_the_reminder_is_skipped_with_the_reason(doctor, patient, consultation, clerk, monday):
    # given: Jan Kowalski has a phone but gave no consent for reminders
    appointment = _book(doctor, patient, consultation, clerk, at(monday, 9))
    confirmation = Reminder.objects.get(appointment=appointment, kind="confirmation")
    assert confirmation.status == "skipped" and confirmation.get_skip_reason_display() == "no consent for reminders"
    # when
    reminders_send_due(at(monday, 9) - timedelta(hours=24))
    # then
    (reminder,) = _reminders(appointment)
    assert reminder.status == "skipped" and reminder.skip_reason == "no_consent"
    assert reminder.message is None


def test_channel_follows_consent_preference_and_contacts(reminded, clerk):
    # SMS consented and preferred
    assert choose_channel(reminded).channel == "sms"
    # preferred e-mail, but only SMS consented: SMS
    reminded.preferred_channel = "email"
    reminded.save()
    assert choose_channel(reminded).channel == "sms"
    # both consented: the preferred e-mail
    consent_give(client=reminded, actor=clerk, purpose="email_reminders", method="paper")
    choice = choose_channel(reminded)
    assert (choice.channel, choice.recipient) == ("email", "ewa.w@example.org")
    # no phone and SMS only: skipped, "no phone number"
    consent_withdraw(client=reminded, actor=clerk, purpose="email_reminders")
    reminded.contacts.filter(kind="phone").delete()
    assert choose_channel(reminded).skip_reason == "no_phone"
    # do not contact wins over everything
    reminded.do_not_contact = True
    reminded.save()
    assert choose_channel(reminded).skip_reason == "do_not_contact"


def test_an_email_reminder_carries_the_code_as_text_and_qr(
    doctor, reminded, consultation, clerk, monday, django_capture_on_commit_callbacks
):
    consent_give(client=reminded, actor=clerk, purpose="email_reminders", method="paper")
    reminded.preferred_channel = "email"
    reminded.save()
    with django_capture_on_commit_callbacks(execute=True):
        appointment = _book(doctor, reminded, consultation, clerk, at(monday, 9))
    (email,) = mail.outbox
    assert email.to == ["ewa.w@example.org"]
    assert appointment.check_in_code in email.body
    html = email.alternatives[0][0]
    assert appointment.check_in_code in html and "data:image/png;base64," in html


def test_the_message_is_in_the_clients_language_with_the_branchs_local_time(
    doctor, reminded, consultation, clerk, monday
):
    reminded.preferred_language = "pl"
    reminded.save()
    appointment = _book(doctor, reminded, consultation, clerk, at(monday, 9))
    body = Reminder.objects.get(appointment=appointment, kind="confirmation").message.body
    assert "wizyta" in body.lower() and "09:00" in body
    assert translation.get_language() == "en"


def test_check_in_codes_are_unique_in_the_organisation(doctor, reminded, consultation, clerk, monday):
    codes = {_book(doctor, reminded, consultation, clerk, at(monday, hour)).check_in_code for hour in (8, 9, 10, 11)}
    assert len(codes) == 4
    assert Appointment.objects.filter(check_in_code__in=codes).count() == 4


def test_reminders_off_still_sends_the_confirmation_when_asked(
    doctor, reminded, consultation, clerk, manager, monday, organisation
):
    services_reminders.reminder_policy_save(
        organisation=organisation,
        actor=manager,
        is_enabled=False,
        first_lead_hours=24,
        second_lead_hours=None,
        send_confirmation=True,
    )
    appointment = _book(doctor, reminded, consultation, clerk, at(monday, 9))
    assert _reminders(appointment) == []
    assert Reminder.objects.get(appointment=appointment, kind="confirmation").status == "sent"
