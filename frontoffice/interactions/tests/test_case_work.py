"""Working cases: assignment rules, merging, the complaint hook, replies, canned replies and escalation."""

import pytest
from django.core.exceptions import ValidationError

from frontoffice.core.models import OutboundMessage
from frontoffice.interactions import services
from frontoffice.interactions.cases import escalation, hooks, replies
from frontoffice.interactions.cases import services as case_services
from frontoffice.interactions.cases.canned import canned_render
from frontoffice.interactions.choices import CaseStatus, Channel, Direction
from frontoffice.interactions.models import (
    AssignmentRule,
    CannedReply,
    CaseNote,
    CaseReply,
    CaseSla,
    EscalationNotice,
    FollowUp,
    Interaction,
    SlaPolicyRecord,
    TeamRouting,
)

from .fixtures_cases import OFFICE_HOURS, warsaw

pytestmark = pytest.mark.django_db


def _new_case(branch, actor, team, subject="Zgubiona karta"):
    return case_services.case_create(branch=branch, subject=subject, actor=actor, channel=Channel.PHONE, team=team)


# --- assignment rules ---------------------------------------------------------------------------------------


def test_a_manual_team_leaves_new_cases_unassigned(branch, manager, line_team):
    assert _new_case(branch, manager, line_team).owner is None


def test_round_robin_takes_the_team_members_in_turn(branch, manager, line_team, agent, clerk):
    TeamRouting.objects.create(team=line_team, rule=AssignmentRule.ROUND_ROBIN)
    first_two = sorted([agent, clerk], key=lambda user: user.pk)

    owners = [_new_case(branch, manager, line_team, f"Sprawa {n}").owner for n in range(3)]

    assert owners == [first_two[0], first_two[1], first_two[0]]


def test_least_loaded_gives_the_case_to_whoever_has_fewest_open_cases(branch, manager, line_team, agent, clerk):
    TeamRouting.objects.create(team=line_team, rule=AssignmentRule.LEAST_LOADED)
    for n in range(2):
        case_services.case_create(branch=branch, subject=f"Agenta {n}", actor=manager, owner=agent)

    assert _new_case(branch, manager, line_team).owner == clerk


def test_an_agent_may_take_a_case_but_not_give_it_to_someone_else(branch, agent, clerk, case):
    case_services.case_assign(case=case, owner=agent, actor=agent)
    case.refresh_from_db()
    assert case.owner == agent

    with pytest.raises(ValidationError):
        case_services.case_assign(case=case, owner=clerk, actor=agent)


def test_a_supervisor_assigns_anyone(manager, clerk, case):
    case_services.case_assign(case=case, owner=clerk, actor=manager)

    case.refresh_from_db()
    assert case.owner == clerk


def test_a_stale_version_is_refused(manager, clerk, case):
    case_services.case_assign(case=case, owner=clerk, actor=manager, expected_version=case.version)

    with pytest.raises(ValidationError, match="changed by"):
        case_services.case_set_status(case=case, status=CaseStatus.OPEN, actor=manager, expected_version=1)


# --- merge ----------------------------------------------------------------------------------------------------


def test_merging_moves_contacts_notes_and_follow_ups_and_the_old_case_leads_to_the_survivor(
    branch, agent, manager, caller, case
):
    # Given a second case of the same client with a contact, a note and a follow-up
    duplicate = case_services.case_create(branch=branch, subject="Faktura (drugi mail)", actor=agent, client=caller)
    contact = services.interaction_record(
        branch=branch, channel=Channel.EMAIL, actor=None, client=caller, case=duplicate
    )
    note = case_services.case_note_add(case=duplicate, body="Klient dzwonił też w tej sprawie", actor=agent)
    follow_up = services.follow_up_create(
        owner=agent, due_at=warsaw(2026, 12, 1, 9, 0), note="Oddzwonić", actor=agent, case=duplicate
    )

    # When a supervisor merges it into the first case
    survivor = case_services.case_merge(source=duplicate, target=case, actor=manager)

    # Then everything moved and the duplicate is closed and points at the survivor
    assert survivor == case
    assert Interaction.objects.get(pk=contact.pk).case == case
    assert CaseNote.objects.get(pk=note.pk).case == case
    assert FollowUp.objects.get(pk=follow_up.pk).case == case
    duplicate.refresh_from_db()
    assert duplicate.merged_into == case and duplicate.status == CaseStatus.CLOSED


