"""The drill-down: a click on a figure lists exactly the reporting events it counted, with their records."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.http import QueryDict
from django.urls import reverse

from frontoffice.core.models import ReportingEvent
from frontoffice.core.reporting import EventKind, record_event
from frontoffice.reports import dictionary, drilldown
from frontoffice.reports.dashboard import span_of
from frontoffice.reports.rollup import measures_of, rollup
from frontoffice.reports.selectors import Filters

from .conftest import LATER
from .scenario import D2, D3, WARSAW, at, events, record

pytestmark = pytest.mark.django_db
WEEK = {"period": "week", "date": "2026-03-04"}
SCALES = {"csat": (1, 5), "nps": (0, 10), "ces": (1, 7), "ces_agree": (1, 7)}


@pytest.fixture
def rolled(scenario, organisation):
    rollup(organisation=organisation, now=LATER, settle_seconds=0)


def counted(metric, first, last, *, branch_ids=None, agent=None, channel=""):
    """The ids of the events the roll-up turned into ``metric``'s measures, worked out event by event."""
    found = set()
    for event in ReportingEvent.objects.all():
        day = event.occurred_at.astimezone(WARSAW).date()
        if day > last or (day < first and not metric.snapshot):
            continue
        if branch_ids is not None and event.branch_id not in branch_ids:
            continue
        if (agent is not None and event.agent_id != agent.pk) or (channel and event.channel != channel):
            continue
        made = {
            name
            for name, _value in measures_of(
                event.kind, event.value, event.data, tz=WARSAW, occurred_at=event.occurred_at
            )
        }
        if event.kind == EventKind.CONTACT_RECEIVED and event.client_id and event.topic_id:
            made |= {"fcr.contacts", "fcr.resolved"}
        if not made & set(metric.measures):
            continue
        if metric.key in SCALES:
            low, high = SCALES[metric.key]
            if event.value is None or not low <= event.value <= high:
                continue
        found.add(event.pk)
    return found


def listed(user, key, period, filters=None):
    metric = dictionary.BY_KEY[key]
    return set(
        drilldown.metric_events(user=user, metric=metric, period=period, filters=filters or Filters()).values_list(
            "pk", flat=True
        )
    )


@pytest.mark.parametrize("key", [metric.key for metric in dictionary.METRICS])
def test_the_drilldown_lists_exactly_the_events_each_metric_counted(rolled, executive, key):
    week = (dt.date(2026, 3, 2), dt.date(2026, 3, 8))

    found = listed(executive, key, week)

    assert found == counted(dictionary.BY_KEY[key], *week)


@pytest.mark.parametrize(
    "key", ["csat", "first_response_time", "backlog", "fcr", "abandonment_rate", "desk_wait_to_start"]
)
def test_the_drilldown_follows_the_filters_and_the_local_day(rolled, manager, branch, key):
    monday = (D2, D2)  # A3's CSAT of 23:30 UTC on Monday is a Tuesday answer in Warsaw

    assert listed(manager, key, monday) == counted(dictionary.BY_KEY[key], *monday, branch_ids={branch.pk})
    email = Filters(channel="email")
    assert listed(manager, key, monday, email) == counted(
        dictionary.BY_KEY[key], *monday, branch_ids={branch.pk}, channel="email"
    )


def test_a_count_figure_and_its_records_agree(rolled, login, manager):
    page = login(manager).get(reverse("reports:drilldown"), {**WEEK, "metric": "calls_offered"})

    assert page.status_code == 200
    assert page.context["figure"].value == 10 and len(page.context["rows"]) == 10
    assert "Call offered" in page.content.decode()


def test_records_link_to_their_pages(rolled, login, manager, cast):
    record_event(
        organisation=cast.organisation,
        branch=cast.north,
        kind=EventKind.SURVEY_ANSWERED,
        occurred_at=at(D3, 11),
        subject=("invitation", 555),
        agent=cast.a1,
        channel="email",
        value=5,
        data={"survey_type": "csat", "response": 77},
    )
    rollup(organisation=cast.organisation, now=LATER, settle_seconds=0)
    browser = login(manager)

    cases = browser.get(reverse("reports:drilldown"), {**WEEK, "metric": "first_response_time"}).content.decode()
    surveys = browser.get(reverse("reports:drilldown"), {**WEEK, "metric": "csat"}).content.decode()

    assert f'href="{reverse("interactions:case_detail", kwargs={"pk": 901})}"' in cases and "Case 901" in cases
    assert f'href="{reverse("feedback:response_detail", kwargs={"pk": 77})}"' in surveys


