"""Marginal cells and durations kept to three significant digits.

The marginal cells must give exactly the figures the full cells give: checked over generated events for every
metric, every grouping and the filters a grain answers (and those it does not, which read the full cells).
"""

from __future__ import annotations

import datetime as dt
import importlib
import random
from collections import Counter, defaultdict
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.db import connection

from frontoffice.core.reporting import EventKind as K
from frontoffice.core.reporting import record_event
from frontoffice.reports import cellsums, dashboard, dictionary, grains, packing, rounding, selectors
from frontoffice.reports.grains import Grain
from frontoffice.reports.models import DailyMarginalRollup, DailyRollup, MonthlyMarginalRollup, MonthlyRollup
from frontoffice.reports.packing import unpacked
from frontoffice.reports.rollup import rebuild_margins, rollup
from frontoffice.reports.rounding import EXACT_BELOW, is_rounded, kept, kept_map, three_digits
from frontoffice.reports.selectors import Filters, metric_series, metric_value
from tests.personas import staff_user

from .conftest import LATER

pytestmark = pytest.mark.django_db
D = dt.date
WARSAW = ZoneInfo("Europe/Warsaw")
TEAMS = (None, 11, 12)
CHANNELS = ("", "email", "phone", "chat")


# --- three significant digits ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, 0),
        (1, 1),
        (999, 999),  # under 1,000 s every second counts
        (1000, 1000),
        (1004, 1000),
        (1005, 1010),  # halves away from zero, not to even
        (1015, 1020),
        (9994, 9990),
        (9995, 10000),  # rounds up into the next power of ten
        (99_950, 100_000),
        (123_456, 123_000),
        (123_500, 124_000),
        (86_400, 86_400),
        (-1005, -1010),
    ],
)
def test_three_significant_digits_at_the_edges(value, expected):
    assert three_digits(value) == expected


def test_three_digits_is_at_most_half_a_percent_off_and_rounding_twice_changes_nothing():
    values = [*range(990, 12_000), *random.Random(7).sample(range(12_000, 10**8), 20_000)]
    for value in values:
        rounded = three_digits(value)
        assert abs(rounded - value) <= value * 0.005, value
        assert three_digits(rounded) == rounded, value
    # A month of durations has at most 900 rounded values per power of ten above 1,000 s.
    assert len({three_digits(value) for value in range(EXACT_BELOW, 10 * EXACT_BELOW)}) == 901


def test_only_durations_are_rounded():
    assert is_rounded("first_response") and is_rounded("resolution.business") and is_rounded("state.on_call")
    assert kept("handle", 123_456) == 123_000 and kept("desk.service", None) is None
    # Days of the backlog's age, survey scores and call waits (service level compares them exactly) are kept.
    for measure in ("backlog.in", "backlog.out", "survey.nps", "calls.answered", "contacts"):
        assert not is_rounded(measure)
        assert kept(measure, 739_678) == 739_678
    assert kept_map("resolution", {1004: 1, 1000: 2, 1005: 3}) == {1000: 3, 1010: 3}
    exact = {1004: 1}
    assert kept_map("backlog.in", exact) is exact


def test_a_cell_keeps_the_rounded_duration_in_its_map_and_the_exact_one_in_its_sum(organisation, branch, executive):
    record_event(
        organisation=organisation,
        kind=K.CASE_FIRST_RESPONSE,
        occurred_at=dt.datetime(2026, 3, 2, 10, tzinfo=WARSAW),
        subject=("test", 1),
        branch=branch,
        value=123_456,
    )
    rollup(organisation=organisation, now=LATER, settle_seconds=0)

    cell = DailyRollup.objects.get(measure="first_response")
    assert (cell.count, cell.total, cell.values) == (1, 123_456, {"123000": 1})
    result = metric_value(user=executive, key="first_response_time", period=(D(2026, 3, 2),) * 2)
    assert result.version == 2
    assert (result.result.median, result.result.mean) == (123_000, 123_456)