def test_a_case_cannot_be_merged_into_itself(manager, case):
    with pytest.raises(ValidationError):
        case_services.case_merge(source=case, target=case, actor=manager)


def test_the_merged_away_case_page_redirects_to_the_survivor(login, branch, agent, manager, caller, case):
    duplicate = case_services.case_create(branch=branch, subject="Duplikat", actor=agent, client=caller)
    case_services.case_merge(source=duplicate, target=case, actor=manager)

    response = login(agent).get(f"/interactions/cases/{duplicate.pk}/")

    assert response.status_code == 302
    assert response["Location"] == f"/interactions/cases/{case.pk}/"


# --- complaint hook, replies, canned replies --------------------------------------------------------------------


def test_marking_a_complaint_calls_the_registered_hooks_once(agent, case):
    seen = []

    def hook(*, case, actor):
        seen.append((case.pk, actor))

    hooks.register_complaint_hook(hook)
    try:
        case_services.case_mark_complaint(case=case, actor=agent)
        case_services.case_mark_complaint(case=case, actor=agent)
    finally:
        hooks.unregister_complaint_hook(hook)

    case.refresh_from_db()
    assert case.is_complaint
    assert seen == [(case.pk, agent)]


def test_without_a_sender_a_reply_is_recorded_to_send_manually(agent, case):
    # A case opened at the counter: no channel sends its replies (e-mail cases go out through the mailbox).
    case.channel = Channel.IN_PERSON
    case.save(update_fields=["channel"])

    reply = case_services.case_reply(case=case, body="Dzień dobry, poprawimy fakturę.", actor=agent)

    assert reply.delivery == "manual"
    assert reply.interaction.direction == Direction.OUTBOUND
    assert reply.interaction.case == case
    case.refresh_from_db()
    assert case.first_response_at is not None


def test_a_registered_channel_sends_the_reply(branch, agent, case):
    sent = []

    def email_reply(*, case, body, actor):
        sent.append(body)
        return services.interaction_record(
            branch=case.branch, channel=case.channel, actor=actor, direction=Direction.OUTBOUND, staff=actor, case=case
        )

    real_sender = replies.sender_for(Channel.EMAIL)
    replies.register_reply_channel(Channel.EMAIL, email_reply)
    try:
        reply = case_services.case_reply(case=case, body="Wysłane", actor=agent)
    finally:
        replies.register_reply_channel(Channel.EMAIL, real_sender)

    assert reply.delivery == "sent" and sent == ["Wysłane"]
    assert CaseReply.objects.filter(case=case).count() == 1


def test_a_canned_reply_is_filled_in_in_the_clients_language_without_the_template_engine(organisation, agent, case):
    agent.first_name = "Ola"
    canned = CannedReply.objects.create(
        organisation=organisation,
        title="Potwierdzenie",
        body_pl=(
            "Dzień dobry {{ client.given_name }}, sprawa {{case.number}} jest w toku. "
            "{{ agent.first_name }} {% load x %} {{ client.pesel }}"
        ),
        body_en="Hello {{ client.given_name }}",
    )

    text = canned_render(canned=canned, case=case, agent=agent)

    assert text == f"Dzień dobry Jan, sprawa {case.number} jest w toku. Ola {{% load x %}} {{{{ client.pesel }}}}"
    case.client.preferred_language = "en"
    assert canned_render(canned=canned, case=case, agent=agent) == "Hello Jan"


# --- escalation -------------------------------------------------------------------------------------------------


