"""Who is asked: triggers and rules, deterministic sampling, suppression, consent and do-not-contact; sending."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from frontoffice.clients.choices import ConsentPurpose
from frontoffice.clients.services import consent_withdraw
from frontoffice.core.models import OutboundMessage
from frontoffice.core.periodic import registered_jobs
from frontoffice.feedback import services
from frontoffice.feedback.choices import InvitationStatus, InviteChannel, Trigger
from frontoffice.feedback.models import Invitation


def _trigger(branch, client, source_id=1, event=Trigger.VISIT_FINISHED):
    return services.invitation_trigger(
        event=event, branch=branch, client=client, source_type="desk.visit", source_id=source_id, source_label="W/1"
    )


def test_a_finished_visit_schedules_an_invitation_after_the_rules_delay(visit_rule, branch, patient):
    before = timezone.now()

    [invitation] = _trigger(branch, patient)

    assert invitation.status == InvitationStatus.SCHEDULED
    assert invitation.channel == InviteChannel.EMAIL
    assert invitation.recipient == "anna.nowak@example.invalid"
    assert invitation.due_at >= before + timedelta(minutes=30)
    assert invitation.survey_version == visit_rule.survey.current_version


def test_an_event_without_a_rule_invites_nobody(csat, branch, patient):
    assert _trigger(branch, patient, event=Trigger.CHECK_OUT) == []


def test_the_same_visit_is_never_asked_about_twice(visit_rule, branch, patient, manager):
    services.rule_save(
        survey=visit_rule.survey,
        rule=visit_rule,
        actor=manager,
        expected_version=visit_rule.version,
        data=services.RuleData(trigger=Trigger.VISIT_FINISHED, channel=InviteChannel.EMAIL, suppression_days=0),
    )
    assert len(_trigger(branch, patient)) == 1
    assert _trigger(branch, patient) == []


def test_sampling_is_a_stable_hash_of_client_and_rule():
    chosen = [client_id for client_id in range(1, 1001) if services.sampled(client_id=client_id, rule_id=7, percent=30)]

    assert 240 < len(chosen) < 360  # about 30 %
    again = [client_id for client_id in range(1, 1001) if services.sampled(client_id=client_id, rule_id=7, percent=30)]
    assert chosen == again
    assert all(services.sampled(client_id=c, rule_id=7, percent=100) for c in range(1, 50))


def test_a_client_outside_the_sample_is_not_invited(visit_rule, branch, patient, manager):
    rule = services.rule_save(
        survey=visit_rule.survey,
        rule=visit_rule,
        actor=manager,
        expected_version=visit_rule.version,
        data=services.RuleData(trigger=Trigger.VISIT_FINISHED, channel=InviteChannel.EMAIL, sampling_percent=1),
    )
    in_sample = services.sampled(client_id=patient.pk, rule_id=rule.pk, percent=1)

    assert bool(_trigger(branch, patient)) == in_sample


def test_a_client_asked_recently_is_not_asked_again(visit_rule, branch, patient):
    assert _trigger(branch, patient, source_id=1)
    assert _trigger(branch, patient, source_id=2) == []


def test_suppression_ends_after_its_days(visit_rule, branch, patient):
    [first] = _trigger(branch, patient, source_id=1)
    Invitation.objects.filter(pk=first.pk).update(created_at=timezone.now() - timedelta(days=31))

    assert _trigger(branch, patient, source_id=2)


def test_a_client_without_consent_for_the_channel_is_not_invited(visit_rule, branch, patient, clerk):
    consent_withdraw(client=patient, actor=clerk, purpose=ConsentPurpose.EMAIL_REMINDERS)

    assert _trigger(branch, patient) == []


def test_a_do_not_contact_client_is_never_invited_even_by_hand(visit_rule, csat, branch, patient, clerk):
    patient.do_not_contact = True
    patient.save()

    assert _trigger(branch, patient) == []
    with pytest.raises(ValidationError) as error:
        services.invitation_create_manual(
            survey=csat, branch=branch, client=patient, channel=InviteChannel.SMS, actor=clerk
        )
    assert "asked not to be contacted" in str(error.value)


def test_the_worker_sends_due_invitations_by_email_with_a_signed_link(visit_rule, branch, patient, settings):
    settings.PUBLIC_URL = "https://fo.example.invalid"
    [invitation] = _trigger(branch, patient)

    assert services.send_due(timezone.now()) == 0  # not due yet
    assert services.send_due(timezone.now() + timedelta(minutes=31)) == 1

    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.SENT
    message = OutboundMessage.objects.get(pk=invitation.message_id)
    assert message.recipient == "anna.nowak@example.invalid"
    assert "https://fo.example.invalid/feedback/s/" in message.body


def test_an_sms_invitation_asks_for_a_digit(sms_invitation):
    message = OutboundMessage.objects.get(pk=sms_invitation.message_id)

    assert message.channel == "sms" and message.recipient == "+48600100200"
    assert "0-10" in message.body


def test_an_invitation_whose_consent_was_withdrawn_while_waiting_is_cancelled(visit_rule, branch, patient, clerk):
    [invitation] = _trigger(branch, patient)
    consent_withdraw(client=patient, actor=clerk, purpose=ConsentPurpose.EMAIL_REMINDERS)

    services.send_due(timezone.now() + timedelta(hours=1))

    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.CANCELLED
    assert invitation.message is None


def test_unanswered_invitations_expire(sms_invitation):
    services.send_due(sms_invitation.expires_at + timedelta(minutes=1))

    sms_invitation.refresh_from_db()
    assert sms_invitation.status == InvitationStatus.EXPIRED


def test_the_periodic_relationship_survey_invites_consenting_clients_once_per_period(nps, manager, patient, branch):
    services.rule_save(
        survey=nps,
        actor=manager,
        data=services.RuleData(trigger=Trigger.RELATIONSHIP, channel=InviteChannel.EMAIL, delay_minutes=0),
    )
    now = timezone.now()

    assert "feedback.relationship" in registered_jobs()
    assert services.relationship_run(now) == 1
    assert services.relationship_run(now + timedelta(days=2)) == 0  # asked within the period
    invitation = Invitation.objects.get(client=patient)
    assert invitation.trigger == Trigger.RELATIONSHIP and invitation.branch == branch


def test_a_periodic_survey_cannot_be_given_on_the_tablet(nps, manager):
    with pytest.raises(ValidationError):
        services.rule_save(
            survey=nps,
            actor=manager,
            data=services.RuleData(trigger=Trigger.RELATIONSHIP, channel=InviteChannel.IN_PERSON),
        )
