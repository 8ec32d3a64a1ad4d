"""Interactions at scale: the agent queue view and the client timeline at 1,000,000 contacts and 300,000 cases,
and the CTI webhook's sustained event rate.

Workload:
1. pages: an organisation with 4 branches, 40 agents in 4 teams, 50,000 clients, ``--count`` contacts
   (default 1,000,000: phone, e-mail, chat, counter…, a year of them) and 30 % as many cases (most of them
   closed, as in a real helpdesk). Signed in as an agent (the page's own code path: permission check,
   scoping, selectors, template), each page is requested ``--rounds`` × ``--requests`` times in this process
   and the server-side time of each request is recorded:
   - the queue view in each of its tabs (mine, team, unassigned, breaching soon);
   - the timeline of a heavy client (the client with the most contacts) and of an ordinary one.
   Then the reads behind two of the pages, ours against the naive way a first version would do them
   (baseline): the queue with a COUNT of the whole filtered table and OFFSET to its last page, and the
   timeline by loading every contact and case of the client and sorting them in Python.
2. CTI: ``frontoffice run --workers 2`` (as production runs it) in a subprocess on the same database;
   ``--calls`` calls of 2–5 events each (newCall, answer, hold/unhold, hangup…) posted by 16 concurrent
   senders, each call's events in order by one sender; events/s over the whole run. Then every call is
   checked: one contact, every event applied, none out of order. Baseline in the same run: the server's
   ``/health/`` request rate with the same senders (the ratio is the share of the server's raw capacity
   the webhook keeps). Run twice: events applied before the answer, then queued mode
   (``FRONTOFFICE_CTI_QUEUE``, applied by ``frontoffice worker``), where "all applied" is the rate from the
   first event sent to the last one applied.

Database: DATABASE_URL (PostgreSQL recommended for the figures), else ``var/bench/interactions.sqlite3``
(generated once and kept; ``--quick`` uses its own small database).

    python bench/interactions.py                 # 1,000,000 contacts, 300,000 cases, 2,000 calls
    python bench/interactions.py --quick         # smoke: 1,000 contacts, 30 calls
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BRANCHES = 4
AGENTS = 40
CLIENTS = 50_000
CASE_SHARE = 0.3
BATCH = 20_000
CHANNEL_WEIGHTS = {"phone": 45, "email": 25, "chat": 12, "in_person": 10, "sms": 4, "web_form": 3, "letter": 1}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def setup(quick: bool) -> None:
    if not os.environ.get("DATABASE_URL"):
        folder = ROOT / "var" / "bench"
        folder.mkdir(parents=True, exist_ok=True)
        name = "interactions-quick.sqlite3" if quick else "interactions.sqlite3"
        os.environ["DATABASE_URL"] = f"sqlite:///{folder / name}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("FRONTOFFICE_SWEEP_SECONDS", "0")
    import logging

    import django

    django.setup()
    logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per event otherwise
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def prepare(count: int) -> dict[str, Any]:
    """The benchmark organisation, generated once per database and size, and kept."""
    from django.db import connection

    from frontoffice.accounts.roles import sync_roles
    from frontoffice.core.choices import BusinessKind
    from frontoffice.core.models import Organisation
    from frontoffice.interactions.models import Interaction

    sync_roles()
    slug = f"bench-interactions-{count}"
    organisation, _created = Organisation.objects.get_or_create(
        slug=slug, defaults={"name": f"Benchmark {count}", "kind": BusinessKind.CLINIC}
    )
    present = Interaction.objects.filter(organisation=organisation).count()
    if present == 0:
        started = time.perf_counter()
        generate(organisation, count)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE" if connection.vendor == "sqlite" else "VACUUM ANALYZE")
        print(f"generated {count:,} contacts in {time.perf_counter() - started:.1f} s")
    elif present < count:
        raise SystemExit(f"{slug} holds {present:,} contacts, not {count:,}: use a fresh database")
    return world(organisation)


def generate(organisation: Any, count: int) -> None:
    from django.db import transaction

    from frontoffice.accounts.choices import Role
    from frontoffice.clients.models import Client
    from frontoffice.core.models import Branch
    from frontoffice.interactions.choices import CasePriority, CaseStatus, ClientMatch, Direction, Outcome
    from frontoffice.interactions.models import Case, Interaction, Team, Topic
    from tests.factories import StaffFactory

    rng = random.Random(6)
    now = datetime.datetime.now(datetime.UTC)
    with transaction.atomic():
        branches = [
            Branch.objects.create(organisation=organisation, name=f"Oddział {n}", code=f"bi{organisation.pk}-{n}")
            for n in range(BRANCHES)
        ]
        agents = [
            StaffFactory(
                organisation=organisation,
                roles=[Role.AGENT],
                branches=[branches[n % BRANCHES]],
                user__username=f"bench-agent-{organisation.pk}-{n}",
            ).user
            for n in range(AGENTS)
        ]
        teams = []
        for n, branch in enumerate(branches):
            team = Team.objects.create(organisation=organisation, branch=branch, name=f"Zespół {n}")
            team.members.set(agents[n::BRANCHES])
            teams.append(team)
        topics = [Topic.objects.create(organisation=organisation, name=f"Temat {n}") for n in range(12)]
        clients = Client.objects.bulk_create(
            Client(
                organisation=organisation,
                number=f"B{n:07d}",
                given_name=rng.choice(["Anna", "Jan", "Ewa", "Piotr", "Maria", "Tomasz"]),
                family_name=f"Testowy{n}",
            )
            for n in range(CLIENTS)
        )
    client_ids = [client.pk for client in clients]
    # One heavy client: a company calling every day (the timeline's worst case).
    heavy = client_ids[0]
    cases_wanted = int(count * CASE_SHARE)
    statuses = list(CaseStatus)
    status_weights = [3, 8, 4, 3, 20, 62]
    case_ids: list[int] = []
    for start in range(0, cases_wanted, BATCH):
        rows = []
        for n in range(start, min(start + BATCH, cases_wanted)):
            branch_index = n % BRANCHES
            opened = now - datetime.timedelta(seconds=rng.randrange(365 * 86400))
            status = rng.choices(statuses, status_weights)[0]
            rows.append(
                Case(
                    organisation=organisation,
                    branch=branches[branch_index],
                    number=f"C-B-{n:07d}",
                    subject=f"Sprawa {n}",
                    client_id=heavy if n % 500 == 0 else rng.choice(client_ids),
                    channel=rng.choices(list(CHANNEL_WEIGHTS), list(CHANNEL_WEIGHTS.values()))[0],
                    status=status,
                    priority=rng.choices(list(CasePriority), [2, 6, 2, 1])[0],
                    team=teams[branch_index],
                    owner=None if rng.random() < 0.1 else rng.choice(agents[branch_index::BRANCHES]),
                    opened_at=opened,
                    resolved_at=opened + datetime.timedelta(hours=5) if status in ("resolved", "closed") else None,
                )
            )
        with transaction.atomic():
            case_ids += [case.pk for case in Case.objects.bulk_create(rows)]
        print(f"  cases {len(case_ids):,}/{cases_wanted:,}", end="\r")
    channels = list(CHANNEL_WEIGHTS)
    weights = list(CHANNEL_WEIGHTS.values())
    outcomes = list(Outcome)
    made = 0
    for start in range(0, count, BATCH):
        rows = []
        for n in range(start, min(start + BATCH, count)):
            started = now - datetime.timedelta(seconds=rng.randrange(365 * 86400))
            client_id = heavy if n % 400 == 0 else (rng.choice(client_ids) if rng.random() < 0.8 else None)
            rows.append(
                Interaction(
                    organisation=organisation,
                    branch=branches[n % BRANCHES],
                    channel=rng.choices(channels, weights)[0],
                    direction=Direction.INBOUND if rng.random() < 0.8 else Direction.OUTBOUND,
                    started_at=started,
                    answered_at=started + datetime.timedelta(seconds=rng.randrange(5, 90)),
                    ended_at=started + datetime.timedelta(seconds=rng.randrange(100, 900)),
                    staff=rng.choice(agents),
                    contact_address=f"+4860{rng.randrange(10**7):07d}",
                    client_id=client_id,
                    client_match=ClientMatch.AUTOMATIC if client_id else ClientMatch.NONE,
                    topic=rng.choice(topics),
                    outcome=rng.choice(outcomes),
                    case_id=rng.choice(case_ids) if case_ids and rng.random() < 0.5 else None,
                )
            )
        with transaction.atomic():
            Interaction.objects.bulk_create(rows)
        made += len(rows)
        print(f"  contacts {made:,}/{count:,}", end="\r")
    print()


def world(organisation: Any) -> dict[str, Any]:
    from django.db.models import Count

    from frontoffice.accounts.models import User
    from frontoffice.interactions.models import Interaction

    agent = User.objects.filter(username__startswith=f"bench-agent-{organisation.pk}-").order_by("pk").first()
    top = (
        Interaction.objects.filter(organisation=organisation, client__isnull=False)
        .values("client_id")
        .annotate(n=Count("pk"))
        .order_by("-n")[:1]
    )
    heavy = top[0]["client_id"]
    ordinary = (
        Interaction.objects.filter(organisation=organisation, client__isnull=False)
        .exclude(client_id=heavy)
        .values_list("client_id", flat=True)
        .first()
    )
    return {"organisation": organisation, "agent": agent, "heavy": heavy, "ordinary": ordinary}


def time_requests(client: Any, url: str, requests: int) -> list[float]:
    timings = []
    for _n in range(requests):
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
    return timings


def page_figures(ctx: dict[str, Any], rounds: int, requests: int) -> dict[str, list[float]]:
    """p95 per page and round (ms)."""
    from django.test import Client
    from django.urls import reverse

    client = Client()
    client.force_login(ctx["agent"])
    pages = {f"queue: {tab}": reverse("interactions:case_list") + f"?tab={tab}" for tab in QUEUE_TABS}
    pages["timeline: heavy client"] = reverse("interactions:client_timeline", args=[ctx["heavy"]])
    pages["timeline: ordinary client"] = reverse("interactions:client_timeline", args=[ctx["ordinary"]])
    figures: dict[str, list[float]] = {name: [] for name in pages}
    for url in pages.values():
        time_requests(client, url, 3)  # warm: template loading, first queries
    for _round in range(rounds):
        for name, url in pages.items():
            figures[name].append(percentile(time_requests(client, url, requests), 0.95))
    return figures


QUEUE_TABS = ("mine", "team", "unassigned", "breaching")


def data_figures(ctx: dict[str, Any], rounds: int, requests: int) -> dict[str, tuple[list[float], list[float]]]:
    """The reads behind the pages, ours against the naive way (p95 ms per round): the queue as a COUNT of the
    whole filtered table and OFFSET to its last page; the timeline as every contact and case of the client
    loaded and sorted in Python."""
    from frontoffice.interactions.cases import selectors
    from frontoffice.interactions.choices import FINISHED_STATUSES
    from frontoffice.interactions.models import Case, Interaction

    agent = ctx["agent"]

    def naive_queue() -> None:
        open_cases = Case.objects.filter(organisation=ctx["organisation"]).exclude(status__in=FINISHED_STATUSES)
        mine = open_cases.filter(owner=agent)
        total = mine.count()
        list(mine.select_related("client", "owner").order_by("opened_at")[max(0, total - 50) : total])

    def naive_timeline(client_id: int) -> None:
        rows: list[Any] = list(Interaction.objects.filter(client_id=client_id).select_related("topic", "staff"))
        rows += list(Case.objects.filter(client_id=client_id))
        rows.sort(key=lambda row: getattr(row, "started_at", None) or row.opened_at, reverse=True)

    work = {
        "queue: mine": (
            lambda: selectors.case_queue(user=agent, filters=selectors.QueueFilters(tab="mine")),
            naive_queue,
        ),
        "timeline: heavy client": (
            lambda: selectors.client_timeline(user=agent, client_id=ctx["heavy"]),
            lambda: naive_timeline(ctx["heavy"]),
        ),
    }
    figures: dict[str, tuple[list[float], list[float]]] = {name: ([], []) for name in work}
    for _round in range(rounds):
        for name, calls in work.items():
            for side, call in zip(figures[name], calls, strict=True):
                timings = []
                for _n in range(requests):
                    started = time.perf_counter()
                    call()
                    timings.append((time.perf_counter() - started) * 1000)
                side.append(percentile(timings, 0.95))
    return figures


# --- CTI ---------------------------------------------------------------------------------------------


def call_events(call_id: str, number: str, agent: str, rng: random.Random) -> list[dict[str, str]]:
    """One call's events in Zammad's generic CTI shape (plus our hold/unhold), in the order a PBX sends them."""
    base = {"callId": call_id, "from": number, "to": "+48221234567", "direction": "in"}
    events = [{**base, "event": "newCall", "user[]": agent}]
    if rng.random() < 0.15:
        events.append({**base, "event": "hangup", "cause": "cancel"})
        return events
    events.append({**base, "event": "answer", "user": agent, "answeringNumber": "101"})
    if rng.random() < 0.3:
        events += [{**base, "event": "hold"}, {**base, "event": "unhold"}]
    events.append({**base, "event": "hangup", "cause": "normalClearing"})
    return events


def start_server(port: int, workers: int, queued: bool) -> subprocess.Popen[bytes]:
    """``frontoffice run`` as production runs it (each worker process serves pages on a thread pool)."""
    # ``-m`` from this checkout (not the installed script), so the server runs the code being measured.
    command = [sys.executable, "-m", "frontoffice.cli", "run", "--port", str(port)]
    command += ["--workers", str(workers), "--threads", "4", "--log-level", "warning"]
    env = dict(os.environ)
    env.setdefault("REDIS_URL", redis_url())  # screen pops reach agents on any process
    env["FRONTOFFICE_CTI_QUEUE"] = "true" if queued else "false"
    env["FRONTOFFICE_TASKS"] = "database"  # as production: queued events are applied by the worker
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)


def start_worker() -> subprocess.Popen[bytes]:
    """``frontoffice worker`` (the queued events' applier), without the other clock-driven work."""
    command = [sys.executable, "-m", "frontoffice.cli", "worker", "--no-sweep", "--no-mail-watch"]
    env = {**os.environ, "FRONTOFFICE_CTI_QUEUE": "true", "FRONTOFFICE_TASKS": "database"}
    env.setdefault("REDIS_URL", redis_url())
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)


