"""Dashboard reads: the key metrics over a period next to the period before it, their trends, tables by
branch / team / agent / channel, and the executive table of every branch.

Everything is computed from the roll-ups the user may read (``selectors.scoped_cells``), added up in the
database (``cellsums``) into one ``Aggregate`` per period and measure (and per dimension value for the
tables); each figure adds up the buckets it covers. Someone who only sees their own figures gets their
own cells and their team's median (``selectors.team_medians``), never a colleague's figure.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from frontoffice.core.scoping import scope_for
from frontoffice.core.selectors import branch_list

from . import cellsums, dictionary, selectors
from .cellsums import DayCells, result_of
from .choices import CHANNEL_LABELS
from .dictionary import Metric, Result
from .selectors import Filters

# The figures a dashboard shows, in this order (docs/reports.md); the dictionary has them all.
KEY_METRICS = (
    "csat",
    "nps",
    "ces",
    "response_rate",
    "first_response_time",
    "resolution_time",
    "sla_first_response",
    "sla_next_response",
    "sla_resolution",
    "backlog",
    "fcr",
    "calls_offered",
    "calls_answered",
    "asa",
    "abandonment_rate",
    "service_level",
    "aht",
    "desk_wait_to_call",
    "desk_wait_to_start",
)
PERIOD_KINDS = ("day", "week", "month", "custom")
BREAKDOWNS = ("branch", "team", "agent", "channel")
# A trend covers the period and the one before it, and at least this many days.
TREND_MIN_DAYS = 14


def key_metrics() -> list[Metric]:
    return [dictionary.BY_KEY[key] for key in KEY_METRICS]


# --- periods -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Span:
    """The chosen period (local days, both included) and the one it is compared with."""

    kind: str
    start: dt.date
    end: dt.date
    before_start: dt.date
    before_end: dt.date

    @property
    def period(self) -> selectors.Period:
        return (self.start, self.end)

    @property
    def previous(self) -> selectors.Period:
        return (self.before_start, self.before_end)

    @property
    def trend_start(self) -> dt.date:
        return min(self.before_start, self.end - dt.timedelta(days=TREND_MIN_DAYS - 1))

    @property
    def trend_bucket(self) -> str:
        days = (self.end - self.trend_start).days + 1
        return "day" if days <= 62 else "week" if days <= 400 else "month"


def _month_end(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


def span_of(kind: str, anchor: dt.date, start: dt.date | None = None, end: dt.date | None = None) -> Span:
    """A day, the ISO week or the calendar month holding ``anchor``, or ``start``–``end`` (custom).

    A preset is compared with the preset before it (the day, week or calendar month before); a custom
    range with the range of the same length just before it.
    """
    if kind == "day":
        return Span(kind, anchor, anchor, anchor - dt.timedelta(days=1), anchor - dt.timedelta(days=1))
    if kind == "week":
        first = anchor - dt.timedelta(days=anchor.weekday())
        return Span(kind, first, first + dt.timedelta(days=6), first - dt.timedelta(days=7), first - dt.timedelta(1))
    if kind == "month":
        first = anchor.replace(day=1)
        before_end = first - dt.timedelta(days=1)
        return Span(kind, first, _month_end(first), before_end.replace(day=1), before_end)
    if start is None or end is None:
        raise ValueError("a custom period needs its start and end")
    selectors.period_check(start, end)
    before = selectors.previous_period((start, end))
    return Span("custom", start, end, before[0], before[1])


def span_step(span: Span, step: int) -> Span:
    """The span ``step`` periods later (or earlier, when negative), of the same kind."""
    if span.kind == "day":
        return span_of("day", span.start + dt.timedelta(days=step))
    if span.kind == "week":
        return span_of("week", span.start + dt.timedelta(days=7 * step))
    if span.kind == "month":
        anchor = span.start
        for _month in range(abs(step)):
            if step < 0:
                anchor = (anchor - dt.timedelta(days=1)).replace(day=1)
            else:
                anchor = _month_end(anchor) + dt.timedelta(days=1)
        return span_of("month", anchor)
    length = dt.timedelta(days=(span.end - span.start).days + 1) * step
    return span_of("custom", span.start, span.start + length, span.end + length)


def buckets(first: dt.date, last: dt.date, size: str) -> list[tuple[dt.date, dt.date]]:
    """``first``–``last`` cut into days, ISO weeks or calendar months (the first and last clipped)."""
    out = []
    day = first
    while day <= last:
        if size == "week":
            end = day - dt.timedelta(days=day.weekday()) + dt.timedelta(days=6)
        elif size == "month":
            end = _month_end(day)
        else:
            end = day
        end = min(end, last)
        out.append((day, end))
        day = end + dt.timedelta(days=1)
    return out


# --- reading cells -----------------------------------------------------------------------------------


def _read(
    *,
    user: Any,
    metrics: Iterable[Metric],
    since: dt.date,
    until: dt.date,
    filters: Filters,
    starts: list[dt.date],
    by: str | None = None,
) -> cellsums.Folded:
    plain, snapshot = selectors.metric_sets(metrics)
    return selectors.fold_cells(
        user=user, plain=plain, snapshot=snapshot, since=since, until=until, filters=filters, starts=starts, by=by
    )


def _both_periods(
    *, user: Any, metrics: list[Metric], span: Span, filters: Filters, by: str | None = None
) -> cellsums.Folded:
    """``metrics``' cells (per ``by``, or all together), bucketed into the span and the span before it."""
    return _read(
        user=user,
        metrics=metrics,
        since=span.before_start,
        until=span.end,
        filters=filters,
        starts=[span.before_start, span.start],
        by=by,
    )