@pytest.fixture
def escalating_policy(organisation):
    """A 1-hour first response with a warning 30 minutes before, the supervisor at the breach, the manager
    60 business minutes after it."""
    return SlaPolicyRecord.objects.create(
        organisation=organisation,
        name="Pilne",
        first_response_minutes=60,
        weekly_hours=OFFICE_HOURS,
        escalation=[
            {"role": "agent", "moment": "before", "minutes": 30},
            {"role": "supervisor", "moment": "at", "minutes": 0},
            {"role": "manager", "moment": "after", "minutes": 60},
        ],
    )


def test_escalation_notifies_each_step_once_before_at_and_after_the_breach(
    branch, agent, manager, caller, escalating_policy
):
    # Given the agent's case opened Monday 09:00, due 10:00
    case = services.case_open(
        branch=branch, subject="Pilne", actor=agent, client=caller, owner=agent, opened_at=warsaw(2026, 11, 23, 9, 0)
    )
    clock = CaseSla.objects.get(case=case, target="first_response")
    assert clock.next_escalation_at == warsaw(2026, 11, 23, 9, 30)

    # When the job runs before the warning, nothing is sent
    assert escalation.sla_escalations(warsaw(2026, 11, 23, 9, 29)) == 0

    # At 09:31 the agent is warned, once however often the job runs
    assert escalation.sla_escalations(warsaw(2026, 11, 23, 9, 31)) == 1
    assert escalation.sla_escalations(warsaw(2026, 11, 23, 9, 45)) == 0
    assert EscalationNotice.objects.get(step_key="agent:before:30").recipient == agent

    # At the breach the supervisor (no team lead: the branch's manager) is told; an hour later the manager
    assert escalation.sla_escalations(warsaw(2026, 11, 23, 10, 1)) == 1
    assert escalation.sla_escalations(warsaw(2026, 11, 23, 11, 1)) == 1
    assert escalation.sla_escalations(warsaw(2026, 11, 23, 12, 0)) == 0
    keys = sorted(EscalationNotice.objects.filter(case=case).values_list("step_key", "recipient__username"))
    assert keys == [("agent:before:30", "agent"), ("manager:after:60", "manager"), ("supervisor:at:0", "manager")]
    clock.refresh_from_db()
    assert clock.breached_at == warsaw(2026, 11, 23, 10, 0)
    assert clock.next_escalation_at is None
    assert OutboundMessage.objects.filter(recipient__in=[agent.email, manager.email]).count() == 3


def test_a_late_job_sends_every_step_that_fell_due_together(branch, agent, manager, caller, escalating_policy):
    services.case_open(
        branch=branch, subject="Pilne", actor=agent, client=caller, owner=agent, opened_at=warsaw(2026, 11, 23, 9, 0)
    )

    assert escalation.sla_escalations(warsaw(2026, 11, 24, 9, 0)) == 3
    assert escalation.sla_escalations(warsaw(2026, 11, 24, 9, 5)) == 0


def test_a_replied_case_does_not_escalate(branch, agent, caller, escalating_policy):
    case = services.case_open(
        branch=branch, subject="Pilne", actor=agent, client=caller, owner=agent, opened_at=warsaw(2026, 11, 23, 9, 0)
    )
    services.interaction_record(
        branch=branch,
        channel=Channel.IN_PERSON,
        actor=agent,
        direction=Direction.OUTBOUND,
        staff=agent,
        started_at=warsaw(2026, 11, 23, 9, 10),
        case=case,
    )

    assert escalation.sla_escalations(warsaw(2026, 11, 23, 12, 0)) == 0


def test_the_escalation_job_is_registered():
    from frontoffice.core.periodic import registered_jobs

    assert "interactions.sla_escalations" in registered_jobs()


def test_a_reply_on_an_e_mail_case_goes_out_through_the_branchs_mailbox(agent, case, mailbox):
    reply = case_services.case_reply(case=case, body="Fakturę poprawiliśmy.", actor=agent)

    assert reply.delivery == "sent"
    message = reply.interaction.email
    assert message.status == "queued"  # handed to SMTP when the transaction commits
    assert f"[{case.number}]" in message.subject
    assert reply.interaction.case == case
