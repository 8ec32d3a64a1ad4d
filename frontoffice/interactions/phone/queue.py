"""Queued mode's appliers (``FRONTOFFICE_CTI_QUEUE``): the stored events are applied in the order they came.

The webhook only stores an event (``cti.enqueue``); applying it takes a dozen statements, which at a few
hundred events a second is more than the request should wait for. Events of one call must be applied in
the order they were received, so each event gets a **lane** from its call id (``cti.lane_of``: every event
of a call has the same lane), and the lanes are shared out among ``FRONTOFFICE_CTI_APPLIERS`` partitions:
partition ``k`` of ``n`` applies the lanes ``lane % n == k``, and exactly one applier runs per partition,
across every process:

- on PostgreSQL it holds a session advisory lock on its own connection (freed by the server if the process
  dies);
- elsewhere a lease in the cache (Redis when ``REDIS_URL`` is set, so shared by every process) renewed on
  every round; a single-process installation needs nothing more.

``frontoffice worker`` starts one applier thread per partition (``ensure_applier``); without a worker
(immediate tasks) every web process that receives an event starts them. Those that do not get their lock wait
for it. A holder applies what is queued in its lanes, then waits for a wake-up from its own process or
``IDLE_SECONDS``, so an event is applied within a fraction of a second (the screen pop included). The periodic
job ``interactions.cti_apply`` applies with the same locks from ``frontoffice sweep``, as a last resort.
Change the number of partitions only while nothing is queued (restart every worker together).
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

ADVISORY_KEY = 0x43544951  # "CTIQ"; partition k of n locks ADVISORY_KEY + 1000 * n + k
LEASE_KEY = "interactions:cti-applier"
LEASE_SECONDS = 15
IDLE_SECONDS = 0.1
RETRY_SECONDS = 1.0

_wake = threading.Event()
_stop = threading.Event()
_started = threading.Lock()
_threads: list[threading.Thread] = []


def partitions() -> int:
    return settings.CTI_APPLIERS


def lanes_of(partition: int, count: int) -> list[int]:
    """The lanes partition ``partition`` of ``count`` applies."""
    return [lane for lane in range(cti.LANES) if lane % count == partition]


class ApplierLock:
    """The right to apply one partition's lanes; ``acquire`` does not wait and says whether it is held."""

    def __init__(self, partition: int = 0, count: int = 1) -> None:
        self.partition, self.count = partition, count
        self.owner = f"{os.getpid()}-{uuid.uuid4().hex}"
        self.held = False

    @property
    def key(self) -> int:
        return ADVISORY_KEY + 1000 * self.count + self.partition

    def acquire(self) -> bool:
        if connection.vendor == "postgresql":
            if not self.held:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_try_advisory_lock(%s)", [self.key])
                    self.held = bool(cursor.fetchone()[0])
            return self.held
        lease = f"{LEASE_KEY}:{self.key}"
        if cache.add(lease, self.owner, LEASE_SECONDS) or cache.get(lease) == self.owner:
            cache.set(lease, self.owner, LEASE_SECONDS)
            self.held = True
        else:
            self.held = False
        return self.held

    def release(self) -> None:
        if not self.held:
            return
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [self.key])
        elif cache.get(f"{LEASE_KEY}:{self.key}") == self.owner:
            cache.delete(f"{LEASE_KEY}:{self.key}")
        self.held = False


def apply_round(lock: ApplierLock) -> int | None:
    """Apply what is queued in the lock's lanes if it can be had: how many events, or None when held elsewhere."""
    if not lock.acquire():
        return None
    lanes = lanes_of(lock.partition, lock.count)
    applied = 0
    while True:
        count = cti.apply_queued(lanes=lanes)
        applied += count
        if count == 0:
            return applied


def web_process_applies() -> bool:
    """Without a worker (immediate tasks) the web processes apply; with one, the worker does, so that the
    applying never takes a web process's CPU from the pages it serves."""
    return "immediate" in settings.TASKS["default"]["BACKEND"].lower()


def wake() -> None:
    """Tell this process's appliers that an event is waiting."""
    _wake.set()


def ensure_applier() -> None:
    """Start this process's applier threads once, one per partition (daemons: they end with the process)."""
    if _threads and all(thread.is_alive() for thread in _threads):
        return
    with _started:
        if _threads and all(thread.is_alive() for thread in _threads):
            return
        _threads[:] = [thread for thread in _threads if thread.is_alive()]
        running = {thread.name for thread in _threads}
        count = partitions()
        for partition in range(count):
            name = f"frontoffice-cti-applier-{partition}-of-{count}"
            if name not in running:
                thread = threading.Thread(target=_run, args=(partition, count), name=name, daemon=True)
                thread.start()
                _threads.append(thread)


def stop_applier() -> None:
    """Stop this process's applier threads and let others take over (tests; a process shutting down)."""
    with _started:
        _stop.set()
        _wake.set()
        for thread in _threads:
            thread.join(timeout=10)
        _threads.clear()
        _stop.clear()


def _run(partition: int, count: int) -> None:
    lock = ApplierLock(partition, count)
    try:
        while not _stop.is_set():
            try:
                if apply_round(lock) is None:
                    _stop.wait(RETRY_SECONDS)  # another process applies these lanes; take over if it stops
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
def apply_due(now: datetime.datetime | None) -> int:
    """Apply queued events of every partition no applier thread is working on (``frontoffice sweep``, tests)."""
    applied = 0
    count = partitions()
    for partition in range(count):
        lock = ApplierLock(partition, count)
        try:
            applied += apply_round(lock) or 0
        finally:
            lock.release()
    return applied