# --- the dictionary says so ----------------------------------------------------------------------------

DURATION_METRICS = {
    "first_response_time",
    "first_response_business",
    "next_response_time",
    "next_response_business",
    "resolution_time",
    "resolution_business",
    "aht",
    "desk_wait_to_call",
    "desk_wait_to_start",
    "desk_service_time",
}


def test_every_metric_with_a_median_of_rounded_durations_is_version_2_and_says_so():
    for metric in dictionary.METRICS:
        # Rates and occupancy read only counts and sums, which stay exact; ASA's waits are not rounded.
        rounded = metric.unit == "seconds" and any(is_rounded(measure) for measure in metric.measures)
        assert (metric.key in DURATION_METRICS) == rounded, metric.key
        assert metric.version == (2 if rounded else 1), metric.key
        assert (dictionary.ROUNDED_RULE in metric.rules) == rounded, metric.key


def test_the_new_versions_are_in_the_api_and_the_page(login, clerk):
    from django.urls import reverse

    listed = login(clerk).get("/api/v1/reports/metrics", {"limit": 200}).json()["items"]
    versions = {item["key"]: item["version"] for item in listed}
    assert {key for key, version in versions.items() if version == 2} == DURATION_METRICS

    clerk.language = "pl"
    clerk.save()
    html = login(clerk).get(reverse("reports:metric_dictionary")).content.decode()
    assert "trzech cyfr znaczących" in html


# --- which grain answers a read ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dimensions", "grain"),
    [
        ((), Grain.BRANCH),
        (("branch",), Grain.BRANCH),
        (("team",), Grain.TEAM),
        (("branch", "agent"), Grain.AGENT),
        (("channel",), Grain.CHANNEL),
        (("team", "channel"), grains.FULL),
        (("agent", "team"), grains.FULL),
    ],
)
def test_the_smallest_grain_that_keeps_every_dimension_answers(dimensions, grain):
    assert grains.grain_for(dimensions) == grain


def test_someone_who_sees_only_their_own_figures_reads_the_agent_grain(agent, executive):
    assert selectors.read_grain(user=agent, filters=Filters(), by=None) == Grain.AGENT
    assert selectors.read_grain(user=executive, filters=Filters(branch_id=1), by="team") == Grain.TEAM
    assert selectors.read_grain(user=executive, filters=Filters(team_id=1), by="channel") == grains.FULL


def test_a_read_over_every_branch_takes_the_grain_summed_over_branches_only_for_who_sees_them_all(
    organisation, branch, other_branch, executive, manager
):
    every_branch = staff_user(organisation, ["manager"], [branch, other_branch], "manager-all")
    for user in (executive, every_branch):
        assert selectors.read_grain(user=user, filters=Filters(), by=None) == Grain.ORGANISATION
        assert selectors.read_grain(user=user, filters=Filters(), by="team") == Grain.ORG_TEAM
        assert selectors.read_grain(user=user, filters=Filters(channel="email"), by=None) == Grain.ORG_CHANNEL
        assert selectors.read_grain(user=user, filters=Filters(), by="agent") == Grain.AGENT
        assert selectors.read_grain(user=user, filters=Filters(), by="branch") == Grain.BRANCH
        assert selectors.read_grain(user=user, filters=Filters(branch_id=branch.pk), by=None) == Grain.BRANCH
    # One branch of two: the cells by branch, restricted to it.
    assert selectors.read_grain(user=manager, filters=Filters(), by="team") == Grain.TEAM
    with pytest.raises(ValueError, match="every branch"):
        selectors.scoped_cells(
            user=manager,
            measures=["contacts"],
            since=None,
            until=D(2026, 3, 1),
            filters=Filters(),
            model=DailyMarginalRollup,
            grain=Grain.ORG_TEAM,
        )


# --- generated events: the marginal cells are the full cells summed ------------------------------------