# --- the manager's (and the agent's) dashboard ------------------------------------------------------------


@dataclass
class Figure:
    metric: Metric
    current: Result
    previous: Result
    variant: str = ""
    team_median: float | None = None

    @property
    def change(self) -> float | None:
        if self.current.value is None or self.previous.value is None:
            return None
        return self.current.value - self.previous.value

    @property
    def direction(self) -> str:
        """``better``, ``worse`` or ``""`` (no change, no comparison, or a metric with no better side)."""
        change = self.change
        if not change or self.metric.higher_is_better is None:
            return ""
        return "better" if (change > 0) == self.metric.higher_is_better else "worse"


@dataclass
class TableRow:
    group: Any  # the dimension's value: a branch, team or agent id, or a channel code
    name: str
    cells: list[tuple[Metric, Result]]

    @property
    def results(self) -> list[Result]:
        return [result for _metric, result in self.cells]


@dataclass
class Table:
    by: str
    rows: list[TableRow] = field(default_factory=list)

    @property
    def title(self) -> str:
        return {
            "branch": _("By branch"),
            "team": _("By team"),
            "agent": _("By staff member"),
            "channel": _("By channel"),
        }[self.by]


@dataclass
class Dashboard:
    span: Span
    figures: list[Figure]
    tables: list[Table]
    own_only: bool


def dashboard(*, user: Any, span: Span, filters: Filters) -> Dashboard:
    """The key metrics over ``span`` and the span before it, and the tables by dimension (agents' table only
    for those who may see every figure)."""
    metrics = key_metrics()
    organisation_id = scope_for(user).organisation_id or 0
    params = selectors.params_for(organisation_id, span.end)
    own_only = not selectors.can_view_all(user)
    medians = selectors.team_medians(user=user, metrics=metrics, period=span.period) if own_only else {}
    # The headline figures over both periods, all branches together (for someone who sees every branch, from
    # the cells summed over them: one map per measure, not one per branch); each table over the period alone.
    days = _both_periods(user=user, metrics=metrics, span=span, filters=filters).get(None, {})
    figures = [
        Figure(
            metric=metric,
            current=result_of(metric, days, span.start, span.end, params),
            previous=result_of(metric, days, span.before_start, span.before_end, params),
            variant=metric.variant(params),
            team_median=medians.get(metric.key),
        )
        for metric in metrics
    ]
    tables = []
    for by in BREAKDOWNS:
        if by == "agent" and own_only:
            continue
        groups = _read(
            user=user, metrics=metrics, since=span.start, until=span.end, filters=filters, starts=[span.start], by=by
        )
        names = dimension_names(user=user, by=by, ids=groups)
        table = Table(by=by)
        for group, group_days in groups.items():
            cells = [(metric, result_of(metric, group_days, span.start, span.end, params)) for metric in metrics]
            if any(result.value is not None for _metric, result in cells):
                table.rows.append(TableRow(group=group, name=names.get(group, str(group)), cells=cells))
        table.rows.sort(key=lambda row: row.name.casefold())
        tables.append(table)
    return Dashboard(span=span, figures=figures, tables=tables, own_only=own_only)


