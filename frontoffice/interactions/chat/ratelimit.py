"""A fixed-window rate limiter on Django's cache (Redis when ``REDIS_URL`` is set, so it is shared
by every web process; the local memory cache otherwise, per process).

``hit("chat:ip", "203.0.113.9", limit=60, window=60)`` counts one request and answers whether it is
still within ``limit`` for the current window.
"""

from __future__ import annotations

import time

from django.core.cache import cache


def hit(scope: str, key: str, *, limit: int, window: int) -> bool:
    bucket = int(time.time() // window)
    name = f"ratelimit:{scope}:{key}:{bucket}"
    if cache.add(name, 1, timeout=window + 1):
        return True
    try:
        count = cache.incr(name)
    except ValueError:  # expired between add and incr
        cache.add(name, 1, timeout=window + 1)
        return True
    return count <= limit
