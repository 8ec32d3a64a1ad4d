"""Roll-up cells added up: one ``Aggregate`` per dimension value, bucket and measure.

Counts and sums are added up in the database (``GROUP BY`` per group, bucket and measure); most cells
carry nothing else. The value → count maps that medians and percentiles need are read as they are stored,
only from the cells that have one, and merged here; or, for daily cells (one or two values each, so that
reading a row costs more than its values), taken apart in the database (``jsonb_each_text`` /
``json_each``), summed per value and put together again. Measured at scale, each way is the faster one for
its level. ``dictionary`` computes every metric from the result exactly as it does from the cells.

A *bucket* is the date a cell is counted under: its own day (trends), or a span's first day for
every day of that span (``span_buckets``), so that ``dashboard.result_of`` adds up a handful of buckets.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import json
from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.db.models import Case, DateField, F, Q, QuerySet, Sum, Value, When

from .dictionary import Aggregate, Metric, Params, Result
from .packing import add_counts, has_packed_maps, unpacked_sum

# Bucket date → measure → what the cells add up to; and the same per group.
DayCells = dict[dt.date, dict[str, Aggregate]]
Folded = dict[Any, DayCells]

DIMENSION_FIELDS = {"branch": "branch_id", "team": "team_id", "agent": "agent_id", "channel": "channel"}


def span_buckets(starts: Sequence[dt.date]) -> Case:
    """Each day counted under the latest of ``starts`` (ascending) on or before it; days before the first
    under the day before it (the snapshots' earlier days, which only their total matters for)."""
    first = starts[0]
    whens = [When(day__lt=first, then=Value(first - dt.timedelta(days=1)))]
    whens += [When(day__lt=later, then=Value(earlier)) for earlier, later in itertools.pairwise(starts)]
    return Case(*whens, default=Value(starts[-1]), output_field=DateField())


def fold(
    cells: QuerySet[Any], *, by: str | None = None, bucket: Case | None = None, maps_in_db: bool = False
) -> Folded:
    """``cells`` added up per value of the dimension ``by`` (None: all together) and bucket (the day).

    ``maps_in_db``: sum the value maps per value in the database, for cells whose maps are small (a day's
    cell holds one or two values: reading each row would cost more than its values); otherwise the maps are
    read as stored and merged here (a month's cell holds a hundred values and more)."""
    group = [DIMENSION_FIELDS[by]] if by else []
    keyed = cells.annotate(bucket=bucket if bucket is not None else F("day")).order_by()
    keys = [*group, "bucket", "measure"]
    folded: Folded = defaultdict(lambda: defaultdict(dict))
    dates: dict[Any, dt.date] = {}
    found_maps: dict[tuple[Any, dt.date, str], list[dict[int, int]]] = defaultdict(list)
    found_packed: dict[tuple[Any, dt.date, str], list[bytes]] = defaultdict(list)
    if not maps_in_db and has_packed_maps(cells.model):
        # Cells that keep their maps packed too (packing.py): one query for every cell's count, sum and map,
        # added up here; no JSON to parse. Read whole (not through a server-side cursor): PostgreSQL would copy
        # every map into the cursor's store before sending it (a few MB at most).
        for *found, count, total, data in _fetched(keyed.values_list(*keys, "count", "total", "packed")):
            name, day, measure = (found[0] if group else None), found[-2], found[-1]
            bucket_day = dates.get(day) or dates.setdefault(day, _date(day))
            cells_of_day = folded[name][bucket_day]
            aggregate = cells_of_day.get(measure) or cells_of_day.setdefault(measure, Aggregate())
            aggregate.count += count
            aggregate.total += total
            if data:
                found_packed[(name, bucket_day, measure)].append(data)
    else:
        sums = keyed.values(*keys).annotate(count_sum=Sum("count"), total_sum=Sum("total"))
        for *found, count, total in sums.values_list(*keys, "count_sum", "total_sum"):
            name, day, measure = (found[0] if group else None), found[-2], found[-1]
            folded[name][_date(day)][measure] = Aggregate(count=count or 0, total=total or 0.0)
        with_maps = keyed.exclude(values={})
        maps = _maps_summed(with_maps, group) if maps_in_db else list(with_maps.values_list(*keys, "values"))
        for *found, counts in maps:
            name, day, measure = (found[0] if group else None), found[-2], found[-1]
            bucket_day = dates.get(day) or dates.setdefault(day, _date(day))
            if isinstance(counts, str):
                counts = json.loads(counts)
            # Keys are text in JSON; counts are whole numbers already (SQLite's json_group_object gives text).
            values = counts.values() if isinstance(counts, dict) and not maps_in_db else map(int, counts.values())
            found_maps[(name, bucket_day, measure)].append(dict(zip(map(int, counts), values, strict=True)))
    summed = [(key, unpacked_sum(blobs)) for key, blobs in found_packed.items()]
    summed += [(key, summed_maps(maps)) for key, maps in found_maps.items()]
    for (name, bucket_day, measure), values in summed:
        # Into an empty Counter, update is a plain dict update (in C).
        cells_of_day = folded[name][bucket_day]
        aggregate = cells_of_day.get(measure) or cells_of_day.setdefault(measure, Aggregate())
        aggregate.values.update(values)
    return folded


def _fetched(rows: QuerySet[Any]) -> list[tuple[Any, ...]]:
    """The rows of ``rows`` (a ``values_list`` of plain columns and dates). On PostgreSQL they come as binary
    results: as text, every packed map would be sent hex-encoded, twice its size, and decoded here (a quarter's
    staff table reads 6 MB of maps: binary results halve its read). Django's own cursors bind parameters on the
    client, which psycopg allows only with text results, so the query runs on a cursor that binds them on the
    server, wrapped by Django as any cursor (logged, counted, its errors Django's)."""
    if connection.vendor != "postgresql":
        return list(rows)
    import psycopg

    sql, params = rows.query.sql_with_params()
    connection.ensure_connection()
    binary = psycopg.Cursor(connection.connection)
    binary.format = psycopg.pq.Format.BINARY
    # Django's own wrapping of the cursors it makes (private, but the one way to wrap a cursor of our own).
    with connection._prepare_cursor(binary) as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def summed_maps(maps: list[dict[int, int]]) -> dict[int, int]:
    """The value → count ``maps`` added up, each added to the first by built-ins (``map``, ``zip``,
    ``dict.update``) rather than a Counter's ``update``, which takes a Python step per value: 1.5 times faster
    for a staff member's months of first replies. The first map is added to in place."""
    total = maps[0]
    for each in maps[1:]:
        add_counts(total, each.keys(), each.values())
    return total


def _maps_summed(keyed: QuerySet[Any], group: list[str]) -> list[tuple[Any, ...]]:
    """(group…, bucket, measure, {value: count}) over the value maps of ``keyed``: the maps taken apart in the
    database, summed per value and put together again, one map per group, bucket and measure."""
    # Every selected column an annotation, so that their order in the SQL is the one given here.
    columns = {"fold_group": F(group[0]) if group else Value(0), "fold_measure": F("measure")}
    inner = keyed.annotate(**columns, fold_values=F("values")).values_list(
        "fold_group", "bucket", "fold_measure", "fold_values"
    )
    sql, params = inner.query.sql_with_params()
    if connection.vendor == "postgresql":
        expand = "jsonb_each_text(c.vals) AS e"
        value, times, gather = "e.key::bigint", "SUM(e.value::bigint)", "jsonb_object_agg(value, times)"
    else:
        expand = "json_each(c.vals) AS e"
        value, times, gather = "e.key", "SUM(e.value)", "json_group_object(value, times)"
    query = (
        f"WITH c(grp, bucket, measure, vals) AS ({sql}), "  # noqa: S608 - built from the ORM's own SQL
        f"s(grp, bucket, measure, value, times) AS ("
        f"SELECT c.grp, c.bucket, c.measure, {value}, {times} FROM c, {expand} GROUP BY 1, 2, 3, 4) "
        f"SELECT grp, bucket, measure, {gather} FROM s GROUP BY 1, 2, 3"
    )
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        rows = cursor.fetchall()
    return [row if group else row[1:] for row in rows]


def _date(value: Any) -> dt.date:
    """A bucket as a date (SQLite hands raw rows back as text)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def merged(folded: Folded) -> DayCells:
    """Every group of ``folded`` added together."""
    days: DayCells = defaultdict(dict)
    for group_days in folded.values():
        for day, cells in group_days.items():
            for measure, found in cells.items():
                held = days[day]
                _add(held.get(measure) or held.setdefault(measure, Aggregate()), found)
    return days


def result_of(metric: Metric, days: DayCells, first: dt.date, last: dt.date, params: Params) -> Result:
    """``metric`` over the local days ``first``–``last`` (a snapshot: every day up to ``last``).

    A measure only one bucket holds is computed from that bucket's own aggregate, not a copy of it (a table's
    row over one bucket: thousands of maps copied per page otherwise); ``compute`` only reads what it is given.
    """
    measures: dict[str, Aggregate] = {}
    added_up: set[str] = set()  # the measures summed into an aggregate of their own
    for day, cells in days.items():
        if day > last or (day < first and not metric.snapshot):
            continue
        for name in metric.measures:
            found = cells.get(name)
            if found is None:
                continue
            if name not in measures:
                measures[name] = found
                continue
            if name not in added_up:
                added_up.add(name)
                measures[name] = _copy(measures[name])
            _add(measures[name], found)
    ordinal = last.toordinal()
    if params.end_ordinal != ordinal:  # callers mostly pass the period's own (replace costs ~3 µs a call)
        params = dataclasses.replace(params, end_ordinal=ordinal)
    return metric.compute(measures, params)


def _copy(found: Aggregate) -> Aggregate:
    return Aggregate(count=found.count, total=found.total, values=Counter(found.values))


def _add(total: Aggregate, found: Aggregate) -> None:
    total.count += found.count
    total.total += found.total
    total.values.update(found.values)


def combine(folded: Folded, more: Folded) -> Folded:
    """``more`` added into ``folded`` (returned). What ``folded`` lacks is taken over from ``more``, not copied
    (``more`` is not to be used afterwards): a table's read moves tens of thousands of aggregates."""
    if not folded:
        return more
    for group, days in more.items():
        target = folded.get(group)
        if target is None:
            folded[group] = days
            continue
        for day, cells in days.items():
            held = target.get(day)
            if held is None:
                target[day] = cells
                continue
            for measure, found in cells.items():
                total = held.get(measure)
                if total is None:
                    held[measure] = found
                else:
                    _add(total, found)
    return folded


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


