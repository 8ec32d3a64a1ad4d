"""Who takes new work: agent states decide (break and offline take none; no recorded state counts as available),
for the team's case routing and for the chats offered to agents."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from frontoffice.interactions.availability import accepting_work, accepting_work_ids
from frontoffice.interactions.cases import routing
from frontoffice.interactions.cases import services as case_services
from frontoffice.interactions.chat import selectors as chat_selectors
from frontoffice.interactions.chat import services as chat_services
from frontoffice.interactions.choices import AgentState, Channel
from frontoffice.interactions.models import AssignmentRule, TeamRouting
from frontoffice.interactions.phone.services import agent_state_set

pytestmark = pytest.mark.django_db


def _new_case(branch, actor, team, subject="Zgubiona karta"):
    return case_services.case_create(branch=branch, subject=subject, actor=actor, channel=Channel.PHONE, team=team)


# --- the rule -----------------------------------------------------------------------------------------------


def test_nobody_with_no_recorded_state_is_held_back(agent, clerk, manager):
    assert accepting_work_ids(user_ids=[agent.pk, clerk.pk, manager.pk]) == {agent.pk, clerk.pk, manager.pk}


@pytest.mark.parametrize("state", [AgentState.BREAK, AgentState.OFFLINE])
def test_a_person_on_a_break_or_offline_takes_no_new_work(agent, clerk, state):
    agent_state_set(user=agent, state=state)

    assert accepting_work_ids(user_ids=[agent.pk, clerk.pk]) == {clerk.pk}


@pytest.mark.parametrize("state", [AgentState.ON_CALL, AgentState.WRAP_UP, AgentState.AVAILABLE])
def test_a_busy_person_still_takes_cases_but_is_not_ready_for_a_chat(agent, state):
    agent_state_set(user=agent, state=state)

    assert accepting_work_ids(user_ids=[agent.pk]) == {agent.pk}
    ready_for_a_chat = {agent.pk} if state == AgentState.AVAILABLE else set()
    assert accepting_work_ids(user_ids=[agent.pk], ready=True) == ready_for_a_chat


def test_only_the_current_state_counts(agent):
    agent_state_set(user=agent, state=AgentState.BREAK)
    agent_state_set(user=agent, state=AgentState.AVAILABLE)

    assert accepting_work_ids(user_ids=[agent.pk], ready=True) == {agent.pk}


def test_the_answer_for_many_people_takes_one_query(agent, clerk, manager, django_assert_num_queries):
    agent_state_set(user=clerk, state=AgentState.OFFLINE)
    users = get_user_model().objects.filter(pk__in=[agent.pk, clerk.pk, manager.pk])

    with django_assert_num_queries(1):
        ids = set(accepting_work(users).values_list("pk", flat=True))

    assert ids == {agent.pk, manager.pk}


# --- case routing -------------------------------------------------------------------------------------------


def test_round_robin_skips_a_member_on_a_break(branch, manager, line_team, agent, clerk):
    TeamRouting.objects.create(team=line_team, rule=AssignmentRule.ROUND_ROBIN)
    agent_state_set(user=agent, state=AgentState.BREAK)

    owners = [_new_case(branch, manager, line_team, f"Sprawa {n}").owner for n in range(2)]

    assert owners == [clerk, clerk]


def test_least_loaded_skips_an_offline_member_even_with_fewer_cases(branch, manager, line_team, agent, clerk):
    TeamRouting.objects.create(team=line_team, rule=AssignmentRule.LEAST_LOADED)
    case_services.case_create(branch=branch, subject="Klerka", actor=manager, owner=clerk)
    agent_state_set(user=agent, state=AgentState.OFFLINE)

    assert _new_case(branch, manager, line_team).owner == clerk


def test_a_member_on_a_call_still_receives_cases(branch, manager, line_team, agent, clerk):
    TeamRouting.objects.create(team=line_team, rule=AssignmentRule.LEAST_LOADED)
    case_services.case_create(branch=branch, subject="Klerka", actor=manager, owner=clerk)
    agent_state_set(user=agent, state=AgentState.ON_CALL)

    assert _new_case(branch, manager, line_team).owner == agent


def test_when_the_whole_team_is_away_the_case_stays_unassigned(branch, manager, line_team, agent, clerk):
    TeamRouting.objects.create(team=line_team, rule=AssignmentRule.ROUND_ROBIN)
    agent_state_set(user=agent, state=AgentState.BREAK)
    agent_state_set(user=clerk, state=AgentState.OFFLINE)

    assert _new_case(branch, manager, line_team).owner is None


def test_the_available_members_are_read_in_one_query(line_team, agent, clerk, django_assert_num_queries):
    agent_state_set(user=clerk, state=AgentState.BREAK)

    with django_assert_num_queries(1):
        members = routing.available_agents(line_team)

    assert members == [agent]


# --- chats offered to agents ------------------------------------------------------------------------------------


def test_an_agent_on_a_break_is_not_offered_a_chat_while_a_colleague_is_available(client, agent, clerk, waiting_chat):
    agent_state_set(user=agent, state=AgentState.BREAK)
    agent_state_set(user=clerk, state=AgentState.AVAILABLE)
    client.force_login(agent)

    inbox = client.get(reverse("interactions:chat_inbox"))

    assert "Ewa Nowak" not in inbox.text
    assert "0 visitors waiting" in inbox.text
    assert "new chats go to your available colleagues first" in inbox.text


def test_the_available_colleague_is_offered_the_chat(client, agent, clerk, waiting_chat):
    agent_state_set(user=agent, state=AgentState.BREAK)
    agent_state_set(user=clerk, state=AgentState.AVAILABLE)
    client.force_login(clerk)

    inbox = client.get(reverse("interactions:chat_inbox"))

    assert "Ewa Nowak" in inbox.text
    assert "new chats go to your available colleagues first" not in inbox.text


def test_when_nobody_at_the_branch_is_available_every_agent_is_offered_the_chat(
    client, agent, clerk, manager, waiting_chat
):
    for person in (agent, clerk, manager):
        agent_state_set(user=person, state=AgentState.ON_CALL)
    client.force_login(agent)

    inbox = client.get(reverse("interactions:chat_inbox"))

    assert "Ewa Nowak" in inbox.text
    assert "1 visitor waiting" in inbox.text


def test_a_person_with_no_recorded_state_at_the_branch_counts_as_available(branch, agent, clerk, manager):
    for person in (agent, clerk):
        agent_state_set(user=person, state=AgentState.OFFLINE)

    ready = chat_selectors.branches_with_ready_agents(organisation_id=branch.organisation_id, branch_ids=[branch.pk])

    assert ready == {branch.pk}  # the manager never set a state


def test_a_chat_in_progress_stays_with_its_agent_whatever_the_state(client, agent, clerk, waiting_chat):
    chat_services.chat_take(conversation=waiting_chat, agent=agent)
    agent_state_set(user=agent, state=AgentState.BREAK)
    client.force_login(agent)

    assert "Ewa Nowak" in client.get(reverse("interactions:chat_inbox")).text
