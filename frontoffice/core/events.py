"""Live events for Server-Sent Event streams: ``publish(channel, event)`` and ``async subscribe(channels)``.

Two brokers behind one interface:

- ``InProcessBroker`` (one server process): each subscriber owns an ``asyncio.Queue`` on
  its event loop; ``publish`` may be called from any thread (page views run on WSGI
  threads) and hands the event over with ``loop.call_soon_threadsafe``.
- ``RedisBroker`` (``settings.REDIS_URL`` set, several processes): ``publish`` is a
  Redis ``PUBLISH`` from the caller's thread; each process listens with one asyncio
  pub/sub connection and fans events out to its subscribers in memory, so an event
  published through any process reaches every stream of every process.

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
import weakref
from collections.abc import AsyncIterator, Iterable
from contextlib import suppress
from functools import lru_cache
from typing import Any, Protocol

from django.conf import settings
from django.db import transaction

logger = logging.getLogger(__name__)

REDIS_PREFIX = "frontoffice:events:"
QUEUE_SIZE = 1000  # events buffered per slow subscriber before the oldest are dropped
LISTEN_TIMEOUT = 5.0  # seconds a new stream waits for its process's Redis listener


def channel(organisation_id: int, *parts: object) -> str:
    """``channel(org.pk, "queue", branch.pk)`` → ``"org:7:queue:3"``."""
    return ":".join(["org", str(int(organisation_id)), *(str(part) for part in parts)])


class Subscription(Protocol):
    """``async with broker.subscribe(channels) as events:`` then ``await events.next_event(timeout)``.

    Entering registers the subscription (events published from then on are kept for it);
    leaving unregisters it. ``next_event`` returns None when ``timeout`` seconds pass
    without an event (SSE views send a heartbeat then). It is also an async iterator.
    """

    async def __aenter__(self) -> Subscription: ...

    async def __aexit__(self, *exc: object) -> None: ...

    async def next_event(self, timeout: float | None = None) -> dict[str, Any] | None: ...

    def __aiter__(self) -> AsyncIterator[dict[str, Any]]: ...


class Broker(Protocol):
    def publish_now(self, channel: str, event: dict[str, Any]) -> None: ...

    def subscribe(self, channels: Iterable[str]) -> Subscription: ...


class _Iterating:
    async def next_event(self, timeout: float | None = None) -> dict[str, Any] | None:
        raise NotImplementedError

    async def __aiter__(self) -> AsyncIterator[dict[str, Any]]:
        while True:
            event = await self.next_event(None)
            if event is not None:
                yield event


class InProcessBroker:
    """Fan-out inside one process, from any thread to subscribers on any event loop."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscribers: dict[str, set[_LocalSubscription]] = {}

    def subscriber_count(self, channel: str) -> int:
        with self._lock:
            return len(self._subscribers.get(channel, ()))

    def publish_now(self, channel: str, event: dict[str, Any]) -> None:
        with self._lock:
            targets = list(self._subscribers.get(channel, ()))
        for subscription in targets:
            subscription.deliver(event)

    def subscribe(self, channels: Iterable[str]) -> _LocalSubscription:
        return _LocalSubscription(self, list(dict.fromkeys(channels)))

    def _add(self, subscription: _LocalSubscription) -> None:
        with self._lock:
            for name in subscription.channels:
                self._subscribers.setdefault(name, set()).add(subscription)

    def _remove(self, subscription: _LocalSubscription) -> None:
        with self._lock:
            for name in subscription.channels:
                subscribers = self._subscribers.get(name)
                if subscribers is not None:
                    subscribers.discard(subscription)
                    if not subscribers:
                        del self._subscribers[name]