def redis_url() -> str:
    url = "redis://127.0.0.1:6379/8"
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except Exception:
        return ""
    return url


def wait_up(base: str) -> None:
    import httpx

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/health/", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{base} did not start")


class Sender:
    """One keep-alive HTTP/1.1 connection (the standard library's client: a fraction of a millisecond of CPU per
    request, so the load generator sharing the machine's cores takes as little from the server as it can)."""

    def __init__(self, base: str) -> None:
        import http.client
        from urllib.parse import urlsplit

        address = urlsplit(base)
        self.connection = http.client.HTTPConnection(address.hostname or "127.0.0.1", address.port, timeout=30)

    def request(self, method: str, path: str, body: bytes | None = None) -> int:
        headers = {"Content-Type": "application/x-www-form-urlencoded"} if body is not None else {}
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        response.read()
        return response.status


def run_senders(base: str, senders: int, work: Any) -> float:
    """``work(sender)`` on ``senders`` threads at once; the seconds the whole run took."""
    import threading

    def worker() -> None:
        sender = Sender(base)
        try:
            work(sender)
        finally:
            sender.connection.close()

    threads = [threading.Thread(target=worker) for _n in range(senders)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


def send_calls(base: str, path: str, calls: list[list[dict[str, str]]], senders: int) -> tuple[float, int]:
    """Post every call's events, each call in order by one sender; events/s and the number of non-200 answers."""
    import queue
    from urllib.parse import urlencode

    pending: queue.SimpleQueue[list[bytes]] = queue.SimpleQueue()
    for call in calls:
        pending.put([urlencode(event).encode() for event in call])
    failures: list[int] = []

    def work(sender: Sender) -> None:
        while True:
            try:
                bodies = pending.get_nowait()
            except queue.Empty:
                return
            for body in bodies:
                status = sender.request("POST", path, body)
                if status != 200:
                    failures.append(status)

    elapsed = run_senders(base, senders, work)
    return sum(len(call) for call in calls) / elapsed, len(failures)


def health_rate(base: str, requests: int, senders: int) -> float:
    """Requests/s of ``/health/`` (one trivial query) with the same senders: the server's raw capacity."""
    import itertools

    tickets = itertools.count()

    def work(sender: Sender) -> None:
        while next(tickets) < requests:
            if sender.request("GET", "/health/") != 200:
                raise RuntimeError("/health/ failed")

    return requests / run_senders(base, senders, work)


def webhook(ctx: dict[str, Any]) -> str:
    """A fresh CTI token for the first branch; the webhook's path."""
    from django.urls import reverse

    from frontoffice.core.models import Branch
    from frontoffice.interactions.phone.services import cti_token_create

    branch = Branch.objects.filter(organisation=ctx["organisation"]).order_by("pk").first()
    _token, raw = cti_token_create(branch=branch, name=f"bench {time.time_ns()}", actor=None, uses_wrap_up=False)
    return reverse("interactions:cti_webhook", args=[raw])


def check_calls(organisation: Any, planned: list[list[dict[str, str]]]) -> list[str]:
    """Calls whose stored events are not exactly the sent ones, all applied, in the order sent; or not one contact."""
    from collections import defaultdict

    from frontoffice.interactions.models import CtiEvent, Interaction

    call_ids = [call[0]["callId"] for call in planned]
    stored: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for chunk in range(0, len(call_ids), 500):
        rows = CtiEvent.objects.filter(organisation=organisation, call_id__in=call_ids[chunk : chunk + 500])
        for call_id, kind, outcome in rows.order_by("call_id", "sequence", "pk").values_list(
            "call_id", "kind", "outcome"
        ):
            stored[call_id].append((kind, outcome))
    contacts: dict[str, int] = defaultdict(int)
    for chunk in range(0, len(call_ids), 500):
        for external_id in Interaction.objects.filter(
            organisation=organisation, channel="phone", external_id__in=call_ids[chunk : chunk + 500]
        ).values_list("external_id", flat=True):
            contacts[external_id] += 1
    problems = []
    for call in planned:
        call_id = call[0]["callId"]
        wanted = [(event["event"], "applied") for event in call]
        if stored[call_id] != wanted or contacts[call_id] != 1:
            problems.append(call_id)
    return problems


def cti_figures(
    ctx: dict[str, Any], calls: int, senders: int, workers: int, queued: bool, apply_after: bool = False
) -> dict[str, Any]:
    """One run of the webhook; in queued mode also how long until the last event was applied.

    ``apply_after``: the worker starts only once every event is in, so the appliers' own capacity is
    measured (from the first event applied to the last), without the web processes beside them."""
    from frontoffice.interactions.choices import CtiOutcome
    from frontoffice.interactions.models import CtiEvent

    path = webhook(ctx)
    rng = random.Random(7)
    stamp = str(time.time_ns())
    planned = [
        call_events(f"bench-{stamp}-{n}", f"+4850{rng.randrange(10**7):07d}", ctx["agent"].username, rng)
        for n in range(calls)
    ]
    events = sum(len(call) for call in planned)
    port = free_port()
    server = start_server(port, workers, queued)
    worker = start_worker() if queued and not apply_after else None
    base = f"http://127.0.0.1:{port}"
    waiting = CtiEvent.objects.filter(organisation=ctx["organisation"], outcome=CtiOutcome.QUEUED)
    try:
        wait_up(base)
        health = health_rate(base, events, senders)
        started = time.perf_counter()
        rate, failures = send_calls(base, path, planned, senders)
        if apply_after:
            server.terminate()
            server.wait(timeout=30)
            worker = start_worker()
            deadline = time.monotonic() + 120
            while waiting.count() >= events and time.monotonic() < deadline:
                time.sleep(0.02)
            started = time.perf_counter()
        deadline = time.monotonic() + 600
        while waiting.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        applied_rate = events / (time.perf_counter() - started)
    finally:
        for process in (server, worker):
            if process is not None and process.poll() is None:
                process.terminate()
                process.wait(timeout=30)
    problems = check_calls(ctx["organisation"], planned)
    return {
        "events": events,
        "rate": rate,
        "applied_rate": applied_rate,
        "health": health,
        "failures": failures,
        "problems": problems,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=1_000_000, help="contacts (cases are 30 %% of this)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--requests", type=int, default=40, help="requests per page and round")
    parser.add_argument("--calls", type=int, default=2_000)
    parser.add_argument("--senders", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2, help="server processes for the CTI part")
    parser.add_argument("--skip-pages", action="store_true")
    parser.add_argument("--skip-cti", action="store_true")
    parser.add_argument(
        "--cti-mode", choices=("all", "at-once", "queued", "queued-after"), default="all", help="CTI runs to make"
    )
    parser.add_argument("--generate-only", action="store_true", help="make the data and stop")
    parser.add_argument("--quick", action="store_true", help="smoke run: 1,000 contacts, 30 calls")
    args = parser.parse_args()
    if args.quick:
        args.count, args.rounds, args.requests, args.calls, args.senders = 1_000, 1, 5, 30, 4
    setup(args.quick)
    from django.db import connection

    ctx = prepare(args.count)
    print(f"database: {connection.vendor}; {args.count:,} contacts, {int(args.count * CASE_SHARE):,} cases")
    if args.generate_only:
        return
    if not args.skip_pages:
        ours = page_figures(ctx, args.rounds, args.requests)
        print(f"{'page (whole request, signed in)':34} {'p95 ms, median of rounds':>26}   rounds")
        for name, values in ours.items():
            rounds = ", ".join(f"{value:.1f}" for value in values)
            print(f"{name:34} {statistics.median(values):26.1f}   {rounds}")
        verdict = all(statistics.median(values) <= 100 for values in ours.values())
        print(f"target p95 <= 100 ms: {'met' if verdict else 'NOT met'}")
        print(f"{'read behind the page':34} {'ours p95 ms':>12} {'naive p95 ms':>13} {'ratio':>7}")
        for name, (mine, naive) in data_figures(ctx, args.rounds, args.requests).items():
            ours_ms, naive_ms = statistics.median(mine), statistics.median(naive)
            print(f"{name:34} {ours_ms:12.1f} {naive_ms:13.1f} {naive_ms / ours_ms:6.1f}x")
    if not args.skip_cti:
        from django.db import connections

        problems = 0
        modes = [(False, False), (True, False)] + ([] if args.quick else [(True, True)])
        chosen = {"at-once": (False, False), "queued": (True, False), "queued-after": (True, True)}.get(args.cti_mode)
        modes = [chosen] if chosen else modes
        for queued, apply_after in modes:
            connections.close_all()
            cti = cti_figures(ctx, args.calls, args.senders, args.workers, queued, apply_after)
            mode = "queued, applied after" if apply_after else "queued" if queued else "applied at once"
            print(
                f"CTI ({mode}): {cti['events']:,} events from {args.calls:,} calls, {args.senders} senders, "
                f"{args.workers} server processes: webhook {cti['rate']:.1f} events/s, all applied at "
                f"{cti['applied_rate']:.1f} events/s (baseline /health/ {cti['health']:.1f} req/s, "
                f"ratio {cti['rate'] / cti['health']:.2f}); non-200 answers {cti['failures']}; "
                f"calls with a lost or out-of-order event: {len(cti['problems'])}"
            )
            met = cti["rate"] >= 200 and cti["applied_rate"] >= 200 and not cti["problems"]
            print(f"  target >= 200 events/s taken in and applied, none lost: {'met' if met else 'NOT met'}")
            problems += len(cti["problems"]) + cti["failures"]
        if problems:
            raise SystemExit(1)


if __name__ == "__main__":
    main()
