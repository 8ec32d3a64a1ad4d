"""How fast `frontoffice run` serves a signed-in page, against two baselines.

Workload: a clerk's home page (session, permission checks, scoped queries,
template rendering) on the demo database (SQLite), requested by C client
threads over keep-alive connections without think time, for a fixed number
of requests per round. Each server runs as one process, so on a 2-core
machine the load generator has the other core.

- ours:      `frontoffice run` — uvicorn, pages on a WSGI thread pool (a2wsgi)
- baseline:  Django's ASGI handler under uvicorn (sync views through sync_to_async)
- reference: gunicorn, one sync WSGI worker (no event streams possible)

Prints requests per second (median of the rounds) and the ratios.
    python bench/serve_pages.py            # 5 rounds of 600 requests
    python bench/serve_pages.py --quick    # smoke: 1 round of 60 requests
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_up(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/health/")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"server on port {port} did not start")


def sign_in(port: int, username: str, password: str) -> str:
    """Sign in through the real login form; return the Cookie header."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", "/accounts/login/")
    response = connection.getresponse()
    page = response.read().decode()
    csrf_cookie = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie", "")).group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    body = urlencode({"username": username, "password": password, "csrfmiddlewaretoken": token})
    connection.request(
        "POST",
        "/accounts/login/",
        body=body,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={csrf_cookie}",
            "Referer": f"http://127.0.0.1:{port}/accounts/login/",
        },
    )
    response = connection.getresponse()
    response.read()
    session = re.search(r"sessionid=([^;]+)", response.getheader("Set-Cookie", "")).group(1)
    return f"csrftoken={csrf_cookie}; sessionid={session}"


def one_round(port: int, cookie: str, requests: int, clients: int) -> float:
    per_client = requests // clients
    failures: list[str] = []

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for _ in range(per_client):
            connection.request("GET", "/", headers={"Cookie": cookie})
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                failures.append(str(response.status))

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if failures:
        raise RuntimeError(f"{len(failures)} requests failed, e.g. HTTP {failures[0]}")
    return per_client * clients / elapsed


def measure(name: str, command: list[str], env: dict[str, str], port: int, args: argparse.Namespace) -> float:
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until_up(port)
        cookie = sign_in(port, "clerk.zdrowie", env["FRONTOFFICE_DEMO_PASSWORD"])
        one_round(port, cookie, max(args.clients * 5, 20), args.clients)  # warm-up
        rates = [one_round(port, cookie, args.requests, args.clients) for _ in range(args.rounds)]
    finally:
        server.terminate()
        server.wait(timeout=20)
    median = statistics.median(rates)
    print(f"  {name:<48} {median:8.1f} req/s   (rounds: {', '.join(f'{r:.0f}' for r in rates)})")
    return median


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smoke test: one short round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=600)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--threads", type=int, default=None, help="page threads for ours (default: the CLI's)")
    args = parser.parse_args()
    if args.quick:
        args.rounds, args.requests, args.clients = 1, 60, 4

    with tempfile.TemporaryDirectory(prefix="fo-bench-") as workdir:
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("FRONTOFFICE_", "DATABASE_URL", "REDIS_URL"))},
            # The migrated-database templates (core.migration_templates) save a minute of migrating.
            **{k: v for k, v in os.environ.items() if k == "FRONTOFFICE_MIGRATION_TEMPLATES"},
            "FRONTOFFICE_VAR_DIR": workdir,
            "DATABASE_URL": f"sqlite:///{workdir}/bench.sqlite3",
            "FRONTOFFICE_DEMO_PASSWORD": "bench-password-123",
            "FRONTOFFICE_LOG_LEVEL": "warning",
            "FRONTOFFICE_DEBUG": "0",
        }
        prepare = [str(BIN / "frontoffice"), "manage", "migrate", "--noinput", "-v0"]
        subprocess.run(prepare, cwd=ROOT, env=env, check=True)
        subprocess.run([str(BIN / "frontoffice"), "demo"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
        subprocess.run(
            [str(BIN / "frontoffice"), "manage", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
        )

        print(
            f"Workload: GET / signed in as a clerk, {args.clients} clients, {args.requests} requests "
            f"x {args.rounds} rounds, one server process each, SQLite demo database"
        )
        port = free_port()
        ours = measure(
            "ours: frontoffice run (uvicorn + WSGI threads)",
            [
                str(BIN / "frontoffice"),
                "run",
                "--port",
                str(port),
                "--workers",
                "1",
                "--no-migrate",
                "--log-level",
                "warning",
                *(["--threads", str(args.threads)] if args.threads else []),
            ],
            env,
            port,
            args,
        )
        port = free_port()
        asgi = measure(
            "baseline: Django ASGI handler under uvicorn",
            [
                str(BIN / "uvicorn"),
                "config.asgi:application",
                "--port",
                str(port),
                "--workers",
                "1",
                "--log-level",
                "warning",
                "--no-access-log",
            ],
            env,
            port,
            args,
        )
        port = free_port()
        wsgi = measure(
            "reference: gunicorn, one sync WSGI worker",
            [
                str(BIN / "gunicorn"),
                "config.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                "--log-level",
                "warning",
            ],
            env,
            port,
            args,
        )
    print(f"Ratio ours / ASGI baseline: {ours / asgi:.2f}x")
    print(f"Ratio ours / gunicorn sync worker: {ours / wsgi:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