def test_an_event_not_rolled_up_yet_is_not_listed(rolled, executive, cast):
    late = record_event(
        organisation=cast.organisation,
        branch=cast.north,
        kind=EventKind.CALL_OFFERED,
        occurred_at=at(D3, 9),
        subject=("interaction", 999),
        agent=cast.a1,
        channel="phone",
    )
    week = (dt.date(2026, 3, 2), dt.date(2026, 3, 8))

    assert late.pk not in listed(executive, "calls_offered", week)
    rollup(organisation=cast.organisation, now=LATER, settle_seconds=0)
    assert late.pk in listed(executive, "calls_offered", week)


def test_an_agent_drills_down_into_their_own_records_only(rolled, login, agent, agent2):
    browser = login(agent)

    page = browser.get(reverse("reports:drilldown"), {**WEEK, "metric": "csat"})

    assert page.status_code == 200
    assert {row["event"].agent_id for row in page.context["rows"]} == {agent.pk}
    assert len(page.context["rows"]) == 2  # 5 and 5; the 6 is off the scale
    assert browser.get(reverse("reports:drilldown"), {**WEEK, "metric": "csat", "agent": agent2.pk}).status_code == 403


def test_the_drilldown_downloads_as_csv(rolled, login, executive):
    answer = login(executive).get(reverse("reports:drilldown"), {**WEEK, "metric": "calls_offered", "format": "csv"})

    lines = b"".join(answer.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Happened at,Event,Value") and len(lines) == 11
    assert all(",call.offered," in line for line in lines[1:])


@pytest.mark.parametrize("query", [{}, {"metric": "nothing"}, {"metric": "csat", "period": "custom"}])
def test_a_bad_drilldown_request_is_answered_with_a_message(login, manager, query):
    answer = login(manager).get(reverse("reports:drilldown"), query)

    assert answer.status_code == 400
    assert 'role="alert"' in answer.content.decode()


@pytest.mark.parametrize("copies", [1, 3])
def test_the_drilldown_needs_the_same_few_queries_at_any_size(
    login, executive, cast, copies, django_assert_max_num_queries
):
    rows = events(cast)
    for _ in range(copies):
        record(cast, rows)
    rollup(organisation=cast.organisation, now=LATER, settle_seconds=0)
    browser = login(executive)

    with django_assert_max_num_queries(18):
        page = browser.get(reverse("reports:drilldown"), {**WEEK, "metric": "response_rate"})

    assert page.status_code == 200
    assert len(page.context["rows"]) == min(42 * copies, 50) and page.context["has_next"] == (copies > 1)


def test_the_previous_period_figure_links_to_its_own_records(rolled, login, manager):
    html = login(manager).get(reverse("reports:dashboard"), {"period": "day", "date": "2026-03-03"}).content.decode()

    card = html[html.index('id="figure-csat"') :]
    link = re.search(r'<dt>Previous period</dt><dd><a href="([^"]+)"', card).group(1).replace("&amp;", "&")
    query = QueryDict(link.split("?", 1)[1])
    assert query["metric"] == "csat" and query["period"] == "custom"
    assert query["date_from"] == query["date_to"] == str(span_of("day", dt.date(2026, 3, 3)).before_start)


def test_an_fcr_drilldown_says_which_contacts_were_repeated(rolled, login, executive):
    page = login(executive).get(reverse("reports:drilldown"), {**WEEK, "metric": "fcr"})

    repeated = {
        (row["event"].client_id, row["event"].topic_id, row["event"].occurred_at.astimezone(WARSAW).date()): row[
            "repeated"
        ]
        for row in page.context["rows"]
    }
    # 101/1 came back the next day; 103/1 came back after 8 days (outside the 7-day window); the rest never did.
    assert repeated == {
        (101, 1, D2): True,
        (101, 1, D3): False,
        (102, 1, D2): False,
        (102, 2, D3): False,
        (103, 1, D2): False,
    }
    assert page.context["figure"].value == 80.0
    assert "Yes: not resolved at first contact" in page.content.decode()
