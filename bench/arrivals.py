"""How fast the slot search is: "next free slots for visit type X with anyone who does it" (or one resource).

Workload: one branch with 50 resources (practitioners) working Monday to Friday 08:00–12:00 and
12:30–16:00 (Europe/Warsaw), 90 days ahead booked at about 60 % (30-minute appointments placed at
random), a few absences and two branch closures; the database from DATABASE_URL / `--database`,
default `var/bench/arrivals.sqlite3` (generated once and kept). Each search asks for the 5 earliest
free 30-minute slots from a random moment within the 90 days: 70 % with any resource, 30 % with
one given resource.

- ours:      `slots.find_slots` — hours, closures, absences and bookings read with one query each per
             window of days (1, then 2, 4 … days), free time computed in Python
- baseline:  the naive approach: walk the day, resource and 30-minute candidate, and ask the database
             for each (closure? absence? overlapping booking?) until 5 are found

    python bench/arrivals.py             # 50 resources × 90 days, 300 searches (baseline: 60)
    python bench/arrivals.py --quick     # smoke: 10 resources × 30 days, 50 searches
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time as clock
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
ZONE = ZoneInfo("Europe/Warsaw")
HOURS = [(time(8), time(12)), (time(12, 30), time(16))]
SLOT = timedelta(minutes=30)


def setup(database: str | None, quick: bool) -> None:
    if database:
        os.environ["DATABASE_URL"] = database
    elif not os.environ.get("DATABASE_URL"):
        folder = ROOT / "var" / "bench"
        folder.mkdir(parents=True, exist_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{folder / ('arrivals-quick.sqlite3' if quick else 'arrivals.sqlite3')}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def prepare(resources: int, days: int, fill: float, seed: int = 0) -> tuple[Any, Any, list[Any], date]:
    """The benchmark branch, visit type and resources, with bookings from tomorrow for ``days`` days."""
    from frontoffice.clients.models import Client
    from frontoffice.core.models import Branch, Organisation
    from frontoffice.desk.models import Appointment, BranchClosure, Resource, ResourceAbsence, VisitType, WorkingHours

    slug = f"bench-arrivals-{resources}-{days}"
    organisation, _created = Organisation.objects.get_or_create(slug=slug, defaults={"name": slug, "kind": "clinic"})
    branch, _ = Branch.objects.get_or_create(organisation=organisation, code="B1", defaults={"name": "Benchmark"})
    visit_type, _ = VisitType.objects.get_or_create(
        organisation=organisation, name="Konsultacja", defaults={"vertical": "clinic", "duration_minutes": 30}
    )
    first = Appointment.objects.filter(branch=branch).order_by("starts_at").values_list("starts_at", flat=True).first()
    if first is not None:
        return branch, visit_type, list(Resource.objects.filter(branch=branch)), first.astimezone(ZONE).date()
    started = clock.perf_counter()
    rng = random.Random(seed)
    client = Client.objects.create(organisation=organisation, given_name="Anna", family_name="Testowa")
    pool = [Resource(organisation=organisation, branch=branch, name=f"Lekarz {n:02d}") for n in range(resources)]
    Resource.objects.bulk_create(pool)
    pool = list(Resource.objects.filter(branch=branch).order_by("pk"))
    WorkingHours.objects.bulk_create(
        WorkingHours(resource=item, weekday=weekday, starts_at=start, ends_at=end)
        for item in pool
        for weekday in range(5)
        for start, end in HOURS
    )
    start_day = datetime.now(ZONE).date() + timedelta(days=1)
    BranchClosure.objects.bulk_create(
        [BranchClosure(branch=branch, date=start_day + timedelta(days=offset)) for offset in (days // 3, days // 2)]
    )
    absences, bookings = [], []
    for item in pool:
        if rng.random() < 0.2:
            away = datetime.combine(start_day + timedelta(days=rng.randrange(days)), time(8), tzinfo=ZONE)
            absences.append(ResourceAbsence(resource=item, starts_at=away, ends_at=away + timedelta(days=3)))
        for offset in range(days):
            day = start_day + timedelta(days=offset)
            if day.weekday() >= 5:
                continue
            for begin, end in HOURS:
                moment = datetime.combine(day, begin, tzinfo=ZONE)
                while moment + SLOT <= datetime.combine(day, end, tzinfo=ZONE):
                    if rng.random() < fill:
                        bookings.append(
                            Appointment(
                                organisation=organisation,
                                branch=branch,
                                resource=item,
                                client=client,
                                visit_type=visit_type,
                                starts_at=moment,
                                ends_at=moment + SLOT,
                                status="booked",
                            )
                        )
                    moment += SLOT
    ResourceAbsence.objects.bulk_create(absences)
    Appointment.objects.bulk_create(bookings, batch_size=2000)
    print(
        f"generated {len(bookings):,} bookings for {resources} resources × {days} days "
        f"in {clock.perf_counter() - started:.1f} s"
    )
    return branch, visit_type, pool, start_day


def naive_find(
    *, branch: Any, visit_type: Any, resources: list[Any], after: datetime, count: int, days: int
) -> list[Any]:
    """The baseline: one question to the database per day, resource and candidate slot."""
    from frontoffice.desk.models import Appointment, BranchClosure, ResourceAbsence, WorkingHours
    from frontoffice.desk.models.calendar import SLOT_HOLDING

    found: list[tuple[datetime, int]] = []
    day = after.astimezone(ZONE).date()
    for _offset in range(days):
        if BranchClosure.objects.filter(branch=branch, date=day).exists():
            day += timedelta(days=1)
            continue
        todays: list[tuple[datetime, int]] = []
        for item in resources:
            for row in WorkingHours.objects.filter(resource=item, weekday=day.weekday()):
                moment = datetime.combine(day, row.starts_at, tzinfo=ZONE)
                while moment + SLOT <= datetime.combine(day, row.ends_at, tzinfo=ZONE):
                    if moment >= after and not (
                        ResourceAbsence.objects.filter(
                            resource=item, starts_at__lt=moment + SLOT, ends_at__gt=moment
                        ).exists()
                        or Appointment.objects.filter(
                            resource=item, status__in=SLOT_HOLDING, starts_at__lt=moment + SLOT, ends_at__gt=moment
                        ).exists()
                    ):
                        todays.append((moment, item.pk))
                    moment += SLOT
        found += sorted(todays)[: count - len(found)]
        if len(found) >= count:
            break
        day += timedelta(days=1)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smoke mode: 10 resources × 30 days, 50 searches")
    parser.add_argument("--resources", type=int)
    parser.add_argument("--days", type=int)
    parser.add_argument("--searches", type=int)
    parser.add_argument("--baseline-searches", type=int)
    parser.add_argument("--fill", type=float, default=0.6, help="share of slots booked (default 0.6)")
    parser.add_argument("--database", help="a DATABASE_URL for the benchmark (default: DATABASE_URL or var/bench)")
    args = parser.parse_args()
    resources = args.resources or (10 if args.quick else 50)
    days = args.days or (30 if args.quick else 90)
    searches = args.searches or (50 if args.quick else 300)
    baseline_searches = args.baseline_searches or (10 if args.quick else 60)
    setup(args.database, args.quick)
    from django.db import connection

    from frontoffice.desk import slots

    branch, visit_type, pool, start_day = prepare(resources, days, args.fill)
    rng = random.Random(1)
    workload = []
    for _ in range(searches):
        after = datetime.combine(
            start_day + timedelta(days=rng.randrange(days - 7)), time(rng.randrange(7, 17)), tzinfo=ZONE
        )
        workload.append((after, rng.choice(pool) if rng.random() < 0.3 else None))
    slots.find_slots(branch=branch, visit_type=visit_type, after=workload[0][0])  # warm-up
    ours: list[float] = []
    for after, resource in workload:
        started = clock.perf_counter()
        found = slots.find_slots(
            branch=branch, visit_type=visit_type, resource=resource, after=after, count=5, days=days
        )
        ours.append((clock.perf_counter() - started) * 1000)
        assert len(found) == 5, (after, resource)
    baseline: list[float] = []
    for after, resource in workload[:baseline_searches]:
        started = clock.perf_counter()
        naive_find(
            branch=branch,
            visit_type=visit_type,
            resources=[resource] if resource else pool,
            after=after,
            count=5,
            days=days,
        )
        baseline.append((clock.perf_counter() - started) * 1000)
    p95_ours, p95_base = percentile(ours, 0.95), percentile(baseline, 0.95)
    print(f"workload: {resources} resources × {days} days, {args.fill:.0%} booked, {connection.vendor}")
    print(f"ours     ({len(ours)} searches): median {statistics.median(ours):.1f} ms, p95 {p95_ours:.1f} ms")
    print(
        f"baseline ({len(baseline)} searches, a query per slot): "
        f"median {statistics.median(baseline):.1f} ms, p95 {p95_base:.1f} ms"
    )
    print(
        f"ratio (baseline p95 / ours p95): {p95_base / p95_ours:.1f}×; "
        f"target p95 ≤ 100 ms: {'met' if p95_ours <= 100 else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
