"""The desk's part in client feedback: a finished visit may invite a survey, and the tablet is bound to it."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from frontoffice.desk import services
from frontoffice.desk.services import VisitData
from frontoffice.feedback import services as feedback
from frontoffice.feedback.choices import InviteChannel, Trigger
from frontoffice.feedback.models import Invitation


def _survey(organisation, manager, trigger=Trigger.VISIT_FINISHED):
    survey = feedback.survey_create(
        organisation=organisation,
        actor=manager,
        data=feedback.SurveyData(name="Po wizycie", kind="csat", title_pl="Jak było?"),
    )
    feedback.rule_save(
        survey=survey, actor=manager, data=feedback.RuleData(trigger=trigger, channel=InviteChannel.IN_PERSON)
    )
    return survey


def _finish(visit, clerk):
    for status in ("arrived", "in_progress", "finished"):
        visit = services.visit_transition(visit=visit, to_status=status, actor=clerk)
    return visit


def test_finishing_a_clinic_visit_invites_its_client_to_the_survey(clinic_visit, clerk, organisation, manager):
    survey = _survey(organisation, manager)

    visit = _finish(clinic_visit, clerk)

    invitation = Invitation.objects.get(survey=survey)
    assert (invitation.source_type, invitation.source_id) == ("desk.visit", str(visit.pk))
    assert invitation.client == visit.client and invitation.trigger == Trigger.VISIT_FINISHED


def test_a_visit_that_only_arrived_invites_nobody(clinic_visit, clerk, organisation, manager):
    _survey(organisation, manager)

    services.visit_transition(visit=clinic_visit, to_status="arrived", actor=clerk)

    assert not Invitation.objects.exists()


def test_the_tablet_opens_the_survey_for_the_finished_visit(login, clinic_visit, clerk, organisation, manager):
    survey = _survey(organisation, manager, trigger=Trigger.CHECK_OUT)  # no invitation from the rule
    visit = _finish(clinic_visit, clerk)
    browser = login(clerk)
    url = reverse("feedback:kiosk_visit", kwargs={"pk": visit.pk})

    form = browser.get(url)
    opened = browser.post(url, {"survey": survey.pk})

    assert form.status_code == 200 and visit.number in form.text
    assert opened.status_code == 302 and "/feedback/tablet/s/" in opened["Location"]
    assert Invitation.objects.get(source_id=str(visit.pk)).channel == InviteChannel.IN_PERSON


def test_the_tablet_is_not_for_a_visit_still_going_on(login, clinic_visit, clerk):
    page = login(clerk).get(reverse("feedback:kiosk_visit", kwargs={"pk": clinic_visit.pk}))

    assert page.status_code == 404


def test_the_visit_page_offers_the_tablet_once_the_visit_is_over(login, clinic_visit, clerk):
    visit = _finish(clinic_visit, clerk)

    page = login(clerk).get(reverse("desk:visit_detail", kwargs={"pk": visit.pk}))

    assert reverse("feedback:kiosk_visit", kwargs={"pk": visit.pk}) in page.text


def test_a_visit_of_another_branch_cannot_be_bound_to_the_tablet(
    login, branch, clerk, patient, consultation, outsider_branch
):
    visit = services.visit_create(
        branch=branch,
        actor=clerk,
        client=patient,
        visit_type=consultation,
        data=VisitData(scheduled_at=timezone.now() + timedelta(hours=1)),
    )
    visit = _finish(visit, clerk)

    page = login(outsider_branch).get(reverse("feedback:kiosk_visit", kwargs={"pk": visit.pk}))

    assert page.status_code == 404