@dataclasses.dataclass(frozen=True)
class Reads:
    """What one kind of measure (summed, or snapshot) reads: ``months`` from the monthly cells, each counted
    under its month's bucket (``Plan.month_buckets``); ``days`` from the daily cells, each under its own
    day's bucket; ``minus``: daily cells taken away again from their month's bucket, the days a month cell
    holds that the read wants elsewhere (another bucket: they are in ``days`` too) or not at all."""

    months: tuple[dt.date, ...] = ()
    days: tuple[tuple[dt.date, dt.date], ...] = ()
    minus: tuple[tuple[dt.date, dt.date], ...] = ()


@dataclasses.dataclass(frozen=True)
class Plan:
    """Which months a read takes from the monthly cells and which days from the daily ones.

    A month is read from its monthly cell when that reads half as many cells as its days would: always when it
    lies within ``since``–``until`` and no bucket starts inside it; also when only a few of its days belong
    elsewhere (the 90-day range that starts two days before a month ends, the current month's days after
    ``until``), which are then taken away again (``Reads.minus``). Snapshots also read every month before
    ``before`` whole, under the bucket of the days before the first start.
    """

    plain: Reads
    snapshot: Reads
    month_buckets: tuple[tuple[dt.date, dt.date], ...]  # (month, the bucket its monthly cell is counted under)
    before: dt.date