def dimension_names(*, user: Any, by: str, ids: Iterable[Any]) -> dict[Any, str]:
    """Display names of branch, team or agent ids (or channel codes) the user may read figures of."""
    ids = list(ids)
    if by == "channel":
        return {code: str(CHANNEL_LABELS.get(code, code)) if code else _("No channel") for code in ids}
    numbers = [pk for pk in ids if pk]
    names: dict[Any, str] = {0: {"branch": _("No branch"), "team": _("No team"), "agent": _("No staff member")}[by]}
    if not numbers:
        return names
    if by == "branch":
        names.update(branch_list(user=user, include_inactive=True).filter(pk__in=numbers).values_list("pk", "name"))
    elif by == "team":
        from frontoffice.interactions.contacts.selectors import team_list

        teams = team_list(user=user, include_inactive=True).filter(pk__in=numbers).prefetch_related(None)
        names.update(teams.values_list("pk", "name"))
    else:
        from frontoffice.interactions.contacts.selectors import organisation_staff_users

        people = organisation_staff_users(user=user, include_me=True).filter(pk__in=numbers)
        for pk, first, last, username in people.values_list("pk", "first_name", "last_name", "username"):
            names[pk] = f"{first} {last}".strip() or username
    for pk in numbers:
        names.setdefault(pk, f"#{pk}")
    return names


# --- trends -------------------------------------------------------------------------------------------


@dataclass
class Trend:
    metric: Metric
    labels: list[str]
    series: list[tuple[str, list[float | None]]]
    first: dt.date
    last: dt.date


def trend(*, user: Any, key: str, span: Span, filters: Filters, split: str = "") -> Trend:
    """``key`` per day, week or month from the previous period's start (at least two weeks back) to the
    period's end; one line, or one per branch (``split="branch"``, for those who see every figure)."""
    metric = selectors.metric_get(key)
    if split and (split != "branch" or not selectors.can_view_all(user)):
        raise PermissionDenied
    first = span.trend_start
    params = selectors.params_for(scope_for(user).organisation_id or 0, span.end)
    spans = buckets(first, span.end, span.trend_bucket)
    labels = [_label(start, end, span.trend_bucket) for start, end in spans]
    read = functools.partial(
        _read, user=user, metrics=[metric], since=first, until=span.end, filters=filters, starts=[a for a, _b in spans]
    )
    if split:
        groups = read(by=split)
        names = dimension_names(user=user, by=split, ids=groups)
        lines = [
            (names.get(group, str(group)), [result_of(metric, days, a, b, params).value for a, b in spans])
            for group, days in groups.items()
        ]
        lines.sort(key=lambda line: line[0].casefold())
    else:
        days = read().get(None, {})
        lines = [(str(metric.name), [result_of(metric, days, a, b, params).value for a, b in spans])]
    return Trend(metric=metric, labels=labels, series=lines, first=first, last=span.end)


def _label(start: dt.date, end: dt.date, size: str) -> str:
    if size == "month":
        return start.strftime("%Y-%m")
    return start.isoformat()


# --- the executive dashboard --------------------------------------------------------------------------


@dataclass
class BranchRow:
    branch_id: int
    name: str
    figures: list[Figure]


@dataclass
class Executive:
    span: Span
    metrics: list[Metric]
    total: list[Figure]
    rows: list[BranchRow]


def executive(*, user: Any, span: Span, filters: Filters) -> Executive:
    """The key metrics of every branch the user sees (an executive: the whole organisation), one row each,
    with the previous period, and the organisation's total."""
    metrics = key_metrics()
    params = selectors.params_for(scope_for(user).organisation_id or 0, span.end)

    def figures(days: DayCells) -> list[Figure]:
        return [
            Figure(
                metric=metric,
                current=result_of(metric, days, span.start, span.end, params),
                previous=result_of(metric, days, span.before_start, span.before_end, params),
                variant=metric.variant(params),
            )
            for metric in metrics
        ]

    by_branch = _both_periods(user=user, metrics=metrics, span=span, filters=filters, by="branch")
    branches = branch_list(user=user)
    if filters.branch_id is not None:
        branches = branches.filter(pk=filters.branch_id)
    table = [
        BranchRow(branch_id=pk, name=name, figures=figures(by_branch.get(pk, {})))
        for pk, name in branches.order_by("name").values_list("pk", "name")
    ]
    return Executive(span=span, metrics=metrics, total=figures(cellsums.merged(by_branch)), rows=table)
