"""KPIs at the issue's scale: dashboard and drill-down reads, the roll-up of everything and of one new day.

Workload (issue 7, "Performance"): one organisation, 10 branches, 8 teams, 200 agents, every channel,
400 days ending on the day before the data was generated; 1,000,000 cases (``interactions_case`` rows)
with their case events (created, first reply, SLA first-reply target met or breached, resolved,
reopened and resolved again), contacts with a client and a topic (so FCR is judged), calls (offered,
answered, abandoned), visits, survey invitations sent and 200,000 CSAT answers: 5,000,000 reporting
events in all. Rows are written with bulk SQL (COPY on PostgreSQL, executemany in large transactions on
SQLite), not through services. The database is kept between runs (generation is skipped when its
organisation is there): DATABASE_URL / ``--database`` (a PostgreSQL name must end in ``_bench`` and is
created when missing), default ``var/bench/kpis.sqlite3`` (``kpis-quick.sqlite3`` with ``--quick``).

Measured in one run:

- the roll-up of everything (``reports.rollup.rollup``; only on the run that generates the data);
- the incremental roll-up of one new day (the day after the data, ≈ events / days events written,
  then ``rollup()``; median of a few runs, each removing the previous run's day first);
- pages, through Django's test Client signed in as a manager (an executive for the executive page):
  the whole request in-process, through the middleware, the view, its queries and the template. The
  manager dashboard for the last full month and for a 90-day custom range, without and with filters
  (a branch; a team and a channel), the executive dashboard (month), one trend chart.svg, and drill-down
  lists (page 1 and page 20) of a few metrics. p50 / p95 over N requests each.
- baseline: the same dashboard figures straight from the raw ``ReportingEvent`` rows with aggregate
  queries over the same period(s) and filters (count and sum per kind and dimension for the period and
  the one before it, value histograms for the medians, created − resolved from the start for the
  backlog; the trend: the same per day). Only the queries are timed, no page; ratio = baseline / ours.
  The drill-down lists have no baseline: they read the raw events either way.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/frontoffice_kpis_bench python bench/kpis.py
    python bench/kpis.py --scale 0.2      # 1,000,000 events (SQLite by default)
    python bench/kpis.py --quick          # smoke: 10,000 events over 60 days, 3 requests each
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time as clock
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SLUG = "bench-kpis"
BRANCHES, TEAMS, AGENTS, CLIENTS, TOPICS = 10, 8, 200, 50_000, 30
CHANNELS = ("phone", "email", "chat", "sms", "web_form", "in_person", "letter")
CHANNEL_WEIGHTS = (30, 30, 20, 5, 8, 5, 2)
# Per case: created 1, first reply .95, SLA .30, resolved .90, reopened .05 + resolved again .05 = 3.25 events.
FULL = {"cases": 1_000_000, "contacts": 800_000, "calls": 300_000, "visits": 50_000, "sent": 100_000}
FULL_ANSWERS = 200_000  # survey.answered (CSAT); with the above: ~5,000,000 events
LAG_DAYS = 12  # a case's later events fall at most this many days after it was opened


def setup(database: str | None, quick: bool) -> str:
    if database:
        os.environ["DATABASE_URL"] = database
    elif not os.environ.get("DATABASE_URL"):
        folder = ROOT / "var" / "bench"
        folder.mkdir(parents=True, exist_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{folder / ('kpis-quick.sqlite3' if quick else 'kpis.sqlite3')}"
    url = os.environ["DATABASE_URL"]
    if url.startswith("postgres"):
        _create_pg_database(url)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("migrate", verbosity=0)
    return url


def _create_pg_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    base, _slash, name = url.rpartition("/")
    name = name.split("?")[0]
    if not name.endswith("_bench"):
        raise SystemExit(f"refusing to use {name!r}: the benchmark database's name must end in _bench")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


# --- writing rows in bulk ---------------------------------------------------------------------------------

EVENT_COLUMNS = (
    "organisation_id",
    "branch_id",
    "kind",
    "occurred_at",
    "channel",
    "agent_id",
    "team_id",
    "topic_id",
    "client_id",
    "subject_type",
    "subject_id",
    "value",
    "data",
    "recorded_at",
)
CASE_COLUMNS = (
    "id",
    "created_at",
    "updated_at",
    "organisation_id",
    "branch_id",
    "number",
    "subject",
    "channel",
    "status",
    "priority",
    "team_id",
    "owner_id",
    "is_complaint",
    "opened_at",
    "first_response_at",
    "resolved_at",
    "closed_at",
    "reopen_count",
    "version",
)


def write_rows(table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    """Insert ``rows`` in one go: COPY on PostgreSQL, one executemany on SQLite (the caller's transaction)."""
    from django.db import connection

    if not rows:
        return
    if connection.vendor == "postgresql":
        # COPY's text format written by hand: much faster than formatting value by value in psycopg.
        def text(value: Any) -> str:
            if value is None:
                return "\\N"
            if isinstance(value, bool):
                return "t" if value else "f"
            if isinstance(value, datetime):
                return value.isoformat()
            if isinstance(value, str):
                return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
            return str(value)

        body = "".join("\t".join(map(text, row)) + "\n" for row in rows)
        with connection.cursor() as cursor:
            raw = cursor.cursor  # psycopg's own cursor
            with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                copy.write(body)
        return

    def plain(value: Any) -> Any:
        if isinstance(value, datetime):
            return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ")
        if isinstance(value, bool):
            return int(value)
        return value

    marks = ", ".join("?" for _ in columns)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",  # noqa: S608 (names are ours)
            [tuple(map(plain, r)) for r in rows],
        )