class _LocalSubscription(_Iterating):
    def __init__(self, broker: InProcessBroker, channels: list[str]) -> None:
        self.broker = broker
        self.channels = channels
        self.queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(maxsize=QUEUE_SIZE)
        self.loop: asyncio.AbstractEventLoop | None = None

    async def __aenter__(self) -> _LocalSubscription:
        self.loop = asyncio.get_running_loop()
        self.broker._add(self)
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.broker._remove(self)

    def deliver(self, event: dict[str, Any]) -> None:
        """Called from any thread: hand the event to the subscriber's loop."""
        if self.loop is None:
            return
        with suppress(RuntimeError):  # the subscriber's loop has closed: it is going away
            self.loop.call_soon_threadsafe(self._put, event)

    def _put(self, event: dict[str, Any]) -> None:
        if self.queue.full():  # a stalled client: drop the oldest rather than grow without bound
            with suppress(asyncio.QueueEmpty):
                self.queue.get_nowait()
        self.queue.put_nowait(event)

    async def next_event(self, timeout: float | None = None) -> dict[str, Any] | None:
        try:
            return await asyncio.wait_for(self.queue.get(), timeout)
        except TimeoutError:
            return None


class RedisBroker:
    """Redis pub/sub: every process publishes to and listens on the same Redis.

    Each process (each event loop) holds **one** pub/sub connection, pattern-subscribed to
    every event channel, and fans the events out to its own streams in memory; so a process
    with 500 open boards still uses one Redis connection for listening.
    """

    def __init__(self, url: str) -> None:
        import redis

        self.url = url
        self._client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self._listeners: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _RedisListener] = (
            weakref.WeakKeyDictionary()
        )

    def publish_now(self, channel: str, event: dict[str, Any]) -> None:
        self._client.publish(REDIS_PREFIX + channel, json.dumps(event))

    def subscribe(self, channels: Iterable[str]) -> _RedisSubscription:
        return _RedisSubscription(self, list(dict.fromkeys(channels)))

    def listener(self) -> _RedisListener:
        loop = asyncio.get_running_loop()
        listener = self._listeners.get(loop)
        if listener is None:
            listener = self._listeners[loop] = _RedisListener(self.url)
        return listener


class _RedisListener:
    """One pub/sub connection for an event loop, relaying every event to the loop's local subscribers."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.local = InProcessBroker()
        self.ready = asyncio.Event()
        self.task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        if self.task is None or self.task.done():
            self.task = asyncio.create_task(self._run())
        try:
            await asyncio.wait_for(self.ready.wait(), LISTEN_TIMEOUT)
        except TimeoutError:
            # Redis is unreachable: the stream still opens and still beats; events come once it is back.
            logger.warning("Not listening to Redis at %s yet", self.url)

    async def _run(self) -> None:
        import redis.asyncio as aioredis

        while True:
            client = aioredis.Redis.from_url(self.url)
            pubsub = client.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.psubscribe(REDIS_PREFIX + "*")
                self.ready.set()
                while True:
                    message = await pubsub.get_message(timeout=None)
                    if message is not None and message.get("type") == "pmessage":
                        self._relay(message)
            except asyncio.CancelledError:
                raise
            except Exception:
                self.ready.clear()
                logger.exception("Lost the Redis event listener; reconnecting")
                await asyncio.sleep(1)
            finally:
                with suppress(Exception):
                    await asyncio.shield(_close_redis(pubsub, client))

    def _relay(self, message: dict[str, Any]) -> None:
        name = message["channel"].decode() if isinstance(message["channel"], bytes) else str(message["channel"])
        try:
            event = json.loads(message["data"])
        except ValueError:
            return
        if isinstance(event, dict):
            self.local.publish_now(name[len(REDIS_PREFIX) :], event)


async def _close_redis(pubsub: Any, client: Any) -> None:
    await pubsub.aclose()
    await client.aclose()


class _RedisSubscription(_Iterating):
    def __init__(self, broker: RedisBroker, channels: list[str]) -> None:
        self.broker = broker
        self.channels = channels
        self.inner: _LocalSubscription | None = None

    async def __aenter__(self) -> _RedisSubscription:
        listener = self.broker.listener()
        # Registered locally before the listener is ready, so nothing relayed after that is missed.
        self.inner = await listener.local.subscribe(self.channels).__aenter__()
        await listener.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self.inner is not None:
            await self.inner.__aexit__(*exc)

    async def next_event(self, timeout: float | None = None) -> dict[str, Any] | None:
        assert self.inner is not None, "use: async with broker.subscribe(channels) as events"
        return await self.inner.next_event(timeout)


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


def subscribe(channels: Iterable[str]) -> Subscription:
    """``async with subscribe(channels) as events:``: events published to any of ``channels`` from then on."""
    return get_broker().subscribe(channels)
