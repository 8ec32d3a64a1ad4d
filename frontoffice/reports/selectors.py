"""Metric values read from the roll-ups, scoped to the user.

A manager or executive (``view_reports``) sees every figure of their branches (an executive:
of the organisation). Someone who only holds ``view_own_reports`` (a clerk or an agent) sees
only their own agent-level figures, plus ``team_median``: the median of their team's agents,
which never shows a colleague's own figure.
"""

from __future__ import annotations

import datetime as dt
import functools
import operator
import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from frontoffice.core.models import Branch
from frontoffice.core.scoping import Scope, scope_for

from . import cellsums, dictionary, grains
from .dictionary import Metric, Params, Result
from .models import (
    DailyMarginalRollup,
    DailyRollup,
    MonthlyMarginalRollup,
    MonthlyRollup,
    ReportSettings,
    RollupCell,
)
from .permissions import ReportsPermission

MAX_PERIOD_DAYS = 366
GROUPS_BY_TIME = ("day", "week", "month")
GROUPS_BY_DIMENSION = ("branch", "team", "agent", "channel")
GROUPS = GROUPS_BY_TIME + GROUPS_BY_DIMENSION
# A team median is shown only over at least this many agents, so that it cannot give away a colleague's figure.
TEAM_MEDIAN_MIN_AGENTS = 3

Period = tuple[dt.date, dt.date]


@dataclass(frozen=True)
class Filters:
    branch_id: int | None = None
    team_id: int | None = None
    agent_id: int | None = None
    channel: str = ""


@dataclass
class MetricValue:
    """One metric over one period (and one group, in a series); ``result.value`` None is "no data"."""

    key: str
    version: int
    start: dt.date
    end: dt.date
    result: Result
    variant: str = ""
    group: str = ""
    parts: dict[str, Any] = field(default_factory=dict)

    @property
    def value(self) -> float | None:
        return self.result.value


def can_view_all(user: Any) -> bool:
    return bool(user.has_perm(ReportsPermission.VIEW_REPORTS.perm))


def can_view_own(user: Any) -> bool:
    return can_view_all(user) or bool(user.has_perm(ReportsPermission.VIEW_OWN_REPORTS.perm))


def metric_get(key: str) -> Metric:
    metric = dictionary.get(key)
    if metric is None:
        raise ValidationError({"metric": _("Unknown metric. The dictionary lists the metrics there are.")})
    return metric


def period_check(start: dt.date, end: dt.date) -> None:
    if start > end:
        raise ValidationError({"from": _("The period starts after it ends.")})
    if (end - start).days + 1 > MAX_PERIOD_DAYS:
        raise ValidationError({"to": _("The period is too long: at most %(days)s days.") % {"days": MAX_PERIOD_DAYS}})


def params_for(organisation_id: int, end: dt.date) -> Params:
    found = ReportSettings.objects.filter(organisation_id=organisation_id).first()
    if found is None:
        return Params(end_ordinal=end.toordinal())
    return Params(
        fcr_days=found.fcr_days,
        service_level_seconds=found.service_level_seconds,
        service_level_target=found.service_level_target,
        end_ordinal=end.toordinal(),
    )


def scoped_cells(
    *,
    user: Any,
    measures: Iterable[str],
    since: dt.date | None,
    until: dt.date,
    filters: Filters,
    model: type[RollupCell] = DailyRollup,
    grain: str = grains.FULL,
) -> QuerySet[Any]:
    """The cells of ``model`` the user may read, filtered; ``grain``: a marginal model's grain (one that keeps
    every dimension ``filters`` and the user's scope need: ``read_grain``)."""
    if not can_view_own(user):
        raise PermissionDenied
    scope = scope_for(user)
    if scope.is_empty or scope.organisation_id is None:
        return model._default_manager.none()
    cells = model._default_manager.filter(
        organisation_id=scope.organisation_id, measure__in=list(measures), day__lte=until
    )
    if grain in grains.BY_BRANCH_OF:
        # Summed over every branch: only for a scope that holds them all (read_grain); an organisation-wide
        # scope also sees the events with no branch, kept in the grain by branch under branch 0.
        if filters.branch_id is not None or not covers_every_branch(user):
            raise ValueError(f"the {grain} grain is read only over every branch")
        everything = Q(grain=grain)
        if scope.branch_ids is None:
            everything |= Q(grain=grains.BY_BRANCH_OF[grain], branch_id=0)
        cells = cells.filter(everything)
    elif grain != grains.FULL:
        cells = cells.filter(Q(grain=grain))  # a Q: ``model`` is typed as the abstract cell, which has no grain
    if since is not None:
        cells = cells.filter(day__gte=since)
    if scope.branch_ids is not None and grain not in grains.BY_BRANCH_OF:
        cells = cells.filter(branch_id__in=scope.branch_ids)
    if filters.branch_id is not None:
        if not scope.allows_branch(filters.branch_id):
            raise Http404
        cells = cells.filter(branch_id=filters.branch_id)
    if not can_view_all(user):
        if filters.agent_id not in (None, user.pk):
            raise PermissionDenied
        cells = cells.filter(agent_id=user.pk)
    elif filters.agent_id is not None:
        cells = cells.filter(agent_id=filters.agent_id)
    if filters.team_id is not None:
        cells = cells.filter(team_id=filters.team_id)
    if filters.channel:
        cells = cells.filter(channel=filters.channel)
    return cells


