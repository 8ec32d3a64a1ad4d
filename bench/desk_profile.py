"""Where the clerk's requests spend their time: CPU and queries per step of the desk's load mix.

The load benchmark (desk_load.py) says how long a clerk waits; this says why. It builds the
same clinic (PostgreSQL, Redis for cache and sessions), signs one clerk in through Django's
test client and walks the load mix over N of that clerk's visits — day page, client search,
visit page, check-in, payment form, payment, receipt, receipt PDF, plus ``/health/`` as the
framework's floor — measuring each request's process CPU time and its database queries.

Prints, per step, the median CPU milliseconds and the queries of one request; ``--profile
STEP`` prints the top functions of that step under cProfile.

    python bench/desk_profile.py                       # 4 branches, 20,000 clients, 15 patients
    python bench/desk_profile.py --reuse --profile "visit page"
    python bench/desk_profile.py --quick               # smoke: 2,000 clients, 3 patients
The database (default ``frontoffice_desk_profile_bench``) is dropped and created again unless
``--reuse`` is given.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import re
import shutil
import statistics
import sys
import time
from collections import defaultdict
from contextlib import nullcontext
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from desk_load import AMOUNT_RE, PASSWORD, SEARCHES, TOKEN_RE, VERSION_RE, populate, recreate_database

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/frontoffice_desk_profile_bench"
# The smoke run (CI's `make bench`) keeps off the full run's database and Redis database.
QUICK_DATABASE = "postgres://postgres@127.0.0.1:5432/frontoffice_desk_profile_quick_bench"
STEPS = (
    "health",
    "day page",
    "client search",
    "visit page",
    "check in",
    "payment form",
    "take payment",
    "issue receipt",
    "receipt PDF",
)


def walk(args: argparse.Namespace, sessions: dict[str, list[int]]) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from frontoffice.accounts.models import StaffMember

    username = sorted(sessions)[0]
    visits = sessions[username][: args.patients]
    branch = StaffMember.objects.get(user__username=username).branches.get()
    client = Client(HTTP_HOST="127.0.0.1")
    # force_login: a real session in Redis, without the login form (the load benchmark signs in through it).
    client.force_login(StaffMember.objects.get(user__username=username).user)
    cpu: dict[str, list[float]] = defaultdict(list)
    database_cpu: dict[str, list[float]] = defaultdict(list)
    backend = _database_backend_stat()
    queries: dict[str, int] = {}
    profiles: dict[str, cProfile.Profile] = {}

    n = 0

    def measure(name: str, expect: int, method: str, url: str, *call_args: object, **extra: object) -> Any:
        # The first patients warm caches (URL resolver, templates, prepared statements): left out of the
        # profile as of the figures.
        profiler = profiles.setdefault(name, cProfile.Profile()) if args.profile == name and n >= args.warm else None
        # Queries are recorded on the last warm-up patient only: recording them makes Django compose each
        # query's text (last_executed_query, costly with server-side binding), which a server never does.
        recording = n == min(max(args.warm - 1, 0), len(visits) - 1)
        with CaptureQueriesContext(connection) if recording else nullcontext() as captured:
            database_before = _cpu_seconds(backend)
            started = time.process_time()
            if profiler:
                profiler.enable()
            response = getattr(client, method)(url, *call_args, **extra)
            if profiler:
                profiler.disable()
            cpu[name].append((time.process_time() - started) * 1000)
            database_cpu[name].append(_cpu_seconds(backend) - database_before)
        if recording:
            queries[name] = len(captured)
        if args.sql == name and recording:
            print(f"--- {name}: the queries of one request ---")
            for query in captured.captured_queries:
                print(f"{query['time']:>7} s  {query['sql'][: args.sql_width]}")
        if response.status_code != expect:
            raise SystemExit(f"{name}: HTTP {response.status_code}, expected {expect}")
        return response

    for n, visit in enumerate(visits):
        page = f"/desk/visits/{visit}/"
        measure("health", 200, "get", "/health/")
        measure("day page", 200, "get", "/desk/", {"branch": branch.pk})
        query = SEARCHES[n % len(SEARCHES)]
        measure("client search", 200, "get", "/clients/", {"q": query}, HTTP_HX_REQUEST="true")
        text = measure("visit page", 200, "get", page).content.decode()
        version = VERSION_RE.search(text).group(1)  # type: ignore[union-attr]
        data = {"to_status": "arrived", "reason": "", "version": version}
        measure("check in", 302, "post", f"{page}transition/", data)
        form = measure("payment form", 200, "get", f"{page}pay/").content.decode()
        payment = {
            "method": "card",
            "amount": AMOUNT_RE.search(form).group(1),  # type: ignore[union-attr]
            "terminal_receipt": f"T{visit}",
            "reference": "",
            "token": TOKEN_RE.search(form).group(1),  # type: ignore[union-attr]
        }
        measure("take payment", 302, "post", f"{page}pay/", payment)
        measure("issue receipt", 302, "post", f"{page}receipt/")
        measure("receipt PDF", 200, "get", f"{page}receipt/")

    # The first patients warm caches (templates, fonts, permission caches; psycopg prepares a query on its
    # PREPARE_THRESHOLD-th run): left out of the figures, as a long-running server is past them.
    print(f"{'step':<16}{'CPU ms (median)':>17}{'queries':>9}{'database CPU ms (mean)':>24}")
    for name in STEPS:
        runs = cpu[name][args.warm :] or cpu[name]
        # The backend's CPU comes in 10 ms clock ticks: a mean over the patients, not a median.
        ticks = database_cpu[name][args.warm :] or database_cpu[name]
        database = f"{statistics.mean(ticks) * 1000:.1f}" if backend else "n/a"
        print(f"{name:<16}{statistics.median(runs):>17.1f}{queries[name]:>9}{database:>24}")
    mix = [statistics.median(cpu[name][args.warm :] or cpu[name]) for name in STEPS if name != "health"]
    print(f"mix average: {statistics.mean(mix):.1f} ms of CPU per request")
    for name, profiler in profiles.items():
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats(args.sort).print_stats(args.top)
        if args.callers:
            stats.print_callers(args.callers)
        print(f"\n--- {name}: cProfile, {args.sort} ---")
        print(re.sub(r"/\S*/site-packages/", "", out.getvalue()))


def _database_backend_stat() -> Path | None:
    """The /proc stat file of this connection's PostgreSQL backend (same machine, Linux), to count its CPU."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        stat = Path(f"/proc/{cursor.fetchone()[0]}/stat")
    return stat if stat.exists() else None


