"""Golden data: every metric computed by hand from the scenario (scenario.py) and compared.

Expected figures are literal numbers; the comment beside each shows the arithmetic.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from frontoffice.reports import dictionary
from frontoffice.reports.models import DailyRollup, RollupState
from frontoffice.reports.rollup import measures_of, rollup
from frontoffice.reports.selectors import Filters, metric_series, metric_value, team_median

from .conftest import LATER
from .scenario import D2, D3, D4, events, record

pytestmark = pytest.mark.django_db
WEEK = (D2, D4)


def value(user, key, period=WEEK, **filters):
    return metric_value(user=user, key=key, period=period, filters=Filters(**filters))


@pytest.fixture
def rolled(scenario, organisation):
    rollup(organisation=organisation, now=LATER, settle_seconds=0)
    return scenario


# (key, value, n, median, p90, mean) — None where the figure is not part of the metric.
GOLDEN = [
    ("csat", 60.0, 5, None, None, None),  # 1–5 answers 5 4 2 5 3 (the 6 is off the scale): 3 of 5 are 4–5
    ("nps", 100 / 7, 7, None, None, None),  # 10 9 8 6 0 7 10: promoters 3, detractors 2 → (3 − 2) / 7 × 100
    ("ces", 4.8, 5, 5.0, 7.0, 4.8),  # 7 5 4 6 2: mean 24 / 5; sorted 2 4 5 6 7, rank ⌈2.5⌉=3 → 5, rank ⌈4.5⌉=5 → 7
    ("ces_agree", 60.0, 5, None, None, None),  # 7 5 6 of 5 answers are 5–7
    ("response_rate", 75.0, 24, None, None, None),  # 6 + 7 + 5 = 18 answers / 24 sent
    ("first_response_time", 120.0, 5, 120.0, 600.0, 222.0),  # 30 60 120 300 600: rank 3, rank 5; 1110 / 5
    ("next_response_time", 200.0, 4, 200.0, 400.0, 250.0),  # 100 200 300 400: rank 2, rank ⌈3.6⌉=4; 1000 / 4
    ("resolution_time", 7200.0, 3, 7200.0, 86400.0, 32400.0),  # first resolutions 3600 7200 86400; 97200 / 3
    # Business hours (scenario.py): c3 had no SLA policy and is not counted.
    ("first_response_business", 60.0, 4, 60.0, 600.0, 202.5),  # 30 60 120 600: rank 2, rank ⌈3.6⌉=4; 810 / 4
    ("next_response_business", 200.0, 4, 200.0, 300.0, 200.0),  # 100 200 200 (c5 paused 200 s) 300; 800 / 4
    # c1 3600, c4 3600 (paused 1 h of 2), c2 28800 (the night left out); rank 2, rank ⌈2.7⌉=3; 36000 / 3
    ("resolution_business", 3600.0, 3, 3600.0, 28800.0, 12000.0),
    ("sla_first_response", 75.0, 4, None, None, None),  # met 3, breached 1
    ("sla_next_response", 50.0, 2, None, None, None),  # met 1, breached 1
    ("sla_resolution", 100.0, 2, None, None, None),  # met 2, breached 0
    ("backlog", 3.0, 3, None, None, None),  # created 6 + reopened 1 − resolved 4 (c3, c5, c6 open)
    ("backlog_age", 1.0, 3, 1.0, 2.0, 1.0),  # c3 (D2) 2 days, c5 (D3) 1 day, c6 (D4) 0 days on 4 March
    ("reopen_rate", 25.0, 4, None, None, None),  # 1 reopening / 4 resolutions (c1 twice, c2, c4)
    ("one_touch", 200 / 3, 3, None, None, None),  # c1 and c4 with 1 reply of 3 first resolutions
    ("fcr", 80.0, 5, None, None, None),  # 101/1 on D2 repeats on D3; the other 4 of 5 do not (103/1 after 8 > 7 days)
    ("contacts_per_1000_visits", 750.0, 8, None, None, None),  # 6 contacts on D2–D4 / 8 visits × 1000
    ("calls_offered", 10.0, 10, None, None, None),
    ("calls_answered", 6.0, 6, None, None, None),
    ("asa", 32.5, 6, 20.0, 90.0, 32.5),  # 5 15 20 25 40 90: 195 / 6; rank 3 → 20; rank ⌈5.4⌉=6 → 90
    ("abandonment_rate", 25.0, 8, None, None, None),  # 2 abandons / (10 offered − 2 short abandons)
    ("service_level", 37.5, 8, None, None, None),  # answered within 20 s: 5 15 20 → 3 / (10 − 2)
    ("aht", 1600 / 6, 6, 250.0, 400.0, 1600 / 6),  # 300 200 400 100 250 350 s (talk + hold + wrap)
    ("occupancy", 60.0, 6000, None, None, None),  # (3000 on a call + 600 wrap-up) / (3600 + 2400 available); breaks out
    ("desk_wait_to_call", 300.0, 3, 300.0, 600.0, 340.0),  # 120 300 600; 1020 / 3
    ("desk_wait_to_start", 45.0, 3, 45.0, 60.0, 45.0),  # 30 45 60
    ("desk_service_time", 420.0, 3, 420.0, 600.0, 440.0),  # 300 420 600; 1320 / 3
]


def test_the_golden_set_covers_every_metric_of_the_dictionary():
    assert sorted(row[0] for row in GOLDEN) == sorted(metric.key for metric in dictionary.METRICS)


@pytest.mark.parametrize(("key", "expected", "n", "median", "p90", "mean"), GOLDEN, ids=[row[0] for row in GOLDEN])
def test_every_metric_matches_the_hand_computed_figure(rolled, executive, key, expected, n, median, p90, mean):
    result = value(executive, key)

    assert result.key == key
    assert result.version == dictionary.BY_KEY[key].version
    assert result.value == pytest.approx(expected)
    assert result.result.n == n
    if median is not None:
        assert result.result.median == median
        assert result.result.p90 == p90
        assert result.result.mean == pytest.approx(mean)


def test_business_hours_leave_out_cases_without_a_policy_and_reopened_resolutions(rolled, executive, manager):
    # c3 (no policy) has a calendar first response but no business one; c1's resolution after its
    # reopening counts in neither resolution time.
    assert value(executive, "first_response_time").result.n == 5
    assert value(executive, "first_response_business").result.n == 4
    # North (c1, c2): 3600 and 28800 → the lower middle.
    north = value(manager, "resolution_business")
    assert (north.value, north.result.n, north.result.p90) == (3600.0, 2, 28800.0)


def test_a_reopened_resolution_adds_no_business_time_even_when_it_carries_some():
    made = dict(measures_of("case.resolved", 900.0, {"reopened": 1, "business_seconds": 600}))

    assert "resolution" not in made and "resolution.business" not in made
    assert (
        dict(measures_of("case.resolved", 900.0, {"reopened": 0, "business_seconds": 600.4}))["resolution.business"]
        == 600
    )


def test_nps_gives_its_parts(rolled, executive):
    assert value(executive, "nps").result.parts == {"promoters": 3, "passives": 2, "detractors": 2}


def test_service_level_prints_the_variant_it_used(rolled, executive):
    assert value(executive, "service_level").variant == "80 % of calls answered within 20 s; short abandons excluded"


def test_an_empty_period_has_no_data_not_zero(rolled, executive):
    february = (dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    for metric in dictionary.METRICS:
        assert value(executive, metric.key, february).value is None, metric.key


def test_the_backlog_is_a_snapshot_at_the_end_of_the_period(rolled, executive):
    # End of D3: created 5 + reopened 1 − resolved 3 (c1, c2, c4) → c1 (reopened), c3, c5 open.
    assert value(executive, "backlog", (D3, D3)).value == 3


def test_a_day_is_the_branchs_local_day(rolled, executive):
    # A3's CSAT 2 came at 23:30 UTC on 2 March, 00:30 on Tuesday in Warsaw.
    series = metric_series(user=executive, key="csat", period=WEEK, group_by="day")

    assert [(point.group, point.value) for point in series] == [
        ("2026-03-02", 100.0),  # 5 4
        ("2026-03-03", 50.0),  # 2 5
        ("2026-03-04", 0.0),  # 3 (and the off-scale 6)
    ]


def test_series_by_week_month_and_dimension(rolled, executive, branch, other_branch):
    weeks = metric_series(user=executive, key="calls_offered", period=(D2, dt.date(2026, 3, 9)), group_by="week")
    months = metric_series(user=executive, key="calls_offered", period=WEEK, group_by="month")
    branches = metric_series(user=executive, key="csat", period=WEEK, group_by="branch")

    assert [(p.start, p.end, p.value) for p in weeks] == [
        (D2, dt.date(2026, 3, 8), 10.0),
        (dt.date(2026, 3, 9), dt.date(2026, 3, 9), None),
    ]
    assert [(p.start, p.end, p.value) for p in months] == [(D2, D4, 10.0)]
    # North: 5 4 5 3 → 3 of 4; South: 2 → 0 of 1.
    assert [(p.group, p.value) for p in branches] == [(str(branch.pk), 75.0), (str(other_branch.pk), 0.0)]


def test_a_manager_sees_only_their_branch(rolled, manager):
    assert value(manager, "csat").value == 75.0  # North only: 5 4 5 3
    assert value(manager, "calls_offered").value == 10
    assert value(manager, "desk_service_time").value is None  # the desk figures are South's


def test_an_agent_sees_only_their_own_figures(rolled, agent, agent2):
    assert value(agent, "csat").value == 100.0  # A1's answers: 5 5 (and the off-scale 6)
    assert value(agent, "csat", agent_id=agent.pk).value == 100.0
    with pytest.raises(PermissionDenied):
        value(agent, "csat", agent_id=agent2.pk)
    with pytest.raises(PermissionDenied):
        metric_series(user=agent, key="csat", period=WEEK, group_by="agent")


def test_a_team_median_needs_three_agents(rolled, agent, organisation, branch):
    # Team 1 has two agents: their median would give away the colleague's figure.
    assert team_median(user=agent, key="csat", period=WEEK) is None


def test_another_organisation_sees_nothing(rolled, outsider_org):
    assert value(outsider_org, "calls_offered").value is None


def test_incremental_rollup_equals_a_one_shot_rollup(cast, organisation):
    rows = events(cast)
    half = len(rows) // 2
    record(cast, rows[:half])
    rollup(organisation=organisation, now=dt.datetime(2026, 3, 3, tzinfo=dt.UTC), settle_seconds=0)
    record(cast, rows[half:])
    rollup(organisation=organisation, now=LATER, settle_seconds=0)
    rollup(organisation=organisation, now=LATER, settle_seconds=0)  # nothing new: changes nothing
    incremental = _cells()

    DailyRollup.objects.all().delete()
    RollupState.objects.all().delete()
    rollup(organisation=organisation, now=LATER, settle_seconds=0)

    assert incremental == _cells()
    assert len(incremental) > 50


def test_rolling_up_in_small_batches_adds_to_the_same_cells(scenario, organisation):
    # Batches of 3 events write most cells several times (the update path of rollup._write).
    rollup(organisation=organisation, now=LATER, settle_seconds=0, batch_size=3)
    batched = _cells()

    DailyRollup.objects.all().delete()
    RollupState.objects.all().delete()
    rollup(organisation=organisation, now=LATER, settle_seconds=0)

    assert batched == _cells()


def test_a_run_stops_before_the_first_event_recorded_within_the_settle_time(scenario, organisation):
    from frontoffice.core.models import ReportingEvent

    ids = list(ReportingEvent.objects.order_by("id").values_list("id", flat=True))
    long_ago = dt.datetime(2026, 3, 5, tzinfo=dt.UTC)
    ReportingEvent.objects.filter(id__lt=ids[5]).update(recorded_at=long_ago)
    ReportingEvent.objects.filter(id__gt=ids[5]).update(recorded_at=long_ago)

    assert rollup(organisation=organisation, now=LATER, batch_size=4) == 5  # ids[5] was recorded a moment ago
    assert RollupState.objects.get(organisation=organisation).last_event_id == ids[4]


def test_a_days_fcr_is_final_nine_days_after_it(scenario, organisation, executive):
    # On 11 March (7 + 2 days after D2) only D2 is final: 101/1 repeats, 102/1 and 103/1 do not → 2 of 3.
    rollup(organisation=organisation, now=dt.datetime(2026, 3, 11, 12, tzinfo=dt.UTC), settle_seconds=0)
    assert value(executive, "fcr").value == pytest.approx(200 / 3)

    rollup(organisation=organisation, now=LATER, settle_seconds=0)
    assert value(executive, "fcr").value == 80.0


def test_events_recorded_a_moment_ago_wait_for_the_next_run(scenario, organisation, executive):
    assert rollup(organisation=organisation, now=LATER) == 0  # within the settle time

    assert rollup(organisation=organisation, now=LATER, settle_seconds=0) == len(scenario)


def _cells():
    return sorted(
        DailyRollup.objects.values_list(
            "day", "branch_id", "team_id", "agent_id", "channel", "measure", "count", "total", "values"
        ),
        key=repr,
    )


def test_the_ranks_found_in_one_pass_are_those_of_the_expanded_values():
    import math
    import random
    from collections import Counter

    chooser = random.Random(7)
    for _ in range(200):
        values = Counter({chooser.randint(0, 50): chooser.randint(1, 4) for _ in range(chooser.randint(1, 12))})
        expanded = sorted(values.elements())
        expected = [float(expanded[max(1, math.ceil(f * len(expanded))) - 1]) for f in (0.5, 0.9)]
        assert dictionary.nearest_ranks(values, (0.5, 0.9)) == expected
    assert dictionary.nearest_ranks(Counter(), (0.5, 0.9)) == [None, None]
