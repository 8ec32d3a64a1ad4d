"""The web process freezes its start-up objects out of the garbage collector's scans (core/heap.py)."""

from __future__ import annotations

import asyncio
import gc
import weakref

import pytest

from frontoffice.core.heap import freeze_startup_objects


@pytest.fixture
def unfrozen():
    gc.unfreeze()
    yield
    gc.unfreeze()
    gc.enable()


class Cycle:
    pass


def test_start_up_objects_are_frozen_and_garbage_is_collected_first(unfrozen):
    gc.disable()  # so that only freeze_startup_objects can collect the garbage below
    garbage = Cycle()
    garbage.me = garbage
    gone = weakref.ref(garbage)
    del garbage

    freeze_startup_objects()

    assert gc.get_freeze_count() > 1000
    assert gone() is None  # collected, not frozen with the rest


def test_the_served_application_freezes_them_at_start_up(unfrozen, monkeypatch):
    from config import serve
    from frontoffice.core import periodic

    monkeypatch.setattr(periodic, "web_process_sweeps", lambda: False)
    messages = iter([{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}])
    sent = []

    async def receive():
        return next(messages)

    async def send(message):
        sent.append(message["type"])

    monkeypatch.setattr(serve.pages_app.executor, "shutdown", lambda **kwargs: None)
    asyncio.run(serve._lifespan(receive, send))

    assert sent == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
    assert gc.get_freeze_count() > 1000
