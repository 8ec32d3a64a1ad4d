"""Reports through the API: the metric dictionary and metric values by period and dimension."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.pagination import paginate

from frontoffice.core.apikit import LimitOffsetPagination, current_user, requires
from frontoffice.core.permissions import CorePermission

from . import dictionary, selectors
from .schemas import MetricOut, ValueOut, ValuesOut, ValuesQuery

router = Router(tags=["Reports"])


@router.get("/reports/metrics", response=list[MetricOut], summary="The metric dictionary")
@paginate(LimitOffsetPagination)
@requires(CorePermission.VIEW_ORGANISATION.perm)
def reports_metric_list(request: HttpRequest) -> Any:
    """Every metric's current definition: formula, counting rules, unit, events, version (in your language)."""
    return [dictionary.as_json(metric) for metric in dictionary.METRICS]


def _out(item: selectors.MetricValue) -> dict[str, Any]:
    result = item.result
    return ValueOut(
        group=item.group,
        **{"from": item.start, "to": item.end},
        value=result.value,
        numerator=result.numerator,
        denominator=result.denominator,
        n=result.n,
        mean=result.mean,
        median=result.median,
        p90=result.p90,
        parts=result.parts,
    ).model_dump(by_alias=True)


@router.get("/reports/values", response=ValuesOut, summary="Metric values", by_alias=True)
def reports_values(request: HttpRequest, query: Query[ValuesQuery]) -> Any:
    """One metric over a period of local days, whole or grouped by day, week, month, branch, team, agent or channel.

    Requires permission `reports.view_reports` (every figure of your branches) or
    `reports.view_own_reports` (only your own figures; `agent` may name only you, no `group_by=agent`).
    An unknown metric, a period that ends before it starts or is longer than 366 days is a 422.
    """
    user = current_user(request)
    if not selectors.can_view_own(user):
        raise PermissionDenied(_("You do not have permission to perform this action."))
    filters = selectors.Filters(branch_id=query.branch, team_id=query.team, agent_id=query.agent, channel=query.channel)
    period = (query.date_from, query.date_to)
    if query.group_by:
        items = selectors.metric_series(
            user=user, key=query.metric, period=period, group_by=query.group_by, filters=filters
        )
    else:
        items = [selectors.metric_value(user=user, key=query.metric, period=period, filters=filters)]
    metric = dictionary.BY_KEY[query.metric]
    return {
        "metric": metric.key,
        "version": metric.version,
        "unit": metric.unit,
        "variant": items[0].variant if items else "",
        "group_by": query.group_by or "",
        "items": [_out(item) for item in items],
    }
