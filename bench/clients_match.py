"""How fast and how good the duplicate check is, against the generator's ground truth.

Workload: the same generated organisation as `bench/clients_search.py` (N clients, 10 %
duplicates, database from DATABASE_URL / `--database`, default `var/bench/clients.sqlite3`).
Queries: every sampled duplicate described as a clerk would type it (`query_from_client`),
plus as many sampled clients that have no duplicate, each checked with
`matching.find_matches` excluding the record itself.

- ours:      `matching.find_matches` (blocking by `matching.candidate_ids`: identifier, phone, e-mail,
             birth date, and family-name fragments with the given name's first letters through
             FTS5 / pg_trgm; candidates read with three narrow queries)
- baseline:  the naive check: `family_name__icontains` of the family name's first 4 letters
             (or same date of birth), every row scored in Python with `score_pair`

Quality at the default thresholds (possible ≥ 10, probable ≥ 16): a pair is predicted when
the other record is returned at that level; precision = true predicted pairs / predicted
pairs, recall = duplicate pairs found / duplicate pairs checked.
    python bench/clients_match.py                  # 100,000 clients, 150 + 150 queries, 2 rounds
    python bench/clients_match.py --count 1000000
    python bench/clients_match.py --quick          # smoke: 2,000 clients
"""

from __future__ import annotations

import argparse
import csv
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from clients_search import percentile, prepare, setup


def read_truth(path: Path) -> list[tuple[int, int, str]]:
    with path.open(encoding="utf-8") as handle:
        return [
            (int(row["client_id_a"]), int(row["client_id_b"]), row["kind_of_change"]) for row in csv.DictReader(handle)
        ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smoke mode: 2,000 clients, 1 round")
    parser.add_argument("--count", type=int, help="clients in the organisation (default 100,000)")
    parser.add_argument("--rounds", type=int, help="timed rounds (default 2)")
    parser.add_argument("--sample", type=int, help="duplicates checked, and as many other clients (default 150)")
    parser.add_argument("--baseline-queries", type=int, default=40)
    parser.add_argument("--database", help="a DATABASE_URL for the benchmark (default: DATABASE_URL or var/bench)")
    args = parser.parse_args()
    count = args.count or (2_000 if args.quick else 100_000)
    rounds = args.rounds or (1 if args.quick else 2)
    sample = args.sample or (50 if args.quick else 150)
    setup(args.database, args.quick)
    from django.db import connection
    from django.db.models import Q

    from frontoffice.clients import matching
    from frontoffice.clients.models import Client

    print("command:", " ".join([Path(sys.executable).name, *sys.argv]))
    organisation, _user, truth_path = prepare(count)
    truth = read_truth(truth_path)
    pair_kind = {frozenset((a, b)): kind for a, b, kind in truth}
    rng = random.Random(2)
    checked = rng.sample(truth, min(sample, len(truth)))
    in_pairs = {client_id for a, b, _kind in truth for client_id in (a, b)}
    all_ids = list(Client.objects.filter(organisation=organisation).values_list("pk", flat=True))
    singles = rng.sample([pk for pk in all_ids if pk not in in_pairs], min(sample, len(all_ids) - len(in_pairs)))
    query_ids = [b for _a, b, _kind in checked] + singles
    clients = Client.objects.prefetch_related("contacts", "identifiers").in_bulk(query_ids)
    queries = [(pk, matching.query_from_client(clients[pk])) for pk in query_ids]
    print(
        f"workload: {len(queries)} match checks ({len(checked)} duplicates + {len(singles)} others) "
        f"over {count:,} clients on {connection.vendor}, {rounds} rounds"
    )

    def check(item: tuple[int, Any]) -> list[Any]:
        pk, query = item
        return matching.find_matches(organisation=organisation, query=query, exclude_ids=[pk], limit=5)

    def naive(item: tuple[int, Any]) -> list[tuple[int, float]]:
        pk, query = item
        prepared = query.normalised()
        condition = Q()
        for family in prepared.families:
            condition |= Q(family_name__icontains=family[:4])
        if prepared.birth:
            condition |= Q(date_of_birth=prepared.birth)
        if not condition:
            return []
        rows = Client.objects.filter(condition, organisation=organisation).exclude(pk=pk)
        scored = []
        for client in rows.prefetch_related("contacts", "identifiers"):
            score, _reasons = matching.score_pair(prepared, matching.query_from_client(client))
            scored.append((client.pk, score))
        return sorted(scored, key=lambda row: -row[1])[:5]

    def timings(function: Any, items: list[Any]) -> tuple[list[float], list[Any]]:
        times, answers = [], []
        for item in items:
            started = time.perf_counter()
            answers.append(function(item))
            times.append((time.perf_counter() - started) * 1000)
        return times, answers

    results: dict[str, list[float]] = {"ours": [], "baseline": []}
    answers_of: dict[str, list[Any]] = {}
    baseline_items = queries[:: max(1, len(queries) // args.baseline_queries)][: args.baseline_queries]
    timings(check, queries[:50])  # warm up
    for round_number in range(rounds):
        times, answers_of["ours"] = timings(check, queries)
        results["ours"].append(percentile(times, 0.95))
        times, _answers = timings(naive, baseline_items)
        results["baseline"].append(percentile(times, 0.95))
        ours_p95, base_p95 = results["ours"][-1], results["baseline"][-1]
        print(f"round {round_number + 1}: p95 ours {ours_p95:.1f} ms, baseline {base_p95:.1f} ms")
    for name, values in results.items():
        print(f"{name:9} match-check p95 {statistics.median(values):.1f} ms (median of {rounds} rounds)")
    p95 = {name: statistics.median(values) for name, values in results.items()}
    print(f"ratio (baseline p95 / ours p95): {p95['baseline'] / p95['ours']:.1f}x")

    for name in ("ours",):
        for level_name, levels in (("possible or better", None), ("probable or better", {"probable", "exact"})):
            predicted = true_positive = 0
            found: set[frozenset[int]] = set()
            for (pk, _query), matches in zip(queries, answers_of[name], strict=True):
                for match in matches:
                    if levels is not None and match.level not in levels:
                        continue
                    predicted += 1
                    pair = frozenset((pk, match.client.pk))
                    if pair in pair_kind:
                        true_positive += 1
                        found.add(pair)
            wanted = {frozenset((a, b)) for a, b, _kind in checked}
            precision = true_positive / predicted if predicted else 1.0
            recall = len(found & wanted) / len(wanted) if wanted else 1.0
            print(f"{name:9} quality at {level_name}: precision {precision:.3f}, recall {recall:.3f}")
    missed: dict[str, int] = {}
    found_pairs = {
        frozenset((pk, match.client.pk))
        for (pk, _query), matches in zip(queries, answers_of["ours"], strict=True)
        for match in matches
    }
    for a, b, kind in checked:
        if frozenset((a, b)) not in found_pairs:
            missed[kind] = missed.get(kind, 0) + 1
    print("missed duplicates by kind of change (ours):", dict(sorted(missed.items())) or "none")


if __name__ == "__main__":
    main()