def plan(since: dt.date, until: dt.date, starts: Sequence[dt.date]) -> Plan:
    starts = sorted(starts)

    def bucket_of(day: dt.date) -> dt.date:  # as span_buckets counts a day
        earlier = [start for start in starts if start <= day]
        return earlier[-1] if earlier else starts[0] - dt.timedelta(days=1)

    wanted_by_kind = {"plain": lambda day: since <= day <= until, "snapshot": lambda day: day <= until}
    reads: dict[str, dict[str, list[Any]]] = {kind: {"months": [], "days": [], "minus": []} for kind in wanted_by_kind}
    month_buckets = []
    month = month_start(since)
    while month <= until:
        days = [month + dt.timedelta(days=n) for n in range((_next_month(month) - month).days)]
        # The month's cell is counted under the bucket that holds most of its days (the earliest on a tie).
        held = Counter(bucket_of(day) for day in days if day <= until)
        bucket = max(held, key=lambda found: (held[found], -found.toordinal()))
        for kind, wanted in wanted_by_kind.items():
            inside = [day for day in days if wanted(day)]
            moved = [day for day in inside if bucket_of(day) != bucket]
            unwanted = [day for day in days if not wanted(day)]
            if not inside:
                continue
            # Cells read: the month's, the moved days twice (taken away, added to their bucket), the unwanted once;
            # the month's only when that reads at most half as many cells as its days (a month's cell is larger).
            if 2 * (1 + 2 * len(moved) + len(unwanted)) <= len(inside):
                reads[kind]["months"].append(month)
                reads[kind]["minus"] += sorted(moved + unwanted)
                reads[kind]["days"] += moved
                if (month, bucket) not in month_buckets:
                    month_buckets.append((month, bucket))
            else:
                reads[kind]["days"] += inside
        month = _next_month(month)
    plain, snapshot = (
        Reads(months=tuple(found["months"]), days=_runs(found["days"]), minus=_runs(found["minus"]))
        for found in (reads["plain"], reads["snapshot"])
    )
    return Plan(plain=plain, snapshot=snapshot, month_buckets=tuple(month_buckets), before=month_start(since))