class World:
    """The organisation's ids the generator draws from."""

    def __init__(self, organisation_id: int, branch_ids: list[int], team_ids: list[int], agent_ids: list[int]):
        self.organisation_id = organisation_id
        self.branch_ids = branch_ids
        self.team_ids = team_ids
        self.agent_ids = agent_ids
        # Each agent works in one branch and one team, mostly in two channels.
        rng = random.Random(1)
        self.agent_branch = {a: branch_ids[n % len(branch_ids)] for n, a in enumerate(agent_ids)}
        self.agent_team = {a: team_ids[n % len(team_ids)] for n, a in enumerate(agent_ids)}
        self.agent_channels = {
            a: [*rng.choices(CHANNELS, weights=CHANNEL_WEIGHTS, k=2), rng.choice(CHANNELS)] for a in agent_ids
        }


def make_world(agents: int = AGENTS) -> tuple[Any, Any, Any, World]:
    """Create (or find) the organisation, its branches, teams, agents, a manager and an executive."""
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from frontoffice.core.models import Branch, Organisation
    from frontoffice.interactions.models import Team
    from tests.factories import BranchFactory, OrganisationFactory, StaffFactory

    User = get_user_model()
    organisation = Organisation.objects.filter(slug=SLUG).first()
    if organisation is None:
        with transaction.atomic():
            organisation = OrganisationFactory(name="Bench KPIs", slug=SLUG)
            branches = [
                BranchFactory(organisation=organisation, name=f"Bench {n:02}", code=f"kb{n}") for n in range(BRANCHES)
            ]
            for n in range(TEAMS):
                Team.objects.create(organisation=organisation, branch=branches[n % BRANCHES], name=f"Team {n}")
            StaffFactory(organisation=organisation, roles=["manager"], branches=branches, user__username="kpi-manager")
            StaffFactory(organisation=organisation, roles=["executive"], branches=[], user__username="kpi-exec")
            for n in range(agents):
                StaffFactory(
                    organisation=organisation,
                    roles=["agent"],
                    branches=[branches[n % BRANCHES]],
                    user__username=f"kpi-agent{n:03}",
                )
    branch_ids = list(Branch.objects.filter(organisation=organisation).order_by("code").values_list("pk", flat=True))
    team_ids = list(Team.objects.filter(organisation=organisation).order_by("name").values_list("pk", flat=True))
    agent_ids = list(
        User.objects.filter(username__startswith="kpi-agent").order_by("username").values_list("pk", flat=True)
    )
    manager = User.objects.get(username="kpi-manager")
    executive = User.objects.get(username="kpi-exec")
    return organisation, manager, executive, World(organisation.pk, branch_ids, team_ids, agent_ids)