@pytest.fixture
def generated(organisation, branch, other_branch, agent, agent2, agent3):
    """Three hundred events of random kinds, values and dimensions over February and March 2026."""
    rng = random.Random(20261128)
    branches, agents = (branch, other_branch, None), (agent, agent2, agent3, None)
    first = dt.datetime(2026, 2, 1, tzinfo=WARSAW)
    kinds = [
        (K.CASE_CREATED, None, {}),
        (K.CASE_FIRST_RESPONSE, "duration", {"business_seconds": "duration"}),
        (K.CASE_RESPONSE, "duration", {}),
        (K.CASE_RESOLVED, "duration", {"replies": "reply"}),
        (K.CALL_OFFERED, None, {}),
        (K.CALL_ANSWERED, "wait", {}),
        (K.CALL_ENDED, "duration", {"talk": "duration", "hold": "wait", "wrap": "wait"}),
        (K.QUEUE_SERVED, "duration", {"wait": "duration", "walk": "wait"}),
        (K.SURVEY_ANSWERED, "score", {"survey_type": "csat"}),
        (K.SLA_MET, None, {"target": "first_response"}),
        (K.SLA_BREACHED, None, {"target": "first_response"}),
        (K.CONTACT_RECEIVED, None, {}),
    ]
    draw = {
        "duration": lambda: rng.choice([rng.randint(1, 999), rng.randint(1000, 400_000)]),
        "wait": lambda: rng.randint(0, 1500),
        "reply": lambda: rng.randint(1, 3),
        "score": lambda: rng.randint(1, 5),
    }
    for number in range(300):
        kind, value, data = rng.choice(kinds)
        record_event(
            organisation=organisation,
            kind=kind,
            occurred_at=first + dt.timedelta(minutes=rng.randint(0, 58 * 24 * 60)),
            subject=("generated", number),
            branch=rng.choice(branches),
            agent=rng.choice(agents),
            team_id=rng.choice(TEAMS),
            channel=rng.choice(CHANNELS),
            value=draw[value]() if value else None,
            data={key: draw[spec]() if spec in draw else spec for key, spec in data.items()},
            client_id=rng.randint(1, 5) if kind == K.CONTACT_RECEIVED else None,
            topic_id=1 if kind == K.CONTACT_RECEIVED else None,
        )
    rollup(organisation=organisation, now=LATER, settle_seconds=0, batch_size=50)


def _summed(model, grain):
    """The full cells of ``model`` summed into ``grain``'s cells: {key: (count, total, map)}."""
    kept_dimension = grains.KEPT[grain]
    over_branches = grain in grains.BY_BRANCH_OF
    sums = defaultdict(lambda: [0, 0.0, Counter()])
    for row in model.objects.exclude(branch_id=0) if over_branches else model.objects.all():
        key = (
            row.day,
            0 if over_branches else row.branch_id,
            row.team_id if kept_dimension == "team" else 0,
            row.agent_id if kept_dimension == "agent" else 0,
            row.channel if kept_dimension == "channel" else "",
            row.measure,
        )
        cell = sums[key]
        cell[0] += row.count
        cell[1] += row.total
        cell[2].update(kept_map(row.measure, {int(k): n for k, n in row.values.items()}))
    return {key: (count, total, dict(values)) for key, (count, total, values) in sums.items()}


def _marginal(model, grain):
    return {
        (row.day, row.branch_id, row.team_id, row.agent_id, row.channel, row.measure): (
            row.count,
            row.total,
            {int(k): n for k, n in row.values.items()},
        )
        for row in model.objects.filter(grain=grain)
    }


@pytest.mark.parametrize("grain", list(Grain))
def test_the_marginal_cells_are_the_full_cells_summed(generated, grain):
    assert _marginal(DailyMarginalRollup, grain) == _summed(DailyRollup, grain)
    assert _marginal(MonthlyMarginalRollup, grain) == _summed(MonthlyRollup, grain)


