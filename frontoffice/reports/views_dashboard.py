"""Dashboard pages: the manager's (an agent's own) dashboard, the executive dashboard, trend charts as SVG,
and the drill-down list behind every figure. Every filter is in the URL, so a view can be shared."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.csp import CSP
from django.utils.translation import gettext as _
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_GET

from frontoffice.core.csv_export import csv_response, safe_cell
from frontoffice.core.decorators import require
from frontoffice.core.paging import page_number, page_of, query_without_page
from frontoffice.core.selectors import branch_list

from . import charts, drilldown, selectors
from .choices import CHANNEL_LABELS
from .dashboard import Dashboard, Executive, dimension_names, key_metrics, span_step
from .dashboard import dashboard as dashboard_of
from .dashboard import executive as executive_of
from .dashboard import trend as trend_of
from .formatting import csv_number
from .forms import DashboardForm, DrilldownForm
from .permissions import ReportsPermission

PER_PAGE = 50


def _branches(user: Any) -> list[tuple[int, str]]:
    return list(branch_list(user=user).order_by("name").values_list("pk", "name"))


def _form(request: HttpRequest, form_class: type[DashboardForm] = DashboardForm, *, dimensions: bool = True) -> Any:
    """The filters form for ``request``'s user: every filter for those who see every figure; the period and
    channel (and their branches) for those who see their own; the period and channel on the executive page."""
    from frontoffice.accounts.selectors import staff_list
    from frontoffice.interactions.contacts.selectors import team_list

    user = request.user
    today = timezone.localdate()
    if not dimensions:
        return form_class(request.GET, today=today)
    if not selectors.can_view_all(user):
        return form_class(request.GET, today=today, branches=_branches(user))
    teams = team_list(user=user).prefetch_related(None).order_by("name").values_list("pk", "name", "branch__name")
    people = staff_list(user=user).order_by("user__last_name", "user__first_name")
    return form_class(
        request.GET,
        today=today,
        branches=_branches(user),
        teams=[(pk, f"{name} ({branch})") for pk, name, branch in teams],
        agents=[
            (user_id, f"{first} {last}".strip() or username)
            for user_id, first, last, username in people.values_list(
                "user_id", "user__first_name", "user__last_name", "user__username"
            )
        ],
    )


@require(ReportsPermission.VIEW_OWN_REPORTS.perm)
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    form = _form(request)
    if not form.is_valid():
        return render(request, "reports/dashboard.html", {"form": form, "board": None}, status=400)
    board = dashboard_of(user=request.user, span=form.span, filters=form.filters)
    if request.GET.get("format") == "csv":
        return _dashboard_csv(board, request.GET.get("table", ""))
    context = {
        "form": form,
        "board": board,
        "span": board.span,
        "earlier": span_step(board.span, -1),
        "later": span_step(board.span, 1),
        "metrics": key_metrics(),
    }
    return render(request, "reports/dashboard.html", context)


def _csv_response(lines: list[list[Any]], filename: str) -> HttpResponse:
    """``lines[0]`` is the header; names typed by staff never run as formulas (``core.csv_export``)."""
    return csv_response(filename, lines[0], lines[1:])


def _dashboard_csv(board: Dashboard, table: str) -> HttpResponse:
    span = board.span
    if table in ("", "figures"):
        header = [_("Metric"), _("Version"), _("Unit"), _("From"), _("To"), _("Value"), _("Count")]
        header += [_("Median"), _("90th percentile"), _("Previous period"), _("Change")]
        if board.own_only:
            header.append(_("Team median"))
        lines: list[list[Any]] = [header]
        for figure in board.figures:
            line = [figure.metric.key, figure.metric.version, figure.metric.unit, span.start, span.end]
            line += [csv_number(figure.current.value), figure.current.n, csv_number(figure.current.median)]
            line += [csv_number(figure.current.p90), csv_number(figure.previous.value), csv_number(figure.change)]
            if board.own_only:
                line.append(csv_number(figure.team_median))
            lines.append(line)
        return _csv_response(lines, f"dashboard-{span.start}-{span.end}.csv")
    if table == "agent" and board.own_only:
        raise PermissionDenied
    found = next((each for each in board.tables if each.by == table), None)
    if found is None:
        raise Http404
    metrics = key_metrics()
    lines = [[found.title, _("Id"), *[metric.key for metric in metrics]]]
    for row in found.rows:
        lines.append([row.name, row.group, *[csv_number(result.value) for result in row.results]])
    return _csv_response(lines, f"dashboard-{table}-{span.start}-{span.end}.csv")


@require(ReportsPermission.VIEW_EXECUTIVE_REPORTS.perm)
@require_GET
def executive(request: HttpRequest) -> HttpResponse:
    form = _form(request, dimensions=False)
    if not form.is_valid():
        return render(request, "reports/executive.html", {"form": form, "board": None}, status=400)
    board = executive_of(user=request.user, span=form.span, filters=form.filters)
    if request.GET.get("format") == "csv":
        return _executive_csv(board)
    context = {
        "form": form,
        "board": board,
        "span": board.span,
        "earlier": span_step(board.span, -1),
        "later": span_step(board.span, 1),
    }
    return render(request, "reports/executive.html", context)


def _executive_csv(board: Executive) -> HttpResponse:
    header: list[Any] = [_("Branch"), _("Id")]
    for metric in board.metrics:
        header += [metric.key, f"{metric.key} ({_('previous period')})"]
    lines = [header]
    for name, pk, figures in [(row.name, row.branch_id, row.figures) for row in board.rows] + [
        (_("Whole organisation"), "", board.total)
    ]:
        line: list[Any] = [name, pk]
        for figure in figures:
            line += [csv_number(figure.current.value), csv_number(figure.previous.value)]
        lines.append(line)
    return _csv_response(lines, f"branches-{board.span.start}-{board.span.end}.csv")


# The chart is an image: its inline styles are its own; it runs no script and loads nothing.
@csp_override({"default-src": [CSP.NONE], "style-src": [CSP.UNSAFE_INLINE]})
@require(ReportsPermission.VIEW_OWN_REPORTS.perm)
@require_GET
def chart(request: HttpRequest) -> HttpResponse:
    """A metric's trend as ``image/svg+xml``, for the same filters as the page that shows it."""
    form = _form(request, DrilldownForm)
    if not form.is_valid():
        return HttpResponse(" ".join(error for errors in form.errors.values() for error in errors), status=400)
    split = request.GET.get("split", "")
    if split == "branch" and not request.user.has_perm(ReportsPermission.VIEW_EXECUTIVE_REPORTS.perm):
        raise PermissionDenied
    trend = trend_of(
        user=request.user, key=form.cleaned_data["metric"], span=form.span, filters=form.filters, split=split
    )
    response = HttpResponse(charts.trend_svg(trend), content_type="image/svg+xml")
    response["Cache-Control"] = "private, max-age=60"
    return response