def day_events(world: World, rng: random.Random, day: date, counts: dict[str, int], zone: Any, first_case: int):
    """The events (and case rows) that start on ``day``: yields ('event', row) and ('case', row)."""
    from frontoffice.core.reporting import EventKind as K

    org = world.organisation_id
    midnight = datetime.combine(day, time.min, tzinfo=zone)

    def at() -> datetime:
        # Office hours, busier in the middle of the day.
        return midnight + timedelta(seconds=int(min(max(rng.gauss(13 * 3600, 3 * 3600), 7 * 3600), 21 * 3600)))

    def who() -> tuple[int, int, int, str]:
        agent = rng.choice(world.agent_ids)
        return agent, world.agent_branch[agent], world.agent_team[agent], rng.choice(world.agent_channels[agent])

    def event(kind, when, agent, branch, team, channel, subject, value=None, data=None, client=None, topic=None):
        return (
            "event",
            (org, branch, kind, when, channel, agent, team, topic, client, subject[0], subject[1], value,
             json.dumps(data or {}), when),
        )  # fmt: skip

    for n in range(counts["cases"]):
        case_id = first_case + n
        agent, branch, team, channel = who()
        opened = at()
        subject = ("case", case_id)
        priority = rng.choices(("low", "normal", "high", "urgent"), weights=(20, 60, 15, 5))[0]
        yield event(K.CASE_CREATED, opened, agent, branch, team, channel, subject, data={"priority": priority})
        first_at = resolved_at = None
        reopens = 0
        if rng.random() < 0.95:
            wait = int(rng.lognormvariate(8.0, 1.0))  # median ~50 min
            first_at = opened + timedelta(seconds=wait)
            yield event(K.CASE_FIRST_RESPONSE, first_at, agent, branch, team, channel, subject, wait)
            if rng.random() < 0.3:
                kind = K.SLA_MET if wait <= 4 * 3600 else K.SLA_BREACHED
                data = {"target": "first_response", "clock": "business", "target_seconds": 14400}
                yield event(kind, first_at, agent, branch, team, channel, subject, min(wait, 14400), data)
            if rng.random() < 0.9 / 0.95:
                took = int(min(rng.lognormvariate(11.5, 1.0), 8 * 86400))  # median ~1.1 days
                took = max(took, wait + 60)
                resolved_at = opened + timedelta(seconds=took)
                replies = rng.choices((1, 2, 3, 4), weights=(40, 30, 20, 10))[0]
                data = {"replies": replies, "reopened": False}
                yield event(K.CASE_RESOLVED, resolved_at, agent, branch, team, channel, subject, took, data)
                if rng.random() < 0.055:
                    reopens = 1
                    again = resolved_at + timedelta(seconds=rng.randint(3600, 3 * 86400))
                    yield event(
                        K.CASE_REOPENED, again, agent, branch, team, channel, subject,
                        int((again - resolved_at).total_seconds()), {"reopened": True},
                    )  # fmt: skip
                    resolved_at = again + timedelta(seconds=rng.randint(600, 86400))
                    took = int((resolved_at - opened).total_seconds())
                    data = {"replies": replies + 1, "reopened": True}
                    yield event(K.CASE_RESOLVED, resolved_at, agent, branch, team, channel, subject, took, data)
        status = "resolved" if resolved_at else ("open" if first_at else "new")
        yield (
            "case",
            (case_id, opened, resolved_at or first_at or opened, org, branch, f"B-{case_id}", f"Bench case {case_id}",
             channel, status, priority, team, agent, False, opened, first_at, resolved_at, None, reopens, 1),
        )  # fmt: skip
    for _n in range(counts["contacts"]):
        agent, branch, team, channel = who()
        client, topic = rng.randint(1, CLIENTS), rng.randint(1, TOPICS)
        subject = ("interaction", rng.randint(1, 10**9))
        yield event(K.CONTACT_RECEIVED, at(), agent, branch, team, channel, subject, None, {}, client, topic)
    for _n in range(counts["calls"]):
        agent, branch, team, _channel = who()
        when = at()
        subject = ("interaction", rng.randint(1, 10**9))
        data = {"queue": "main", "direction": "inbound"}
        yield event(K.CALL_OFFERED, when, agent, branch, team, "phone", subject, None, data)
        wait = int(rng.expovariate(1 / 25))
        if rng.random() < 0.9:
            answered = when + timedelta(seconds=wait)
            yield event(K.CALL_ANSWERED, answered, agent, branch, team, "phone", subject, wait, data)
        else:
            short = wait < 5
            yield event(K.CALL_ABANDONED, when + timedelta(seconds=wait), None, branch, team, "phone", subject, wait,
                        {**data, "short": short})  # fmt: skip
    for _n in range(counts["visits"]):
        agent, branch, team, _channel = who()
        yield event(K.VISIT_FINISHED, at(), agent, branch, team, "in_person", ("visit", rng.randint(1, 10**9)))
    for _n in range(counts["sent"]):
        agent, branch, team, channel = who()
        subject = ("invitation", rng.randint(1, 10**9))
        yield event(K.SURVEY_SENT, at(), agent, branch, team, channel, subject, None, {"survey_type": "csat"})
    for _n in range(counts["answers"]):
        agent, branch, team, channel = who()
        score = rng.choices((1, 2, 3, 4, 5), weights=(5, 7, 13, 35, 40))[0]
        data = {"survey_type": "csat", "scale": [1, 5], "response": rng.randint(1, 10**9), "low": score <= 2}
        subject = ("invitation", rng.randint(1, 10**9))
        yield event(K.SURVEY_ANSWERED, at(), agent, branch, team, channel, subject, score, data)