def test_rebuilding_the_margins_from_a_day_gives_the_same_cells(generated, organisation):
    before = {grain: _marginal(MonthlyMarginalRollup, grain) for grain in Grain}
    daily_before = {grain: _marginal(DailyMarginalRollup, grain) for grain in Grain}
    DailyMarginalRollup.objects.filter(day__gte=D(2026, 3, 10)).delete()
    MonthlyMarginalRollup.objects.filter(day=D(2026, 3, 1)).update(count=0, values={})

    rebuild_margins(organisation.pk, since=D(2026, 3, 10))

    assert {grain: _marginal(MonthlyMarginalRollup, grain) for grain in Grain} == before
    assert {grain: _marginal(DailyMarginalRollup, grain) for grain in Grain} == daily_before


def test_the_migration_fills_the_marginal_cells_the_roll_up_keeps(generated):
    migration = importlib.import_module("frontoffice.reports.migrations.0005_marginal_rollups")
    kept_cells = {
        grain: (_marginal(DailyMarginalRollup, grain), _marginal(MonthlyMarginalRollup, grain))
        for grain in grains.BY_BRANCH
    }
    DailyMarginalRollup.objects.filter(grain__in=grains.BY_BRANCH).delete()
    MonthlyMarginalRollup.objects.filter(grain__in=grains.BY_BRANCH).delete()

    migration.fill_margins(apps, None)

    for grain in grains.BY_BRANCH:
        assert (_marginal(DailyMarginalRollup, grain), _marginal(MonthlyMarginalRollup, grain)) == kept_cells[grain]


def test_the_migration_fills_the_cells_over_every_branch_the_roll_up_keeps(generated):
    migration = importlib.import_module("frontoffice.reports.migrations.0006_grains_over_branches")
    over = list(grains.BY_BRANCH_OF)
    kept_cells = {
        grain: (_marginal(DailyMarginalRollup, grain), _marginal(MonthlyMarginalRollup, grain)) for grain in over
    }
    assert all(daily and monthly for daily, monthly in kept_cells.values())
    DailyMarginalRollup.objects.filter(grain__in=over).delete()
    MonthlyMarginalRollup.objects.filter(grain__in=over).delete()

    migration.fill_over_branches(apps, None)

    for grain in over:
        assert (_marginal(DailyMarginalRollup, grain), _marginal(MonthlyMarginalRollup, grain)) == kept_cells[grain]
    assert {grain.value: over.value for grain, over in grains.OVER_BRANCHES.items()} == migration.OVER_BRANCHES


def test_the_migrations_frozen_rules_are_the_codes():
    migration = importlib.import_module("frontoffice.reports.migrations.0005_marginal_rollups")
    for value in (0, 999, 1005, 9995, 123_456, 99_950):
        assert migration._three_digits(value) == three_digits(value)
    assert migration.ROUNDED_MEASURES == rounding.ROUNDED_MEASURES and rounding.ROUNDED_PREFIXES == ("state.",)


# --- generated events: every figure from the marginal cells equals the one from the full cells -------------

PERIODS = [
    (D(2026, 3, 1), D(2026, 3, 31)),  # a whole month: the monthly cells
    (D(2026, 2, 10), D(2026, 3, 20)),  # cut months: the daily cells too
]
FILTERS = [
    Filters(),
    Filters(team_id=11),
    Filters(channel="email"),
    Filters(team_id=11, channel="email"),  # no grain keeps both: the full cells
]


@pytest.fixture
def full_cells_only(monkeypatch):
    """Read every figure from the full cells."""

    def use():
        monkeypatch.setattr(selectors, "read_grain", lambda **kwargs: grains.FULL)

    return use


