"""Incremental roll-up of reporting events into ``DailyRollup`` cells (and their months and marginal cells).

``rollup()`` reads, per organisation, only the events above its watermark
(``RollupState.last_event_id``), turns each into one or more *measures* (``measures_of``),
adds them up in Python per cell and writes the cells in bulk. It is safe to run from several
processes at once: every batch starts by writing the organisation's ``RollupState`` row, which
takes the row lock on PostgreSQL and the write lock on SQLite, so a second runner waits and then
carries on from the new watermark. A batch commits its cells and its watermark together, so a
crash never counts an event twice or not at all.

Events are numbered when inserted but become visible when their transaction commits, so a
later id can be visible before an earlier one. To not step over an event whose transaction is
still open, a run stops before the first event recorded less than ``settle_seconds`` ago.

Durations enter a cell's value map to three significant digits (``rounding.kept``); its count and sum
stay exact. Each batch also adds its cells to their months (``MonthlyRollup``) and to the marginal cells
per branch and per branch × team, agent or channel (``grains.py``), daily and monthly, in the same
transaction.

FCR needs to look ahead: a contact counts as resolved at first contact if the same client does
not contact again on the same topic within N days. A day's FCR is therefore computed once, when
it is *final*: when every event up to N + 2 days after it has been rolled up (N days of
look-ahead, one for the day itself, one of margin for time zones). Until then the day has no
FCR figure ("no data"); afterwards it is not revised.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from typing import Any
from zoneinfo import ZoneInfo

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from frontoffice.core.models import Branch, Organisation, ReportingEvent
from frontoffice.core.reporting import EventKind

from . import grains, packing
from .models import (
    DailyMarginalRollup,
    DailyRollup,
    MonthlyMarginalRollup,
    MonthlyRollup,
    ReportSettings,
    RollupCell,
    RollupState,
)
from .rounding import kept

SETTLE_SECONDS = 60
BATCH_SIZE = 20_000

# (day, branch_id, team_id, agent_id, channel, measure); a marginal cell's key has its grain after these.
CellKey = tuple[Any, ...]


class Cell:
    __slots__ = ("count", "total", "values")

    def __init__(self) -> None:
        self.count = 0
        self.total = 0.0
        self.values: Counter[int] = Counter()

    def add(self, value: int | None, times: int = 1, *, kept_as: int | None = None) -> None:
        """Count ``value``; its map keeps ``kept_as`` when given (a rounded duration), the sum the value itself."""
        self.count += times
        if value is not None:
            self.total += value * times
            self.values[value if kept_as is None else kept_as] += times

    def absorb(self, count: int, total: float, values: dict[int, int]) -> None:
        """Add another cell's count, sum and value map to this one."""
        self.count += count
        self.total += total
        self.values.update(values)


def _whole(value: float | None) -> int | None:
    return None if value is None else round(value)


