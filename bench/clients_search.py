"""How fast search as you type answers, against the naive approach, on N generated clients.

Workload: N clients of one organisation from the population generator
(`frontoffice.clients.population`, 10 % duplicates), on the database of DATABASE_URL
(or `--database`; default a separate SQLite file `var/bench/clients.sqlite3`, never the
demo database). Queries are what a clerk types into the search box, 3 characters or more,
without diacritics: family-name prefixes of 3, 4 and 6 letters (keystroke by keystroke),
"given family" and "family given" (folded), and phones typed as "600 100 200".

- ours:     `search.search_clients(user=…, query=…, limit=20)` (FTS5 trigram on SQLite,
            pg_trgm on PostgreSQL; ranked)
- baseline: `given_name__icontains | family_name__icontains` for each word, every matching
            row fetched and ranked in Python with rapidfuzz (WRatio), top 20

Prints p50 and p95 per round, the median over rounds, and the ratio (baseline / ours).
    python bench/clients_search.py                 # 100,000 clients, 5 rounds
    python bench/clients_search.py --count 1000000 # the issue's target size
    python bench/clients_search.py --quick         # smoke: 2,000 clients, 1 round
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def setup(database: str | None, quick: bool) -> None:
    """Point Django at the benchmark database and migrate it."""
    if database:
        os.environ["DATABASE_URL"] = database
    elif not os.environ.get("DATABASE_URL"):
        folder = ROOT / "var" / "bench"
        folder.mkdir(parents=True, exist_ok=True)
        name = "clients-quick.sqlite3" if quick else "clients.sqlite3"
        os.environ["DATABASE_URL"] = f"sqlite:///{folder / name}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def prepare(count: int, seed: int = 0) -> tuple[Any, Any, Path]:
    """The benchmark organisation with ``count`` generated clients (generated once and kept); its clerk
    stand-in and the ground-truth file of duplicate pairs."""
    from django.db import connection

    from frontoffice.clients.models import Client
    from frontoffice.clients.population import generate, insert, write_truth
    from frontoffice.core.choices import BusinessKind
    from frontoffice.core.models import Organisation
    from frontoffice.core.scoping import Scope

    slug = f"bench-{count}"
    organisation, _created = Organisation.objects.get_or_create(
        slug=slug, defaults={"name": f"Benchmark {count}", "kind": BusinessKind.values[0]}
    )
    truth = ROOT / "var" / "bench" / f"truth-{slug}-{connection.vendor}.csv"
    truth.parent.mkdir(parents=True, exist_ok=True)
    present = Client.objects.filter(organisation=organisation).count()
    if present == 0:
        started = time.perf_counter()
        population = generate(count=count, duplicates=0.1, seed=seed)
        generated = time.perf_counter()
        ids = insert(organisation=organisation, people=population.people)
        inserted = time.perf_counter()
        write_truth(truth, population, ids)
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        else:
            with connection.cursor() as cursor:
                # Every table the searches and checks read (autovacuum would, some minutes later).
                cursor.execute("VACUUM ANALYZE")
        print(
            f"generated {count:,} clients ({len(population.pairs):,} duplicates): "
            f"{generated - started:.1f} s to generate, {inserted - generated:.1f} s to insert "
            f"({count / (inserted - started):,.0f} clients/s overall)"
        )
    elif present != count:
        raise SystemExit(f"{slug} holds {present} clients, not {count}: use a fresh database")
    warm_cache()
    scope = Scope(organisation_id=organisation.pk, branch_ids=None, roles=frozenset({"clerk"}))
    user = SimpleNamespace(is_authenticated=True, _frontoffice_scope=scope, pk=None)
    return organisation, user, truth


def warm_cache() -> None:
    """Read the clients' tables and indexes once, so that the figures are for a warm server, as the issue
    asks, and not for the disk: this machine's page cache drops pages it has not seen for a while, and a
    million clients' tables do not fit PostgreSQL's default 128 MB of shared buffers."""
    from django.db import connection

    started = time.perf_counter()
    if connection.vendor == "sqlite":
        with open(connection.settings_dict["NAME"], "rb") as handle:
            while handle.read(1 << 24):
                pass
    else:
        with connection.cursor() as cursor:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
            cursor.execute(
                "SELECT pg_prewarm(c.oid::regclass, 'read') FROM pg_class c"
                " JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE n.nspname = 'public' AND c.relkind IN ('r', 'i') AND c.relname LIKE 'clients_%%'"
            )
    print(f"cache warmed in {time.perf_counter() - started:.1f} s")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def workload(organisation: Any, sample: int, seed: int) -> list[str]:
    from frontoffice.clients.models import Client
    from frontoffice.clients.normalise import fold, phone_digits

    rng = random.Random(seed)
    ids = list(Client.objects.filter(organisation=organisation).values_list("pk", flat=True)[:200_000])
    chosen = Client.objects.filter(pk__in=rng.sample(ids, min(sample, len(ids)))).order_by("pk")
    queries = []
    for client in chosen:
        family, given = fold(client.family_name).split()[0], fold(client.given_name).split()[0]
        for length in (3, 4, 6):
            if len(family) >= length:
                queries.append(family[:length])
        queries.append(f"{given} {family}")
        queries.append(f"{family} {given[:3]}")
        if client.search_phones:
            digits = phone_digits(client.search_phones.split()[0])[-9:]
            queries.append(f"{digits[:3]} {digits[3:6]} {digits[6:]}")
    return queries


def naive_search(organisation: Any, query: str, limit: int = 20) -> list[int]:
    from django.db.models import Q
    from rapidfuzz import fuzz

    from frontoffice.clients.models import Client

    clients = Client.objects.filter(organisation=organisation, replaced_by__isnull=True, erased_at__isnull=True)
    for word in query.split():
        clients = clients.filter(Q(given_name__icontains=word) | Q(family_name__icontains=word))
    rows = list(clients.values_list("pk", "given_name", "family_name"))
    rows.sort(key=lambda row: -fuzz.WRatio(query, f"{row[1]} {row[2]}"))
    return [row[0] for row in rows[:limit]]


def timed(function: Any, queries: list[str]) -> list[float]:
    times = []
    for query in queries:
        started = time.perf_counter()
        function(query)
        times.append((time.perf_counter() - started) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smoke mode: 2,000 clients, 1 round")
    parser.add_argument("--count", type=int, help="clients in the organisation (default 100,000)")
    parser.add_argument("--rounds", type=int, help="timed rounds (default 5)")
    parser.add_argument("--sample", type=int, help="clients whose names and phones make the queries (default 60)")
    parser.add_argument("--baseline-queries", type=int, default=40, help="queries timed for the slow baseline")
    parser.add_argument("--database", help="a DATABASE_URL for the benchmark (default: DATABASE_URL or var/bench)")
    args = parser.parse_args()
    count = args.count or (2_000 if args.quick else 100_000)
    rounds = args.rounds or (1 if args.quick else 5)
    sample = args.sample or (10 if args.quick else 60)
    setup(args.database, args.quick)
    from django.db import connection

    from frontoffice.clients.search import search_clients

    print("command:", " ".join([Path(sys.executable).name, *sys.argv]))
    organisation, user, _truth = prepare(count)
    queries = workload(organisation, sample, seed=1)
    baseline_queries = queries[:: max(1, len(queries) // args.baseline_queries)][: args.baseline_queries]
    print(
        f"workload: {len(queries)} queries (3+ characters, folded) over {count:,} clients on "
        f"{connection.vendor}, {rounds} rounds; baseline on {len(baseline_queries)} of them"
    )

    def ours(query: str) -> list[Any]:
        return search_clients(user=user, query=query, limit=20)

    def baseline(query: str) -> list[int]:
        return naive_search(organisation, query)

    timed(ours, queries)  # warm up
    ours_p50, ours_p95, base_p50, base_p95 = [], [], [], []
    for round_number in range(rounds):
        times = timed(ours, queries)
        ours_p50.append(statistics.median(times))
        ours_p95.append(percentile(times, 0.95))
        slow = timed(baseline, baseline_queries)
        base_p50.append(statistics.median(slow))
        base_p95.append(percentile(slow, 0.95))
        print(
            f"round {round_number + 1}: ours p50 {ours_p50[-1]:.1f} ms p95 {ours_p95[-1]:.1f} ms; "
            f"baseline p50 {base_p50[-1]:.1f} ms p95 {base_p95[-1]:.1f} ms"
        )
    ours_final, base_final = statistics.median(ours_p95), statistics.median(base_p95)
    print(f"ours:     p50 {statistics.median(ours_p50):.1f} ms, p95 {ours_final:.1f} ms (median of rounds)")
    print(f"baseline: p50 {statistics.median(base_p50):.1f} ms, p95 {base_final:.1f} ms (median of rounds)")
    print(f"ratio (baseline p95 / ours p95): {base_final / ours_final:.1f}x")


if __name__ == "__main__":
    main()
