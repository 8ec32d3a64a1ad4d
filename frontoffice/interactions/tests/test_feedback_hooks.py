"""The interactions app's part in client feedback: a resolved case may invite a survey; a low score opens a
follow-up for the team lead."""

import pytest

from frontoffice.clients.choices import ConsentMethod, ConsentPurpose
from frontoffice.clients.services import consent_give
from frontoffice.feedback import hooks as feedback_hooks
from frontoffice.feedback import services as feedback
from frontoffice.feedback.choices import InviteChannel, Trigger
from frontoffice.feedback.models import Invitation, Response
from frontoffice.interactions.cases import services as case_services
from frontoffice.interactions.contacts import services as contact_services
from frontoffice.interactions.models import FollowUp


@pytest.fixture
def nps(organisation, manager):
    survey = feedback.survey_create(
        organisation=organisation,
        actor=manager,
        data=feedback.SurveyData(name="Polecenie", kind="nps", title_pl="Polecisz nas?"),
    )
    feedback.rule_save(
        survey=survey, actor=manager, data=feedback.RuleData(trigger=Trigger.CASE_RESOLVED, channel=InviteChannel.EMAIL)
    )
    return survey


def test_the_interactions_app_registers_its_low_score_handler():
    from frontoffice.interactions.feedback import low_score_follow_up

    assert low_score_follow_up in feedback_hooks.low_score_handlers()


def test_resolving_a_case_invites_its_client(case, agent, caller, clerk, nps):
    consent_give(client=caller, actor=clerk, purpose=ConsentPurpose.EMAIL_REMINDERS, method=ConsentMethod.PAPER)

    case_services.case_set_status(case=case, status="resolved", actor=agent)

    invitation = Invitation.objects.get(survey=nps)
    assert (invitation.source_type, invitation.source_id, invitation.client) == (
        "interactions.case",
        str(case.pk),
        caller,
    )


def test_a_detractor_on_a_case_opens_a_follow_up_for_the_case_teams_lead(
    case, agent, caller, clerk, manager, branch, nps
):
    team = contact_services.team_create(branch=branch, actor=manager, name="Infolinia", lead=manager, members=[agent])
    case.team = team
    case.save()
    consent_give(client=caller, actor=clerk, purpose=ConsentPurpose.EMAIL_REMINDERS, method=ConsentMethod.PAPER)
    case_services.case_set_status(case=case, status="resolved", actor=agent)
    invitation = Invitation.objects.get(survey=nps)
    main = invitation.survey_version.questions.get(is_main=True)

    feedback.response_save(invitation=invitation, answers={f"q{main.pk}": "3"}, submit=True)

    follow_up = FollowUp.objects.get(case=case)
    assert follow_up.owner == manager
    assert "Low survey score 3" in follow_up.note
    assert Response.objects.get(invitation=invitation).follow_up == f"Follow-up on case {case.number}"


def test_a_low_csat_at_the_desk_opens_a_contact_and_a_follow_up_for_the_servers_team_lead(
    organisation, branch, clerk, agent, manager, caller
):
    contact_services.team_create(branch=branch, actor=manager, name="Recepcja", lead=agent, members=[clerk])
    survey = feedback.survey_create(
        organisation=organisation, actor=manager, data=feedback.SurveyData(name="CSAT", kind="csat", title_pl="Jak?")
    )
    invitation = feedback.kiosk_open(
        survey=survey,
        source=feedback_hooks.Source(
            kind="desk.visit", pk="9", branch=branch, client=caller, label="W/9", served_by=clerk
        ),
        actor=clerk,
    )
    main, comment = invitation.survey_version.questions.all()

    feedback.response_save(
        invitation=invitation, answers={f"q{main.pk}": "1", f"q{comment.pk}": "Nikt mi nie pomógł"}, submit=True
    )

    follow_up = FollowUp.objects.get()
    assert follow_up.owner == agent
    assert follow_up.interaction.client == caller
    assert follow_up.interaction.channel == "in_person"
    assert "Nikt mi nie pomógł" in follow_up.note


def test_without_a_team_the_branch_manager_gets_the_follow_up(organisation, branch, clerk, manager, caller):
    survey = feedback.survey_create(
        organisation=organisation, actor=manager, data=feedback.SurveyData(name="NPS", kind="nps", title_pl="?")
    )
    invitation = feedback.kiosk_open(
        survey=survey,
        source=feedback_hooks.Source(kind="desk.visit", pk="10", branch=branch, client=caller, label="W/10"),
        actor=clerk,
    )
    main = invitation.survey_version.questions.get(is_main=True)

    feedback.response_save(invitation=invitation, answers={f"q{main.pk}": "0"}, submit=True)

    assert FollowUp.objects.get().owner == manager