def measures_of(
    kind: str,
    value: float | None,
    data: dict[str, Any],
    *,
    tz: ZoneInfo | None = None,
    occurred_at: dt.datetime | None = None,
) -> Iterator[tuple[str, int | None]]:
    """The measures one event adds to its cell: ``(measure, whole value or None)``."""
    v = _whole(value)
    if kind == EventKind.CONTACT_RECEIVED:
        yield "contacts", None
    elif kind == EventKind.CONTACT_SENT:
        yield "contacts.sent", None
    elif kind == EventKind.CASE_CREATED:
        yield "cases.created", None
        if occurred_at is not None and tz is not None:
            # The case enters the backlog: keyed by the local day it was created (see backlog age).
            yield "backlog.in", occurred_at.astimezone(tz).date().toordinal()
    elif kind == EventKind.CASE_FIRST_RESPONSE:
        yield "first_response", v
        yield from _business("first_response", data)
    elif kind == EventKind.CASE_RESPONSE:
        yield "next_response", v
        yield from _business("next_response", data)
    elif kind == EventKind.CASE_RESOLVED:
        yield "resolved", None
        if not data.get("reopened"):
            yield "resolved.first", None
            yield "resolution", v
            yield from _business("resolution", data)
            if data.get("replies") == 1:
                yield "one_touch", None
            if v is not None and occurred_at is not None and tz is not None:
                # The case leaves the (never reopened) backlog: keyed by the local day it was created.
                created = (occurred_at - dt.timedelta(seconds=v)).astimezone(tz).date()
                yield "backlog.out", created.toordinal()
    elif kind == EventKind.CASE_REOPENED:
        yield "reopened", None
    elif kind == EventKind.CASE_CLOSED:
        yield "closed", None
    elif kind in (EventKind.SLA_MET, EventKind.SLA_BREACHED):
        target = str(data.get("target") or "")
        if target:
            yield f"sla.{'met' if kind == EventKind.SLA_MET else 'breached'}.{target}", None
    elif kind == EventKind.CALL_OFFERED:
        yield "calls.offered", None
    elif kind == EventKind.CALL_ANSWERED:
        yield "calls.answered", v
    elif kind == EventKind.CALL_ABANDONED:
        yield ("calls.abandoned.short" if data.get("short") else "calls.abandoned"), v
    elif kind == EventKind.CALL_ENDED:
        yield "handle", v
        for part in ("talk", "hold", "wrap"):
            if data.get(part) is not None:
                yield f"handle.{part}", _whole(float(data[part]))
    elif kind == EventKind.AGENT_STATE:
        state = str(data.get("state") or "")
        if state:
            yield f"state.{state}", v
    elif kind == EventKind.VISIT_FINISHED:
        yield "visits", None
    elif kind == EventKind.QUEUE_SERVED:
        yield "desk.service", v
        for key, phase in QUEUE_PHASES.items():
            if data.get(key) is not None:
                yield f"desk.wait.{phase}", _whole(float(data[key]))
    elif kind == EventKind.SURVEY_SENT:
        yield "surveys.sent", None
    elif kind == EventKind.SURVEY_ANSWERED:
        yield "surveys.answered", None
        survey_type = str(data.get("survey_type") or "")
        if survey_type:
            yield f"survey.{survey_type}", v


def _business(measure: str, data: dict[str, Any]) -> Iterator[tuple[str, int | None]]:
    """``<measure>.business``: the business seconds an SLA clock timed (by its policy's calendar, paused
    time left out); a case no policy ran a clock for has none and is not counted."""
    seconds = data.get("business_seconds")
    if seconds is not None:
        yield f"{measure}.business", _whole(float(seconds))


# queue.served's data keys (desk.reporting) → the measured phase: in line until called, walk to the counter.
QUEUE_PHASES = {"wait": "to_call", "walk": "to_start"}


class TimeZones:
    """The local time zone of each branch of one organisation (the organisation's for events without one)."""

    def __init__(self, organisation: Organisation) -> None:
        self.default = ZoneInfo(organisation.time_zone)
        self.by_branch = {
            pk: ZoneInfo(name)
            for pk, name in Branch.objects.filter(organisation=organisation).values_list("pk", "time_zone")
        }

    def of(self, branch_id: int | None) -> ZoneInfo:
        return self.by_branch.get(branch_id or 0, self.default)


def _write(organisation_id: int, cells: dict[CellKey, Cell]) -> None:
    """Add ``cells`` to the stored daily cells, to their months' and to both levels' marginal cells (the caller
    holds the organisation's roll-up lock)."""
    _store(DailyRollup, organisation_id, cells)
    _store(MonthlyRollup, organisation_id, by_month(cells))
    margins = grains.margins_of(cells, Cell, kept_already=True)  # _cells_of kept the durations
    _store(DailyMarginalRollup, organisation_id, margins)
    _store(MonthlyMarginalRollup, organisation_id, by_month(margins))


def by_month(cells: dict[CellKey, Cell]) -> dict[CellKey, Cell]:
    """``cells`` added up per calendar month, each keyed by its month's first day."""
    months: dict[CellKey, Cell] = defaultdict(Cell)
    for key, cell in cells.items():
        months[(key[0].replace(day=1), *key[1:])].absorb(cell.count, cell.total, cell.values)
    return months


