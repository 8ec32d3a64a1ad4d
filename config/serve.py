"""The application that ``frontoffice run`` serves: pages on WSGI threads, events on ASGI.

One uvicorn process group serves two doors into the same Django project:

- paths under ``/events/`` go to Django's ASGI handler, where async views hold
  long-lived Server-Sent Event streams without tying up a thread each;
- every other path goes to Django's WSGI handler through a2wsgi's thread pool.
  Ordinary (sync) views ran about three times slower under Django's ASGI
  handler, which funnels them through ``sync_to_async(thread_sensitive=True)``,
  so pages keep a real pool of threads (``FRONTOFFICE_WEB_THREADS``, default 2: pages are CPU-bound,
  and more threads measured slower in bench/serve_pages.py).

Static files are served by WhiteNoise inside the WSGI side (it is in
``MIDDLEWARE``), after ``collectstatic``, which ``frontoffice run`` performs.
"""

from __future__ import annotations

import os
from typing import Any

from a2wsgi import WSGIMiddleware
from django.core.asgi import get_asgi_application
from django.core.wsgi import get_wsgi_application

from config.env import env_int

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

EVENTS_PREFIX = "/events/"
WEB_THREADS = env_int("FRONTOFFICE_WEB_THREADS", 2, minimum=1, maximum=256)

events_app = get_asgi_application()
pages_app = WSGIMiddleware(get_wsgi_application(), workers=WEB_THREADS)  # type: ignore[arg-type]


async def application(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Route one ASGI connection to the events handler or the page thread pool."""
    kind = scope["type"]
    if kind == "http":
        if scope["path"].startswith(EVENTS_PREFIX):
            await events_app(scope, receive, send)
        else:
            await pages_app(scope, receive, send)  # type: ignore[arg-type]
    elif kind == "lifespan":
        await _lifespan(receive, send)
    else:
        # No WebSockets: live updates are Server-Sent Events over plain HTTP.
        await send({"type": "websocket.close", "code": 1003})


async def _lifespan(receive: Any, send: Any) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            from frontoffice.core.heap import freeze_startup_objects
            from frontoffice.core.pdf_drawing import warm_drawing_fonts
            from frontoffice.core.periodic import start_sweeping, web_process_sweeps

            freeze_startup_objects()
            warm_drawing_fonts()
            if web_process_sweeps():
                start_sweeping()
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            pages_app.executor.shutdown(wait=False, cancel_futures=True)
            await send({"type": "lifespan.shutdown.complete"})
            return