def _runs(days: Sequence[dt.date]) -> tuple[tuple[dt.date, dt.date], ...]:
    """Ascending ``days`` as runs of consecutive days (first, last)."""
    runs: list[tuple[dt.date, dt.date]] = []
    for day in days:
        if runs and runs[-1][1] + dt.timedelta(days=1) == day:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return tuple(runs)


def month_buckets(layout: Plan, starts: Sequence[dt.date]) -> Case:
    """The bucket each monthly cell of ``layout`` is counted under; months before ``layout.before`` (the
    snapshots' earlier months) under the day before the first start."""
    whens = [When(day=month, then=Value(bucket)) for month, bucket in layout.month_buckets]
    return Case(*whens, default=Value(min(starts) - dt.timedelta(days=1)), output_field=DateField())


def minus_buckets(layout: Plan, starts: Sequence[dt.date]) -> Case:
    """The bucket each taken-away daily cell is taken from: its month's."""
    whens = [
        When(day__gte=month, day__lt=_next_month(month), then=Value(bucket)) for month, bucket in layout.month_buckets
    ]
    return Case(*whens, default=Value(min(starts) - dt.timedelta(days=1)), output_field=DateField())


def take_away(folded: Folded, less: Folded) -> Folded:
    """``less`` taken away from ``folded`` (returned); what is left at nothing is removed, so that the result
    is the one read without the days taken away."""
    for group, days in less.items():
        target = folded.setdefault(group, defaultdict(dict))
        for day, cells in days.items():
            bucket = target.setdefault(day, {})
            for measure, found in cells.items():
                total = bucket.get(measure) or bucket.setdefault(measure, Aggregate())
                total.count -= found.count
                total.total -= found.total
                total.values.subtract(found.values)
                for value in found.values:
                    if total.values[value] == 0:
                        del total.values[value]
                if total.count == 0 and not total.values:
                    del bucket[measure]
            if not bucket:
                del target[day]
        if not target:
            del folded[group]
    return folded


def days_q(runs: Sequence[tuple[dt.date, dt.date]]) -> Q:
    """Any day in ``runs`` (none: no day)."""
    q = Q(pk__in=[])
    for first, last in runs:
        q |= Q(day__range=(first, last))
    return q
