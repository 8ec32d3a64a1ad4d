"""The reports pages: the metric dictionary for every staff member, the metrics overview with CSV export."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from frontoffice.reports import dictionary
from frontoffice.reports.rollup import rollup

from .conftest import LATER

pytestmark = pytest.mark.django_db
WEEK = {"date_from": "2026-03-02", "date_to": "2026-03-04"}


@pytest.fixture
def rolled(scenario, organisation):
    rollup(organisation=organisation, now=LATER, settle_seconds=0)


def test_docs_metrics_lists_every_metric_key_and_version():
    text = (Path(settings.BASE_DIR) / "docs" / "metrics.md").read_text()

    for metric in dictionary.METRICS:
        assert f"## `{metric.key}` — {metric.name} (version {metric.version})" in text


def test_docs_metrics_is_the_dictionary_as_generated():
    with translation.override("en"):
        expected = dictionary.markdown()

    assert (Path(settings.BASE_DIR) / "docs" / "metrics.md").read_text() == expected


def test_every_staff_member_reads_the_dictionary(login, guard):
    page = login(guard).get(reverse("reports:metric_dictionary"))

    assert page.status_code == 200
    for metric in dictionary.METRICS:
        assert f'id="metric-{metric.key}"' in page.content.decode()


def test_the_dictionary_page_speaks_polish(login, guard):
    guard.language = "pl"
    guard.save()

    html = login(guard).get(reverse("reports:metric_dictionary")).content.decode()

    assert "Słownik wskaźników" in html and "Wskaźnik zadowolenia klientów (CSAT)" in html


def test_the_overview_shows_each_metric_with_the_previous_period(rolled, login, manager):
    page = login(manager).get(reverse("reports:overview"), WEEK)

    assert page.status_code == 200
    row = {row.metric.key: row for row in page.context["rows"]}
    assert row["csat"].current.value == 75.0  # North only: 5 4 5 3
    assert row["csat"].previous.value is None  # 24–28 February: no data
    assert "no data" in page.content.decode()


def test_an_agent_sees_their_own_figures_and_no_team_median_for_a_team_of_two(rolled, login, agent):
    page = login(agent).get(reverse("reports:overview"), WEEK)

    row = {row.metric.key: row for row in page.context["rows"]}
    assert row["csat"].current.value == 100.0
    assert row["csat"].team_median is None
    assert "Team median" in page.content.decode()


def test_bad_dates_stay_on_screen_with_a_message(login, manager):
    page = login(manager).get(reverse("reports:overview"), {"date_from": "2026-03-05", "date_to": "2026-03-01"})

    assert page.status_code == 400
    assert "The period starts after it ends." in page.content.decode()
    assert 'value="2026-03-05"' in page.content.decode()


def test_the_overview_downloads_as_csv(rolled, login, executive):
    answer = login(executive).get(reverse("reports:overview"), {**WEEK, "format": "csv"})

    assert answer["Content-Type"] == "text/csv; charset=utf-8"
    lines = answer.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Metric,Version,Value,Previous period")
    assert "calls_offered,1,10.0,,10,,,count" in lines


@pytest.mark.parametrize("days", [1, 3])
def test_the_overview_needs_the_same_few_queries_at_any_size(login, manager, cast, days, django_assert_max_num_queries):
    from .scenario import events, record

    rows = events(cast)
    for _ in range(days):
        record(cast, rows)
    rollup(organisation=cast.organisation, now=LATER, settle_seconds=0)
    browser = login(manager)

    # The cells added up per fold (one query for marginal cells read packed, two for cells summed in the
    # database): the monthly level, the daily one, the days taken away from a month's cells (the snapshots'
    # February less the days of the period before); one to learn whether the manager's branches are every
    # branch (selectors.covers_every_branch).
    with django_assert_max_num_queries(15):
        page = browser.get(reverse("reports:overview"), WEEK)

    assert page.status_code == 200