# The tables a read takes its cells from: (monthly, daily), for the full cells and for the marginal ones.
FULL_MODELS = (MonthlyRollup, DailyRollup)
MARGINAL_MODELS = (MonthlyMarginalRollup, DailyMarginalRollup)
# The levels whose value maps are summed in the database rather than read as stored (cellsums.fold), when a
# read takes more than this many of their days: a day's cell holds a value or two, so over many days reading
# every row costs more than its values; over a few days (a month's edges) one query per row is cheaper.
DAILY_MAPS_IN_DB = frozenset({DailyRollup, DailyMarginalRollup})
FEW_DAYS = 7


def covers_every_branch(user: Any) -> bool:
    """Whether ``user``'s scope holds every branch of its organisation (inactive ones too): an organisation-wide
    scope, or a list of branches with none missing. Asked once per request (a page reads several grains); never
    kept longer, since a branch added later must not be read through the cells over every branch."""
    scope = scope_for(user)
    memo: dict[Scope, bool] = user.__dict__.setdefault("_reports_covers_every_branch", {})
    if scope not in memo:
        others = Branch.objects.filter(organisation_id=scope.organisation_id or 0)
        memo[scope] = scope.branch_ids is None or not others.exclude(pk__in=scope.branch_ids).exists()
    return memo[scope]


def read_grain(*, user: Any, filters: Filters, by: str | None) -> str:
    """The grain that answers a read of ``user`` grouped ``by`` a dimension and filtered by ``filters``: every
    dimension it groups or filters by must be kept (someone who sees only their own figures: the agent). A
    read over every branch (no branch filter, not by branch) by someone who sees them all takes the same grain
    summed over the branches (``grains.OVER_BRANCHES``)."""
    dimensions = {by} if by else set()
    dimensions |= {
        name
        for name, chosen in (
            ("branch", filters.branch_id is not None),
            ("team", filters.team_id is not None),
            ("agent", filters.agent_id is not None or not can_view_all(user)),
            ("channel", bool(filters.channel)),
        )
        if chosen
    }
    grain = grains.grain_for(dimensions)
    over_branches = grains.OVER_BRANCHES.get(grain)
    if over_branches and "branch" not in dimensions and covers_every_branch(user):
        return over_branches
    return grain


