"""Where a CTI event's time goes: the webhook taking it in (queued mode) and the applier applying it.

The webhook benchmark (interactions.py) says how many events a second the server keeps up with; this says
why. In one process, on the same data, it posts ``--calls`` calls' events to the webhook through Django's
test client with queued mode on (the whole request: middleware, token, one insert, the PBX's answer), then
applies them with ``cti.apply_queued`` as the worker's applier does. For each phase it prints the CPU of
this process and of the PostgreSQL backend that served it, and the queries, per event.

    DATABASE_URL=postgres://…/frontoffice_bench_cti python bench/cti_profile.py --count 20000
    … --profile apply          # cProfile of applying (or: intake)
    python bench/cti_profile.py --quick

The data is interactions.py's (generated when missing, and kept).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import random
import re
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

from desk_profile import _cpu_seconds, _database_backend_stat
from interactions import call_events, prepare, setup, webhook

SHAPE_RE = re.compile(r"'[^']*'|\b\d+(\.\d+)?\b")  # literals, so that one statement's runs count together


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=20_000, help="contacts of interactions.py's data")
    parser.add_argument("--calls", type=int, default=500)
    parser.add_argument("--profile", choices=("intake", "apply"))
    parser.add_argument("--top", type=int, default=45)
    parser.add_argument("--sql", choices=("intake", "apply"), help="count this phase's statements by shape")
    parser.add_argument("--quick", action="store_true", help="smoke: 1,000 contacts, 30 calls")
    args = parser.parse_args()
    if args.quick:
        args.count, args.calls = 1_000, 30
    if not os.environ.get("DATABASE_URL"):  # its own SQLite file: `make bench` runs interactions.py beside it
        folder = Path(__file__).resolve().parents[1] / "var" / "bench"
        folder.mkdir(parents=True, exist_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{folder / f'cti-profile-{args.count}.sqlite3'}"
    setup(args.quick)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    from frontoffice.interactions.choices import CtiOutcome
    from frontoffice.interactions.models import CtiEvent
    from frontoffice.interactions.phone import cti

    ctx = prepare(args.count)
    path = webhook(ctx)
    rng = random.Random(11)
    stamp = str(time.time_ns())
    calls = [
        call_events(f"profile-{stamp}-{n}", f"+4850{rng.randrange(10**7):07d}", ctx["agent"].username, rng)
        for n in range(args.calls)
    ]
    # Sent in the order a busy PBX interleaves them: every call's first event, then every second one…
    bodies = [urlencode(call[step]) for step in range(5) for call in calls if step < len(call)]
    backend = _database_backend_stat() if connection.vendor == "postgresql" else None
    client = Client(HTTP_HOST="127.0.0.1")
    profiler = cProfile.Profile()
    figures = {}

    def measure(name: str, work) -> None:  # type: ignore[no-untyped-def]
        with CaptureQueriesContext(connection) as captured:
            database_before, started, wall = _cpu_seconds(backend), time.process_time(), time.perf_counter()
            if args.profile == name:
                profiler.enable()
            work()
            if args.profile == name:
                profiler.disable()
            if args.sql == name:
                shapes = Counter(SHAPE_RE.sub("?", query["sql"])[:160] for query in captured.captured_queries)
                for shape, count in shapes.most_common(40):
                    print(f"{count:>7}  {shape}")
            figures[name] = (
                time.process_time() - started,
                _cpu_seconds(backend) - database_before,
                len(captured),
                time.perf_counter() - wall,
            )

    def intake() -> None:
        with override_settings(CTI_QUEUE=True):  # the worker applies (FRONTOFFICE_TASKS is "database" here)
            for body in bodies:
                response = client.post(path, body, content_type="application/x-www-form-urlencoded")
                if response.status_code != 200:
                    raise SystemExit(f"webhook: HTTP {response.status_code}")

    def apply() -> None:
        while cti.apply_queued():
            pass

    measure("intake", intake)
    measure("apply", apply)
    left = CtiEvent.objects.filter(call_id__startswith=f"profile-{stamp}-").exclude(outcome=CtiOutcome.APPLIED)
    events = len(bodies)
    print(f"{events:,} events of {args.calls:,} calls; not applied afterwards: {left.count()}")
    print(f"{'phase':<8}{'CPU ms/event':>14}{'database CPU ms/event':>23}{'queries/event':>15}{'wall ms/event':>15}")
    for name, (cpu, database, queries, wall) in figures.items():
        database_ms = f"{database * 1000 / events:.2f}" if backend else "n/a (in-process)"
        per_event = f"{queries / events:>15.2f}{wall * 1000 / events:>15.2f}"
        print(f"{name:<8}{cpu * 1000 / events:>14.2f}{database_ms:>23}{per_event}")
    if args.profile:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(args.top)
        print(re.sub(r"/\S*/site-packages/", "", out.getvalue()))
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(25)
        print(re.sub(r"/\S*/site-packages/", "", out.getvalue()))


if __name__ == "__main__":
    main()
