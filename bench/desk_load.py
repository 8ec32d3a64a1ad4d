"""The clerk's desk under load: 200 clerk sessions against `frontoffice run` on PostgreSQL.

Workload (issue "Front desk, part 1", Performance): a clinic organisation with B branches, C clerks
per branch (one session each), 20,000 generated clients, a month of past visits (the demo's
history) and today's planned visits split between the clerks so that two sessions never work on
the same visit. Each session loops, waiting a random think time between requests (uniform
1–9 s, mean 5 s), through what a clerk does for one patient:

    open the day page · search a client (as typed, htmx) · open the visit ·
    check the patient in · open the payment form · take the payment (card) ·
    issue the receipt · print it (the PDF)

Reads are GETs; writes are the POSTs (check-in, payment, receipt). Every write the generator
sees succeed is written down and, afterwards, looked up in the database: nothing may be
missing or stored twice.

Phases, all against one server (`frontoffice run`, 2 processes, Redis for cache and sessions, and
`frontoffice worker` at nice 10, which prints the issued receipts):
1. sustained: the sessions for --duration seconds (default 600) after a 30 s warm-up;
   targets p95 ≤ 100 ms for reads, ≤ 200 ms for writes, p99 ≤ 300 ms, no errors;
2. burst: 50 requests of the mix started within one second; target p99 ≤ 500 ms;
3. capacity: the mix without think time from 16 connections for --capacity-seconds, against
   the server's trivial `/health/` the same way: the ratio is the share of the framework's
   floor that the desk's pages reach.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/frontoffice_desk_bench python bench/desk_load.py
    python bench/desk_load.py --quick      # smoke: 20 sessions, 8 s, 4 branches (its own database)
The database named by DATABASE_URL is dropped and created again (it must end in ``_bench``).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from yarl import URL

sys.path.insert(0, str(Path(__file__).resolve().parent))

from serve_pages import free_port, wait_until_up

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/frontoffice_desk_bench"
# The smoke run (CI's `make bench`) keeps off the full run's database and Redis database.
QUICK_DATABASE = "postgres://postgres@127.0.0.1:5432/frontoffice_desk_quick_bench"
PASSWORD = "bench-password-123"  # noqa: S105 - invented accounts of a throw-away database
SEARCHES = ("kowal", "nowak", "wiśn", "lewand", "zielin", "anna", "piotr", "kamińsk", "wójcik", "mazur")
READ_P95_MS, WRITE_P95_MS, P99_MS, BURST_P99_MS = 100.0, 200.0, 300.0, 500.0


# --- the database --------------------------------------------------------------------------------


def recreate_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name.endswith("_bench"):
        raise SystemExit(f"refusing to drop {name!r}: the benchmark database's name must end in _bench")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def server_env(args: argparse.Namespace, workdir: Path) -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("FRONTOFFICE_", "DATABASE_URL", "REDIS_URL"))},
        # The migrated-database templates (core.migration_templates) save a minute of migrating.
        **{k: v for k, v in os.environ.items() if k == "FRONTOFFICE_MIGRATION_TEMPLATES"},
        "FRONTOFFICE_VAR_DIR": str(workdir),
        "DATABASE_URL": args.database,
        "REDIS_URL": args.redis,
        "FRONTOFFICE_DEMO_PASSWORD": PASSWORD,
        "FRONTOFFICE_LOG_LEVEL": "warning",
        "FRONTOFFICE_DEBUG": "0",
    }


def populate(args: argparse.Namespace) -> dict[str, list[int]]:
    """The organisation, its clerks and today's visits; returns each clerk's visit ids."""
    import django

    django.setup()
    from datetime import datetime, timedelta
    from datetime import time as clock
    from zoneinfo import ZoneInfo

    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from frontoffice.accounts.models import StaffMember, User
    from frontoffice.clients.models import Client
    from frontoffice.clients.population import generate, insert
    from frontoffice.core.choices import BusinessKind
    from frontoffice.core.models import Branch, Organisation
    from frontoffice.core.numbering import next_numbers
    from frontoffice.desk import demo as desk_demo
    from frontoffice.desk import services as desk_services
    from frontoffice.desk.choices import VisitStatus
    from frontoffice.desk.models import Visit, VisitStatusChange, VisitType

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    organisation = Organisation.objects.create(
        name="Przychodnie Benchmark", slug="bench-desk", kind=BusinessKind.CLINIC, default_language="pl"
    )
    branches = [
        Branch.objects.create(organisation=organisation, name=f"Przychodnia {n + 1}", code=f"p{n + 1:02d}", city="Łódź")
        for n in range(args.branches)
    ]
    insert(organisation=organisation, people=generate(count=args.clients, duplicates=0.0, seed=7).people)
    clerk_group = Group.objects.get(name="clerk")
    password = make_password(PASSWORD)
    sessions: dict[str, list[int]] = {}
    clerks_of: dict[int, list[str]] = {}
    for branch in branches:
        for n in range(args.clerks_per_branch):
            username = f"clerk.{branch.code}.{n + 1}"
            user = User.objects.create(
                username=username, email=f"{username}@bench.invalid", password=password, last_name=username
            )
            user.groups.add(clerk_group)
            staff = StaffMember.objects.create(user=user, organisation=organisation, job_title="Rejestracja")
            staff.branches.add(branch)
            clerks_of.setdefault(branch.pk, []).append(username)
            sessions[username] = []
    desk_demo.load([organisation])  # visit types and a month of history, as a real clinic would have
    visit_type = VisitType.objects.get(organisation=organisation, name="Konsultacja internistyczna")
    client_ids = list(Client.objects.filter(organisation=organisation).values_list("pk", flat=True))
    rng = random.Random(11)
    per_clerk = args.visits_per_clerk
    now = timezone.now()
    visits: list[Visit] = []
    owner: list[str] = []
    for branch in branches:
        zone = ZoneInfo(branch.time_zone)
        today = desk_services.branch_today(branch)
        for username in clerks_of[branch.pk]:
            for slot in range(per_clerk):
                minute = 7 * 60 + (slot * 600 // per_clerk)
                visits.append(
                    Visit(
                        organisation=organisation,
                        branch=branch,
                        client_id=rng.choice(client_ids),
                        visit_type=visit_type,
                        vertical=BusinessKind.CLINIC,
                        scheduled_at=datetime.combine(today, clock(minute // 60, minute % 60), tzinfo=zone),
                        status=VisitStatus.PLANNED,
                        status_changed_at=now - timedelta(days=1),
                        reason="Kontrola",
                    )
                )
                owner.append(username)
    with transaction.atomic():
        numbers = next_numbers(organisation=organisation, prefix=desk_services.VISIT_NUMBER_PREFIX, count=len(visits))
        for visit, number in zip(visits, numbers, strict=True):
            visit.number = number
        Visit.objects.bulk_create(visits, batch_size=1000)
        VisitStatusChange.objects.bulk_create(
            [VisitStatusChange(visit=v, from_status="", to_status=v.status, at=v.status_changed_at) for v in visits],
            batch_size=1000,
        )
    for visit, username in zip(visits, owner, strict=True):
        sessions[username].append(visit.pk)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(
        f"data: {args.branches} branches × {args.clerks_per_branch} clerks, {args.clients:,} clients, "
        f"{Visit.objects.filter(organisation=organisation).count():,} visits "
        f"({len(visits):,} planned for today) in {time.perf_counter() - started:.0f} s"
    )
    return sessions


# --- one clerk -----------------------------------------------------------------------------------


@dataclass
class Record:
    name: str
    write: bool
    started: float
    ms: float
    ok: bool
    detail: str = ""


@dataclass
class Results:
    records: list[Record] = field(default_factory=list)
    checked_in: set[int] = field(default_factory=set)
    payments: dict[str, int] = field(default_factory=dict)  # token -> visit
    receipts: set[int] = field(default_factory=set)
    measuring: bool = False


TOKEN_RE = re.compile(r'name="token" value="([0-9a-f]+)"')
AMOUNT_RE = re.compile(r'name="amount" value="([0-9.]+)"')
VERSION_RE = re.compile(r'name="version" value="(\d+)"')
CSRF_RE = re.compile(r"csrftoken=([^;]+)")


@dataclass
class Response:
    status_code: int
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode()


class Clerk:
    def __init__(self, base: str, username: str, visits: list[int], results: Results, think: tuple[float, float]):
        self.username = username
        self.visits = list(visits)
        self.results = results
        self.think = think
        self.rng = random.Random(username)
        self.base = base
        self.client: aiohttp.ClientSession | None = None
        self.csrf = ""

    def _session(self) -> aiohttp.ClientSession:
        # Made inside the running event loop. aiohttp, whose HTTP parser is compiled, costs the generator less CPU
        # per request than httpx did (docs/benchmarks.md), and the generator shares the machine with the server.
        # A browser does not reuse a connection the server may be closing: uvicorn drops idle keep-alive
        # connections after 5 s, and think times reach 9 s. unsafe: the jar keeps cookies of an IP address.
        if self.client is None:
            self.client = aiohttp.ClientSession(
                base_url=self.base,
                connector=aiohttp.TCPConnector(keepalive_timeout=4, limit=4),
                cookie_jar=aiohttp.CookieJar(unsafe=True),
                timeout=aiohttp.ClientTimeout(total=30),
            )
        return self.client

    def cookie(self, name: str) -> str:
        found = self._session().cookie_jar.filter_cookies(URL(self.base)).get(name)
        return found.value if found is not None else ""

    async def request(self, method: str, url: str, **kwargs: Any) -> Response:
        async with self._session().request(method, url, allow_redirects=False, **kwargs) as response:
            return Response(response.status, await response.read())

    async def close(self) -> None:
        if self.client is not None:
            await self.client.close()

    async def sign_in(self) -> None:
        page = await self.request("GET", "/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
        response = await self.request(
            "POST",
            "/accounts/login/",
            data={"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": token},
            headers={"Referer": f"{self.base}/accounts/login/"},
        )
        if response.status_code != 302 or not self.cookie("sessionid"):
            raise RuntimeError(f"{self.username} could not sign in: HTTP {response.status_code}")
        self.csrf = self.cookie("csrftoken")

    async def _call(self, name: str, method: str, url: str, expect: int, **kwargs: Any) -> Response | None:
        write = method == "POST"
        if write:
            kwargs.setdefault("headers", {})["X-CSRFToken"] = self.csrf
        started = time.perf_counter()
        try:
            response = await self.request(method, url, **kwargs)
            ok, detail = response.status_code == expect, f"HTTP {response.status_code}"
        except (aiohttp.ClientError, TimeoutError) as error:
            response, ok, detail = None, False, type(error).__name__
        if self.results.measuring:
            ms = (time.perf_counter() - started) * 1000
            self.results.records.append(Record(name, write, started, ms, ok, "" if ok else f"{name}: {detail}"))
        return response if ok else None

    async def pause(self) -> None:
        await asyncio.sleep(self.rng.uniform(*self.think))

    async def one_patient(self, branch_query: str, stop_at: float) -> bool:
        """The whole loop for the next planned visit; False when this clerk has none left or time is up."""
        if not self.visits or time.perf_counter() >= stop_at:
            return False
        visit = self.visits.pop(0)
        for step in self.steps(visit, branch_query):
            await self.pause()
            if time.perf_counter() >= stop_at or not await step():
                break
        return True

    def steps(self, visit: int, branch_query: str):  # type: ignore[no-untyped-def]
        page = f"/desk/visits/{visit}/"
        state: dict[str, str] = {}

        async def day() -> bool:
            return await self._call("day page", "GET", f"/desk/{branch_query}", 200) is not None

        async def search() -> bool:
            query = self.rng.choice(SEARCHES)
            headers = {"HX-Request": "true"}
            return (
                await self._call("client search", "GET", "/clients/", 200, params={"q": query}, headers=headers)
                is not None
            )

        async def open_visit() -> bool:
            response = await self._call("visit page", "GET", page, 200)
            if response is None:
                return False
            found = VERSION_RE.search(response.text)
            state["version"] = found.group(1) if found else ""
            return True

        async def check_in() -> bool:
            data = {"to_status": "arrived", "reason": "", "version": state["version"]}
            if await self._call("check in", "POST", f"{page}transition/", 302, data=data) is None:
                return False
            self.results.checked_in.add(visit)
            return True

        async def payment_form() -> bool:
            response = await self._call("payment form", "GET", f"{page}pay/", 200)
            if response is None:
                return False
            state["token"] = TOKEN_RE.search(response.text).group(1)  # type: ignore[union-attr]
            state["amount"] = AMOUNT_RE.search(response.text).group(1)  # type: ignore[union-attr]
            return True

        async def pay() -> bool:
            data = {
                "method": "card",
                "amount": state["amount"],
                "terminal_receipt": f"T{visit}",
                "reference": "",
                "token": state["token"],
            }
            if await self._call("take payment", "POST", f"{page}pay/", 302, data=data) is None:
                return False
            self.results.payments[state["token"]] = visit
            return True

        async def issue_receipt() -> bool:
            if await self._call("issue receipt", "POST", f"{page}receipt/", 302) is None:
                return False
            self.results.receipts.add(visit)
            return True

        async def print_receipt() -> bool:
            return await self._call("receipt PDF", "GET", f"{page}receipt/", 200) is not None

        return [day, search, open_visit, check_in, payment_form, pay, issue_receipt, print_receipt]


# --- phases --------------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))] if ordered else 0.0


async def sustained(
    clerks: list[Clerk], branch_of: dict[str, str], results: Results, warmup: float, duration: float
) -> float:
    stop_at = time.perf_counter() + warmup + duration

    async def run(clerk: Clerk) -> None:
        await asyncio.sleep(clerk.rng.uniform(0, clerk.think[1]))  # sessions do not start in step
        while await clerk.one_patient(branch_of[clerk.username], stop_at):
            pass

    async def start_measuring() -> None:
        await asyncio.sleep(warmup)
        results.measuring = True

    tasks = [asyncio.create_task(run(clerk)) for clerk in clerks]
    await start_measuring()
    measured_from = time.perf_counter()
    await asyncio.gather(*tasks)
    results.measuring = False
    return time.perf_counter() - measured_from


async def burst(clerks: list[Clerk], branch_of: dict[str, str], results: Results, size: int) -> list[Record]:
    """``size`` requests started at random moments within one second: one in five a check-in (its visit
    page read beforehand, unmeasured), the rest day pages, client searches and visit pages."""
    rng = random.Random(5)
    chosen = [clerks[i % len(clerks)] for i in range(size)]
    prepared = []
    for index, clerk in enumerate(chosen):
        steps = clerk.steps(clerk.visits.pop(0), branch_of[clerk.username])
        if index % 5 == 4:
            await steps[2]()  # the visit page gives the form's version
            prepared.append(steps[3])
        else:
            prepared.append(steps[index % 3 if index % 3 < 2 else 2])
    before = len(results.records)
    results.measuring = True

    async def one(step) -> None:  # type: ignore[no-untyped-def]
        await asyncio.sleep(rng.uniform(0, 1))
        await step()

    await asyncio.gather(*(one(step) for step in prepared))
    results.measuring = False
    return results.records[before:]


async def capacity(
    clerks: list[Clerk], branch_of: dict[str, str], seconds: float, connections: int
) -> tuple[float, float]:
    """Requests per second of the mix with no think time, then of /health/, from ``connections`` loops."""
    idle = Results()

    async def loop(clerk: Clerk, stop_at: float, counter: list[int], health: bool) -> None:
        while time.perf_counter() < stop_at:
            if health:
                response = await clerk.request("GET", "/health/")
                counter[0] += response.status_code == 200
                continue
            if not clerk.visits:
                return
            visit = clerk.visits.pop(0)
            for step in clerk.steps(visit, branch_of[clerk.username]):
                if time.perf_counter() >= stop_at or not await step():
                    break
                counter[0] += 1

    rates = []
    for health in (False, True):
        counter = [0]
        for clerk in clerks[:connections]:
            clerk.results, clerk.think = idle, (0, 0)
        started = time.perf_counter()
        stop_at = started + seconds
        await asyncio.gather(*(loop(clerk, stop_at, counter, health) for clerk in clerks[:connections]))
        rates.append(counter[0] / (time.perf_counter() - started))
    return rates[0], rates[1]


def verify(results: Results) -> list[str]:
    """Every write the generator saw succeed is stored once; nothing else was written."""
    from frontoffice.desk.choices import VisitStatus
    from frontoffice.desk.models import Payment, SaleDocument, Visit

    problems = []
    arrived = set(
        Visit.objects.filter(organisation__slug="bench-desk", pk__in=results.checked_in)
        .exclude(status=VisitStatus.PLANNED)
        .values_list("pk", flat=True)
    )
    if missing := results.checked_in - arrived:
        problems.append(f"{len(missing)} check-ins not stored, e.g. visit {min(missing)}")
    stored = list(Payment.objects.filter(token__in=list(results.payments)).values_list("token", "visit_id"))
    if len(stored) != len(results.payments):
        problems.append(f"{len(results.payments)} payments succeeded, {len(stored)} stored")
    if any(results.payments[token] != visit for token, visit in stored):
        problems.append("a payment is stored against another visit")
    per_visit = Payment.objects.filter(visit_id__in=list(results.payments.values())).count()
    if per_visit != len(results.payments):
        problems.append(f"{per_visit} payments on the paid visits, {len(results.payments)} expected (duplicates?)")
    receipts = SaleDocument.objects.filter(visit_id__in=list(results.receipts), kind="receipt").count()
    if receipts != len(results.receipts):
        problems.append(f"{len(results.receipts)} receipts issued, {receipts} stored")
    return problems


def report(title: str, records: list[Record]) -> dict[str, float]:
    reads = [r.ms for r in records if not r.write]
    writes = [r.ms for r in records if r.write]
    every = reads + writes
    errors = [r for r in records if not r.ok]
    figures = {
        "requests": len(records),
        "reads_p50": statistics.median(reads) if reads else 0.0,
        "reads_p95": percentile(reads, 0.95),
        "writes_p50": statistics.median(writes) if writes else 0.0,
        "writes_p95": percentile(writes, 0.95),
        "p99": percentile(every, 0.99),
        "max": max(every, default=0.0),
        "errors": len(errors),
    }
    print(
        f"{title}: {len(records):,} requests ({len(reads):,} reads, {len(writes):,} writes), {len(errors)} errors\n"
        f"  reads  p50 {figures['reads_p50']:6.1f} ms  p95 {figures['reads_p95']:6.1f} ms\n"
        f"  writes p50 {figures['writes_p50']:6.1f} ms  p95 {figures['writes_p95']:6.1f} ms\n"
        f"  all    p99 {figures['p99']:6.1f} ms  max {figures['max']:6.1f} ms"
    )
    by_name: dict[str, list[float]] = {}
    for record in records:
        by_name.setdefault(record.name, []).append(record.ms)
    for name, values in by_name.items():
        print(
            f"    {name:<14} n={len(values):>6,}  "
            f"p50 {statistics.median(values):6.1f}  p95 {percentile(values, 0.95):6.1f} ms"
        )
    for error in errors[:5]:
        print(f"  error: {error.detail}")
    return figures


async def drive(args: argparse.Namespace, port: int, sessions: dict[str, list[int]], branch_of: dict[str, str]) -> int:
    base = f"http://127.0.0.1:{port}"
    results = Results()
    think = (args.think_min, args.think_max)
    usernames = sorted(sessions)
    # The capacity phase takes the last visits of each clerk; the sustained phase takes from the front.
    clerks = [Clerk(base, name, sessions[name], results, think) for name in usernames]
    started = time.perf_counter()
    semaphore = asyncio.Semaphore(4)

    async def sign_in(clerk: Clerk) -> None:
        async with semaphore:
            await clerk.sign_in()

    await asyncio.gather(*(sign_in(clerk) for clerk in clerks))
    print(f"{len(clerks)} clerks signed in through the login form in {time.perf_counter() - started:.0f} s")
    generator_cpu = time.process_time()
    elapsed = await sustained(clerks, branch_of, results, args.warmup, args.duration)
    generator_cpu = time.process_time() - generator_cpu
    load = os.getloadavg()
    figures = report(
        f"sustained {len(clerks)} sessions for {elapsed:.0f} s ({len(results.records) / elapsed:.1f} req/s)",
        results.records,
    )
    print(f"  machine load average during the run: {load[0]:.1f} (1 min), {load[1]:.1f} (5 min)")
    share = generator_cpu / (elapsed + args.warmup) * 100
    print(f"  the load generator (this process) used {share:.0f} % of one core on the same machine")
    await asyncio.sleep(3)
    burst_records = await burst(clerks, branch_of, results, args.burst)
    burst_figures = report(f"burst of {args.burst} requests within one second", burst_records)
    mix, health = await capacity(clerks, branch_of, args.capacity_seconds, args.connections)
    print(
        f"capacity ({args.connections} connections, no think time): the mix {mix:.1f} req/s, "
        f"/health/ {health:.1f} req/s, ratio {mix / health:.2f} of the framework's floor"
    )
    for clerk in clerks:
        await clerk.close()
    problems = await asyncio.to_thread(verify, results)
    print(
        f"writes checked in the database: {len(results.checked_in):,} check-ins, {len(results.payments):,} payments, "
        f"{len(results.receipts):,} receipts — " + ("all stored once" if not problems else "; ".join(problems))
    )
    met = (
        figures["errors"] == 0
        and burst_figures["errors"] == 0
        and figures["reads_p95"] <= READ_P95_MS
        and figures["writes_p95"] <= WRITE_P95_MS
        and figures["p99"] <= P99_MS
        and burst_figures["p99"] <= BURST_P99_MS
        and not problems
    )
    print(
        f"targets (reads p95 ≤ {READ_P95_MS:.0f} ms, writes p95 ≤ {WRITE_P95_MS:.0f} ms, p99 ≤ {P99_MS:.0f} ms, "
        f"no errors, burst p99 ≤ {BURST_P99_MS:.0f} ms, no lost writes): {'MET' if met else 'NOT MET'}"
    )
    return 0 if not problems else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smoke: 4 branches × 5 clerks, 8 s")
    parser.add_argument("--database", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--redis", default=os.environ.get("REDIS_URL"))
    parser.add_argument("--branches", type=int, default=40)
    parser.add_argument("--clerks-per-branch", type=int, default=5)
    parser.add_argument("--clients", type=int, default=20_000)
    parser.add_argument("--duration", type=float, default=600)
    parser.add_argument("--warmup", type=float, default=30)
    parser.add_argument("--think-min", type=float, default=1)
    parser.add_argument("--think-max", type=float, default=9)
    parser.add_argument("--burst", type=int, default=50)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--capacity-seconds", type=float, default=30)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    args.database = args.database or (QUICK_DATABASE if args.quick else DEFAULT_DATABASE)
    args.redis = args.redis or f"redis://127.0.0.1:6379/{6 if args.quick else 5}"
    if args.quick:
        args.branches, args.clerks_per_branch, args.clients = 4, 5, 1_000
        args.duration, args.warmup, args.capacity_seconds = 8, 2, 3
        args.think_min, args.think_max = 0.3, 1.5  # short, so that a patient reaches payment and receipt
    # Enough planned visits for the run: one patient takes 8 steps of think time.
    per_patient = 8 * (args.think_min + args.think_max) / 2
    args.visits_per_clerk = int((args.warmup + args.duration) / per_patient * 1.5) + 10
    if not args.database.startswith("postgres"):
        raise SystemExit("the load benchmark runs on PostgreSQL: give a postgres:// DATABASE_URL")

    import tempfile

    with tempfile.TemporaryDirectory(prefix="fo-desk-load-") as folder:
        workdir = Path(folder)
        env = server_env(args, workdir)
        os.environ.update({k: v for k, v in env.items() if k.startswith(("FRONTOFFICE_", "DATABASE_URL", "REDIS_URL"))})
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        sys.path.insert(0, str(ROOT))
        recreate_database(args.database)
        import redis

        redis.Redis.from_url(args.redis).flushdb()
        sessions = populate(args)
        branch_of = {}
        from frontoffice.accounts.models import StaffMember

        for staff in StaffMember.objects.filter(organisation__slug="bench-desk").prefetch_related("branches", "user"):
            branch_of[staff.user.username] = f"?branch={staff.branches.all()[0].pk}"
        from django.db import connections

        connections.close_all()
        port = free_port()
        command = [
            str(BIN / "frontoffice"), "run", "--port", str(port), "--workers", str(args.workers),
            "--threads", str(args.threads), "--log-level", "warning",
        ]  # fmt: skip
        print("command:", " ".join([Path(sys.executable).name, *sys.argv]))
        print(f"server: {' '.join(command[1:])} (PostgreSQL, Redis), {os.cpu_count()} CPUs")
        # The background worker, as deployed (docs/operations.md): it prints the issued receipts, at a lower
        # priority than the pages.
        worker_command = ["nice", "-n", "10", str(BIN / "frontoffice"), "worker", "--no-mail-watch"]
        print(f"worker: {' '.join(worker_command[3:])} (nice 10)")
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        worker = subprocess.Popen(worker_command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            wait_until_up(port, timeout=120)
            return asyncio.run(drive(args, port, sessions, branch_of))
        finally:
            worker.terminate()
            server.terminate()
            try:
                _out, errors = server.communicate(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
                _out, errors = server.communicate()
            if errors and b"Traceback" in errors:
                print("server errors:\n" + errors.decode(errors="replace")[-3000:])


if __name__ == "__main__":
    sys.exit(main())
