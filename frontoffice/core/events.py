"""Live events for Server-Sent Event streams: ``publish(channel, event)`` and ``async subscribe(channels)``.

Two brokers behind one interface:

- ``InProcessBroker`` (one server process): each subscriber owns an ``asyncio.Queue`` on
  its event loop; ``publish`` may be called from any thread (page views run on WSGI
  threads) and hands the event over with ``loop.call_soon_threadsafe``.
- ``RedisBroker`` (``settings.REDIS_URL`` set, several processes): ``publish`` is a
  Redis ``PUBLISH`` from the caller's thread; each subscriber holds its own asyncio
  pub/sub connection, so an event published through any process reaches every one.

``publish`` waits for the surrounding transaction to commit (``transaction.on_commit``):
nobody is told about a change that was rolled back, and a listener that reads the
database on the event sees the change. A broker that is down never breaks the write that
published: the failure is logged and the event is lost (streams resynchronise on reconnect).

Channels are strings built with ``channel(...)``, always starting with the organisation,
so one organisation's stream can never be subscribed to another's events by accident.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import AsyncIterator, Iterable
from contextlib import suppress
from functools import lru_cache
from typing import Any, Protocol

from django.conf import settings
from django.db import transaction

logger = logging.getLogger(__name__)

REDIS_PREFIX = "frontoffice:events:"
QUEUE_SIZE = 1000  # events buffered per slow subscriber before the oldest are dropped


def channel(organisation_id: int, *parts: object) -> str:
    """``channel(org.pk, "queue", branch.pk)`` → ``"org:7:queue:3"``."""
    return ":".join(["org", str(int(organisation_id)), *(str(part) for part in parts)])


class Broker(Protocol):
    def publish_now(self, channel: str, event: dict[str, Any]) -> None: ...

    def subscribe(self, channels: Iterable[str]) -> AsyncIterator[dict[str, Any]]: ...


class InProcessBroker:
    """Fan-out inside one process, from any thread to subscribers on any event loop."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscribers: dict[str, set[tuple[asyncio.AbstractEventLoop, asyncio.Queue[dict[str, Any]]]]] = {}

    def subscriber_count(self, channel: str) -> int:
        with self._lock:
            return len(self._subscribers.get(channel, ()))

    def publish_now(self, channel: str, event: dict[str, Any]) -> None:
        with self._lock:
            targets = list(self._subscribers.get(channel, ()))
        for loop, queue in targets:
            with suppress(RuntimeError):  # the subscriber's loop has closed: it is going away
                loop.call_soon_threadsafe(_put, queue, event)

    async def subscribe(self, channels: Iterable[str]) -> AsyncIterator[dict[str, Any]]:
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(maxsize=QUEUE_SIZE)
        entry = (asyncio.get_running_loop(), queue)
        names = list(dict.fromkeys(channels))
        with self._lock:
            for name in names:
                self._subscribers.setdefault(name, set()).add(entry)
        try:
            while True:
                yield await queue.get()
        finally:
            with self._lock:
                for name in names:
                    subscribers = self._subscribers.get(name)
                    if subscribers is not None:
                        subscribers.discard(entry)
                        if not subscribers:
                            del self._subscribers[name]


def _put(queue: asyncio.Queue[dict[str, Any]], event: dict[str, Any]) -> None:
    if queue.full():
        with suppress(asyncio.QueueEmpty):
            queue.get_nowait()
    queue.put_nowait(event)


class RedisBroker:
    """Redis pub/sub: every process publishes to and listens on the same Redis."""

    def __init__(self, url: str) -> None:
        import redis

        self.url = url
        self._client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)

    def publish_now(self, channel: str, event: dict[str, Any]) -> None:
        self._client.publish(REDIS_PREFIX + channel, json.dumps(event))

    async def subscribe(self, channels: Iterable[str]) -> AsyncIterator[dict[str, Any]]:
        import redis.asyncio as aioredis

        client = aioredis.Redis.from_url(self.url)
        pubsub = client.pubsub(ignore_subscribe_messages=True)
        try:
            await pubsub.subscribe(*(REDIS_PREFIX + name for name in dict.fromkeys(channels)))
            while True:
                message = await pubsub.get_message(timeout=None)
                if message is None or message.get("type") != "message":
                    continue
                try:
                    event = json.loads(message["data"])
                except ValueError:
                    continue
                if isinstance(event, dict):
                    yield event
        finally:
            # Shielded: the stream is usually closed by cancellation (the client went away).
            with suppress(Exception):
                await asyncio.shield(_close_redis(pubsub, client))


async def _close_redis(pubsub: Any, client: Any) -> None:
    await pubsub.aclose()
    await client.aclose()


@lru_cache(maxsize=4)
def _broker_for(url: str) -> Broker:
    return RedisBroker(url) if url else InProcessBroker()


def get_broker() -> Broker:
    """The broker for this process: Redis when ``REDIS_URL`` is set, in-process otherwise."""
    return _broker_for(getattr(settings, "REDIS_URL", "") or "")


def publish(channel: str, event: dict[str, Any]) -> None:
    """Send ``event`` to ``channel``'s subscribers once the current transaction commits (at once outside one)."""
    broker = get_broker()

    def send() -> None:
        try:
            broker.publish_now(channel, event)
        except Exception:
            logger.exception("Live event to %s was not published", channel)

    transaction.on_commit(send)


def subscribe(channels: Iterable[str]) -> AsyncIterator[dict[str, Any]]:
    """Events published to any of ``channels`` from now on, as they come; close the iterator to leave."""
    return get_broker().subscribe(channels)