def per_day(total: int, days: int, rng: random.Random, day_index: int) -> int:
    """About total / days on a weekday, less at the weekend, so that the days add up to about ``total``."""
    base = total / days
    weekday = day_index % 7 < 5
    mean = base * (1.16 if weekday else 0.6)
    return max(0, int(rng.gauss(mean, mean * 0.05) + 0.5))


def generate(world: World, first_day: date, days: int, scale: float, zone: Any) -> tuple[int, int]:
    """Write ``days`` days of events and cases from ``first_day``, in day order; returns (events, cases)."""
    from django.db import connection, transaction

    rng = random.Random(0)
    totals = {key: int(value * scale) for key, value in FULL.items()} | {"answers": int(FULL_ANSWERS * scale)}
    last = first_day + timedelta(days=days)  # exclusive: later events of still open cases are dropped
    end = datetime.combine(last, time.min, tzinfo=zone)
    pending: dict[date, list[tuple[Any, ...]]] = defaultdict(list)
    written = cases = 0
    first_case = 1
    for index in range(days + LAG_DAYS + 1):
        day = first_day + timedelta(days=index)
        case_rows: list[tuple[Any, ...]] = []
        if day < last:
            counts = {key: per_day(total, days, rng, index) for key, total in totals.items()}
            for what, row in day_events(world, rng, day, counts, zone, first_case):
                if what == "case":
                    case_rows.append(row)
                elif row[3] < end:
                    pending[row[3].astimezone(zone).date()].append(row)
            first_case += counts["cases"]
        ready = day - timedelta(days=LAG_DAYS)
        rows = sorted(pending.pop(ready, []), key=lambda row: row[3])
        with transaction.atomic():
            write_rows("core_reportingevent", EVENT_COLUMNS, rows)
            write_rows("interactions_case", CASE_COLUMNS, case_rows)
        written += len(rows)
        cases += len(case_rows)
        if index % 50 == 0:
            print(f"  generated up to {day}: {written:,} events, {cases:,} cases", flush=True)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('interactions_case', 'id'), MAX(id)) FROM interactions_case"
            )
            cursor.execute("ANALYZE")
    return written, cases


# --- the incremental day ------------------------------------------------------------------------------


