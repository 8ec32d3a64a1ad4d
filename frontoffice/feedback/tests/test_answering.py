"""Answering: partial answers are kept, a repeated submit counts once, bad scores are refused, SMS digits count."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from frontoffice.feedback import hooks, services
from frontoffice.feedback.choices import InvitationStatus, InviteChannel
from frontoffice.feedback.models import InboundSms, Response


@pytest.fixture
def invitation(csat, patient, branch, clerk):
    return services.invitation_create_manual(
        survey=csat, branch=branch, client=patient, channel=InviteChannel.EMAIL, actor=clerk
    )


def _keys(invitation):
    main, comment = invitation.survey_version.questions.all()
    return f"q{main.pk}", f"q{comment.pk}"


def test_a_partial_answer_is_saved_and_not_counted(invitation):
    score, _comment = _keys(invitation)

    services.response_save(invitation=invitation, answers={score: "4"}, submit=False)

    response = Response.objects.get(invitation=invitation)
    assert response.score == 4 and not response.is_complete
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.SCHEDULED


def test_submitting_twice_counts_once(invitation):
    score, comment = _keys(invitation)
    services.response_save(invitation=invitation, answers={score: "5", comment: "Super"}, submit=True)

    again = services.response_save(invitation=invitation, answers={score: "1", comment: "Inaczej"}, submit=True)

    assert again.already_submitted
    response = Response.objects.get(invitation=invitation)
    assert (response.score, response.comment, response.is_complete) == (5, "Super", True)
    assert response.answers.count() == 2


def test_an_out_of_range_score_is_refused_with_a_message_and_nothing_is_written(invitation):
    score, comment = _keys(invitation)

    with pytest.raises(ValidationError) as error:
        services.response_save(invitation=invitation, answers={score: "9", comment: "Hm"}, submit=True)

    assert error.value.message_dict[score] == ["Choose a score from 1 to 5."]
    assert not Response.objects.filter(invitation=invitation).exists()


def test_a_required_score_must_be_given_to_submit(invitation):
    score, comment = _keys(invitation)

    with pytest.raises(ValidationError) as error:
        services.response_save(invitation=invitation, answers={comment: "Bez oceny"}, submit=True)

    assert score in error.value.message_dict


def test_an_expired_invitation_cannot_be_answered(invitation):
    score, _comment = _keys(invitation)

    with pytest.raises(ValidationError):
        services.response_save(
            invitation=invitation, answers={score: "3"}, submit=True, now=invitation.expires_at + timedelta(seconds=1)
        )


def test_a_low_csat_with_a_comment_calls_the_low_score_handlers(invitation):
    seen = []

    def handler(low):
        seen.append((low.score, low.comment))
        return "follow-up 7"

    hooks.register_low_score_handler(handler)
    try:
        score, comment = _keys(invitation)
        services.response_save(invitation=invitation, answers={score: "2", comment: "Długo czekałam"}, submit=True)
    finally:
        hooks.unregister_low_score_handler(handler)

    assert seen == [(2, "Długo czekałam")]
    response = Response.objects.get(invitation=invitation)
    assert response.is_low and "follow-up 7" in response.follow_up


@pytest.mark.parametrize(
    ("kind", "score", "comment", "low"),
    [
        ("nps", 6, "", True),
        ("nps", 7, "meh", False),
        ("csat", 2, "", False),
        ("csat", 2, "zimno", True),
        ("csat", 3, "zimno", False),
        ("complaint", 1, "źle", True),
        ("ces", 1, "trudno", False),
    ],
)
def test_what_counts_as_a_low_score(kind, score, comment, low):
    assert services.is_low_score(kind, score, comment) is low


def test_an_sms_digit_answers_the_latest_open_sms_invitation(sms_invitation):
    services.sms_reply_record(sender="600 100 200", text=" 9 ")

    response = Response.objects.get(invitation=sms_invitation)
    assert response.score == 9 and response.is_complete
    assert InboundSms.objects.get().invitation == sms_invitation


def test_an_sms_reply_that_is_not_a_digit_is_kept_as_the_comment(sms_invitation):
    services.sms_reply_record(sender="+48600100200", text="Bardzo miła obsługa")

    response = Response.objects.get(invitation=sms_invitation)
    assert response.comment == "Bardzo miła obsługa" and not response.is_complete
    sms_invitation.refresh_from_db()
    assert sms_invitation.status == InvitationStatus.SENT  # a digit can still come


def test_a_comment_after_the_digit_joins_the_answered_response(sms_invitation):
    services.sms_reply_record(sender="+48600100200", text="10")
    services.sms_reply_record(sender="+48600100200", text="Dziękuję!")

    response = Response.objects.get(invitation=sms_invitation)
    assert (response.score, response.comment, response.is_complete) == (10, "Dziękuję!", True)


def test_a_second_digit_does_not_count_twice(sms_invitation):
    services.sms_reply_record(sender="+48600100200", text="8")
    services.sms_reply_record(sender="+48600100200", text="3")

    response = Response.objects.get(invitation=sms_invitation)
    assert response.score == 8
    assert "3" in response.comment


def test_an_sms_from_an_unknown_number_is_kept_unmatched(sms_invitation):
    reply = services.sms_reply_record(sender="+48500000000", text="5")

    assert reply.invitation is None
    assert not Response.objects.exists()


def test_the_tablet_reuses_the_open_invitation_of_the_visit(csat, branch, patient, clerk):
    source = hooks.Source(kind="desk.visit", pk="15", branch=branch, client=patient, label="W/15")

    first = services.kiosk_open(survey=csat, source=source, actor=clerk)
    second = services.kiosk_open(survey=csat, source=source, actor=clerk)

    assert first == second and first.channel == InviteChannel.IN_PERSON and first.source_label == "W/15"
    assert first.due_at <= timezone.now()
