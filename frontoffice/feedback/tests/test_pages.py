"""The pages: the client's survey from its link, the desk tablet, and the staff lists (few queries at any size)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from frontoffice.feedback import links, services
from frontoffice.feedback.choices import InviteChannel, SurveyKind
from frontoffice.feedback.models import Invitation, Response


@pytest.fixture
def invitation(csat, patient, branch, clerk):
    return services.invitation_create_manual(
        survey=csat, branch=branch, client=patient, channel=InviteChannel.EMAIL, actor=clerk
    )


def _url(invitation):
    return reverse("feedback:answer", kwargs={"token": links.make_token(invitation.pk)})


def _keys(invitation):
    main, comment = invitation.survey_version.questions.all()
    return f"q{main.pk}", f"q{comment.pk}"


def test_the_link_opens_the_survey_in_the_clients_language_without_signing_in(client, invitation, patient):
    patient.preferred_language = "en"
    patient.save()
    Invitation.objects.filter(pk=invitation.pk).update(language="en")

    page = client.get(_url(invitation))

    assert page.status_code == 200
    assert "How was it?" in page.text
    assert "How satisfied were you with our service?" in page.text
    assert 'lang="en"' in page.text


def test_a_submitted_answer_thanks_the_client_and_the_link_is_then_used(client, invitation):
    score, comment = _keys(invitation)

    done = client.post(_url(invitation), {score: "5", comment: "Świetnie"})
    again = client.get(_url(invitation))

    assert done.status_code == 200 and "Dziękujemy" in done.text  # in the client's language (Polish)
    assert Response.objects.get(invitation=invitation).score == 5
    assert again.status_code == 200
    assert "Już udzielono odpowiedzi" in again.text


def test_an_out_of_range_score_is_refused_and_the_comment_stays_on_screen(client, invitation):
    score, comment = _keys(invitation)

    page = client.post(_url(invitation), {score: "12", comment: "Mój długi komentarz"})

    assert page.status_code == 400
    assert "Wybierz ocenę od 1 do 5." in page.text  # the client's language, not the browser's
    assert "Mój długi komentarz" in page.text
    assert not Response.objects.exists()


def test_save_and_finish_later_keeps_the_answers_for_the_next_visit(client, invitation):
    score, comment = _keys(invitation)

    client.post(_url(invitation), {score: "3", comment: "Jeszcze pomyślę", "save": "1"})
    page = client.get(_url(invitation))

    assert "Jeszcze pomyślę" in page.text
    assert f'name="{score}" value="3" checked' in page.text
    assert not Response.objects.get(invitation=invitation).is_complete


def test_a_tampered_link_gets_a_friendly_page(client, invitation):
    page = client.get(_url(invitation)[:-4] + "abc/")

    assert page.status_code == 404
    assert "This link does not work" in page.text


def test_an_expired_link_gets_a_friendly_page(client, invitation):
    token = links.make_token(invitation.pk)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(minutes=1))

    page = client.get(reverse("feedback:answer", kwargs={"token": token}))

    assert page.status_code == 410
    assert "Ta ankieta została zamknięta" in page.text


def test_the_tablet_shows_only_the_survey_and_ends_on_the_idle_screen(client, csat, branch, patient, clerk):
    from frontoffice.feedback.hooks import Source

    invitation = services.kiosk_open(
        survey=csat, source=Source(kind="desk.visit", pk="3", branch=branch, client=patient, label="W/3"), actor=clerk
    )
    url = reverse("feedback:kiosk", kwargs={"token": links.make_token(invitation.pk)})
    score, _comment = _keys(invitation)

    page = client.get(url)
    done = client.post(url, {score: "4"}, follow=True)

    assert page.status_code == 200 and "<a " not in page.text  # no way into the app
    assert done.redirect_chain[-1][0] == reverse("feedback:kiosk_done")
    assert "hand the tablet back" in done.text
    assert client.get(url).status_code == 200  # the used link shows "already answered", not the form


def test_an_email_link_does_not_open_in_tablet_mode(client, invitation):
    page = client.get(reverse("feedback:kiosk", kwargs={"token": links.make_token(invitation.pk)}))

    assert page.status_code == 404


def test_the_sms_webhook_needs_its_token_and_records_a_digit(client, sms_invitation, settings):
    settings.FEEDBACK_SMS_INBOUND_TOKEN = "sekret"
    url = reverse("feedback:sms_inbound")
    body = {"from": "+48600100200", "text": "10"}

    refused = client.post(url, body, content_type="application/json")
    accepted = client.post(url, body, content_type="application/json", headers={"Authorization": "Bearer sekret"})
    broken = client.post(url, "nie json", content_type="application/json", headers={"Authorization": "Bearer sekret"})

    assert refused.status_code == 401
    assert accepted.json() == {"recorded": 1, "matched": 1}
    assert broken.status_code == 400
    assert Response.objects.get(invitation=sms_invitation).score == 10


def _answered(count, csat, branch, clerk, organisation):
    from frontoffice.clients.services import ClientData, client_create

    for number in range(count):
        client = client_create(
            organisation=organisation, actor=clerk, data=ClientData(given_name="Jan", family_name=f"Kowalski{number}")
        )
        from frontoffice.feedback.hooks import Source

        invitation = services.kiosk_open(
            survey=csat,
            source=Source(kind="desk.visit", pk=str(number), branch=branch, client=client, label="W"),
            actor=clerk,
        )
        score, _ = _keys(invitation)
        services.response_save(invitation=invitation, answers={score: str(1 + number % 5)}, submit=True)


@pytest.mark.parametrize("count", [1, 12])
def test_the_response_list_needs_the_same_few_queries_at_any_size(
    login, manager, csat, branch, clerk, organisation, count, django_assert_max_num_queries
):
    _answered(count, csat, branch, clerk, organisation)
    browser = login(manager)

    with django_assert_max_num_queries(16):
        page = browser.get(reverse("feedback:response_list"))

    assert page.status_code == 200
    assert page.text.count("Kowalski") == count


@pytest.mark.parametrize("count", [1, 12])
def test_the_invitation_list_needs_the_same_few_queries_at_any_size(
    login, manager, csat, branch, clerk, organisation, count, django_assert_max_num_queries
):
    _answered(count, csat, branch, clerk, organisation)
    browser = login(manager)

    with django_assert_max_num_queries(16):
        page = browser.get(reverse("feedback:invitation_list"))

    assert page.status_code == 200
    assert page.text.count("Kowalski") == count


def test_the_response_list_filters_by_score_band(login, manager, csat, branch, clerk, organisation):
    _answered(5, csat, branch, clerk, organisation)  # scores 1..5

    page = login(manager).get(reverse("feedback:response_list"), {"kind": "csat", "band": "low"})

    assert page.text.count("Kowalski") == 2


def test_another_branchs_responses_are_not_listed(login, outsider_branch, csat, branch, clerk, organisation):
    _answered(2, csat, branch, clerk, organisation)

    page = login(outsider_branch).get(reverse("feedback:response_list"))

    assert "Kowalski" not in page.text


def test_a_manager_builds_a_custom_survey_on_the_page_adding_a_question(login, manager):
    browser = login(manager)
    url = reverse("feedback:survey_create")
    base = {
        "name": "Ankieta hotelowa",
        "kind": SurveyKind.CUSTOM,
        "title_pl": "Jak minął pobyt?",
        "title_en": "How was your stay?",
        "questions-TOTAL_FORMS": "1",
        "questions-INITIAL_FORMS": "0",
        "questions-0-kind": "scale",
        "questions-0-text_pl": "Czystość",
        "questions-0-scale_min": "1",
        "questions-0-scale_max": "5",
    }

    grown = browser.post(url, {**base, "add_question": "1"})
    assert grown.status_code == 200
    assert 'name="questions-1-text_pl"' in grown.text and "Czystość" in grown.text

    saved = browser.post(
        url,
        {
            **base,
            "questions-TOTAL_FORMS": "2",
            "questions-1-kind": "choice",
            "questions-1-text_pl": "Skąd o nas wiesz?",
            "questions-1-choices_pl": "Internet\nZnajomi",
        },
    )
    assert saved.status_code == 302
    survey = services.Survey.objects.get(name="Ankieta hotelowa")
    assert [q.kind for q in survey.current_version.questions.all()] == ["scale", "choice"]


def test_a_bad_question_keeps_what_was_typed(login, manager):
    page = login(manager).post(
        reverse("feedback:survey_create"),
        {
            "name": "Zła",
            "kind": SurveyKind.CUSTOM,
            "title_pl": "Tytuł",
            "questions-TOTAL_FORMS": "1",
            "questions-INITIAL_FORMS": "0",
            "questions-0-kind": "choice",
            "questions-0-text_pl": "Tylko jedna opcja",
            "questions-0-choices_pl": "Jedyna",
        },
    )

    assert page.status_code == 400
    assert "give at least two options" in page.text
    assert "Tylko jedna opcja" in page.text