def new_day(world: World, day: date, scale: float, days: int, zone: Any) -> int:
    """Write one day's new events (contacts, calls, surveys, and replies / resolutions of recent cases)."""
    from django.db import transaction

    rng = random.Random(day.toordinal())
    totals = {key: int(value * scale) for key, value in FULL.items()} | {"answers": int(FULL_ANSWERS * scale)}
    counts = {key: per_day(total, days, rng, 2) for key, total in totals.items()}
    rows = [row for what, row in day_events(world, rng, day, counts, zone, 10**12) if what == "event"]
    # Only what happens on the day itself (later replies of its cases come on later days).
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)
    now = datetime.now(UTC) - timedelta(minutes=5)
    rows = [(*row[:9], "bench-day", row[10] % 10**9, *row[11:13], now) for row in rows if row[3] < end]
    with transaction.atomic():
        write_rows("core_reportingevent", EVENT_COLUMNS, rows)
    return len(rows)


def reset_new_day(organisation: Any, day: date) -> None:
    """Remove a previous run's new day: its events, its roll-up cells, and the watermark back below them."""
    from django.db import transaction
    from django.db.models import Max

    from frontoffice.core.models import ReportingEvent
    from frontoffice.reports.models import DailyRollup, RollupState
    from frontoffice.reports.rollup import rebuild_margins

    with transaction.atomic():
        ReportingEvent.objects.filter(organisation=organisation, subject_type="bench-day").delete()
        DailyRollup.objects.filter(organisation=organisation, day__gte=day).delete()
        rebuild_margins(organisation.pk, since=day)  # the day's marginal cells and its month without the day
        top = ReportingEvent.objects.filter(organisation=organisation).aggregate(Max("id"))["id__max"] or 0
        RollupState.objects.filter(organisation=organisation).update(last_event_id=top)


# --- the baseline: the same figures from the raw events ---------------------------------------------------


def baseline_dashboard(organisation_id: int, span: Any, filters: Any, zone: Any, trend: bool = False) -> int:
    """The dashboard's figures straight from the raw events: per kind and dimension counts and sums for the
    period and the one before, value histograms for the medians, and the backlog from the start."""
    from django.db.models import Count, Q, Sum

    from frontoffice.core.models import ReportingEvent
    from frontoffice.core.reporting import EventKind as K

    def window(first: date, last: date) -> Q:
        return Q(
            occurred_at__gte=datetime.combine(first, time.min, tzinfo=zone),
            occurred_at__lt=datetime.combine(last + timedelta(days=1), time.min, tzinfo=zone),
        )

    events = ReportingEvent.objects.filter(organisation_id=organisation_id)
    if filters.branch_id:
        events = events.filter(branch_id=filters.branch_id)
    if filters.team_id:
        events = events.filter(team_id=filters.team_id)
    if filters.agent_id:
        events = events.filter(agent_id=filters.agent_id)
    if filters.channel:
        events = events.filter(channel=filters.channel)
    rows = 0
    if trend:
        per_day = events.filter(window(span.trend_start, span.end), kind=K.CASE_FIRST_RESPONSE)
        rows += len(list(per_day.values("occurred_at__date", "value").annotate(n=Count("id"))))
        return rows
    for first, last in ((span.start, span.end), (span.before_start, span.before_end)):
        chosen = events.filter(window(first, last))
        grouped = chosen.values("kind", "branch_id", "team_id", "agent_id", "channel").annotate(
            n=Count("id"), total=Sum("value")
        )
        rows += len(list(grouped))
        medians = chosen.filter(
            kind__in=[K.CASE_FIRST_RESPONSE, K.CASE_RESOLVED, K.CALL_ANSWERED, K.SURVEY_ANSWERED]
        ).values("kind", "value")
        rows += len(list(medians.annotate(n=Count("id"))))
    backlog = events.filter(occurred_at__lt=datetime.combine(span.end + timedelta(days=1), time.min, tzinfo=zone))
    rows += len(list(backlog.filter(kind__in=[K.CASE_CREATED, K.CASE_RESOLVED]).values("kind").annotate(n=Count("id"))))
    return rows


# --- measuring -------------------------------------------------------------------------------------------


