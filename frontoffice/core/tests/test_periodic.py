"""Clock-driven jobs: registered, run with a given time, isolated from each other's failures."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest

from frontoffice.cli import main
from frontoffice.core import periodic

NOON = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


@pytest.fixture
def jobs(monkeypatch):
    """An empty registry for the test; the project's own jobs come back afterwards."""
    monkeypatch.setattr(periodic, "_JOBS", {})
    return periodic._JOBS


def test_every_job_runs_once_with_the_time_given(jobs):
    seen = []
    periodic.periodic("a")(lambda now: seen.append(("a", now)) or 2)
    periodic.periodic("b")(lambda now: seen.append(("b", now)) or 0)

    assert periodic.run_due(NOON) == {"a": 2, "b": 0}
    assert seen == [("a", NOON), ("b", NOON)]


def test_a_failing_job_is_reported_and_does_not_stop_the_others(jobs, caplog):
    def broken(now):
        raise RuntimeError("mail server away")

    periodic.periodic("a.broken")(broken)
    periodic.periodic("b.fine")(lambda now: 1)

    assert periodic.run_due(NOON) == {"a.broken": -1, "b.fine": 1}
    assert "periodic job a.broken failed" in caplog.text


def test_the_sweep_loop_stops_when_told(jobs, monkeypatch):
    # The loop closes stale connections between rounds; there is no database in this test.
    monkeypatch.setattr(periodic, "close_old_connections", lambda: None)
    stop = threading.Event()
    runs = []

    def job(now):
        runs.append(now)
        if len(runs) == 3:
            stop.set()
        return 0

    periodic.periodic("counting")(job)
    periodic.sweep_forever(stop, interval=0)
    assert len(runs) == 3


@pytest.mark.parametrize(
    ("backend", "seconds", "expected"),
    [
        ("django.tasks.backends.immediate.ImmediateBackend", 60, True),
        ("django.tasks.backends.immediate.ImmediateBackend", 0, False),
        ("django_tasks_db.DatabaseBackend", 60, False),
    ],
)
def test_web_processes_sweep_only_when_there_is_no_worker(settings, backend, seconds, expected):
    settings.TASKS = {"default": {"BACKEND": backend}}
    settings.SWEEP_SECONDS = seconds
    assert periodic.web_process_sweeps() is expected


def test_frontoffice_sweep_prints_what_each_job_did_and_fails_when_one_failed(jobs, capsys, db):
    periodic.periodic("desk.fine")(lambda now: 4)
    assert main(["sweep"]) == 0
    assert "desk.fine: 4" in capsys.readouterr().out

    def broken(now):
        raise RuntimeError("away")

    periodic.periodic("desk.broken")(broken)
    assert main(["sweep"]) == 1
    assert "desk.broken: failed (see the log)" in capsys.readouterr().out
