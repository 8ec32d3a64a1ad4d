"""Server-Sent Event responses for async views under ``/events/`` (see config/serve.py).

``sse_response(channels, initial=…, transform=…)`` subscribes to the broker *before* it
sends the initial snapshot, so nothing published in between is lost; then it forwards
each event ``transform`` keeps, and writes a comment line every ``SSE_HEARTBEAT`` seconds
so proxies keep the connection open and a vanished client is noticed. When the client
disconnects, Django's ASGI handler cancels the generator and the subscription is closed.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from itertools import count
from typing import Any

from django.conf import settings
from django.core.handlers.asgi import ASGIRequest
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse

from .events import subscribe

# (event name, data) or None to drop the event; the string "close" as name ends the stream after sending.
Outgoing = tuple[str, dict[str, Any]] | None
Transform = Callable[[dict[str, Any]], Awaitable[Outgoing] | Outgoing]

CLOSE = "close"


def format_event(name: str, data: dict[str, Any], *, event_id: str = "") -> str:
    lines = [f"id: {event_id}"] if event_id else []
    lines.append(f"event: {name}")
    lines.append("data: " + json.dumps(data, cls=DjangoJSONEncoder, separators=(",", ":")))
    return "\n".join(lines) + "\n\n"


def heartbeat_seconds() -> float:
    return float(getattr(settings, "SSE_HEARTBEAT_SECONDS", 15))


async def _stream(
    channels: list[str],
    initial: Callable[[], Awaitable[list[tuple[str, dict[str, Any]]]]],
    transform: Transform,
) -> AsyncIterator[str]:
    numbers = count(1)
    async with subscribe(channels) as subscription:
        yield "retry: 3000\n\n"
        for name, data in await initial():
            yield format_event(name, data, event_id=str(next(numbers)))
        while True:
            event = await subscription.next_event(heartbeat_seconds())
            if event is None:
                yield ": keep-alive\n\n"
                continue
            outgoing = transform(event)
            if not isinstance(outgoing, tuple) and outgoing is not None:
                outgoing = await outgoing
            if outgoing is None:
                continue
            name, data = outgoing
            yield format_event(name, data, event_id=str(next(numbers)))
            if name == CLOSE:
                return


async def _nothing() -> list[tuple[str, dict[str, Any]]]:
    return []


def served_over_asgi(request: HttpRequest) -> bool:
    """Streams need the ASGI side: under a WSGI server Django collects an async stream into a list,
    which never ends and ties up a worker thread forever."""
    return isinstance(request, ASGIRequest)


def no_stream() -> HttpResponse:
    """What a stream URL answers when it cannot stream (a WSGI server, e.g. a test server).

    204 tells ``EventSource`` to stop reconnecting, so the page keeps working without live updates.
    """
    return HttpResponse(status=204)


def sse_response(
    channels: Iterable[str],
    *,
    initial: Callable[[], Awaitable[list[tuple[str, dict[str, Any]]]]] = _nothing,
    transform: Transform = lambda event: ("message", event),
) -> StreamingHttpResponse:
    response = StreamingHttpResponse(_stream(list(channels), initial, transform), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache, no-transform"
    response["X-Accel-Buffering"] = "no"  # nginx: pass each event on at once
    return response
