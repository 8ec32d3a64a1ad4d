"""The manager's dashboard, an agent's own figures, the executive dashboard and the trend charts."""

from __future__ import annotations

import csv
import datetime as dt
import io
from xml.etree import ElementTree

import pytest
from django.urls import reverse

from frontoffice.core.reporting import EventKind, record_event
from frontoffice.reports.dashboard import span_of, span_step
from frontoffice.reports.rollup import rollup
from tests.personas import staff_user

from .conftest import LATER
from .scenario import D3, TEAM_1, at, events, record

pytestmark = pytest.mark.django_db
WEEK = {"period": "week", "date": "2026-03-04"}  # 2–8 March, compared with 23 February – 1 March
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def rolled(scenario, organisation):
    rollup(organisation=organisation, now=LATER, settle_seconds=0)


def _figures(page):
    return {figure.metric.key: figure for figure in page.context["board"].figures}


def _svg(answer):
    return ElementTree.fromstring(answer.content)  # noqa: S314 - the app's own chart


def _csv(answer):
    assert answer["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))


# --- periods ------------------------------------------------------------------------------------------


def test_a_week_is_compared_with_the_week_before_and_a_month_with_the_calendar_month_before():
    week = span_of("week", dt.date(2026, 3, 4))
    month = span_of("month", dt.date(2026, 3, 4))
    custom = span_of("custom", dt.date(2026, 3, 4), dt.date(2026, 3, 2), dt.date(2026, 3, 4))

    assert (week.start, week.end, week.before_start, week.before_end) == (
        dt.date(2026, 3, 2),
        dt.date(2026, 3, 8),
        dt.date(2026, 2, 23),
        dt.date(2026, 3, 1),
    )
    assert (month.start, month.end, month.before_start, month.before_end) == (
        dt.date(2026, 3, 1),
        dt.date(2026, 3, 31),
        dt.date(2026, 2, 1),
        dt.date(2026, 2, 28),
    )
    assert (custom.start, custom.end, custom.before_start, custom.before_end) == (
        dt.date(2026, 3, 2),
        dt.date(2026, 3, 4),
        dt.date(2026, 2, 27),
        dt.date(2026, 3, 1),
    )
    assert span_step(month, -1).start == dt.date(2026, 2, 1) and span_step(month, 1).end == dt.date(2026, 4, 30)
    assert span_step(span_of("day", dt.date(2026, 3, 1)), 1).start == dt.date(2026, 3, 2)


# --- the manager's dashboard -------------------------------------------------------------------------------


def test_the_dashboard_shows_each_key_figure_with_the_previous_period_and_no_data_not_zero(rolled, login, manager):
    page = login(manager).get(reverse("reports:dashboard"), WEEK)

    assert page.status_code == 200
    figures = _figures(page)
    assert figures["csat"].current.value == 75.0  # North only: 5 4 5 3
    assert figures["calls_offered"].current.value == 10
    assert figures["first_response_time"].current.p90 == 300  # North: 60 120 300
    assert figures["csat"].previous.value is None and figures["csat"].change is None
    html = page.content.decode()
    assert "75.0 %" in html and "no data" in html
    assert 'id="figure-csat"' in html and 'id="figure-desk_wait_to_call"' in html


def test_the_change_from_the_previous_period_is_shown_and_judged(rolled, login, manager):
    page = login(manager).get(reverse("reports:dashboard"), {"period": "day", "date": "2026-03-03"})

    csat = _figures(page)["csat"]  # North: Monday 5 4 (100 %), Tuesday 5 (100 %); calls: Monday only
    assert csat.current.value == 100.0 and csat.previous.value == 100.0 and csat.direction == ""
    offered = _figures(page)["calls_offered"]
    assert offered.current.value is None and offered.previous.value == 10


def test_an_empty_period_shows_no_data_everywhere(rolled, login, manager):
    page = login(manager).get(reverse("reports:dashboard"), {"period": "month", "date": "2025-01-15"})

    assert page.status_code == 200
    assert all(f.current.value is None for f in _figures(page).values() if not f.metric.snapshot)
    assert "0.0 %" not in page.content.decode()


def test_filters_are_read_from_the_url_and_kept_in_every_link(rolled, login, manager, branch):
    page = login(manager).get(reverse("reports:dashboard"), {**WEEK, "branch": branch.pk, "channel": "email"})

    html = page.content.decode()
    assert _figures(page)["csat"].current.value == 75.0  # every North CSAT answer came by e-mail
    assert _figures(page)["calls_offered"].current.value is None  # calls are phone
    assert f'<option value="{branch.pk}" selected>' in html and '<option value="email" selected>' in html
    chart = f"/reports/dashboard/chart.svg?period=week&amp;date=2026-03-04&amp;branch={branch.pk}&amp;channel=email"
    assert f'src="{chart}&amp;metric=csat"' in html
    drill = f"/reports/dashboard/records/?period=week&amp;date=2026-03-04&amp;branch={branch.pk}&amp;channel=email"
    assert f'href="{drill}&amp;metric=csat"' in html
    assert "period=week&amp;date=2026-02-23" in html  # the week before, same filters


def test_tables_by_branch_team_agent_and_channel(rolled, login, executive, agent, agent2, agent3):
    page = login(executive).get(reverse("reports:dashboard"), WEEK)

    tables = {table.by: table for table in page.context["board"].tables}
    assert list(tables) == ["branch", "team", "agent", "channel"]
    by_branch = {row.name: row for row in tables["branch"].rows}
    assert set(by_branch) == {"Oddział Północ", "Oddział Południe"}
    csat = [metric.key for metric, _result in by_branch["Oddział Północ"].cells].index("csat")
    assert by_branch["Oddział Północ"].results[csat].value == 75.0
    assert by_branch["Oddział Południe"].results[csat].value == 0.0  # 2
    by_agent = {row.group: row for row in tables["agent"].rows}
    assert set(by_agent) == {agent.pk, agent2.pk, agent3.pk}
    assert by_agent[agent.pk].name == agent.get_full_name()
    assert {row.group for row in tables["channel"].rows} >= {"email", "phone", "sms", "in_person"}


def test_every_table_cell_links_to_its_records_with_the_page_filters(rolled, login, executive, agent):
    """The tables' rows are built in Python (reports_tags.breakdown_rows): each value links as report_url would
    link it, a filter the row sets is replaced where it stands, and names are escaped."""
    agent.first_name = "Ala <b>&"
    agent.save(update_fields=["first_name"])
    page = login(executive).get(reverse("reports:dashboard"), {**WEEK, "agent": "", "channel": "email"})

    html = page.content.decode()
    base = "/reports/dashboard/records/?period=week&amp;date=2026-03-04"
    assert f'<td><a href="{base}&amp;agent={agent.pk}&amp;channel=email&amp;metric=csat">' in html
    branch_row = next(row for row in page.context["board"].tables[0].rows if row.group)
    assert f'href="{base}&amp;agent=&amp;channel=email&amp;metric=csat&amp;branch={branch_row.group}"' in html
    assert '<th scope="row">Ala &lt;b&gt;&amp; ' in html and "<b>&" not in html
    assert '<td><span class="muted">no data</span></td>' in html


@pytest.mark.parametrize("table", ["figures", "branch", "team", "agent", "channel"])
def test_every_table_downloads_as_csv(rolled, login, executive, table):
    lines = _csv(login(executive).get(reverse("reports:dashboard"), {**WEEK, "format": "csv", "table": table}))

    if table == "figures":
        assert lines[0][:3] == ["Metric", "Version", "Unit"]
        row = {line[0]: line for line in lines[1:]}
        assert row["csat"][5] == "60.0" and row["csat"][9] == ""  # no data in the week before: empty, not 0
        assert row["calls_offered"][5] == "10.0"
    else:
        assert lines[0][2:] == [key for key in lines[0][2:]] and "csat" in lines[0]
        assert len(lines) > 1


def test_bad_dates_stay_on_screen_with_a_message(login, manager):
    answer = login(manager).get(reverse("reports:dashboard"), {"period": "custom", "date_from": "2026-03-05"})

    assert answer.status_code == 400
    html = answer.content.decode()
    assert "Choose the last day of the range." in html and 'value="2026-03-05"' in html


@pytest.mark.parametrize("copies", [1, 3])
def test_the_dashboard_needs_the_same_few_queries_at_any_size(
    login, executive, cast, copies, django_assert_max_num_queries
):
    rows = events(cast)
    for _ in range(copies):
        record(cast, rows)
    rollup(organisation=cast.organisation, now=LATER, settle_seconds=0)
    browser = login(executive)

    # 30: per fold and level (monthly cells for whole months and the snapshots' earlier months, daily cells
    # for the other days, daily cells taken away from a month's), one query for marginal cells read packed,
    # two for cells added up in the database: the headline figures over both periods (every branch
    # together), then the branch, team, staff and channel tables over the period.
    with django_assert_max_num_queries(30):
        page = browser.get(reverse("reports:dashboard"), WEEK)

    assert page.status_code == 200
    assert _figures(page)["calls_offered"].current.value == 10 * copies


# --- charts -------------------------------------------------------------------------------------------


def test_a_trend_chart_is_svg_with_the_data_points_and_no_script(rolled, login, executive):
    answer = login(executive).get(reverse("reports:chart"), {**WEEK, "metric": "csat"})

    assert answer["Content-Type"] == "image/svg+xml"
    assert "script-src" not in answer["Content-Security-Policy"] and "'none'" in answer["Content-Security-Policy"]
    svg = _svg(answer)
    assert svg.tag == f"{SVG}svg" and not list(svg.iter(f"{SVG}script"))
    values = [desc.text for desc in svg.iter(f"{SVG}desc") if desc.get("class") == "value"]
    assert values == ["100.0 %", "50.0 %", "0.0 %"]  # 2 March: 5 4; 3 March: 2 (South) 5; 4 March: 3
    labels = [text.text for text in svg.iter(f"{SVG}text")]
    assert "2026-02-23" in labels and "Customer satisfaction (CSAT)" in labels


def test_a_chart_of_a_period_without_data_says_so(login, manager):
    answer = login(manager).get(reverse("reports:chart"), {**WEEK, "metric": "csat"})

    svg = _svg(answer)
    assert "No data" in [text.text for text in svg.iter(f"{SVG}text")]


def test_a_chart_keeps_the_filters(rolled, login, executive, other_branch):
    answer = login(executive).get(reverse("reports:chart"), {**WEEK, "metric": "csat", "branch": other_branch.pk})

    svg = _svg(answer)
    assert [d.text for d in svg.iter(f"{SVG}desc") if d.get("class") == "value"] == ["0.0 %"]


def test_the_executive_chart_has_a_line_per_branch(rolled, login, executive):
    answer = login(executive).get(reverse("reports:chart"), {**WEEK, "metric": "csat", "split": "branch"})

    svg = _svg(answer)
    labels = [text.text for text in svg.iter(f"{SVG}text")]
    assert "Oddział Północ" in labels and "Oddział Południe" in labels


def test_a_manager_cannot_split_a_chart_by_branch(login, manager):
    answer = login(manager).get(reverse("reports:chart"), {**WEEK, "metric": "csat", "split": "branch"})

    assert answer.status_code == 403


# --- an agent's own figures ------------------------------------------------------------------------------


@pytest.fixture
def agent4(organisation, branch):
    return staff_user(organisation, ["agent"], [branch], "agent4")


def test_an_agent_sees_their_own_figures_next_to_the_team_median(rolled, login, agent, agent4, cast):
    # A third agent in team 1 answered once, with a 2: team 1's CSAT per agent is 100 (A1), 50 (A2), 0 (A4).
    record_event(
        organisation=cast.organisation,
        branch=cast.north,
        kind=EventKind.SURVEY_ANSWERED,
        occurred_at=at(D3, 10),
        subject=("invitation", 4000),
        agent=agent4,
        team_id=TEAM_1,
        channel="email",
        value=2,
        data={"survey_type": "csat"},
    )
    rollup(organisation=cast.organisation, now=LATER, settle_seconds=0)

    page = login(agent).get(reverse("reports:dashboard"), WEEK)

    assert page.status_code == 200 and page.context["board"].own_only
    csat = _figures(page)["csat"]
    assert csat.current.value == 100.0 and csat.team_median == 50.0
    html = page.content.decode()
    assert "My figures" in html and "Team median" in html
    assert "By staff member" not in html and 'name="agent"' not in html.replace('type="hidden" name="agent"', "")


def test_an_agent_has_no_table_of_colleagues_and_cannot_ask_for_one(rolled, login, agent, agent2):
    browser = login(agent)

    assert browser.get(reverse("reports:dashboard"), {**WEEK, "agent": agent2.pk}).status_code == 403
    assert browser.get(reverse("reports:dashboard"), {**WEEK, "format": "csv", "table": "agent"}).status_code == 403
    assert browser.get(reverse("reports:chart"), {**WEEK, "metric": "csat", "agent": agent2.pk}).status_code == 403
    assert browser.get(reverse("reports:chart"), {**WEEK, "metric": "csat", "split": "branch"}).status_code == 403


def test_an_agent_may_name_themselves(rolled, login, agent):
    page = login(agent).get(reverse("reports:dashboard"), {**WEEK, "agent": agent.pk})

    assert page.status_code == 200 and _figures(page)["csat"].current.value == 100.0


def test_a_manager_sees_a_colleague_of_their_branch(rolled, login, manager, agent2):
    page = login(manager).get(reverse("reports:dashboard"), {**WEEK, "agent": agent2.pk})

    assert _figures(page)["csat"].current.value == 50.0  # 4 and 3


def test_another_branch_is_not_found_for_a_manager(rolled, login, manager, other_branch):
    answer = login(manager).get(reverse("reports:dashboard"), {**WEEK, "branch": other_branch.pk})

    assert answer.status_code == 404
    chart = login(manager).get(reverse("reports:chart"), {**WEEK, "metric": "csat", "branch": other_branch.pk})
    assert chart.status_code == 404
    drill = login(manager).get(reverse("reports:drilldown"), {**WEEK, "metric": "csat", "branch": other_branch.pk})
    assert drill.status_code == 404


def test_security_staff_have_no_dashboard(login, guard):
    assert login(guard).get(reverse("reports:dashboard")).status_code == 403


# --- the executive dashboard ---------------------------------------------------------------------------


def test_the_executive_dashboard_has_a_row_per_branch_and_the_whole_organisation(rolled, login, executive):
    page = login(executive).get(reverse("reports:executive"), WEEK)

    assert page.status_code == 200
    board = page.context["board"]
    rows = {row.name: {f.metric.key: f for f in row.figures} for row in board.rows}
    assert set(rows) == {"Oddział Północ", "Oddział Południe"}
    assert rows["Oddział Północ"]["csat"].current.value == 75.0
    assert rows["Oddział Południe"]["desk_wait_to_call"].current.value == 300
    assert {f.metric.key: f for f in board.total}["csat"].current.value == 60.0
    html = page.content.decode()
    assert "split=branch" in html and "Whole organisation" in html


def test_the_executive_table_downloads_as_csv(rolled, login, admin):
    lines = _csv(login(admin).get(reverse("reports:executive"), {**WEEK, "format": "csv"}))

    assert lines[0][:4] == ["Branch", "Id", "csat", "csat (previous period)"]
    assert [line[0] for line in lines[1:]] == ["Oddział Południe", "Oddział Północ", "Whole organisation"]
    assert lines[2][2] == "75.0" and lines[2][3] == ""


def test_another_organisation_sees_none_of_these_branches(rolled, login, outsider_org):
    page = login(outsider_org).get(reverse("reports:executive"), WEEK)

    assert [row.name for row in page.context["board"].rows] == ["Oddział Obcy"]
    assert all(f.current.value is None for f in page.context["board"].total if not f.metric.snapshot)


@pytest.mark.parametrize("persona", ["manager", "agent", "clerk", "guard"])
def test_only_executives_and_administrators_compare_every_branch(login, persona, request):
    answer = login(request.getfixturevalue(persona)).get(reverse("reports:executive"))

    assert answer.status_code == 403


def test_the_menu_lists_the_dashboards(login, executive, agent):
    home = login(executive).get(reverse("core:home")).content.decode()
    assert reverse("reports:dashboard") in home and reverse("reports:executive") in home

    home = login(agent).get(reverse("core:home")).content.decode()
    assert reverse("reports:dashboard") in home and reverse("reports:executive") not in home


def test_the_metrics_overview_and_the_dashboard_agree_on_the_backlog(rolled, executive):
    from frontoffice.reports import selectors

    period = (dt.date(2026, 3, 2), dt.date(2026, 3, 8))
    overview = {row.metric.key: row for row in selectors.metric_overview(user=executive, period=period)}

    # Created 6 + reopened 1 − resolved 4 (a resolution also counts in the reopen rate: read once).
    assert overview["backlog"].current.value == 3
    assert selectors.metric_value(user=executive, key="backlog", period=period).value == 3
    assert overview["reopen_rate"].current.value == 25.0


def test_the_dashboard_speaks_polish(rolled, login, manager):
    manager.language = "pl"
    manager.save()

    html = login(manager).get(reverse("reports:dashboard"), WEEK).content.decode()

    assert "Pulpit" in html and "75,0%" in html and "brak danych" in html and "Według oddziałów" in html


def test_a_name_in_a_csv_file_is_never_a_formula(rolled, login, executive, branch):
    branch.name = "=HYPERLINK(1)"
    branch.save()

    lines = _csv(login(executive).get(reverse("reports:dashboard"), {**WEEK, "format": "csv", "table": "branch"}))

    assert "'=HYPERLINK(1)" in [line[0] for line in lines]
