"""The walk-in queue: ticket issue/call throughput, and board latency from a call to connected boards.

Workload:
1. throughput: issue N tickets and call them to two counters through the services (in this
   process), against the same through the HTTP API of a running server (baseline: what an
   integrator or the clerk's page costs end to end);
2. latency: two `config.serve:application` processes (what `frontoffice run` serves) on one
   database and Redis; B boards connected over Server-Sent Events, half to each process; M calls
   made through the API of process A, one after another; for each call and each board, the time
   from sending the call to the board receiving it. Baseline: a board polling every second
   (computed: the wait is uniform over the interval, so median 500 ms, p95 950 ms, plus the request).

Database: BENCH_DATABASE_URL or DATABASE_URL (PostgreSQL recommended), else a temporary SQLite
file. Redis: REDIS_URL (default redis://127.0.0.1:6379/9); without Redis one process is used.

    python bench/queue_board.py            # 100 calls, 50 boards, 2 processes, 500 tickets
    python bench/queue_board.py --quick    # smoke: 10 calls, 6 boards, 60 tickets
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def redis_url() -> str:
    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/9"
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except Exception:
        return ""
    return url


def setup_django(database_url: str, redis: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["REDIS_URL"] = redis
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import logging

    import django

    django.setup()
    logging.getLogger("httpx").setLevel(logging.WARNING)
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def world() -> dict[str, Any]:
    """An organisation with a branch, a clerk with an API token, two services, two counters and a board."""
    from frontoffice.accounts.services import api_token_create
    from frontoffice.desk import services_queue
    from tests.factories import BranchFactory, OrganisationFactory, StaffFactory

    stamp = str(time.time_ns())[-8:]
    organisation = OrganisationFactory(name=f"Bench {stamp}", slug=f"bench-{stamp}")
    branch = BranchFactory(organisation=organisation, code=f"b{stamp}")
    clerk = StaffFactory(
        organisation=organisation, roles=["clerk"], branches=[branch], user__username=f"bench-clerk-{stamp}"
    ).user
    first = services_queue.queue_service_save(branch=branch, actor=clerk, name="Rejestracja", prefix="A")
    second = services_queue.queue_service_save(branch=branch, actor=clerk, name="Wyniki", prefix="B")
    counters = [
        services_queue.counter_save(branch=branch, actor=clerk, name=f"Okienko {n}", services=[first, second])
        for n in (1, 2)
    ]
    board = services_queue.board_screen_create(branch=branch, actor=clerk, name="Poczekalnia")
    _token, raw = api_token_create(user=clerk, name="bench")
    return {"clerk": clerk, "services": [first, second], "counters": counters, "board": board, "token": raw}


def service_throughput(ctx: dict[str, Any], count: int) -> tuple[float, float]:
    from frontoffice.desk import services_queue

    started = time.perf_counter()
    for n in range(count):
        services_queue.ticket_issue(service=ctx["services"][n % 2], actor=ctx["clerk"])
    issued = time.perf_counter()
    for n in range(count):
        services_queue.ticket_call_next(counter=ctx["counters"][n % 2], actor=ctx["clerk"])
    called = time.perf_counter()
    return count / (issued - started), count / (called - issued)


def api_throughput(base: str, ctx: dict[str, Any], count: int) -> tuple[float, float]:
    import httpx

    headers = {"Authorization": f"Bearer {ctx['token']}"}
    with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
        started = time.perf_counter()
        for n in range(count):
            client.post("/api/v1/desk/queue/tickets", json={"service_id": ctx["services"][n % 2].pk}).raise_for_status()
        issued = time.perf_counter()
        for n in range(count):
            client.post(f"/api/v1/desk/queue/counters/{ctx['counters'][n % 2].pk}/call-next").raise_for_status()
        called = time.perf_counter()
    return count / (issued - started), count / (called - issued)


def start_server(port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "uvicorn", "config.serve:application", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--log-level", "warning", "--lifespan", "on"]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


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


async def board_latency(bases: list[str], ctx: dict[str, Any], boards: int, calls: int) -> list[list[float]]:
    """Per call, the latency (s) to each board."""
    import httpx

    token = ctx["board"].token
    received: dict[str, list[float]] = {}
    ready = asyncio.Event()
    connected = 0

    async def board(base: str) -> None:
        nonlocal connected
        async with (
            httpx.AsyncClient(base_url=base, timeout=httpx.Timeout(10, read=None)) as client,
            client.stream("GET", f"/events/desk/board/{token}/") as response,
        ):
            name = ""
            async for line in response.aiter_lines():
                if line.startswith("event: "):
                    name = line[7:]
                elif line.startswith("data: "):
                    if name == "state":
                        connected += 1
                        if connected == boards:
                            ready.set()
                    elif name == "queue":
                        data = json.loads(line[6:])
                        if data["type"] == "call":
                            received.setdefault(data["code"], []).append(time.perf_counter())

    tasks = [asyncio.create_task(board(bases[n % len(bases)])) for n in range(boards)]
    await asyncio.wait_for(ready.wait(), 60)
    from asgiref.sync import sync_to_async

    from frontoffice.desk import services_queue

    codes = []
    for _call in range(calls):
        ticket = await sync_to_async(services_queue.ticket_issue)(service=ctx["services"][0], actor=ctx["clerk"])
        codes.append(ticket.code)
    sent: dict[str, float] = {}
    headers = {"Authorization": f"Bearer {ctx['token']}"}
    async with httpx.AsyncClient(base_url=bases[0], headers=headers, timeout=30) as api:
        for code in codes:
            sent[code] = time.perf_counter()
            answer = await api.post(f"/api/v1/desk/queue/counters/{ctx['counters'][0].pk}/call-next")
            answer.raise_for_status()
            deadline = time.monotonic() + 10
            while len(received.get(code, ())) < boards and time.monotonic() < deadline:
                await asyncio.sleep(0.005)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return [[at - sent[code] for at in received.get(code, [])] for code in codes]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smoke mode: a few calls and boards")
    parser.add_argument("--calls", type=int, default=100)
    parser.add_argument("--boards", type=int, default=50)
    parser.add_argument("--tickets", type=int, default=500)
    args = parser.parse_args()
    if args.quick:
        args.calls, args.boards, args.tickets = 10, 6, 60
    workdir = tempfile.mkdtemp(prefix="queue-bench-")
    database = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL") or ""
    if not database.startswith("postgres"):
        database = f"sqlite:///{workdir}/bench.sqlite3"
    redis = redis_url()
    processes = 2 if redis else 1
    setup_django(database, redis)
    ctx = world()
    print(
        f"Workload: {args.tickets} tickets issued and called; {args.calls} calls with {args.boards} boards "
        f"on {processes} process(es); database {database.split('://')[0]}, Redis {'yes' if redis else 'no'}"
    )
    issue_rate, call_rate = service_throughput(ctx, args.tickets)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "REDIS_URL"))},
        "DATABASE_URL": database,
        "REDIS_URL": redis,
        "FRONTOFFICE_WEB_THREADS": "2",
    }
    ports = [free_port() for _ in range(processes)]
    servers = [start_server(port, env) for port in ports]
    bases = [f"http://127.0.0.1:{port}" for port in ports]
    try:
        for base in bases:
            wait_up(base)
        api_issue, api_call = api_throughput(bases[0], ctx, max(args.tickets // 5, 10))
        per_call = asyncio.run(board_latency(bases, ctx, args.boards, args.calls))
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=10)
    samples = [value * 1000 for call in per_call for value in call]
    worst = [max(call) * 1000 for call in per_call if call]
    missing = sum(args.boards - len(call) for call in per_call)
    print(
        f"Issue:  ours (services) {issue_rate:8.1f} tickets/s | baseline (HTTP API) {api_issue:8.1f}/s"
        f" | ratio {issue_rate / api_issue:.1f}×"
    )
    print(
        f"Call:   ours (services) {call_rate:8.1f} calls/s   | baseline (HTTP API) {api_call:8.1f}/s"
        f" | ratio {call_rate / api_call:.1f}×"
    )
    print(
        f"Board latency over {len(samples)} deliveries: median {statistics.median(samples):.1f} ms, "
        f"p95 {percentile(samples, 0.95):.1f} ms; slowest board per call: median {statistics.median(worst):.1f} ms, "
        f"p95 {percentile(worst, 0.95):.1f} ms; missed {missing}"
    )
    print(
        f"Baseline (a board polling every 1 s): median ≈ 500 ms, p95 ≈ 950 ms; "
        f"ratio (median) {500 / statistics.median(samples):.0f}×"
    )
    return 0 if missing == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
