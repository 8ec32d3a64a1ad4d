"""How fast metrics are read from the roll-ups, and how long the incremental roll-up of one day takes.

Workload (skeleton): one organisation with two branches, 30 days of reporting events (contacts,
cases with first responses and resolutions, calls, CSAT answers) spread over 12 agents in 3 teams;
the database from DATABASE_URL / `--database`, default `var/bench/kpis.sqlite3` (generated each run).
The first 29 days are rolled up beforehand; the measured roll-up is the last day's new events.

- ours:      `reports.rollup.rollup` of one day's new events, then `reports.selectors.metric_value`
             for a handful of metrics over the 30 days (read from the daily cells)
- baseline:  the same figures computed straight from the raw events (read and summed in Python)

    python bench/kpis.py             # 1,000,000 events
    python bench/kpis.py --quick     # smoke: 5,000 events
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time as clock
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DAYS = 30
METRICS = ("csat", "first_response_time", "resolution_time", "asa", "service_level", "contacts_per_1000_visits")


def setup(database: str | None, quick: bool) -> None:
    if database:
        os.environ["DATABASE_URL"] = database
    elif not os.environ.get("DATABASE_URL"):
        folder = ROOT / "var" / "bench"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / ("kpis-quick.sqlite3" if quick else "kpis.sqlite3")
        path.unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def generate(events: int) -> tuple[Any, Any, datetime]:
    """Write ``events`` events over DAYS days; return the organisation, an executive and the last day's start."""
    from frontoffice.core.models import ReportingEvent
    from frontoffice.core.reporting import EventKind as K
    from tests.factories import BranchFactory, OrganisationFactory, StaffFactory

    rng = random.Random(0)
    organisation = OrganisationFactory(name="Bench KPIs", slug="bench-kpis")
    branches = [BranchFactory(organisation=organisation, name=f"Bench {n}", code=f"b{n}") for n in range(2)]
    executive = StaffFactory(
        organisation=organisation, roles=["executive"], branches=[], user__username="bench-exec"
    ).user
    agents = [
        StaffFactory(organisation=organisation, roles=["agent"], branches=branches, user__username=f"bench-a{n}").user
        for n in range(12)
    ]
    kinds = [
        (K.CONTACT_RECEIVED, None),
        (K.VISIT_FINISHED, None),
        (K.CASE_FIRST_RESPONSE, (30, 7200)),
        (K.CASE_RESOLVED, (600, 400_000)),
        (K.CALL_OFFERED, None),
        (K.CALL_ANSWERED, (1, 180)),
        (K.SURVEY_ANSWERED, (1, 5)),
    ]
    start = datetime.combine(date.today() - timedelta(days=DAYS + 10), datetime.min.time(), tzinfo=UTC)
    batch = []
    for n in range(events):
        kind, bounds = kinds[n % len(kinds)]
        agent_index = rng.randrange(len(agents))
        batch.append(
            ReportingEvent(
                organisation=organisation,
                branch=branches[agent_index % 2],
                kind=kind,
                occurred_at=start + timedelta(seconds=int(n * DAYS * 86400 / events)),
                channel=rng.choice(["phone", "email", "chat"]),
                agent=agents[agent_index],
                team_id=agent_index % 3 + 1,
                subject_type="bench",
                subject_id=n,
                value=rng.randint(*bounds) if bounds else None,
                data={"survey_type": "csat", "replies": 1} if kind in (K.SURVEY_ANSWERED, K.CASE_RESOLVED) else {},
            )
        )
        if len(batch) == 10_000:
            ReportingEvent.objects.bulk_create(batch)
            batch = []
    ReportingEvent.objects.bulk_create(batch)
    return organisation, executive, start


def baseline(organisation: Any, since: datetime, until: datetime) -> dict[str, Any]:
    """The naive way: read the raw events of the period and compute the figures in Python."""
    from frontoffice.core.models import ReportingEvent

    values: dict[str, list[float]] = {}
    for kind, value in ReportingEvent.objects.filter(
        organisation=organisation, occurred_at__gte=since, occurred_at__lt=until
    ).values_list("kind", "value"):
        values.setdefault(kind, []).append(value)
    scores = values.get("survey.answered", [])
    answered = values.get("call.answered", [])
    return {
        "csat": sum(1 for s in scores if s >= 4) / len(scores) * 100 if scores else None,
        "first_response_time": statistics.median_low(values.get("case.first_response", [0])),
        "resolution_time": statistics.median_low(values.get("case.resolved", [0])),
        "asa": statistics.mean(answered) if answered else None,
        "service_level": sum(1 for w in answered if w <= 20) / max(len(values.get("call.offered", [])), 1) * 100,
        "contacts_per_1000_visits": len(values.get("contact.received", []))
        / max(len(values.get("visit.finished", [])), 1)
        * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--database")
    parser.add_argument("--events", type=int)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    setup(args.database, args.quick)
    events = args.events or (5_000 if args.quick else 1_000_000)

    from django.db.models import Max

    from frontoffice.core.models import ReportingEvent
    from frontoffice.reports.models import RollupState
    from frontoffice.reports.rollup import rollup
    from frontoffice.reports.selectors import metric_value

    organisation, executive, start = generate(events)
    last_day = start + timedelta(days=DAYS - 1)
    # Roll up everything before the last day, as the periodic job would have done.
    before = ReportingEvent.objects.filter(organisation=organisation, occurred_at__lt=last_day).aggregate(Max("id"))
    RollupState.objects.update_or_create(organisation=organisation, defaults={"last_event_id": 0})
    started = clock.perf_counter()
    rollup(organisation=organisation, settle_seconds=0)
    full = clock.perf_counter() - started
    # The incremental run: only the last day's events are new.
    RollupState.objects.filter(organisation=organisation).update(last_event_id=before["id__max"] or 0)
    from frontoffice.reports.models import DailyRollup

    DailyRollup.objects.filter(organisation=organisation, day__gte=last_day.date()).delete()
    started = clock.perf_counter()
    counted = rollup(organisation=organisation, settle_seconds=0)
    one_day = clock.perf_counter() - started

    period = (start.date(), (start + timedelta(days=DAYS)).date())
    ours, naive = [], []
    for _ in range(args.runs):
        started = clock.perf_counter()
        for key in METRICS:
            metric_value(user=executive, key=key, period=period)
        ours.append(clock.perf_counter() - started)
        started = clock.perf_counter()
        baseline(organisation, start, start + timedelta(days=DAYS + 1))
        naive.append(clock.perf_counter() - started)
    print(f"workload: {events:,} events over {DAYS} days; {len(METRICS)} metrics over the {DAYS} days")
    print(f"roll-up of all events: {full:.2f} s; incremental roll-up of one day ({counted:,} events): {one_day:.2f} s")
    ours_ms, naive_ms = statistics.median(ours) * 1000, statistics.median(naive) * 1000
    print(f"ours (from roll-ups): {ours_ms:.1f} ms; baseline (raw events): {naive_ms:.1f} ms")
    print(f"ratio: {naive_ms / ours_ms:.1f}x")


if __name__ == "__main__":
    main()
