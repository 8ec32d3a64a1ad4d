"""Permission-matrix entries for the feedback app (merged into tests/test_permission_matrix.py).

Everyone who serves the public reads responses and invitations (clerk, agent, manager, executive, admin);
those at the desk send a survey by hand and open the tablet (not the executive); managers and
administrators build surveys and rules. Surveys and rules belong to the organisation (``org_scoped``);
invitations, responses and visits to ``branch`` (``scoped``). The client's pages open with a signed link,
without signing in; the SMS webhook answers 401 without the gateway's token.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tests.permission_cases import Case, api_case

VIEWERS = frozenset({"clerk", "agent", "manager", "executive", "admin"})
SENDERS = frozenset({"clerk", "agent", "manager", "admin"})
MANAGERS = frozenset({"manager", "admin"})
OUTSIDERS_422 = {"outsider_branch": 422, "outsider_org": 422}  # a record named in the body is not theirs


def _survey(ctx: dict[str, Any]) -> dict[str, Any]:
    return {"pk": ctx["fb_survey"].pk}


def extend_world(ctx: dict[str, Any]) -> dict[str, Any]:
    """A CSAT survey with a rule; an e-mail invitation; a finished clinic visit answered on the tablet."""
    from decimal import Decimal

    from django.utils import timezone

    from frontoffice.clients.choices import ConsentMethod, ConsentPurpose
    from frontoffice.clients.services import ClientData, client_create, consent_give
    from frontoffice.desk import services as desk
    from frontoffice.desk.services import VisitData
    from frontoffice.feedback import hooks, links, services
    from frontoffice.feedback.choices import InviteChannel, Trigger

    organisation, branch, clerk, manager = ctx["organisation"], ctx["branch"], ctx["clerk"], ctx["manager"]
    survey = services.survey_create(
        organisation=organisation,
        actor=manager,
        data=services.SurveyData(name="Po wizycie", kind="csat", title_pl="Jak było?"),
    )
    rule = services.rule_save(
        survey=survey, actor=manager, data=services.RuleData(trigger=Trigger.CASE_RESOLVED, channel=InviteChannel.SMS)
    )
    people = []
    for family in ("Ankietowa", "Zapraszana"):
        person = client_create(
            organisation=organisation,
            actor=clerk,
            data=ClientData(
                given_name="Ewa", family_name=family, phones=["600 700 800"], emails=["ewa@example.invalid"]
            ),
            branch=branch,
        )
        for purpose in (ConsentPurpose.EMAIL_REMINDERS, ConsentPurpose.SMS_REMINDERS):
            consent_give(client=person, actor=clerk, purpose=purpose, method=ConsentMethod.PAPER)
        people.append(person)
    invitation = services.invitation_create_manual(
        survey=survey, branch=branch, client=people[0], channel=InviteChannel.EMAIL, actor=clerk
    )
    consultation = desk.visit_type_create(
        organisation=organisation, actor=manager, name="Konsultacja ankietowa", vertical="clinic", price=Decimal("0")
    )
    visit = desk.visit_create(
        branch=branch,
        actor=clerk,
        client=people[0],
        visit_type=consultation,
        data=VisitData(scheduled_at=timezone.now() + timedelta(hours=1)),
    )
    for status in ("arrived", "in_progress", "finished"):
        visit = desk.visit_transition(visit=visit, to_status=status, actor=clerk)
    tablet = services.kiosk_open(
        survey=survey,
        source=hooks.Source(kind="desk.visit", pk=str(visit.pk), branch=branch, client=people[0], label=visit.number),
        actor=clerk,
    )
    main = tablet.survey_version.questions.get(is_main=True)
    answered = services.response_save(invitation=tablet, answers={f"q{main.pk}": "5"}, submit=True).response
    open_tablet = services.kiosk_open(
        survey=survey,
        source=hooks.Source(kind="desk.visit", pk="0", branch=branch, client=None, label="walk-in"),
        actor=clerk,
    )
    return {
        "fb_survey": survey,
        "fb_rule": rule,
        "fb_invitation": invitation,
        "fb_token": links.make_token(invitation.pk),
        "fb_tablet_token": links.make_token(open_tablet.pk),
        "fb_response": answered,
        "fb_visit": visit,
        "fb_new_client": people[1],
    }


CASES: dict[str, Case] = {
    "feedback:survey_list": Case(roles=VIEWERS),
    "feedback:survey_detail": Case(roles=VIEWERS, kwargs=_survey, org_scoped=True),
    "feedback:survey_create": Case(roles=MANAGERS),
    "feedback:survey_edit": Case(roles=MANAGERS, kwargs=_survey, org_scoped=True),
    "feedback:survey_toggle": Case(roles=MANAGERS, kwargs=_survey, org_scoped=True, method="post", ok=(302,)),
    "feedback:rule_create": Case(roles=MANAGERS, kwargs=_survey, org_scoped=True),
    "feedback:rule_edit": Case(
        roles=MANAGERS,
        kwargs=lambda ctx: {"pk": ctx["fb_survey"].pk, "rule_pk": ctx["fb_rule"].pk},
        org_scoped=True,
    ),
    "feedback:invitation_list": Case(roles=VIEWERS),
    "feedback:invitation_create": Case(roles=SENDERS),
    "feedback:invitation_cancel": Case(
        roles=SENDERS, kwargs=lambda ctx: {"pk": ctx["fb_invitation"].pk}, scoped=True, method="post", ok=(302,)
    ),
    "feedback:response_list": Case(roles=VIEWERS),
    "feedback:response_detail": Case(roles=VIEWERS, kwargs=lambda ctx: {"pk": ctx["fb_response"].pk}, scoped=True),
    "feedback:response_to_complaint": Case(
        roles=VIEWERS, kwargs=lambda ctx: {"pk": ctx["fb_response"].pk}, scoped=True, method="post", ok=(302,)
    ),
    "feedback:kiosk_visit": Case(roles=SENDERS, kwargs=lambda ctx: {"pk": ctx["fb_visit"].pk}, scoped=True),
    "feedback:answer": Case(public=True, kwargs=lambda ctx: {"token": ctx["fb_token"]}),
    "feedback:kiosk": Case(public=True, kwargs=lambda ctx: {"token": ctx["fb_tablet_token"]}),
    "feedback:kiosk_done": Case(public=True),
    "feedback:sms_inbound": Case(public=True, method="post", ok=(401,)),
    # The API
    "api:feedback_survey_list": api_case(roles=VIEWERS),
    "api:feedback_survey_get": api_case(
        roles=VIEWERS, kwargs=lambda ctx: {"survey_id": ctx["fb_survey"].pk}, org_scoped=True
    ),
    "api:feedback_invitation_list": api_case(roles=VIEWERS),
    "api:feedback_invitation_get": api_case(
        roles=VIEWERS, kwargs=lambda ctx: {"invitation_id": ctx["fb_invitation"].pk}, scoped=True
    ),
    "api:feedback_invitation_create": api_case(
        roles=SENDERS,
        method="post",
        ok=(201,),
        data=lambda ctx: {
            "survey_id": ctx["fb_survey"].pk,
            "branch_id": ctx["branch"].pk,
            "client_id": ctx["fb_new_client"].pk,
            "channel": "sms",
        },
        overrides=OUTSIDERS_422,
    ),
    "api:feedback_response_list": api_case(roles=VIEWERS),
    "api:feedback_response_get": api_case(
        roles=VIEWERS, kwargs=lambda ctx: {"response_id": ctx["fb_response"].pk}, scoped=True
    ),
}
