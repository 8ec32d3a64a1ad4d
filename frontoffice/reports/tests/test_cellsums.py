"""Cells added up in the database, and the monthly level: a figure read through whole months is the figure
read day by day, the monthly cells are the daily ones added up, and a read takes whole months only where no
bucket starts inside them."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

import pytest

from frontoffice.reports import cellsums, dictionary, packing, selectors
from frontoffice.reports.models import DailyRollup, MonthlyMarginalRollup, MonthlyRollup
from frontoffice.reports.rollup import rebuild_months, rollup
from frontoffice.reports.selectors import Filters, metric_series, metric_value

from .conftest import LATER

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture
def rolled(scenario, organisation):
    rollup(organisation=organisation, now=LATER, settle_seconds=0)
    return scenario


def _cells(model):
    """Every stored cell as {(month, dimensions, measure): (count, total, value map)}."""
    out = {}
    for row in model.objects.all():
        out[(row.day.replace(day=1), row.branch_id, row.team_id, row.agent_id, row.channel, row.measure)] = row
    return out


def _daily_by_month():
    sums = defaultdict(lambda: [0, 0.0, Counter()])
    for row in DailyRollup.objects.all():
        cell = sums[(row.day.replace(day=1), row.branch_id, row.team_id, row.agent_id, row.channel, row.measure)]
        cell[0] += row.count
        cell[1] += row.total
        cell[2].update({int(k): n for k, n in row.values.items()})
    return {key: (count, total, dict(values)) for key, (count, total, values) in sums.items()}


def _monthly():
    return {
        key: (row.count, row.total, {int(k): n for k, n in row.values.items()})
        for key, row in _cells(MonthlyRollup).items()
    }


# --- which months a read takes whole ---------------------------------------------------------------


def test_a_month_and_the_month_before_are_read_whole():
    layout = cellsums.plan(D(2026, 2, 1), D(2026, 3, 31), [D(2026, 2, 1), D(2026, 3, 1)])

    assert layout.plain == cellsums.Reads(months=(D(2026, 2, 1), D(2026, 3, 1)))
    assert layout.snapshot == layout.plain
    assert layout.month_buckets == ((D(2026, 2, 1), D(2026, 2, 1)), (D(2026, 3, 1), D(2026, 3, 1)))
    assert layout.before == D(2026, 2, 1)


def test_a_month_cut_by_a_bucket_or_the_range_is_read_by_day_when_that_reads_fewer_cells():
    # 90 days from 15 March; the period before starts on 15 December.
    layout = cellsums.plan(D(2025, 12, 15), D(2026, 6, 12), [D(2025, 12, 15), D(2026, 3, 15)])

    assert layout.plain.months == (D(2026, 1, 1), D(2026, 2, 1), D(2026, 4, 1), D(2026, 5, 1))
    assert layout.plain.days == (
        (D(2025, 12, 15), D(2025, 12, 31)),
        (D(2026, 3, 1), D(2026, 3, 31)),
        (D(2026, 6, 1), D(2026, 6, 12)),
    )
    assert layout.plain.minus == ()
    # Snapshots read December's first days too, and every month before it whole.
    assert layout.snapshot.months == layout.plain.months
    assert layout.snapshot.days[0] == (D(2025, 12, 1), D(2025, 12, 31))
    assert layout.before == D(2025, 12, 1)


def test_a_month_with_a_few_days_elsewhere_is_read_whole_less_those_days():
    # 90 days to 27 November: the period starts on 30 August, the one before on 1 June.
    layout = cellsums.plan(D(2026, 6, 1), D(2026, 11, 27), [D(2026, 6, 1), D(2026, 8, 30)])

    months = (D(2026, 6, 1), D(2026, 7, 1), D(2026, 8, 1), D(2026, 9, 1), D(2026, 10, 1), D(2026, 11, 1))
    assert layout.plain.months == months
    # August counts for the period before, less its last two days (added to the period); November less the
    # days after the 27th.
    assert dict(layout.month_buckets)[D(2026, 8, 1)] == D(2026, 6, 1)
    assert layout.plain.minus == ((D(2026, 8, 30), D(2026, 8, 31)), (D(2026, 11, 28), D(2026, 11, 30)))
    assert layout.plain.days == ((D(2026, 8, 30), D(2026, 8, 31)),)


def test_daily_buckets_read_no_month_whole():
    starts = [D(2026, 3, 1) + dt.timedelta(days=n) for n in range(31)]

    layout = cellsums.plan(D(2026, 3, 1), D(2026, 3, 31), starts)

    assert layout.plain == cellsums.Reads(days=((D(2026, 3, 1), D(2026, 3, 31)),))


# --- the monthly cells -------------------------------------------------------------------------------


def test_the_monthly_cells_are_the_daily_cells_added_up(rolled):
    assert MonthlyRollup.objects.exists()
    assert _monthly() == _daily_by_month()


def test_a_roll_up_in_many_small_batches_gives_the_same_monthly_cells(scenario, organisation):
    rollup(organisation=organisation, now=LATER, settle_seconds=0, batch_size=3)

    assert _monthly() == _daily_by_month()


def test_rebuilding_the_months_gives_the_same_cells(rolled, organisation):
    before = _monthly()
    MonthlyRollup.objects.filter(organisation=organisation, measure="contacts").delete()

    margins = MonthlyMarginalRollup.objects.count()

    assert rebuild_months(organisation.pk) == len(before) + margins
    assert _monthly() == before


# --- a figure read through whole months is the figure read by day ------------------------------------


PERIODS = [
    (D(2026, 3, 1), D(2026, 3, 31)),  # one whole month (and February before it)
    (D(2026, 2, 15), D(2026, 4, 15)),  # months cut by the range
    (D(2026, 1, 1), D(2026, 4, 30)),  # several whole months
    (D(2026, 3, 3), D(2026, 3, 30)),  # a month less a few days
]


@pytest.fixture
def by_day_only(monkeypatch):
    """Read every figure from the daily cells only."""

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


@pytest.mark.parametrize("period", PERIODS, ids=["month", "cut", "months", "trimmed"])
def test_every_metric_read_through_months_equals_the_metric_read_by_day(rolled, executive, by_day_only, period):
    through_months = {
        metric.key: metric_value(user=executive, key=metric.key, period=period).result for metric in dictionary.METRICS
    }
    assert any(result.value is not None for result in through_months.values())
    by_day_only()

    for metric in dictionary.METRICS:
        assert metric_value(user=executive, key=metric.key, period=period).result == through_months[metric.key], (
            metric.key
        )


def test_a_series_by_month_and_by_branch_equals_the_one_read_by_day(rolled, executive, by_day_only):
    def series(group_by):
        points = metric_series(user=executive, key="csat", period=PERIODS[2], group_by=group_by)
        return [(point.group, point.result) for point in points]

    through_months = {group_by: series(group_by) for group_by in ("month", "branch")}
    assert all(through_months.values())
    by_day_only()

    assert {group_by: series(group_by) for group_by in ("month", "branch")} == through_months


def test_a_read_through_months_stays_within_the_branches_the_user_sees(rolled, manager, executive):
    period = PERIODS[0]

    def branches_of(user):
        return selectors.fold_cells(
            user=user,
            plain={"contacts"},
            snapshot=set(),
            since=period[0],
            until=period[1],
            filters=Filters(),
            starts=[period[0]],
            by="branch",
        )

    assert len(branches_of(executive)) > len(branches_of(manager)) >= 1


def test_rebuilding_from_a_day_recomputes_its_month_and_keeps_the_earlier_ones(rolled, organisation):
    day = DailyRollup.objects.order_by("-day").values_list("day", flat=True).first()
    earlier = {key: value for key, value in _monthly().items() if key[0] < day.replace(day=1)}
    DailyRollup.objects.filter(day=day).delete()

    rebuild_months(organisation.pk, since=day)

    assert _monthly() == _daily_by_month()
    assert {key: value for key, value in _monthly().items() if key[0] < day.replace(day=1)} == earlier


def test_value_maps_add_up_like_counters():
    maps = [{5: 1, 120: 2}, {120: 3, 7000: 1}, {5: 4}, {}]
    expected = Counter()
    for each in maps:
        expected.update(each)

    assert cellsums.summed_maps([dict(each) for each in maps]) == dict(expected) == {5: 5, 120: 5, 7000: 1}
    assert cellsums.summed_maps([{1: 2}]) == {1: 2}


def test_packed_maps_add_up_like_counters():
    maps = [{5: 1, 120: 2, -3: 1}, {120: 3, 7000: 1}, {5: 4, -3: 2}, {}]
    expected = Counter()
    for each in maps:
        expected.update(each)

    summed = packing.unpacked_sum([packing.packed(each.items()) for each in maps])

    assert summed == dict(expected) == {5: 5, 120: 5, 7000: 1, -3: 3}
    assert packing.unpacked_sum([packing.packed([(1, 2)])]) == {1: 2}


def test_combining_reads_adds_them_up_and_takes_over_what_only_one_holds():
    a, b = dictionary.Aggregate, D(2026, 3, 1)
    first = {None: {b: {"x": a(count=1, total=2.0, values=Counter({5: 1}))}}, 7: {b: {"y": a(count=1)}}}
    only_more = a(count=4, total=4.0, values=Counter({9: 4}))
    more = {None: {b: {"x": a(count=2, total=3.0, values=Counter({5: 1, 6: 1})), "z": only_more}}, 8: {b: {}}}

    combined = cellsums.combine(first, more)

    assert combined[None][b]["x"] == a(count=3, total=5.0, values=Counter({5: 2, 6: 1}))
    assert combined[None][b]["z"] is only_more
    assert combined[7][b]["y"] == a(count=1)
    assert combined[8] == {b: {}}
    assert cellsums.combine({}, more) is more


def test_a_fold_reads_the_rows_the_orm_would_read(rolled, organisation, django_assert_num_queries):
    # On PostgreSQL through a cursor with binary results; the rows, their types and their order must be the ORM's.
    rows = (
        MonthlyMarginalRollup.objects.filter(organisation=organisation)
        .annotate(bucket=cellsums.span_buckets([D(2026, 3, 1)]))
        .order_by("agent_id", "day", "measure", "id")
        .values_list("agent_id", "bucket", "measure", "count", "total", "packed")
    )
    expected = [(*row[:-1], bytes(row[-1])) for row in rows]
    assert any(row[-1] for row in expected)

    with django_assert_num_queries(1):
        fetched = cellsums._fetched(rows.all())

    assert [(*row[:-1], bytes(row[-1])) for row in fetched] == expected
    assert [tuple(map(type, row[:-1])) for row in fetched] == [tuple(map(type, row[:-1])) for row in expected]
