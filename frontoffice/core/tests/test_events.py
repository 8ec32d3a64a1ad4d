"""The live-event broker: in-process fan-out across threads, Redis pub/sub across connections, after commit."""

from __future__ import annotations

import asyncio
import os
import threading

import pytest
from django.db import transaction

from frontoffice.core import events
from frontoffice.core.events import InProcessBroker, RedisBroker

REDIS_TEST_URL = os.environ.get("FRONTOFFICE_TEST_REDIS_URL", "redis://127.0.0.1:6379/8")


def redis_or_skip() -> RedisBroker:
    import redis

    try:
        redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip(f"no Redis at {REDIS_TEST_URL}")
    return RedisBroker(REDIS_TEST_URL)


async def first_events(broker, channels, publish, count=1, timeout=5.0):
    """Subscribe, then call ``publish()`` in a thread (as a page view would), and collect ``count`` events."""
    received = []
    async with broker.subscribe(channels) as subscription:
        await asyncio.to_thread(publish)
        while len(received) < count:
            event = await subscription.next_event(timeout)
            assert event is not None, f"no event within {timeout} s"
            received.append(event)
    return received


def test_channels_start_with_the_organisation():
    assert events.channel(7, "queue", 3) == "org:7:queue:3"


def test_an_event_published_from_another_thread_reaches_an_async_subscriber():
    broker = InProcessBroker()
    got = asyncio.run(first_events(broker, ["org:1:queue:1"], lambda: broker.publish_now("org:1:queue:1", {"n": 1})))
    assert got == [{"n": 1}]


def test_a_subscriber_hears_only_its_channels():
    broker = InProcessBroker()

    def publish():
        broker.publish_now("org:2:queue:1", {"n": "other organisation"})
        broker.publish_now("org:1:queue:1", {"n": "ours"})

    got = asyncio.run(first_events(broker, ["org:1:queue:1"], publish))
    assert got == [{"n": "ours"}]


def test_every_subscriber_of_a_channel_gets_the_event():
    broker = InProcessBroker()

    async def two_listeners():
        async with broker.subscribe(["c"]) as first, broker.subscribe(["c"]) as second:
            await asyncio.to_thread(broker.publish_now, "c", {"n": 1})
            return [await first.next_event(5), await second.next_event(5)]

    assert asyncio.run(two_listeners()) == [{"n": 1}, {"n": 1}]


def test_waiting_without_events_times_out_with_none():
    broker = InProcessBroker()

    async def wait():
        async with broker.subscribe(["c"]) as subscription:
            return await subscription.next_event(0.05)

    assert asyncio.run(wait()) is None


def test_a_closed_subscription_is_forgotten():
    broker = InProcessBroker()
    asyncio.run(first_events(broker, ["c"], lambda: broker.publish_now("c", {})))
    assert broker.subscriber_count("c") == 0


def test_redis_carries_an_event_between_separate_connections():
    broker = redis_or_skip()
    other_process = RedisBroker(REDIS_TEST_URL)  # its own connection, as another server process has
    got = asyncio.run(
        first_events(broker, ["org:1:queue:9"], lambda: other_process.publish_now("org:1:queue:9", {"code": "A001"}))
    )
    assert got == [{"code": "A001"}]


def test_redis_keeps_organisations_apart():
    broker = redis_or_skip()

    def publish():
        broker.publish_now("org:2:queue:9", {"n": "other"})
        broker.publish_now("org:1:queue:9", {"n": "ours"})

    assert asyncio.run(first_events(broker, ["org:1:queue:9"], publish)) == [{"n": "ours"}]


@pytest.mark.django_db(transaction=True)
def test_publish_waits_for_the_commit_and_a_rollback_sends_nothing(monkeypatch):
    sent = []
    broker = InProcessBroker()
    monkeypatch.setattr(broker, "publish_now", lambda name, event: sent.append(event))
    monkeypatch.setattr(events, "get_broker", lambda: broker)
    # when: one transaction rolls back, one commits
    try:
        with transaction.atomic():
            events.publish("c", {"n": "rolled back"})
            raise RuntimeError
    except RuntimeError:
        pass
    with transaction.atomic():
        events.publish("c", {"n": "kept"})
        assert sent == []  # not before the commit
    # then
    assert sent == [{"n": "kept"}]


@pytest.mark.django_db(transaction=True)
def test_a_broker_that_is_down_does_not_break_the_write(monkeypatch, caplog):
    broker = InProcessBroker()

    def boom(name, event):
        raise ConnectionError("down")

    monkeypatch.setattr(broker, "publish_now", boom)
    monkeypatch.setattr(events, "get_broker", lambda: broker)
    events.publish("c", {"n": 1})  # outside a transaction: sent at once
    assert "was not published" in caplog.text


def test_publishing_from_many_threads_loses_nothing():
    broker = InProcessBroker()

    def publish():
        threads = [threading.Thread(target=broker.publish_now, args=("c", {"n": n})) for n in range(50)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    got = asyncio.run(first_events(broker, ["c"], publish, count=50))
    assert sorted(event["n"] for event in got) == list(range(50))


def test_the_streams_of_one_process_share_one_redis_listener_and_all_hear_the_event():
    broker = redis_or_skip()

    async def two_streams():
        async with broker.subscribe(["org:1:queue:7"]) as first, broker.subscribe(["org:1:queue:7"]) as second:
            shared = broker.listener()
            await asyncio.to_thread(RedisBroker(REDIS_TEST_URL).publish_now, "org:1:queue:7", {"n": 1})
            got = [await first.next_event(5), await second.next_event(5)]
            quiet = await first.next_event(0.1)
        return got, quiet, shared is broker.listener()

    got, quiet, shared = asyncio.run(two_streams())
    assert got == [{"n": 1}, {"n": 1}] and quiet is None and shared