def fold_cells(
    *,
    user: Any,
    plain: set[str],
    snapshot: set[str],
    since: dt.date,
    until: dt.date,
    filters: Filters,
    starts: Sequence[dt.date],
    by: str | None = None,
    source: Callable[[type[RollupCell]], QuerySet[Any]] | None = None,
) -> cellsums.Folded:
    """The cells ``user`` may read added up per ``by`` and bucket (``starts``, ascending, the first being
    ``since``): summed measures (``plain``) from ``since``, snapshots from the start, both up to ``until``.
    Months come from the monthly cells (less the days of them counted elsewhere or not at all), the other
    days from the daily ones (``cellsums.plan``); both
    from the marginal cells of the smallest grain that answers the read (``read_grain``), else the full ones.
    ``source`` gives the full cells to start from instead of those ``user`` may read (a team's median)."""
    plain = plain - snapshot
    measures = plain | snapshot
    bucket = cellsums.span_buckets(starts)
    layout = cellsums.plan(since, until, starts)
    grain = grains.FULL if source is not None else read_grain(user=user, filters=filters, by=by)
    monthly_model, daily_model = FULL_MODELS if grain == grains.FULL else MARGINAL_MODELS
    # Days taken away from a month's cell may lie after ``until`` (the rest of the period's last month).
    reach = max([until, *(last for reads in (layout.plain, layout.snapshot) for _first, last in reads.minus)])
    if source is None:

        def source(model: type[RollupCell]) -> QuerySet[Any]:
            return scoped_cells(
                user=user, measures=measures, since=None, until=reach, filters=filters, model=model, grain=grain
            )

    months = cellsums.month_buckets(layout, starts)
    minus = cellsums.minus_buckets(layout, starts)
    monthly, daily, taken = [], [], []
    days_read = {"daily": 0, "taken": 0}
    for names, reads in ((plain, layout.plain), (snapshot, layout.snapshot)):
        if not names:
            continue
        if reads.months:
            monthly.append(Q(measure__in=names, day__in=reads.months))
        if reads.days:
            daily.append(Q(measure__in=names) & cellsums.days_q(reads.days))
            days_read["daily"] = max(days_read["daily"], _days_in(reads.days))
        if reads.minus:
            taken.append(Q(measure__in=names) & cellsums.days_q(reads.minus))
            days_read["taken"] = max(days_read["taken"], _days_in(reads.minus))
    if snapshot:
        monthly.append(Q(measure__in=snapshot, day__lt=layout.before))
    folded: cellsums.Folded = {}
    for model, parts, buckets, adding, days in (
        (monthly_model, monthly, months, True, 0),
        (daily_model, daily, bucket, True, days_read["daily"]),
        (daily_model, taken, minus, False, days_read["taken"]),
    ):
        if parts:
            chosen = source(model).filter(functools.reduce(operator.or_, parts))
            in_db = model in DAILY_MAPS_IN_DB and days > FEW_DAYS
            found = cellsums.fold(chosen, by=by, bucket=buckets, maps_in_db=in_db)
            folded = cellsums.combine(folded, found) if adding else cellsums.take_away(folded, found)
    return folded


def _days_in(runs: Sequence[tuple[dt.date, dt.date]]) -> int:
    return sum((last - first).days + 1 for first, last in runs)


def metric_sets(metrics: Iterable[Metric]) -> tuple[set[str], set[str]]:
    """(summed measures, snapshot measures) of ``metrics``; a measure both read is read as a snapshot."""
    metrics = list(metrics)
    snapshot = {m for metric in metrics if metric.snapshot for m in metric.measures}
    plain = {m for metric in metrics if not metric.snapshot for m in metric.measures} - snapshot
    return plain, snapshot


def _total(metric: Metric, days: cellsums.DayCells, period: Period, params: Params) -> Result:
    return cellsums.result_of(metric, days, period[0], period[1], params)


def metric_value(*, user: Any, key: str, period: Period, filters: Filters | None = None) -> MetricValue:
    """``key`` over ``period`` (local days, both included) for what ``user`` may see."""
    metric = metric_get(key)
    period_check(*period)
    filters = filters or Filters()
    plain, snapshot = metric_sets([metric])
    folded = fold_cells(
        user=user, plain=plain, snapshot=snapshot, since=period[0], until=period[1], filters=filters, starts=[period[0]]
    )
    days = folded.get(None, {})
    params = params_for(scope_for(user).organisation_id or 0, period[1])
    return MetricValue(
        key=metric.key,
        version=metric.version,
        start=period[0],
        end=period[1],
        result=_total(metric, days, period, params),
        variant=metric.variant(params),
    )


def _bucket_start(day: dt.date, group_by: str) -> dt.date:
    if group_by == "week":
        return day - dt.timedelta(days=day.weekday())
    if group_by == "month":
        return day.replace(day=1)
    return day


def _bucket_end(start: dt.date, group_by: str) -> dt.date:
    if group_by == "week":
        return start + dt.timedelta(days=6)
    if group_by == "month":
        following = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        return following - dt.timedelta(days=1)
    return start


def metric_series(
    *, user: Any, key: str, period: Period, group_by: str, filters: Filters | None = None
) -> list[MetricValue]:
    """``key`` per day, ISO week or month of ``period`` (each bucket clipped to it), or per dimension value.

    Time buckets are listed even when empty (with no data); dimension groups only where there is data.
    Grouping by agent is for those who may see every figure.
    """
    metric = metric_get(key)
    period_check(*period)
    if group_by not in GROUPS:
        raise ValidationError({"group_by": _("Group by day, week, month, branch, team, agent or channel.")})
    if group_by == "agent" and not can_view_all(user):
        raise PermissionDenied
    filters = filters or Filters()
    start, end = period
    plain, snapshot = metric_sets([metric])
    read = functools.partial(
        fold_cells, user=user, plain=plain, snapshot=snapshot, since=start, until=end, filters=filters
    )
    organisation_id = scope_for(user).organisation_id or 0
    series: list[MetricValue] = []
    if group_by in GROUPS_BY_TIME:
        spans = []
        bucket = _bucket_start(start, group_by)
        while bucket <= end:
            spans.append((max(bucket, start), min(_bucket_end(bucket, group_by), end)))
            bucket = _bucket_end(bucket, group_by) + dt.timedelta(days=1)
        days = read(starts=[first for first, _last in spans]).get(None, {})
        for first, last in spans:
            params = params_for(organisation_id, last)
            series.append(
                MetricValue(
                    key=metric.key,
                    version=metric.version,
                    start=first,
                    end=last,
                    result=_total(metric, days, (first, last), params),
                    variant=metric.variant(params),
                    group=first.isoformat(),
                )
            )
        return series
    grouped = read(starts=[start], by=group_by)
    params = params_for(organisation_id, end)
    for group in sorted(grouped, key=str):
        series.append(
            MetricValue(
                key=metric.key,
                version=metric.version,
                start=start,
                end=end,
                result=_total(metric, grouped[group], period, params),
                variant=metric.variant(params),
                group=str(group),
            )
        )
    return series


