"""Reporting events of surveys: one survey.sent per invitation sent, one survey.answered per submitted response."""

import pytest
from django.db import transaction

from frontoffice.core.models import ReportingEvent
from frontoffice.core.reporting import EventKind
from frontoffice.feedback import reporting, services
from frontoffice.feedback.choices import InviteChannel

pytestmark = pytest.mark.django_db


def _events(kind):
    return list(ReportingEvent.objects.filter(kind=kind).order_by("pk"))


@pytest.fixture
def invitation(csat, patient, branch, clerk):
    return services.invitation_create_manual(
        survey=csat, branch=branch, client=patient, channel=InviteChannel.EMAIL, actor=clerk
    )


def _keys(invitation):
    main, comment = invitation.survey_version.questions.all()
    return f"q{main.pk}", f"q{comment.pk}"


def test_sending_an_invitation_records_survey_sent_once(invitation, patient):
    assert not _events(EventKind.SURVEY_SENT)  # scheduled is not sent

    services.invitation_send(invitation=invitation)
    services.invitation_send(invitation=invitation)  # already sent: nothing happens

    [sent] = _events(EventKind.SURVEY_SENT)
    assert (sent.subject_type, sent.subject_id) == ("invitation", invitation.pk)
    assert sent.channel == "email" and sent.client_id == patient.pk
    assert sent.data["survey_type"] == "csat" and sent.data["trigger"] == invitation.trigger


def test_a_partial_then_completed_answer_records_one_answer_with_its_score_and_scale(invitation):
    score, comment = _keys(invitation)

    services.response_save(invitation=invitation, answers={score: "3"}, submit=False)
    assert not _events(EventKind.SURVEY_ANSWERED)
    services.response_save(invitation=invitation, answers={score: "4", comment: "Dobrze"}, submit=True)
    services.response_save(invitation=invitation, answers={score: "1"}, submit=True)  # a repeated submit

    [answered] = _events(EventKind.SURVEY_ANSWERED)
    assert answered.value == 4 and answered.subject_id == invitation.pk
    assert answered.data["survey_type"] == "csat"
    assert (answered.data["scale_min"], answered.data["scale_max"]) == (1, 5)
    assert answered.data["version"] == invitation.survey_version_id and answered.data["comment"] is True


def test_an_sms_digit_records_the_nps_answer_once(sms_invitation):
    services.sms_reply_record(sender="+48600100200", text="9")
    services.sms_reply_record(sender="+48600100200", text="3")

    [answered] = _events(EventKind.SURVEY_ANSWERED)
    assert answered.value == 9 and answered.channel == "sms"
    assert (answered.data["scale_min"], answered.data["scale_max"]) == (0, 10)
    assert len(_events(EventKind.SURVEY_SENT)) == 1


def test_a_refused_answer_or_a_rolled_back_one_records_nothing(invitation):
    score, _comment = _keys(invitation)
    with pytest.raises(Exception):  # noqa: B017 - out of range
        services.response_save(invitation=invitation, answers={score: "9"}, submit=True)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.response_save(invitation=invitation, answers={score: "5"}, submit=True)
        raise RuntimeError("the request failed after the write")

    assert not _events(EventKind.SURVEY_ANSWERED)


def test_backfill_derives_sent_and_answered_once(invitation, organisation):
    services.invitation_send(invitation=invitation)
    score, _comment = _keys(invitation)
    services.response_save(invitation=invitation, answers={score: "5"}, submit=True)
    live = [(event.kind, event.subject_id, event.value, event.data) for event in ReportingEvent.objects.order_by("pk")]
    ReportingEvent.objects.all().delete()

    assert reporting.backfill(organisation=organisation) == 2
    assert reporting.backfill(organisation=organisation) == 0

    derived = [
        (event.kind, event.subject_id, event.value, event.data) for event in ReportingEvent.objects.order_by("pk")
    ]
    assert derived == live
