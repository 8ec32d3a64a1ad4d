"""Work that falls due with the clock: reminders to send, offers that run out.

A service module registers a job with ``@periodic("desk.reminders")``; the job takes ``now`` and
returns how many things it did. ``run_due`` runs every registered job once. It is called:

- every ``SWEEP_SECONDS`` by a thread of ``frontoffice worker`` (when tasks wait in the database);
- every ``SWEEP_SECONDS`` by a thread of each web process when there is no worker
  (``FRONTOFFICE_TASKS=immediate``), so that a one-process install needs nothing else;
- once by ``frontoffice sweep`` (for cron, or to catch up by hand), and by tests with a chosen ``now``.

Several processes may sweep at the same moment, so every job must be idempotent: it finds its
due rows by an indexed "due at" field, locks them with ``select_for_update(skip_locked=True)``
where the database can, and marks them done in the same transaction.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime

from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone

log = logging.getLogger(__name__)

Job = Callable[[datetime], int]
_JOBS: dict[str, Job] = {}


def periodic(name: str) -> Callable[[Job], Job]:
    """Register ``func(now) -> int`` under ``name`` (one name, one job: re-registering replaces it)."""

    def register(func: Job) -> Job:
        _JOBS[name] = func
        return func

    return register


def registered_jobs() -> dict[str, Job]:
    return dict(_JOBS)


def run_due(now: datetime | None = None) -> dict[str, int]:
    """Run every job once; one job's failure is logged and does not stop the others."""
    now = now or timezone.now()
    done: dict[str, int] = {}
    for name, job in sorted(_JOBS.items()):
        try:
            done[name] = job(now)
        except Exception:
            log.exception("periodic job %s failed", name)
            done[name] = -1
    return done


def sweep_forever(stop: threading.Event, interval: float | None = None) -> None:
    """Call ``run_due`` every ``interval`` seconds until ``stop`` is set (the body of the sweep thread)."""
    interval = settings.SWEEP_SECONDS if interval is None else interval
    while not stop.is_set():
        close_old_connections()
        run_due()
        close_old_connections()
        stop.wait(interval)


def start_sweeping(interval: float | None = None) -> threading.Event:
    """Start the sweep thread (a daemon: it dies with the process); set the returned event to stop it."""
    stop = threading.Event()
    threading.Thread(target=sweep_forever, args=(stop, interval), name="frontoffice-sweep", daemon=True).start()
    return stop


def web_process_sweeps() -> bool:
    """Without a worker (immediate tasks) the web processes sweep; with one, the worker does."""
    return settings.SWEEP_SECONDS > 0 and "immediate" in settings.TASKS["default"]["BACKEND"].lower()
