"""Feedback fixtures: surveys, a client who agreed to messages, and a rule."""

from __future__ import annotations

import pytest

from frontoffice.clients.choices import ConsentMethod, ConsentPurpose
from frontoffice.clients.services import ClientData, client_create, consent_give
from frontoffice.feedback import services
from frontoffice.feedback.choices import InviteChannel, SurveyKind, Trigger


def make_survey(organisation, actor, kind=SurveyKind.CSAT, name="Zadowolenie po wizycie", **extra):
    return services.survey_create(
        organisation=organisation,
        actor=actor,
        data=services.SurveyData(name=name, kind=kind, title_pl="Jak było?", title_en="How was it?", **extra),
    )


@pytest.fixture
def csat(organisation, manager):
    return make_survey(organisation, manager)


@pytest.fixture
def nps(organisation, manager):
    return make_survey(organisation, manager, kind=SurveyKind.NPS, name="Polecenie")


@pytest.fixture
def patient(organisation, clerk, branch):
    """A client with an e-mail and a mobile on file, who agreed to e-mail and SMS messages."""
    client = client_create(
        organisation=organisation,
        actor=clerk,
        data=ClientData(
            given_name="Anna", family_name="Nowak", phones=["600 100 200"], emails=["anna.nowak@example.invalid"]
        ),
        branch=branch,
    )
    for purpose in (ConsentPurpose.EMAIL_REMINDERS, ConsentPurpose.SMS_REMINDERS):
        consent_give(client=client, actor=clerk, purpose=purpose, method=ConsentMethod.PAPER)
    return client


@pytest.fixture
def visit_rule(csat, manager):
    return services.rule_save(
        survey=csat,
        actor=manager,
        data=services.RuleData(trigger=Trigger.VISIT_FINISHED, channel=InviteChannel.EMAIL, delay_minutes=30),
    )


@pytest.fixture
def sms_invitation(nps, patient, branch, clerk):
    """An NPS survey sent by SMS to the patient's mobile."""
    invitation = services.invitation_create_manual(
        survey=nps, branch=branch, client=patient, channel=InviteChannel.SMS, actor=clerk
    )
    return services.invitation_send(invitation=invitation)
