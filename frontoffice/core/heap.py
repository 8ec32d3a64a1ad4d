"""What a long-running process does with Python's garbage collector once it has started.

A process's long-lived objects (modules, classes, functions, the URLconf, Django's registries: several
hundred thousand) sit in the collector's oldest generation, and every full collection scans them all. A page
that allocates many objects (a dashboard over 5,000,000 reporting events merges hundreds of thousands of
values) set off a full collection every few requests: about 120 ms more for one request in three, the slow
end of its p95 (docs/benchmarks.md, issue 7). Frozen, they are left out of every collection.
"""

from __future__ import annotations

import gc


def freeze_startup_objects() -> None:
    """Leave every object alive now out of the collector's scans from here on: called once a process has
    started (``config.serve``'s lifespan startup, before the first request). The URLconf is loaded first: it
    lives as long as the process. Garbage made while starting is collected before, not frozen with the rest."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - loads the URLconf
    gc.collect()
    gc.freeze()