def _store(model: type[RollupCell], organisation_id: int, cells: dict[CellKey, Cell]) -> None:
    if not cells:
        return
    days = {key[0] for key in cells}
    measures = {key[5] for key in cells}
    fields = _key_fields(model)
    stored = model._default_manager.filter(organisation_id=organisation_id, day__in=days, measure__in=measures)
    if "grain" in fields:
        stored = stored.filter(grain__in={key[6] for key in cells})
    existing = {tuple(getattr(row, name) for name in fields): row for row in stored}
    with_packed = packing.has_packed_maps(model)
    to_update, to_create = [], []
    for key, cell in cells.items():
        row = existing.get(key)
        if row is None:
            row = model(organisation_id=organisation_id, **dict(zip(fields, key, strict=True)))
            to_create.append(row)
        else:
            to_update.append(row)
        merged = Counter({int(k): n for k, n in (row.values or {}).items()})
        merged.update(cell.values)
        row.count += cell.count
        row.total += cell.total
        items = sorted(merged.items())
        row.values = {str(k): n for k, n in items}
        if with_packed:
            row.packed = packing.packed(items)  # type: ignore[attr-defined]
    model._default_manager.bulk_create(to_create, batch_size=1000)
    _update(model, to_update, with_packed=with_packed)


def _key_fields(model: type[RollupCell]) -> tuple[str, ...]:
    """The fields of a cell's key in ``CellKey`` order: a marginal cell's grain comes last."""
    fields = ("day", "branch_id", "team_id", "agent_id", "channel", "measure")
    return (*fields, "grain") if any(field.name == "grain" for field in model._meta.fields) else fields


def _update(model: type[RollupCell], rows: list[RollupCell], *, with_packed: bool = False) -> None:
    """Write the new count, sum and value map of stored cells (and the packed map, ``with_packed``): one UPDATE
    by primary key per cell, sent with ``executemany`` (pipelined on PostgreSQL). Django's ``bulk_update``
    builds a CASE over every id of a batch, which the database evaluates for each row: quadratic, minutes for
    a day's cells at scale."""
    if not rows:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    count, total, values, packed = (connection.ops.quote_name(name) for name in ("count", "total", "values", "packed"))
    cast = "::jsonb" if connection.vendor == "postgresql" else ""
    sets = f"{count} = %s, {total} = %s, {values} = %s{cast}" + (f", {packed} = %s" if with_packed else "")
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET {sets} WHERE id = %s",  # noqa: S608
            [
                (row.count, row.total, json.dumps(row.values), *((row.packed,) if with_packed else ()), row.pk)  # type: ignore[attr-defined]
                for row in rows
            ],
        )


def _lock(organisation_id: int) -> RollupState:
    """Take the organisation's roll-up lock (inside a transaction) and return its fresh state."""
    if not RollupState.objects.filter(organisation_id=organisation_id).exists():
        try:
            with transaction.atomic():
                RollupState.objects.create(organisation_id=organisation_id)
        except IntegrityError:
            pass  # created by a concurrent run
    # A write first: on SQLite it takes the database's write lock, on PostgreSQL the row lock.
    RollupState.objects.filter(organisation_id=organisation_id).update(updated_at=timezone.now())
    return RollupState.objects.select_for_update().get(organisation_id=organisation_id)


def _cells_of(events: Iterable[tuple[Any, ...]], zones: TimeZones) -> dict[CellKey, Cell]:
    cells: dict[CellKey, Cell] = defaultdict(Cell)
    for _pk, branch_id, kind, occurred_at, channel, agent_id, team_id, value, data, *_rest in events:
        tz = zones.of(branch_id)
        day = occurred_at.astimezone(tz).date()
        base = (day, branch_id or 0, team_id or 0, agent_id or 0, channel or "")
        for measure, measure_value in measures_of(kind, value, data or {}, tz=tz, occurred_at=occurred_at):
            cells[(*base, measure)].add(measure_value, kept_as=kept(measure, measure_value))
    return cells


