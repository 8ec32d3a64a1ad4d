"""Scale past one process: a ticket called through one web server reaches a board connected to another.

Two ``config.serve:application`` processes (what ``frontoffice run`` serves) start on free ports
against this test's PostgreSQL database and one Redis. A board streams from server B; a clerk's
API call goes to server A; the call must arrive on the board through Redis pub/sub.

Runs in ``make test`` whenever the suite runs on PostgreSQL and Redis answers (CI runs both);
on SQLite or without Redis it is skipped with the reason.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from django.db import connection

from frontoffice.accounts.services import api_token_create

REDIS_URL = os.environ.get("FRONTOFFICE_TEST_REDIS_URL", "redis://127.0.0.1:6379/8")
ROOT = Path(__file__).resolve().parents[3]
STARTUP_SECONDS = 60

pytestmark = pytest.mark.django_db(transaction=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _database_url() -> str:
    settings = connection.settings_dict
    password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
    host = settings.get("HOST") or "127.0.0.1"
    port = settings.get("PORT") or "5432"
    return f"postgres://{settings['USER']}{password}@{host}:{port}/{settings['NAME']}"


def _require_postgres_and_redis() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: two processes cannot share the test's SQLite database")
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip(f"needs Redis at {REDIS_URL} (set FRONTOFFICE_TEST_REDIS_URL)")


@contextlib.contextmanager
def _server(port: int) -> Iterator[str]:
    env = {**os.environ, "DATABASE_URL": _database_url(), "REDIS_URL": REDIS_URL, "FRONTOFFICE_WEB_THREADS": "2"}
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "uvicorn", "config.serve:application"),
            *("--host", "127.0.0.1", "--port", str(port), "--lifespan", "on", "--log-level", "warning"),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"server on {port} exited: {process.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(base + "/health/", timeout=2).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError(f"server on {port} did not start within {STARTUP_SECONDS} s")
            time.sleep(0.3)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _read_events(url: str, events: queue.Queue, stop: threading.Event) -> None:
    """Read an event stream line by line, putting each (event, data) on ``events``, until ``stop`` or the end."""
    try:
        with httpx.stream("GET", url, timeout=httpx.Timeout(5, read=30)) as response:
            events.put(("status", {"code": response.status_code}))
            name = ""
            for line in response.iter_lines():
                if stop.is_set():
                    return
                if line.startswith("event: "):
                    name = line[len("event: ") :]
                elif line.startswith("data: "):
                    events.put((name, json.loads(line[len("data: ") :])))
    except httpx.HTTPError as error:
        if not stop.is_set():
            events.put(("error", {"error": str(error)}))


def _next(events: queue.Queue, name: str, timeout: float = 15) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError(f"no {name!r} event within {timeout} s")
        got_name, data = events.get(timeout=left)
        if got_name == name:
            return data


def test_a_ticket_called_through_one_server_reaches_a_board_on_the_other(clerk, board, registration, window1):
    # given: two server processes on one PostgreSQL and Redis, a waiting ticket, a clerk's API token
    _require_postgres_and_redis()
    _token, raw = api_token_create(user=clerk, name="Dwa procesy")
    headers = {"Authorization": f"Bearer {raw}"}
    with _server(_free_port()) as server_a, _server(_free_port()) as server_b:
        issued = httpx.post(
            server_a + "/api/v1/desk/queue/tickets", json={"service_id": registration.pk}, headers=headers, timeout=10
        )
        assert issued.status_code == 201, issued.text
        # and: a board connected to server B
        events: queue.Queue = queue.Queue()
        stop = threading.Event()
        reader = threading.Thread(
            target=_read_events, args=(f"{server_b}/events/desk/board/{board.token}/", events, stop), daemon=True
        )
        reader.start()
        assert _next(events, "status") == {"code": 200}
        state = _next(events, "state")
        assert {"id": registration.pk, "name": "Rejestracja", "waiting": 1} in state["services"]
        # when: the clerk calls the next ticket through server A
        called = httpx.post(
            f"{server_a}/api/v1/desk/queue/counters/{window1.pk}/call-next", headers=headers, timeout=10
        )
        assert called.status_code == 200, called.text
        # then: the board on server B shows the call at the counter
        event = _next(events, "queue")
        assert (event["type"], event["code"], event["counter"]) == ("call", "A001", "Okienko 1")
        stop.set()
