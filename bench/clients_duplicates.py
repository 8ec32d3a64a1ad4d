"""How fast and how good the batch duplicate finder is, against the generator's ground truth.

Workload: the same generated organisation as `bench/clients_search.py` (N clients, 10 %
duplicates, database from DATABASE_URL / `--database`, default `var/bench/clients.sqlite3`).

- ours:      `finder.find_duplicate_pairs` over the whole organisation (blocking; one run per round)
- baseline:  every pair scored (`score_pair` over all N·(N−1)/2 pairs), timed on a sample of
             `--baseline-sample` clients and extrapolated quadratically to N
- quality:   precision = predicted pairs that are true duplicates / predicted pairs,
             recall = true duplicate pairs predicted / true duplicate pairs,
             at the organisation's thresholds (default: possible ≥ 10), and also counting only
             pairs at the 'probable' threshold (≥ 16).

    python bench/clients_duplicates.py                  # 100,000 clients, 1 round
    python bench/clients_duplicates.py --count 1000000
    python bench/clients_duplicates.py --quick          # smoke: 2,000 clients
"""

from __future__ import annotations

import argparse
import csv
import itertools
import random
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from clients_search import prepare, setup


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smoke mode: 2,000 clients")
    parser.add_argument("--count", type=int, help="clients in the organisation (default 100,000)")
    parser.add_argument("--rounds", type=int, default=1, help="timed runs of the finder (default 1)")
    parser.add_argument("--baseline-sample", type=int, help="clients in the all-pairs baseline (default 1,500)")
    parser.add_argument("--database", help="a DATABASE_URL for the benchmark (default: DATABASE_URL or var/bench)")
    args = parser.parse_args()
    count = args.count or (2_000 if args.quick else 100_000)
    baseline_sample = args.baseline_sample or (300 if args.quick else 1_500)
    setup(args.database, args.quick)
    from django.db import connection

    from frontoffice.clients import finder, matching
    from frontoffice.clients.models import Client

    print("command:", " ".join([Path(sys.executable).name, *sys.argv]))
    organisation, _user, truth_path = prepare(count)
    with truth_path.open(encoding="utf-8") as handle:
        truth = {frozenset((int(row["client_id_a"]), int(row["client_id_b"]))) for row in csv.DictReader(handle)}
    thresholds = matching.thresholds_for(organisation)
    print(f"workload: batch finder over {count:,} clients on {connection.vendor}, {len(truth):,} true pairs")

    durations = []
    pairs: list[finder.Pair] = []
    for round_number in range(args.rounds):
        started = time.perf_counter()
        pairs = list(finder.find_duplicate_pairs(organisation=organisation))
        durations.append(time.perf_counter() - started)
        print(f"round {round_number + 1}: {durations[-1]:.1f} s, {len(pairs):,} pairs")
    ours = statistics.median(durations)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory of the process after the finder: {peak:,.0f} MB")

    def quality(predicted: set[frozenset[int]]) -> tuple[float, float]:
        hits = len(predicted & truth)
        return (hits / len(predicted) if predicted else 1.0), (hits / len(truth) if truth else 1.0)

    possible = {frozenset((pair.client_id_a, pair.client_id_b)) for pair in pairs}
    probable = {frozenset((p.client_id_a, p.client_id_b)) for p in pairs if p.score >= thresholds.probable}
    precision, recall = quality(possible)
    precision_probable, recall_probable = quality(probable)

    # Baseline: all pairs of a sample, scored the same way, extrapolated to N.
    rng = random.Random(3)
    ids = list(Client.objects.filter(organisation=organisation).values_list("pk", flat=True))
    sample_ids = rng.sample(ids, min(baseline_sample, len(ids)))
    clients = Client.objects.prefetch_related("contacts", "identifiers").in_bulk(sample_ids)
    prepared = [matching.query_from_client(client).normalised() for client in clients.values()]
    started = time.perf_counter()
    compared = 0
    for left, right in itertools.combinations(prepared, 2):
        matching.score_pair(left, right)
        compared += 1
    sample_seconds = time.perf_counter() - started
    all_pairs = count * (count - 1) / 2
    baseline = sample_seconds / compared * all_pairs if compared else 0.0

    print()
    print(f"ours (blocking):        {ours:,.1f} s for {count:,} clients (median of {len(durations)})")
    print(
        f"baseline (all pairs):   {baseline:,.0f} s estimated ({compared:,} pairs timed in {sample_seconds:.1f} s, "
        f"{all_pairs:,.0f} pairs in all)"
    )
    print(f"ratio:                  {baseline / ours if ours else 0:,.0f}× faster")
    print(
        f"quality at possible ≥ {thresholds.possible:g}: precision {precision:.3f}, recall {recall:.3f} "
        f"({len(possible):,} pairs predicted)"
    )
    print(
        f"quality at probable ≥ {thresholds.probable:g}: precision {precision_probable:.3f}, "
        f"recall {recall_probable:.3f} ({len(probable):,} pairs predicted)"
    )


if __name__ == "__main__":
    main()