@require(ReportsPermission.VIEW_OWN_REPORTS.perm)
@require_GET
def drilldown_list(request: HttpRequest) -> HttpResponse:
    """The reporting events behind one figure, newest first, with links to their records."""
    form = _form(request, DrilldownForm)
    if not form.is_valid():
        return render(request, "reports/drilldown.html", {"form": form, "rows": None}, status=400)
    user = request.user
    metric = selectors.metric_get(form.cleaned_data["metric"])
    span, filters = form.span, form.filters
    events = drilldown.metric_events(user=user, metric=metric, period=span.period, filters=filters)
    if request.GET.get("format") == "csv":
        # Streamed: the list can be long.
        return _drilldown_csv(events, metric, f"{metric.key}-{span.start}-{span.end}.csv")  # type: ignore[return-value]
    page = page_number(request)
    rows, has_next = page_of(events, page=page, per_page=PER_PAGE)
    teams = dimension_names(user=user, by="team", ids={row.team_id for row in rows if row.team_id})
    figure = selectors.metric_value(user=user, key=metric.key, period=span.period, filters=filters)
    context = {
        "form": form,
        "metric": metric,
        "span": span,
        "figure": figure,
        "rows": [_drill_row(row, teams, metric) for row in rows],
        "judged": bool(drilldown.FCR_MEASURES & set(metric.measures)),
        "page": page,
        "has_next": has_next,
        "query": query_without_page(request),
    }
    return render(request, "reports/drilldown.html", context)


def _drill_row(event: Any, teams: dict[Any, str], metric: Any) -> dict[str, Any]:
    return {
        "event": event,
        "label": drilldown.KIND_LABELS.get(event.kind, event.kind),
        "team": teams.get(event.team_id, "") if event.team_id else "",
        "channel": CHANNEL_LABELS.get(event.channel, event.channel),
        "url": drilldown.record_url(event),
        "record": drilldown.record_label(event),
        "value": drilldown.value_display(event, metric),
        "repeated": getattr(event, "repeated", None),
    }


def _drilldown_csv(events: Any, metric: Any, filename: str) -> StreamingHttpResponse:
    class Echo:
        def write(self, value: str) -> str:
            return value

    writer = csv.writer(Echo())

    def lines() -> Iterator[str]:
        header = [_("Happened at"), _("Event"), _("Value"), _("Branch"), _("Team"), _("Staff member")]
        yield "\ufeff" + writer.writerow([*header, _("Channel"), _("Record type"), _("Record"), _("Event id")])
        for event in events.iterator(chunk_size=2000):
            yield writer.writerow(
                [
                    timezone.localtime(event.occurred_at).isoformat(),
                    event.kind,
                    csv_number(drilldown.event_value(event, metric)),
                    safe_cell(event.branch.name) if event.branch else "",
                    event.team_id or "",
                    safe_cell(event.agent.get_username()) if event.agent else "",
                    event.channel,
                    event.subject_type,
                    event.subject_id,
                    event.pk,
                ]
            )

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
