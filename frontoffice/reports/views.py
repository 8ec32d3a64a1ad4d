"""Reports pages: the metric dictionary (every staff member) and the metrics overview with CSV export."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from frontoffice.core.csv_export import csv_response
from frontoffice.core.decorators import require
from frontoffice.core.permissions import CorePermission
from frontoffice.core.selectors import branch_list

from . import dictionary, selectors
from .formatting import csv_number
from .forms import PeriodForm, default_period
from .permissions import ReportsPermission


@require(CorePermission.VIEW_ORGANISATION.perm)
def metric_dictionary(request: HttpRequest) -> HttpResponse:
    groups: dict[str, list[dictionary.Metric]] = {}
    for metric in dictionary.METRICS:
        groups.setdefault(str(metric.group), []).append(metric)
    return render(request, "reports/metric_dictionary.html", {"groups": groups, "units": dictionary.UNITS})


@require(ReportsPermission.VIEW_OWN_REPORTS.perm)
def overview(request: HttpRequest) -> HttpResponse:
    everything = selectors.can_view_all(request.user)
    branches = branch_list(user=request.user) if everything else None
    start, end = default_period(timezone.localdate())
    if "date_from" in request.GET or "date_to" in request.GET:
        form = PeriodForm(request.GET, branches=branches)
    else:
        form = PeriodForm(initial={"date_from": start, "date_to": end}, branches=branches)
    context = {"form": form, "everything": everything, "rows": None}
    if form.is_bound and not form.is_valid():
        return render(request, "reports/overview.html", context, status=400)
    if form.is_bound:
        start, end = form.cleaned_data["date_from"], form.cleaned_data["date_to"]
        branch = form.cleaned_data.get("branch")
        filters = selectors.Filters(branch_id=branch.pk if branch else None, channel=form.cleaned_data["channel"])
    else:
        filters = selectors.Filters()
    rows = selectors.metric_overview(user=request.user, period=(start, end), filters=filters)
    if request.GET.get("format") == "csv":
        return _csv(rows, everything)
    context.update(rows=rows, start=start, end=end, before=selectors.previous_period((start, end)))
    return render(request, "reports/overview.html", context)


def _csv(rows: list[selectors.OverviewRow], everything: bool) -> HttpResponse:
    header = [
        _("Metric"),
        _("Version"),
        _("Value"),
        _("Previous period"),
        _("Count"),
        _("Median"),
        _("90th percentile"),
        _("Unit"),
    ]
    if not everything:
        header.append(_("Team median"))
    lines = []
    for row in rows:
        result = row.current.result
        line = [
            row.metric.key,
            row.metric.version,
            csv_number(result.value),
            csv_number(row.previous.value),
            result.n,
            csv_number(result.median),
            csv_number(result.p90),
            row.metric.unit,
        ]
        if not everything:
            line.append(csv_number(row.team_median))
        lines.append(line)
    return csv_response("metrics.csv", header, lines)