def _figures(user, branch_id):
    out = {}
    for period in PERIODS:
        for filters in [*FILTERS, Filters(branch_id=branch_id)]:
            for metric in dictionary.METRICS:
                out[(period, filters, metric.key)] = metric_value(
                    user=user, key=metric.key, period=period, filters=filters
                ).result
            for group_by in ("branch", "team", "agent", "channel", "week"):
                for key in ("resolution_time", "csat", "backlog", "fcr", "service_level"):
                    series = metric_series(user=user, key=key, period=period, group_by=group_by, filters=filters)
                    out[(period, filters, key, group_by)] = [(point.group, point.result) for point in series]
    return out


def test_every_figure_read_from_the_marginal_cells_equals_the_full_cells(generated, executive, branch, full_cells_only):
    marginal = _figures(executive, branch.pk)
    assert sum(result.value is not None for result in marginal.values() if hasattr(result, "value")) > 100
    full_cells_only()

    full = _figures(executive, branch.pk)
    for key, result in full.items():
        assert marginal[key] == result, key


def _dashboard(user, span, filters):
    board = dashboard.dashboard(user=user, span=span, filters=filters)
    return (
        [(figure.metric.key, figure.current, figure.previous) for figure in board.figures],
        [(table.by, [(row.group, row.results) for row in table.rows]) for table in board.tables],
    )


@pytest.mark.parametrize("filters", FILTERS, ids=["all", "team", "channel", "team+channel"])
def test_the_dashboard_from_the_marginal_cells_equals_the_full_cells(generated, executive, filters, full_cells_only):
    spans = [
        dashboard.span_of("month", D(2026, 3, 1)),
        dashboard.span_of("custom", D(2026, 3, 1), D(2026, 3, 5), D(2026, 3, 24)),
    ]
    marginal = [_dashboard(executive, span, filters) for span in spans]
    assert all(table_rows for _by, table_rows in marginal[0][1])
    full_cells_only()

    assert [_dashboard(executive, span, filters) for span in spans] == marginal


@pytest.mark.parametrize("branches", ["both", "one"])
def test_a_managers_dashboard_from_the_marginal_cells_equals_the_full_cells(
    generated, organisation, branch, other_branch, branches, full_cells_only
):
    """A manager of every branch reads the cells over every branch (without the events of no branch, which
    their scope leaves out); a manager of one branch the cells by branch."""
    chosen = [branch, other_branch] if branches == "both" else [other_branch]
    manager = staff_user(organisation, ["manager"], chosen, f"manager-{branches}")
    spans = [
        dashboard.span_of("month", D(2026, 3, 1)),
        dashboard.span_of("custom", D(2026, 3, 1), D(2026, 3, 5), D(2026, 3, 24)),
    ]
    marginal = [_dashboard(manager, span, filters) for span in spans for filters in FILTERS]
    trends = [dashboard.trend(user=manager, key="resolution_time", span=span, filters=Filters()) for span in spans]
    assert all(table_rows for _by, table_rows in marginal[0][1])
    full_cells_only()

    assert [_dashboard(manager, span, filters) for span in spans for filters in FILTERS] == marginal
    full_trends = [dashboard.trend(user=manager, key="resolution_time", span=span, filters=Filters()) for span in spans]
    assert [trend.series for trend in full_trends] == [trend.series for trend in trends]


def test_an_agents_own_figures_from_the_agent_grain_equal_the_full_cells(generated, agent, full_cells_only):
    def own():
        return {m.key: metric_value(user=agent, key=m.key, period=PERIODS[1]).result for m in dictionary.METRICS}

    marginal = own()
    assert any(result.value is not None for result in marginal.values())
    full_cells_only()

    assert own() == marginal


# --- generated events: a month read whole less a few days equals the days read one by one ------------------

TRIMMED = [
    (D(2026, 2, 3), D(2026, 3, 29)),  # February less its first two days, March less its last two
    (D(2026, 1, 28), D(2026, 2, 26)),  # the period before takes three days of January; February less two
]