def team_median(*, user: Any, key: str, period: Period) -> float | None:
    """The median over the agents of ``user``'s teams of their own ``key`` value; None below three agents.

    The teams are those the user's own figures in the period were recorded under.
    """
    metric = metric_get(key)
    period_check(*period)
    return team_medians(user=user, metrics=[metric], period=period).get(metric.key)


def team_medians(*, user: Any, metrics: list[Metric], period: Period) -> dict[str, float | None]:
    if not can_view_own(user):
        raise PermissionDenied
    scope = scope_for(user)
    if scope.organisation_id is None:
        return {}
    start, end = period
    plain, snapshot = metric_sets(metrics)
    organisation_id = scope.organisation_id
    mine = DailyRollup.objects.filter(organisation_id=organisation_id, agent_id=user.pk, day__range=period)
    teams = set(mine.exclude(team_id=0).values_list("team_id", flat=True).distinct().order_by())
    if not teams:
        return {}

    def team_cells(model: type[RollupCell]) -> QuerySet[Any]:
        # No bound on the days: fold_cells reads only those it plans, some of them after ``end``.
        cells = model._default_manager.filter(organisation_id=organisation_id, measure__in=plain | snapshot)
        return cells.filter(team_id__in=teams).exclude(agent_id=0)

    by_agent = fold_cells(
        user=user,
        plain=plain,
        snapshot=snapshot,
        since=start,
        until=end,
        filters=Filters(),
        starts=[start],
        by="agent",
        source=team_cells,
    )
    params = params_for(scope.organisation_id or 0, end)
    medians: dict[str, float | None] = {}
    for metric in metrics:
        values = [
            value for days in by_agent.values() if (value := _total(metric, days, period, params).value) is not None
        ]
        medians[metric.key] = float(statistics.median(values)) if len(values) >= TEAM_MEDIAN_MIN_AGENTS else None
    return medians


@dataclass
class OverviewRow:
    metric: Metric
    current: MetricValue
    previous: MetricValue
    team_median: float | None = None


def previous_period(period: Period) -> Period:
    start, end = period
    length = end - start + dt.timedelta(days=1)
    return start - length, end - length


def metric_overview(*, user: Any, period: Period, filters: Filters | None = None) -> list[OverviewRow]:
    """Every metric over ``period`` and over the period of the same length just before it, in few queries.

    For someone who sees only their own figures, each row also carries their team's median.
    """
    period_check(*period)
    filters = filters or Filters()
    before = previous_period(period)
    metrics = list(dictionary.METRICS)
    plain, snapshot = metric_sets(metrics)
    folded = fold_cells(
        user=user,
        plain=plain,
        snapshot=snapshot,
        since=before[0],
        until=period[1],
        filters=filters,
        starts=[before[0], period[0]],
    )
    days = folded.get(None, {})
    organisation_id = scope_for(user).organisation_id or 0
    params_now, params_before = params_for(organisation_id, period[1]), params_for(organisation_id, before[1])
    medians = {} if can_view_all(user) else team_medians(user=user, metrics=metrics, period=period)
    overview = []
    for metric in metrics:

        def value_in(span: Period, params: Params, metric: Metric = metric) -> MetricValue:
            return MetricValue(
                key=metric.key,
                version=metric.version,
                start=span[0],
                end=span[1],
                result=_total(metric, days, span, params),
                variant=metric.variant(params),
            )

        overview.append(
            OverviewRow(
                metric=metric,
                current=value_in(period, params_now),
                previous=value_in(before, params_before),
                team_median=medians.get(metric.key),
            )
        )
    return overview
