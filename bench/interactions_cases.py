"""How fast the agent queue and the client timeline are at scale.

Workload: one organisation, one branch, 300,000 cases (statuses, priorities and channels mixed; 5 % owned
by the measured agent, 60 % unassigned, 10 % with a running SLA clock) and 1,000,000 contacts of
20,000 clients; the database from DATABASE_URL / `--database`, default `var/bench/cases.sqlite3`
(generated once and kept). Each request asks one queue tab (mine, team, unassigned, breaching, all,
with a random status / priority / channel filter in a third of them) or one client's timeline page 1.

- ours:      `cases.selectors.case_queue` (a page + 1 row, joined, no COUNT; deadlines of the page in one
             query) and `client_timeline` (each source read ordered by its index, merged)
- baseline:  the naive queue: Django's Paginator (COUNT of the filtered table) and rows read without
             select_related (a query per owner, client and team on each row)

    python bench/interactions_cases.py            # 300,000 cases, 1,000,000 contacts, 200 requests
    python bench/interactions_cases.py --quick    # smoke: 1,000 cases, 4,000 contacts, 30 requests
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time as clock
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def setup(database: str | None, quick: bool) -> None:
    if database:
        os.environ["DATABASE_URL"] = database
    elif not os.environ.get("DATABASE_URL"):
        folder = ROOT / "var" / "bench"
        folder.mkdir(parents=True, exist_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{folder / ('cases-quick.sqlite3' if quick else 'cases.sqlite3')}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def prepare(cases: int, contacts: int, clients: int) -> tuple[Any, list[int]]:
    from django.db import transaction

    from frontoffice.clients.models import Client
    from frontoffice.interactions.choices import CasePriority, CaseStatus, Channel
    from frontoffice.interactions.models import Case, CaseSla, Interaction, SlaPolicyRecord, Team
    from tests.factories import BranchFactory, OrganisationFactory, StaffFactory

    agent_staff = StaffFactory._meta.model.objects.filter(user__username="bench-agent").first()
    if agent_staff is not None:
        branch = agent_staff.branches.first()
        return agent_staff.user, list(
            Client.objects.filter(organisation_id=branch.organisation_id).values_list("pk", flat=True)
        )
    rng = random.Random(0)
    with transaction.atomic():
        organisation = OrganisationFactory(name="Bench", slug="bench-cases")
        branch = BranchFactory(organisation=organisation, name="Bench", code="bench")
        agent = StaffFactory(
            organisation=organisation, roles=["agent"], branches=[branch], user__username="bench-agent"
        ).user
        others = [
            StaffFactory(
                organisation=organisation, roles=["agent"], branches=[branch], user__username=f"bench-{n}"
            ).user
            for n in range(20)
        ]
        team = Team.objects.create(organisation=organisation, branch=branch, name="Bench")
        team.members.set([agent, *others[:5]])
        policy = SlaPolicyRecord.objects.create(organisation=organisation, name="Bench", first_response_minutes=240)
    Client.objects.bulk_create(
        [
            Client(
                organisation=organisation,
                number=f"K{n:07d}",
                given_name=f"Imię{n}",
                family_name=f"Nazwisko{n}",
                search_name=f"imie{n} nazwisko{n}",
            )
            for n in range(clients)
        ],
        batch_size=2000,
    )
    client_ids = list(Client.objects.filter(organisation=organisation).values_list("pk", flat=True))
    start = datetime(2024, 1, 1, tzinfo=UTC)
    statuses, priorities, channels = CaseStatus.values, CasePriority.values, Channel.values
    batch: list[Case] = []
    for n in range(cases):
        roll = rng.random()
        owner = agent if roll < 0.05 else (rng.choice(others) if roll < 0.4 else None)
        batch.append(
            Case(
                organisation=organisation,
                branch=branch,
                number=f"C{n:08d}",
                subject=f"Sprawa {n}",
                client_id=rng.choice(client_ids),
                channel=rng.choice(channels),
                status=rng.choice(statuses),
                priority=rng.choice(priorities),
                team=team if rng.random() < 0.3 else None,
                owner=owner,
                opened_at=start + timedelta(minutes=3 * n),
            )
        )
        if len(batch) == 5000:
            Case.objects.bulk_create(batch)
            batch = []
    Case.objects.bulk_create(batch)
    now = datetime.now(UTC)
    clocks = [
        CaseSla(
            case_id=pk,
            policy=policy,
            target="first_response",
            status="running",
            state={},
            due_at=now + timedelta(minutes=rng.randint(-600, 6000)),
        )
        for pk in Case.objects.filter(organisation=organisation).values_list("pk", flat=True)[: cases // 10]
    ]
    CaseSla.objects.bulk_create(clocks, batch_size=5000)
    rows: list[Interaction] = []
    for n in range(contacts):
        rows.append(
            Interaction(
                organisation=organisation,
                branch=branch,
                channel=rng.choice(channels),
                started_at=start + timedelta(seconds=50 * n),
                client_id=rng.choice(client_ids),
            )
        )
        if len(rows) == 10000:
            Interaction.objects.bulk_create(rows)
            rows = []
    Interaction.objects.bulk_create(rows)
    return agent, client_ids


def naive_queue(user: Any, filters: Any) -> int:
    from django.core.paginator import Paginator

    from frontoffice.interactions.cases import selectors

    queryset = selectors.case_queue_queryset(user=user, filters=filters).select_related(None)
    page = Paginator(queryset, 50).get_page(1)
    touched = 0
    for case in page.object_list:
        touched += bool(case.owner) + bool(case.client) + bool(case.team)
    return touched + page.paginator.count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--database")
    parser.add_argument("--requests", type=int)
    args = parser.parse_args()
    setup(args.database, args.quick)
    cases, contacts, clients, requests = (1_000, 4_000, 200, 30) if args.quick else (300_000, 1_000_000, 20_000, 200)
    requests = args.requests or requests
    began = clock.perf_counter()
    agent, client_ids = prepare(cases, contacts, clients)
    print(f"data ready in {clock.perf_counter() - began:.0f} s: {cases:,} cases, {contacts:,} contacts")

    from frontoffice.interactions.cases import selectors

    rng = random.Random(1)

    def random_filters() -> Any:
        extra: dict[str, str] = {}
        if rng.random() < 0.33:
            key = rng.choice(["status", "priority", "channel"])
            extra[key] = {"status": "open", "priority": "urgent", "channel": "email"}[key]
        return selectors.QueueFilters(tab=rng.choice(selectors.TABS), **extra)

    def measure(fn: Any, count: int) -> list[float]:
        times = []
        for _ in range(count):
            filters = random_filters()
            agent.__dict__.pop("_perm_cache", None)
            t0 = clock.perf_counter()
            fn(filters)
            times.append((clock.perf_counter() - t0) * 1000)
        return times

    def ours(filters: Any) -> None:
        page = selectors.case_queue(user=agent, filters=filters)
        shown = [(case.owner, case.client, case.team) for case in page.rows]
        assert len(shown) == len(page.rows)

    ours_times = measure(ours, requests)
    naive_times = measure(lambda filters: naive_queue(agent, filters), max(10, requests // 4))
    timeline_times = []
    for _ in range(requests):
        client_id = rng.choice(client_ids)
        t0 = clock.perf_counter()
        selectors.client_timeline(user=agent, client_id=client_id, with_visits=False)
        timeline_times.append((clock.perf_counter() - t0) * 1000)
    for name, values in (
        ("queue (ours)", ours_times),
        ("queue (naive)", naive_times),
        ("client timeline", timeline_times),
    ):
        print(
            f"{name:16} median {statistics.median(values):7.1f} ms  p95 {percentile(values, 0.95):7.1f} ms  "
            f"({len(values)} requests)"
        )
    print(f"ratio naive/ours (p95): {percentile(naive_times, 0.95) / percentile(ours_times, 0.95):.1f}")


if __name__ == "__main__":
    main()