@pytest.fixture
def by_day_only(monkeypatch):
    def daily(since, until, starts):
        return cellsums.Plan(
            plain=cellsums.Reads(days=((since, until),)),
            snapshot=cellsums.Reads(days=((D(1970, 1, 1), until),)),
            month_buckets=(),
            before=D(1970, 1, 1),
        )

    def use():
        monkeypatch.setattr(cellsums, "plan", daily)

    return use


def _trimmed_reads(user):
    out = {}
    for period in TRIMMED:
        for metric in dictionary.METRICS:
            out[(period, metric.key)] = metric_value(user=user, key=metric.key, period=period).result
        for group_by in ("branch", "agent", "week"):
            series = metric_series(user=user, key="first_response_time", period=period, group_by=group_by)
            out[(period, group_by)] = [(point.group, point.result) for point in series]
        span = dashboard.span_of("custom", period[0], *period)
        out[(period, "dashboard")] = _dashboard(user, span, Filters())
    return out


def test_a_month_read_whole_less_a_few_days_equals_its_days(generated, executive, by_day_only):
    assert all(cellsums.plan(first, last, [first]).plain.minus for first, last in TRIMMED)  # the case under test
    trimmed = _trimmed_reads(executive)
    by_day_only()

    by_day = _trimmed_reads(executive)
    for key, result in by_day.items():
        assert trimmed[key] == result, key


def test_daily_maps_summed_in_the_database_or_read_as_stored_give_the_same_dashboard(generated, executive, monkeypatch):
    spans = [
        dashboard.span_of("custom", D(2026, 2, 10), D(2026, 2, 10), D(2026, 3, 20)),
        dashboard.span_of("custom", D(2026, 3, 1), D(2026, 3, 5), D(2026, 3, 24)),
    ]
    monkeypatch.setattr(selectors, "FEW_DAYS", 0)  # every daily read summed in the database
    in_database = [_dashboard(executive, span, filters) for span in spans for filters in FILTERS]
    assert all(table_rows for _by, table_rows in in_database[0][1])
    monkeypatch.setattr(selectors, "FEW_DAYS", 10_000)  # every daily read as stored

    assert [_dashboard(executive, span, filters) for span in spans for filters in FILTERS] == in_database


# --- the marginal cells' packed maps -----------------------------------------------------------------------

PACKED_MODELS = (DailyMarginalRollup, MonthlyMarginalRollup)


def _packed_maps(model):
    return {row.pk: unpacked(row.packed) for row in model.objects.all()}


def _json_maps(model):
    return {row.pk: {int(k): n for k, n in row.values.items()} for row in model.objects.all()}


@pytest.mark.parametrize("model", PACKED_MODELS)
def test_every_marginal_cell_keeps_its_map_packed_too(generated, organisation, model):
    assert _packed_maps(model) == _json_maps(model)
    assert sum(map(len, _json_maps(model).values())) > 100

    rebuild_margins(organisation.pk, since=D(2026, 3, 10))

    assert _packed_maps(model) == _json_maps(model)


@pytest.mark.parametrize(
    ("model", "name"),
    [(MonthlyMarginalRollup, "0007_packed_monthly_maps"), (DailyMarginalRollup, "0008_packed_daily_maps")],
)
def test_the_migrations_pack_the_maps_rolled_up_so_far(generated, model, name):
    migration = importlib.import_module(f"frontoffice.reports.migrations.{name}")
    expected = _json_maps(model)
    model.objects.update(packed=b"")

    migration.fill_packed(apps, SimpleNamespace(connection=connection))  # all it uses of a schema editor

    assert _packed_maps(model) == expected


def test_packed_maps_round_trip_and_the_migrations_rule_is_the_codes():
    items = [(-3, 1), (0, 4), (999, 2), (123_000_000, 7)]
    assert unpacked(packing.packed(items)) == dict(items)
    assert unpacked(packing.packed([])) == {}
    migration = importlib.import_module("frontoffice.reports.migrations.0007_packed_monthly_maps")
    assert migration._packed(items) == packing.packed(items)
