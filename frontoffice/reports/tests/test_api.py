"""The reports API: the dictionary as JSON, metric values by period and dimension, problem+json for bad input."""

from __future__ import annotations

import pytest

from frontoffice.reports import dictionary
from frontoffice.reports.rollup import rollup

from .conftest import LATER

pytestmark = pytest.mark.django_db
VALUES = "/api/v1/reports/values"


@pytest.fixture
def rolled(scenario, organisation):
    rollup(organisation=organisation, now=LATER, settle_seconds=0)


def test_the_dictionary_lists_every_metric_with_its_version(login, clerk):
    page = login(clerk).get("/api/v1/reports/metrics", {"limit": 200}).json()
    answer = page["items"]

    assert page["count"] == len(dictionary.METRICS)
    assert [(m["key"], m["version"]) for m in answer] == [(m.key, m.version) for m in dictionary.METRICS]
    assert answer[0]["formula"] and answer[0]["rules"] and answer[0]["events"] == ["survey.answered"]


def test_a_value_comes_with_its_version_and_parts(rolled, login, executive):
    answer = login(executive).get(VALUES, {"metric": "nps", "from": "2026-03-02", "to": "2026-03-04"}).json()

    assert answer["metric"] == "nps" and answer["version"] == 1 and answer["unit"] == "points"
    [item] = answer["items"]
    assert item["from"] == "2026-03-02" and item["n"] == 7
    assert item["value"] == pytest.approx(100 / 7)
    assert item["parts"] == {"promoters": 3, "passives": 2, "detractors": 2}


def test_values_are_grouped_by_day(rolled, login, executive):
    answer = (
        login(executive)
        .get(VALUES, {"metric": "csat", "from": "2026-03-02", "to": "2026-03-04", "group_by": "day"})
        .json()
    )

    assert [(item["group"], item["value"]) for item in answer["items"]] == [
        ("2026-03-02", 100.0),
        ("2026-03-03", 50.0),
        ("2026-03-04", 0.0),
    ]


def test_an_empty_period_answers_null_not_zero(rolled, login, executive):
    answer = login(executive).get(VALUES, {"metric": "csat", "from": "2025-01-01", "to": "2025-01-31"}).json()

    assert answer["items"][0]["value"] is None and answer["items"][0]["n"] == 0


def test_the_service_level_prints_its_variant(rolled, login, executive):
    answer = login(executive).get(VALUES, {"metric": "service_level", "from": "2026-03-02", "to": "2026-03-04"}).json()

    assert answer["variant"] == "80 % of calls answered within 20 s; short abandons excluded"
    assert answer["items"][0]["value"] == 37.5


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"metric": "happiness", "from": "2026-03-02", "to": "2026-03-04"}, "metric"),
        ({"metric": "csat", "from": "2026-03-32", "to": "2026-03-04"}, "from"),
        ({"metric": "csat", "from": "2026-03-05", "to": "2026-03-04"}, "from"),
        ({"metric": "csat", "from": "2025-01-01", "to": "2026-03-04"}, "to"),
        ({"metric": "csat", "from": "2026-03-02", "to": "2026-03-04", "group_by": "hour"}, "group_by"),
        ({"metric": "csat", "to": "2026-03-04"}, "from"),
    ],
    ids=["unknown metric", "bad date", "from after to", "too long", "bad grouping", "no start"],
)
def test_bad_input_is_a_problem_naming_the_field(login, manager, params, field):
    answer = login(manager).get(VALUES, params)

    assert answer.status_code == 422
    assert answer["Content-Type"] == "application/problem+json"
    assert field in [error["field"].split(".")[-1] for error in answer.json()["errors"]]


def test_an_agent_gets_only_their_own_figures(rolled, login, agent, agent2):
    client = login(agent)
    period = {"metric": "csat", "from": "2026-03-02", "to": "2026-03-04"}

    assert client.get(VALUES, period).json()["items"][0]["value"] == 100.0
    assert client.get(VALUES, {**period, "agent": agent2.pk}).status_code == 403
    assert client.get(VALUES, {**period, "group_by": "agent"}).status_code == 403


def test_a_branch_outside_the_managers_is_not_found(rolled, login, manager, other_branch):
    answer = login(manager).get(
        VALUES, {"metric": "csat", "from": "2026-03-02", "to": "2026-03-04", "branch": other_branch.pk}
    )

    assert answer.status_code == 404


def test_security_staff_see_no_figures(login, guard):
    assert login(guard).get(VALUES, {"metric": "csat", "from": "2026-03-02", "to": "2026-03-04"}).status_code == 403
