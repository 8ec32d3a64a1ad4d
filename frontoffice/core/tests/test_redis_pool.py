"""The cache's Redis connections are shared by the process, though Django makes a cache object per request."""

from __future__ import annotations

import contextvars

import redis
from django.core.cache.backends.redis import RedisCache

from .test_events import REDIS_TEST_URL, redis_or_skip

SHARED = {"pool_class": "frontoffice.core.redis_pool.SharedConnectionPool"}


def sockets_opened_by_requests(monkeypatch, options: dict[str, str], requests: int = 10) -> int:
    """Open sockets while ``requests`` contexts each make their own cache object (as every page request
    served by a2wsgi does) and read and write through it."""
    opened = []
    connect = redis.Connection._connect

    def counted(self):
        opened.append(self)
        return connect(self)

    monkeypatch.setattr(redis.Connection, "_connect", counted)

    def one_request() -> None:
        cache = RedisCache(REDIS_TEST_URL, {"OPTIONS": options, "KEY_PREFIX": "frontoffice-pool-test"})
        cache.set("seen", 1, 5)
        assert cache.get("seen") == 1

    for _ in range(requests):
        contextvars.copy_context().run(one_request)
    return len(opened)


def test_cache_objects_of_many_requests_share_one_connection(monkeypatch):
    redis_or_skip()
    assert sockets_opened_by_requests(monkeypatch, SHARED) <= 1  # 0 when an earlier test opened it
    assert sockets_opened_by_requests(monkeypatch, {}) == 10  # Django's own pool class: one per request


def test_a_pool_is_shared_only_for_the_same_address_and_options():
    from frontoffice.core.redis_pool import SharedConnectionPool

    first = SharedConnectionPool.from_url("redis://127.0.0.1:6379/3")
    assert SharedConnectionPool.from_url("redis://127.0.0.1:6379/3") is first
    assert SharedConnectionPool.from_url("redis://127.0.0.1:6379/4") is not first
    assert SharedConnectionPool.from_url("redis://127.0.0.1:6379/3", socket_timeout=2) is not first
