"""The team-routing part of *SLA and routing*: a manager chooses how each team's new cases are assigned."""

import pytest
from django.urls import reverse

from frontoffice.core.models import AuditEntry
from frontoffice.interactions.cases import services as case_services
from frontoffice.interactions.choices import Channel
from frontoffice.interactions.models import AssignmentRule, Team, TeamRouting
from tests.matrix_interactions_cases import CASES, SUPERVISORS

pytestmark = pytest.mark.django_db

PAGE = "/interactions/cases/sla/"


def _set(client, team, rule):
    return client.post(reverse("interactions:team_routing", kwargs={"pk": team.pk}), {f"t{team.pk}-rule": rule})


def _rule(team):
    routing = TeamRouting.objects.filter(team=team).first()
    return routing.rule if routing else AssignmentRule.MANUAL


def test_the_page_shows_each_team_with_its_current_rule(login, manager, line_team):
    TeamRouting.objects.create(team=line_team, rule=AssignmentRule.LEAST_LOADED)

    page = login(manager).get(PAGE)

    assert page.status_code == 200
    assert "Assignment for Infolinia" in page.text
    assert '<option value="least_loaded" selected>' in page.text


def test_a_manager_sets_round_robin_and_new_cases_go_round(login, branch, manager, line_team, agent, clerk):
    response = _set(login(manager), line_team, "round_robin")

    assert response.status_code == 302
    assert response["Location"] == PAGE + "#routing"
    assert _rule(line_team) == AssignmentRule.ROUND_ROBIN
    assert AuditEntry.objects.filter(action="interactions.team_routing_set").count() == 1
    owners = {
        case_services.case_create(branch=branch, subject=f"Sprawa {n}", actor=manager, team=line_team).owner
        for n in range(2)
    }
    assert owners == {agent, clerk}


def test_a_manager_switches_a_team_to_least_loaded(login, branch, manager, line_team, agent, clerk):
    client = login(manager)
    _set(client, line_team, "round_robin")
    case_services.case_create(branch=branch, subject="Agenta", actor=manager, owner=agent, channel=Channel.PHONE)

    response = client.post(
        reverse("interactions:team_routing", kwargs={"pk": line_team.pk}),
        {f"t{line_team.pk}-rule": "least_loaded"},
        follow=True,
    )

    assert "Assignment rule saved." in response.text
    assert _rule(line_team) == AssignmentRule.LEAST_LOADED
    assert case_services.case_create(branch=branch, subject="Nowa", actor=manager, team=line_team).owner == clerk


def test_an_unknown_rule_is_refused_on_the_teams_field_and_the_stored_rule_stays(login, manager, line_team):
    client = login(manager)
    _set(client, line_team, "round_robin")

    response = _set(client, line_team, "whoever_shouts")

    assert response.status_code == 400
    assert "Select a valid choice." in response.text
    assert 'class="field-error"' in response.text
    assert _rule(line_team) == AssignmentRule.ROUND_ROBIN
    assert AuditEntry.objects.filter(action="interactions.team_routing_set").count() == 1


def test_a_refused_choice_leaves_the_other_teams_as_stored(login, organisation, branch, manager, line_team):
    desk = Team.objects.create(organisation=organisation, branch=branch, name="Rejestracja")
    TeamRouting.objects.create(team=desk, rule=AssignmentRule.LEAST_LOADED)

    response = _set(login(manager), line_team, "")

    assert response.status_code == 400
    assert "This field is required." in response.text
    assert f'name="t{desk.pk}-rule"' in response.text
    assert _rule(desk) == AssignmentRule.LEAST_LOADED
    assert _rule(line_team) == AssignmentRule.MANUAL


def test_an_agent_may_not_change_routing(login, agent, line_team):
    response = _set(login(agent), line_team, "round_robin")

    assert response.status_code == 403
    assert _rule(line_team) == AssignmentRule.MANUAL


def test_a_manager_of_another_branch_does_not_find_the_team(login, outsider_branch, line_team):
    response = _set(login(outsider_branch), line_team, "round_robin")

    assert response.status_code == 404
    assert _rule(line_team) == AssignmentRule.MANUAL


def test_the_routing_form_has_its_deny_tests_in_the_permission_matrix():
    entry = CASES["interactions:team_routing"]

    assert entry.roles == SUPERVISORS
    assert entry.scoped
    assert entry.method == "post"


def test_the_page_takes_a_fixed_number_of_queries_however_many_teams(
    login, organisation, branch, manager, django_assert_max_num_queries
):
    for number in range(12):
        team = Team.objects.create(organisation=organisation, branch=branch, name=f"Zespół {number}")
        TeamRouting.objects.create(team=team, rule=AssignmentRule.ROUND_ROBIN)
    client = login(manager)
    client.get(PAGE)  # warm the per-user caches

    with django_assert_max_num_queries(12):
        response = client.get(PAGE)

    assert response.text.count("Assignment for Zespół") == 12
