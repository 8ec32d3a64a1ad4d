"""Surveys: kinds and scales, bilingual texts, and a new version for every change once a version was sent."""

import pytest
from django.core.exceptions import ValidationError

from frontoffice.feedback import services
from frontoffice.feedback.choices import InviteChannel, QuestionKind, SurveyKind
from frontoffice.feedback.models import Response

from .conftest import make_survey


@pytest.mark.parametrize(("kind", "low", "high"), [("csat", 1, 5), ("nps", 0, 10), ("ces", 1, 7), ("complaint", 1, 5)])
def test_each_standard_kind_asks_its_scale_and_a_comment(organisation, manager, kind, low, high):
    survey = make_survey(organisation, manager, kind=kind)

    main, comment = survey.current_version.questions.all()
    assert (main.kind, main.scale_min, main.scale_max, main.is_main) == ("scale", low, high, True)
    assert comment.kind == QuestionKind.TEXT
    assert main.text("en") and main.text("pl") and main.text("en") != main.text("pl")


def test_a_custom_survey_keeps_its_questions_in_both_languages(organisation, manager):
    survey = make_survey(
        organisation,
        manager,
        kind=SurveyKind.CUSTOM,
        questions=(
            services.QuestionData(kind="scale", text_pl="Czystość", text_en="Cleanliness", scale_min=1, scale_max=5),
            services.QuestionData(
                kind="choice",
                text_pl="Skąd?",
                text_en="From where?",
                choices_pl=("Internet", "Znajomi"),
                choices_en=("Web", "Friends"),
            ),
            services.QuestionData(kind="text", text_pl="Uwagi", text_en="Remarks"),
        ),
    )

    questions = list(survey.current_version.questions.all())
    assert [q.kind for q in questions] == ["scale", "choice", "text"]
    assert questions[0].is_main and not questions[1].is_main
    assert questions[1].options("en") == ["Web", "Friends"]
    assert questions[1].options("pl") == ["Internet", "Znajomi"]


def test_a_custom_survey_without_questions_is_refused(organisation, manager):
    with pytest.raises(ValidationError) as error:
        make_survey(organisation, manager, kind=SurveyKind.CUSTOM)
    assert "questions" in error.value.message_dict


def test_a_choice_question_needs_two_options(organisation, manager):
    with pytest.raises(ValidationError):
        make_survey(
            organisation,
            manager,
            kind=SurveyKind.CUSTOM,
            questions=(services.QuestionData(kind="choice", text_pl="Skąd?", choices_pl=("Internet",)),),
        )


def _edit(survey, manager, title):
    return services.survey_update(
        survey=survey,
        actor=manager,
        data=services.SurveyData(name=survey.name, kind=survey.kind, title_pl=title),
        expected_version=survey.version,
    )


def test_editing_a_survey_nobody_was_sent_rewrites_its_version(csat, manager):
    survey = _edit(csat, manager, "Nowy tytuł")

    assert survey.current_version.number == 1
    assert survey.versions.count() == 1
    assert survey.current_version.title_pl == "Nowy tytuł"


def test_editing_a_sent_survey_makes_a_new_version_and_old_answers_keep_theirs(csat, manager, patient, branch, clerk):
    invitation = services.invitation_create_manual(
        survey=csat, branch=branch, client=patient, channel=InviteChannel.EMAIL, actor=clerk
    )
    old_version = invitation.survey_version
    main = old_version.questions.get(is_main=True)
    services.response_save(invitation=invitation, answers={f"q{main.pk}": "4"}, submit=True)

    survey = _edit(csat, manager, "Po zmianie")

    assert survey.current_version.number == 2
    old_version.refresh_from_db()
    assert old_version.title_pl == "Jak było?"
    response = Response.objects.get(invitation=invitation)
    assert response.survey_version == old_version and response.score == 4


def test_a_stale_edit_is_refused(csat, manager):
    stale = csat.version
    _edit(csat, manager, "Pierwsza zmiana")
    with pytest.raises(ValidationError):
        services.survey_update(
            survey=csat,
            actor=manager,
            data=services.SurveyData(name=csat.name, kind=csat.kind, title_pl="Druga"),
            expected_version=stale,
        )
