"""One Redis connection pool per process for Django's cache (``CACHES["default"]["OPTIONS"]["pool_class"]``).

Django keeps a cache object per context, and a2wsgi runs every page request in a fresh copy of the
context, so each request got a new ``RedisCache``, a new pool and a new TCP connection to Redis, closed
again when the request's objects were collected. Connecting was about a third of the web process's time
on a CTI event (py-spy, ``bench/interactions.py``). This pool class hands every cache object of the
process the same pool for the same address and options, so connections are opened once and reused.
redis-py pools are thread-safe and start afresh in a forked child.
"""

from __future__ import annotations

import threading
from typing import Any

import redis


class SharedConnectionPool(redis.ConnectionPool):
    _pools: dict[tuple[str, tuple[tuple[str, Any], ...]], redis.ConnectionPool] = {}
    _lock = threading.Lock()

    @classmethod
    def from_url(cls, url: str, **kwargs: Any) -> Any:
        key = (url, tuple(sorted((name, repr(value)) for name, value in kwargs.items())))
        with cls._lock:
            pool = cls._pools.get(key)
            if pool is None:
                pool = cls._pools[key] = super().from_url(url, **kwargs)
        return pool