def _rollup_events(organisation: Organisation, zones: TimeZones, cutoff: dt.datetime, batch_size: int) -> int:
    done = 0
    while True:
        with transaction.atomic():
            state = _lock(organisation.pk)
            events = ReportingEvent.objects.filter(organisation=organisation, id__gt=state.last_event_id)
            batch = list(
                events.order_by("id").values_list(
                    "id",
                    "branch_id",
                    "kind",
                    "occurred_at",
                    "channel",
                    "agent_id",
                    "team_id",
                    "value",
                    "data",
                    "recorded_at",
                )[:batch_size]
            )
            # Stop before the first event recorded after the cutoff (found in the batch itself: a separate
            # query would scan every event above the watermark, each batch, when catching up).
            unsettled = next((n for n, row in enumerate(batch) if row[9] > cutoff), None)
            if unsettled is not None:
                batch = batch[:unsettled]
            if not batch:
                return done
            _write(organisation.pk, _cells_of(batch, zones))
            state.last_event_id = batch[-1][0]
            state.save(update_fields=["last_event_id", "updated_at"])
            done += len(batch)
        if len(batch) < batch_size:
            return done


def fcr_days_for(organisation_id: int) -> int:
    found = ReportSettings.objects.filter(organisation_id=organisation_id).values_list("fcr_days", flat=True).first()
    return found or 7


def _rollup_fcr(organisation: Organisation, zones: TimeZones, cutoff: dt.datetime) -> int:
    """Compute FCR for the days that became final since the last run; returns how many contacts it judged."""
    window_days = fcr_days_for(organisation.pk)
    window = dt.timedelta(days=window_days)
    final_through = cutoff.astimezone(dt.UTC).date() - dt.timedelta(days=window_days + 2)
    with transaction.atomic():
        state = _lock(organisation.pk)
        contacts = ReportingEvent.objects.filter(
            organisation=organisation,
            kind=EventKind.CONTACT_RECEIVED,
            client_id__isnull=False,
            topic_id__isnull=False,
            id__lte=state.last_event_id,
        )
        if state.fcr_final_through is None:
            first = contacts.order_by("occurred_at").values_list("occurred_at", flat=True).first()
            if first is None:
                return 0
            start = first.astimezone(dt.UTC).date() - dt.timedelta(days=2)
        else:
            start = state.fcr_final_through
        if final_through <= start:
            return 0
        since = dt.datetime.combine(start - dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC)
        until = dt.datetime.combine(final_through + dt.timedelta(days=window_days + 2), dt.time.min, tzinfo=dt.UTC)
        rows = contacts.filter(occurred_at__gte=since, occurred_at__lt=until).order_by(
            "client_id", "topic_id", "occurred_at", "id"
        )
        cells: dict[CellKey, Cell] = defaultdict(Cell)
        judged = 0
        previous: tuple[Any, ...] | None = None
        fields = ("client_id", "topic_id", "occurred_at", "branch_id", "team_id", "agent_id", "channel")

        def judge(contact: tuple[Any, ...], repeat_at: dt.datetime | None) -> None:
            nonlocal judged
            _client, _topic, occurred_at, branch_id, team_id, agent_id, channel = contact
            day = occurred_at.astimezone(zones.of(branch_id)).date()
            if not start < day <= final_through:
                return
            base = (day, branch_id or 0, team_id or 0, agent_id or 0, channel or "")
            cells[(*base, "fcr.contacts")].add(None)
            if repeat_at is None or repeat_at - occurred_at > window:
                cells[(*base, "fcr.resolved")].add(None)
            judged += 1

        for row in rows.values_list(*fields).iterator(chunk_size=5000):
            if previous is not None:
                same = previous[0] == row[0] and previous[1] == row[1]
                judge(previous, row[2] if same else None)
            previous = row
        if previous is not None:
            judge(previous, None)
        _write(organisation.pk, cells)
        state.fcr_final_through = final_through
        state.save(update_fields=["fcr_final_through", "updated_at"])
        return judged


