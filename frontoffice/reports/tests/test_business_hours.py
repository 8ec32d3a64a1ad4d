"""Business-hours case metrics end to end: cases worked through the services, their SLA clocks, the roll-up.

The policy is Monday–Friday 08:00–16:00 in Warsaw, for e-mail cases only, pausing on pending customer (the
default). 20 November 2026 is a Friday, 23 November the Monday after it.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from frontoffice.interactions import services
from frontoffice.interactions.cases import services as case_services
from frontoffice.interactions.choices import CaseStatus, Channel, Direction
from frontoffice.interactions.models import SlaPolicyRecord
from frontoffice.reports.rollup import rollup
from frontoffice.reports.selectors import Filters, metric_value

pytestmark = pytest.mark.django_db
WARSAW = ZoneInfo("Europe/Warsaw")
PERIOD = (dt.date(2026, 11, 20), dt.date(2026, 11, 23))
LATER = dt.datetime(2026, 12, 15, tzinfo=dt.UTC)


def warsaw(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=WARSAW)


def reply(case, agent, at):
    services.interaction_record(
        branch=case.branch,
        channel=case.channel,
        actor=agent,
        direction=Direction.OUTBOUND,
        staff=agent,
        started_at=at,
        case=case,
    )


def message(case, at):
    services.interaction_record(
        branch=case.branch, channel=case.channel, actor=None, direction=Direction.INBOUND, started_at=at, case=case
    )


def status(case, agent, new, at):
    case.refresh_from_db()
    case_services.case_set_status(case=case, status=new, actor=agent, at=at)


@pytest.fixture
def worked(organisation, branch, agent):
    SlaPolicyRecord.objects.create(
        organisation=organisation,
        name="Biuro",
        channels=["email"],
        first_response_minutes=240,
        next_response_minutes=120,
        resolution_minutes=480,
        weekly_hours={str(day): [["08:00", "16:00"]] for day in range(5)},
    )

    def open_case(subject, channel, at):
        return services.case_open(
            branch=branch, subject=subject, actor=agent, channel=channel, owner=agent, opened_at=at
        )

    # Over the weekend: opened Friday 15:00, answered Monday 10:00, resolved Monday 13:00.
    weekend = open_case("Faktura", Channel.EMAIL, warsaw(2026, 11, 20, 15, 0))
    reply(weekend, agent, warsaw(2026, 11, 23, 10, 0))
    status(weekend, agent, CaseStatus.RESOLVED, warsaw(2026, 11, 23, 13, 0))

    # Paused: opened Monday 09:00, answered 09:30, waiting for the client 10:00–11:00, the client's message at
    # 11:00 answered at 11:20, resolved at 12:00.
    paused = open_case("Zwrot", Channel.EMAIL, warsaw(2026, 11, 23, 9, 0))
    reply(paused, agent, warsaw(2026, 11, 23, 9, 30))
    status(paused, agent, CaseStatus.PENDING_CUSTOMER, warsaw(2026, 11, 23, 10, 0))
    message(paused, warsaw(2026, 11, 23, 11, 0))
    reply(paused, agent, warsaw(2026, 11, 23, 11, 20))
    status(paused, agent, CaseStatus.RESOLVED, warsaw(2026, 11, 23, 12, 0))

    # No policy (a phone case): answered after 10 minutes, resolved after 30.
    unmatched = open_case("Pytanie", Channel.PHONE, warsaw(2026, 11, 23, 9, 0))
    reply(unmatched, agent, warsaw(2026, 11, 23, 9, 10))
    status(unmatched, agent, CaseStatus.RESOLVED, warsaw(2026, 11, 23, 9, 30))

    rollup(organisation=organisation, now=LATER, settle_seconds=0)


def figure(user, key):
    result = metric_value(user=user, key=key, period=PERIOD, filters=Filters()).result
    return result.value, result.n, result.mean, result.p90


def test_first_response_in_business_hours_leaves_out_the_weekend_and_the_case_without_a_policy(worked, executive):
    # Weekend case: Fri 15:00–16:00 + Mon 08:00–10:00 = 3 h; paused case: 30 min. Lower middle of two: 1 800 s.
    assert figure(executive, "first_response_business") == (1800.0, 2, 6300.0, 10800.0)
    # Calendar: 67 h, 30 min and the unmatched case's 10 min. The p90 is kept to three significant digits
    # (241 200 s → 241 000 s, version 2); the mean is of the exact seconds.
    assert figure(executive, "first_response_time") == (1800.0, 3, (241200 + 1800 + 600) / 3, 241000.0)


def test_next_response_in_business_hours_is_timed_by_the_next_response_clock(worked, executive):
    # The client's message at 11:00 (the clocks resumed) answered at 11:20.
    assert figure(executive, "next_response_business") == (1200.0, 1, 1200.0, 1200.0)


def test_resolution_in_business_hours_leaves_out_nights_weekends_and_paused_time(worked, executive):
    # Weekend case: 1 h on Friday + 5 h on Monday = 21 600 s. Paused case: 09:00–10:00 and 11:00–12:00 = 7 200 s
    # (the hour pending customer left out). The case without a policy is not counted.
    assert figure(executive, "resolution_business") == (7200.0, 2, 14400.0, 21600.0)
    # Calendar: 70 h, 3 h, 30 min.
    assert figure(executive, "resolution_time") == (10800.0, 3, (252000 + 10800 + 1800) / 3, 252000.0)


def test_the_api_returns_the_business_hours_figures(worked, login, executive):
    answer = (
        login(executive)
        .get("/api/v1/reports/values", {"metric": "resolution_business", "from": "2026-11-20", "to": "2026-11-23"})
        .json()
    )

    assert (answer["metric"], answer["version"], answer["unit"]) == ("resolution_business", 2, "seconds")
    [item] = answer["items"]
    assert (item["value"], item["n"], item["p90"]) == (7200.0, 2, 21600.0)


def test_the_drilldown_lists_the_business_seconds_it_counted(worked, login, executive):
    query = {"period": "custom", "date_from": "2026-11-20", "date_to": "2026-11-23", "metric": "resolution_business"}
    client = login(executive)

    page = client.get(reverse("reports:drilldown"), query)
    download = client.get(reverse("reports:drilldown"), {**query, "format": "csv"})

    assert page.status_code == 200
    assert len(page.context["rows"]) == 2  # the case without a policy is not listed
    values = sorted(line.split(",")[2] for line in b"".join(download.streaming_content).decode().splitlines()[1:])
    assert values == ["21600.0", "7200.0"]  # business seconds, not the calendar 252000 and 10800