def _cpu_seconds(stat: Path | None) -> float:
    """User plus system CPU of a process, from its /proc stat (clock ticks: 10 ms resolution)."""
    if stat is None:
        return 0.0
    fields = stat.read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smoke: 2,000 clients, 3 patients")
    parser.add_argument("--database")
    parser.add_argument("--redis")
    parser.add_argument("--reuse", action="store_true", help="keep the database of an earlier run")
    parser.add_argument("--clients", type=int, default=20_000)
    parser.add_argument("--patients", type=int, default=15)
    parser.add_argument("--warm", type=int, default=2, help="first patients left out of the figures (warm-up)")
    parser.add_argument("--profile", choices=STEPS, help="print the cProfile of this step")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--callers", help="with --profile: also who calls the functions matching this")
    parser.add_argument("--sort", choices=("cumulative", "tottime"), default="cumulative", help="order of --profile")
    parser.add_argument("--sql", choices=STEPS, help="print the queries of one request of this step")
    parser.add_argument("--sql-width", type=int, default=400)
    args = parser.parse_args()
    if args.quick:
        args.clients, args.patients = 2_000, 3
    args.database = args.database or (QUICK_DATABASE if args.quick else DEFAULT_DATABASE)
    args.redis = args.redis or f"redis://127.0.0.1:6379/{3 if args.quick else 4}"
    args.branches, args.clerks_per_branch, args.visits_per_clerk = 4, 5, 40
    # Files (the kept receipts) go with the database: a receipt is kept under its row's id, so a database made
    # afresh would otherwise find the copies printed for the last one and skip the layout it is here to measure.
    var_dir = ROOT / "var" / "desk-profile" / args.database.rsplit("/", 1)[-1]
    if not args.reuse:
        shutil.rmtree(var_dir, ignore_errors=True)
    os.environ.update(
        {
            "FRONTOFFICE_VAR_DIR": str(var_dir),
            "DATABASE_URL": args.database,
            "REDIS_URL": args.redis,
            "FRONTOFFICE_DEBUG": "0",
            "FRONTOFFICE_DEMO_PASSWORD": PASSWORD,
            "DJANGO_SETTINGS_MODULE": "config.settings",
        }
    )
    sys.path.insert(0, str(ROOT))
    import django

    if args.reuse:
        django.setup()
        from frontoffice.desk.choices import VisitStatus
        from frontoffice.desk.models import Visit

        username = "clerk.p01.1"
        planned = Visit.objects.filter(
            organisation__slug="bench-desk", branch__code="p01", status=VisitStatus.PLANNED, number__isnull=False
        ).order_by("scheduled_at")
        sessions = {username: list(planned.values_list("pk", flat=True)[: args.patients])}
        if len(sessions[username]) < args.patients:
            raise SystemExit("not enough planned visits left: run without --reuse")
    else:
        recreate_database(args.database)
        import redis

        redis.Redis.from_url(args.redis).flushdb()
        sessions = populate(args)
    walk(args, sessions)
    return 0


if __name__ == "__main__":
    sys.exit(main())