def rollup(
    *,
    organisation: Organisation | None = None,
    now: dt.datetime | None = None,
    settle_seconds: int = SETTLE_SECONDS,
    batch_size: int = BATCH_SIZE,
) -> int:
    """Roll up every organisation's (or one's) new events; returns how many events were counted.

    ``now`` decides which days' FCR is final (tests pass a chosen one); the settle time is always
    measured on the real clock, since it is about transactions still open.
    """
    now = now or timezone.now()
    cutoff = timezone.now() - dt.timedelta(seconds=settle_seconds)
    organisations = [organisation] if organisation is not None else list(Organisation.objects.all())
    done = 0
    for each in organisations:
        zones = TimeZones(each)
        done += _rollup_events(each, zones, cutoff, batch_size)
        _rollup_fcr(each, zones, min(now, cutoff))
    return done


def rebuild_months(organisation_id: int | None = None, since: dt.date | None = None) -> int:
    """Recompute the monthly cells (full and marginal) from the daily ones (all organisations', or one's; every
    month, or from ``since``'s month on); returns how many monthly cells were written. For daily cells changed
    by hand (remove the marginal daily cells of changed days too: ``rebuild_margins`` refills them)."""
    organisations = (
        [organisation_id]
        if organisation_id is not None
        else list(DailyRollup.objects.values_list("organisation_id", flat=True).distinct().order_by())
    )
    written = 0
    for each in organisations:
        with transaction.atomic():
            written += _rebuild(DailyRollup, MonthlyRollup, each, since)
            written += _rebuild(DailyMarginalRollup, MonthlyMarginalRollup, each, since)
    return written


def _rebuild(daily_model: type[RollupCell], monthly_model: type[RollupCell], organisation_id: int, since: Any) -> int:
    daily = daily_model._default_manager.filter(organisation_id=organisation_id)
    monthly = monthly_model._default_manager.filter(organisation_id=organisation_id)
    if since is not None:
        daily = daily.filter(day__gte=since.replace(day=1))
        monthly = monthly.filter(day__gte=since.replace(day=1))
    monthly.delete()
    first = daily.order_by("day").values_list("day", flat=True).first()
    last = daily.order_by("-day").values_list("day", flat=True).first()
    if first is None or last is None:
        return 0
    fields = _key_fields(daily_model)
    written = 0
    month = first.replace(day=1)
    while month <= last:
        following = (month + dt.timedelta(days=32)).replace(day=1)
        cells: dict[CellKey, Cell] = defaultdict(Cell)
        rows = daily.filter(day__gte=month, day__lt=following).values_list(*fields[1:], "count", "total", "values")
        for *key, count, total, values in rows.iterator(chunk_size=10_000):
            cells[(month, *key)].absorb(count, total, {int(k): n for k, n in (values or {}).items()})
        _store(monthly_model, organisation_id, cells)
        written += len(cells)
        month = following
    return written


def rebuild_margins(organisation_id: int, since: dt.date) -> int:
    """Recompute the marginal daily cells of one organisation from ``since`` on from its full daily cells, then
    every month from ``since``'s on; returns how many monthly cells were written. For full cells changed by
    hand (the bench removes a day it added)."""
    with transaction.atomic():
        DailyMarginalRollup.objects.filter(organisation_id=organisation_id, day__gte=since).delete()
        rows = DailyRollup.objects.filter(organisation_id=organisation_id, day__gte=since).values_list(
            "day", "branch_id", "team_id", "agent_id", "channel", "measure", "count", "total", "values"
        )
        cells: dict[CellKey, Cell] = defaultdict(Cell)
        for *key, count, total, values in rows.iterator(chunk_size=10_000):
            cells[tuple(key)].absorb(count, total, {int(k): n for k, n in (values or {}).items()})
        _store(DailyMarginalRollup, organisation_id, grains.margins_of(cells, Cell))
    return rebuild_months(organisation_id, since=since)