def timed(call: Any, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        started = clock.perf_counter()
        call()
        out.append((clock.perf_counter() - started) * 1000)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--database")
    parser.add_argument("--scale", type=float, help="share of the issue's volume (1 = 5,000,000 events)")
    parser.add_argument("--days", type=int)
    parser.add_argument("--runs", type=int, help="requests per page (30; quick: 3)")
    parser.add_argument("--baseline-runs", type=int, help="baseline runs per page (5; quick: 3)")
    args = parser.parse_args()
    url = setup(args.database, args.quick)
    scale = args.scale or (0.002 if args.quick else 1.0)
    days = args.days or (60 if args.quick else 400)
    runs = args.runs or (3 if args.quick else 30)
    baseline_runs = args.baseline_runs or (3 if args.quick else 5)

    from zoneinfo import ZoneInfo

    from django.db import connection
    from django.db.models import Max, Min
    from django.test import Client

    from frontoffice.core.models import ReportingEvent
    from frontoffice.reports.dashboard import span_of
    from frontoffice.reports.models import (
        DailyMarginalRollup,
        DailyRollup,
        MonthlyMarginalRollup,
        MonthlyRollup,
        RollupState,
    )
    from frontoffice.reports.rollup import rollup
    from frontoffice.reports.selectors import Filters

    organisation, manager, executive, world = make_world(20 if args.quick else AGENTS)
    zone = ZoneInfo(organisation.time_zone)
    events = ReportingEvent.objects.filter(organisation=organisation).exclude(subject_type="bench-day")
    full_rollup = None
    if not events.exists():
        first_day = date.today() - timedelta(days=days)
        print(f"generating {days} days from {first_day} at scale {scale} ({connection.vendor}) ...", flush=True)
        started = clock.perf_counter()
        written, cases = generate(world, first_day, days, scale, zone)
        print(f"generated {written:,} events and {cases:,} cases in {clock.perf_counter() - started:.0f} s")
    # A previous run's new day is not part of "everything".
    ReportingEvent.objects.filter(organisation=organisation, subject_type="bench-day").delete()
    state = RollupState.objects.filter(organisation=organisation).first()
    if state is None or state.last_event_id < (events.aggregate(Max("id"))["id__max"] or 0):
        # Not rolled up yet (or a run stopped half-way): roll up everything from scratch, timed.
        for model in (DailyRollup, MonthlyRollup, DailyMarginalRollup, MonthlyMarginalRollup):
            model.objects.filter(organisation=organisation).delete()
        RollupState.objects.filter(organisation=organisation).delete()
        print("rolling up everything ...", flush=True)
        started = clock.perf_counter()
        rollup(organisation=organisation, settle_seconds=0)
        full_rollup = clock.perf_counter() - started
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # The planner's statistics saw empty tables, and the roll-up's rewrites of the current month's
                # cells leave millions of dead rows that autovacuum has not reached yet: pages read right
                # after would pay for them (docs/benchmarks.md, issue 7, fourth round).
                for model in (DailyRollup, MonthlyRollup, DailyMarginalRollup, MonthlyMarginalRollup):
                    cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")
    span_days = events.aggregate(first=Min("occurred_at"), last=Max("occurred_at"))
    first_day, last_day = span_days["first"].astimezone(zone).date(), span_days["last"].astimezone(zone).date()
    total = events.count()
    cells = DailyRollup.objects.filter(organisation=organisation).count()
    months = MonthlyRollup.objects.filter(organisation=organisation).count()
    margins = DailyMarginalRollup.objects.filter(organisation=organisation).count()
    month_margins = MonthlyMarginalRollup.objects.filter(organisation=organisation).count()
    print(f"database: {connection.vendor} ({url.rsplit('/', 1)[-1]})")
    print(f"workload: {total:,} events from {first_day} to {last_day}; {cells:,} daily and {months:,} monthly cells")
    print(f"marginal cells: {margins:,} daily and {month_margins:,} monthly")
    if full_rollup is not None:
        print(f"roll-up of everything ({total:,} events): {full_rollup:.1f} s")

    # The incremental roll-up of one new day.
    day = last_day + timedelta(days=1)
    incremental, counted = [], 0
    for _ in range(3):
        reset_new_day(organisation, day)
        new_day(world, day, scale, days, zone)
        started = clock.perf_counter()
        counted = rollup(organisation=organisation, settle_seconds=0)
        incremental.append(clock.perf_counter() - started)
    print(
        f"incremental roll-up of one day ({counted:,} events): median {statistics.median(incremental):.2f} s"
        f" (runs: {', '.join(f'{t:.2f}' for t in incremental)})"
    )

    # Pages, through the whole request in-process.
    month_end = last_day.replace(day=1) - timedelta(days=1)
    month = month_end.replace(day=1)
    quarter = (last_day - timedelta(days=89), last_day)
    branch, team = world.branch_ids[3], world.team_ids[2]
    as_manager, as_executive = Client(), Client()
    as_manager.force_login(manager)
    as_executive.force_login(executive)
    month_q = {"period": "month", "date": month.isoformat()}
    range_q = {"period": "custom", "date_from": quarter[0].isoformat(), "date_to": quarter[1].isoformat()}
    month_span = span_of("month", month)
    range_span = span_of("custom", month, *quarter)
    drill = {**month_q, "metric": "first_response_time"}
    # FCR is final some days after the fact: a month ending 11 days before the data's last day.
    fcr_q = {
        "period": "custom",
        "date_from": (last_day - timedelta(days=40)).isoformat(),
        "date_to": (last_day - timedelta(days=11)).isoformat(),
    }
    pages: list[tuple[str, Any, str, dict[str, Any], Any]] = [
        ("dashboard, month", as_manager, "/reports/dashboard/", month_q, (month_span, Filters())),
        ("dashboard, 90 days", as_manager, "/reports/dashboard/", range_q, (range_span, Filters())),
        (
            "dashboard, 90 days, a branch",
            as_manager,
            "/reports/dashboard/",
            {**range_q, "branch": branch},
            (range_span, Filters(branch_id=branch)),
        ),
        (
            "dashboard, month, team + channel",
            as_manager,
            "/reports/dashboard/",
            {**month_q, "team": team, "channel": "email"},
            (month_span, Filters(team_id=team, channel="email")),
        ),
        ("executive, month", as_executive, "/reports/executive/", month_q, (month_span, Filters())),
        (
            "chart.svg, 90 days",
            as_manager,
            "/reports/dashboard/chart.svg",
            {**range_q, "metric": "first_response_time"},
            ("trend", range_span, Filters()),
        ),
        ("drill-down first reply, p. 1", as_manager, "/reports/dashboard/records/", drill, None),
        ("drill-down first reply, p. 20", as_manager, "/reports/dashboard/records/", {**drill, "page": 20}, None),
        ("drill-down CSAT, p. 1", as_manager, "/reports/dashboard/records/", {**month_q, "metric": "csat"}, None),
        (
            "drill-down FCR, branch, p. 1",
            as_manager,
            "/reports/dashboard/records/",
            {**fcr_q, "metric": "fcr", "branch": branch},
            None,
        ),
        (
            "drill-down calls answered, p. 5",
            as_manager,
            "/reports/dashboard/records/",
            {**month_q, "metric": "calls_answered", "page": 5},
            None,
        ),
    ]
    # What the served application does at start-up (config.serve, core/heap.py): the process's long-lived
    # objects out of the collector's scans, which otherwise add ~120 ms to every third dashboard.
    from frontoffice.core.heap import freeze_startup_objects

    freeze_startup_objects()
    print(f"pages: {runs} requests each (test Client, in-process); baseline: {baseline_runs} runs of its queries")
    print(f"{'page':34} {'p50 ms':>8} {'p95 ms':>8} {'baseline p50':>13} {'ratio':>7}")
    for name, client, path, query, base in pages:
        status = client.get(path, query).status_code
        if status != 200:
            raise SystemExit(f"{name}: {path} answered {status}")
        times = timed(lambda client=client, path=path, query=query: client.get(path, query), runs)
        line = f"{name:34} {statistics.median(times):8.1f} {percentile(times, 0.95):8.1f}"
        if base is not None:
            if base[0] == "trend":
                call = lambda base=base: baseline_dashboard(organisation.pk, base[1], base[2], zone, trend=True)  # noqa: E731
            else:
                call = lambda base=base: baseline_dashboard(organisation.pk, base[0], base[1], zone)  # noqa: E731
            naive = statistics.median(timed(call, baseline_runs))
            line += f" {naive:13.1f} {naive / statistics.median(times):6.1f}x"
        print(line, flush=True)


if __name__ == "__main__":
    main()
