"""Queued mode's applier (``FRONTOFFICE_CTI_QUEUE``): one thread applies the stored events in the order they came.

The webhook only stores an event (``cti.enqueue``); applying it takes a dozen statements, which at a few
hundred events a second is more than the request should wait for. Events of one call must be applied in
the order they were received, so exactly one applier runs at a time, across every process:

- on PostgreSQL the applier holds a session advisory lock on its own connection (freed by the server if the
  process dies);
- elsewhere a lease in the cache (Redis when ``REDIS_URL`` is set, so shared by every process) renewed on
  every round; a single-process installation needs nothing more.

``frontoffice worker`` starts an applier thread (``ensure_applier``); without a worker (immediate tasks) every
web process that receives an event starts one. Those that do not get the lock wait for it. The holder applies
what is queued, then waits for a wake-up from its own process or ``IDLE_SECONDS``, so an event is applied
within a fraction of a second (the screen pop included). The periodic job ``interactions.cti_apply`` applies
with the same lock from ``frontoffice sweep``, as a last resort.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import os
import threading
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, close_old_connections, connection

from frontoffice.core.periodic import periodic

from . import cti

logger = logging.getLogger(__name__)

ADVISORY_KEY = 0x43544951  # "CTIQ"
LEASE_KEY = "interactions:cti-applier"
LEASE_SECONDS = 15
IDLE_SECONDS = 0.1
RETRY_SECONDS = 1.0

_wake = threading.Event()
_stop = threading.Event()
_started = threading.Lock()
_thread: threading.Thread | None = None


class ApplierLock:
    """The right to apply queued events; ``acquire`` does not wait, ``renew`` says whether it is still held."""

    def __init__(self) -> None:
        self.owner = f"{os.getpid()}-{uuid.uuid4().hex}"
        self.held = False

    def acquire(self) -> bool:
        if connection.vendor == "postgresql":
            if not self.held:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_try_advisory_lock(%s)", [ADVISORY_KEY])
                    self.held = bool(cursor.fetchone()[0])
            return self.held
        if cache.add(LEASE_KEY, self.owner, LEASE_SECONDS) or cache.get(LEASE_KEY) == self.owner:
            cache.set(LEASE_KEY, self.owner, LEASE_SECONDS)
            self.held = True
        else:
            self.held = False
        return self.held

    def release(self) -> None:
        if not self.held:
            return
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [ADVISORY_KEY])
        elif cache.get(LEASE_KEY) == self.owner:
            cache.delete(LEASE_KEY)
        self.held = False


def apply_round(lock: ApplierLock) -> int | None:
    """Apply what is queued if this lock can be had: how many events, or None when another applier runs."""
    if not lock.acquire():
        return None
    applied = 0
    while True:
        count = cti.apply_queued()
        applied += count
        if count == 0:
            return applied


def web_process_applies() -> bool:
    """Without a worker (immediate tasks) the web processes apply; with one, the worker does, so that the
    applying never takes a web process's CPU from the pages it serves."""
    return "immediate" in settings.TASKS["default"]["BACKEND"].lower()


def wake() -> None:
    """Tell this process's applier that an event is waiting."""
    _wake.set()


def ensure_applier() -> None:
    """Start this process's applier thread once (a daemon: it ends with the process)."""
    global _thread
    if _thread is not None and _thread.is_alive():
        return
    with _started:
        if _thread is None or not _thread.is_alive():
            _thread = threading.Thread(target=_run, name="frontoffice-cti-applier", daemon=True)
            _thread.start()


def stop_applier() -> None:
    """Stop this process's applier thread and let another take over (tests; a process shutting down)."""
    global _thread
    with _started:
        if _thread is not None:
            _stop.set()
            _wake.set()
            _thread.join(timeout=10)
            _thread = None
            _stop.clear()


def _run() -> None:
    lock = ApplierLock()
    try:
        while not _stop.is_set():
            try:
                if apply_round(lock) is None:
                    _stop.wait(RETRY_SECONDS)  # another process applies; take over if it stops
                    continue
                _wake.wait(IDLE_SECONDS)
                _wake.clear()
            except Exception:
                logger.exception("CTI applier failed; starting again")
                lock.held = False
                connection.close()  # a broken connection also frees the advisory lock
                close_old_connections()
                _stop.wait(RETRY_SECONDS)
    finally:
        with contextlib.suppress(DatabaseError):  # a broken connection has let go of the lock already
            lock.release()
        connection.close()


@periodic("interactions.cti_apply")
def apply_due(now: datetime.datetime) -> int:
    """Apply queued events if no applier thread is doing it (``frontoffice sweep``, tests)."""
    lock = ApplierLock()
    try:
        return apply_round(lock) or 0
    finally:
        lock.release()
