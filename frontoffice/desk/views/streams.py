"""Live event streams under ``/events/`` (async views on the ASGI side of ``frontoffice run``).

- ``board_stream``: a waiting-room board's stream, opened by the screen's secret token (no login).
  It starts with the board's state and then forwards calls and waiting counts, never client data.
- ``queue_stream``: an integrator's stream of a branch's queue events, with a bearer token or
  the browser session and the ``view_queue`` permission. Errors are problem+json like the API.
"""

from __future__ import annotations

from typing import Any

from asgiref.sync import sync_to_async
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from frontoffice.accounts.services import api_token_authenticate
from frontoffice.core import selectors as core_selectors
from frontoffice.core.apikit.problems import problem
from frontoffice.core.sse import CLOSE, Outgoing, sse_response

from .. import selectors_queue
from ..permissions import QueuePermission
from ..services_queue import queue_channel

# Ticket events after which the ticket is no longer at a counter (the board takes it off).
GONE = frozenset({"ticket.finished", "ticket.no_show", "ticket.held", "ticket.transferred", "ticket.cancelled"})
CALLS = frozenset({"ticket.called", "ticket.recalled"})


def _board_state(screen: Any) -> dict[str, Any]:
    return selectors_queue.board_state(screen=screen)


def _open_screen(token: str) -> tuple[Any, set[int]]:
    screen = selectors_queue.screen_by_token(token)
    return screen, {service.pk for service in selectors_queue.screen_services(screen)}


async def board_stream(request: HttpRequest, token: str) -> HttpResponse:
    try:
        screen, shown = await sync_to_async(_open_screen)(token)
    except selectors_queue.ScreenRevoked:
        return HttpResponse(_("This screen's address was revoked."), status=410, content_type="text/plain")

    async def initial() -> list[tuple[str, dict[str, Any]]]:
        return [("state", await sync_to_async(_board_state)(screen))]

    def transform(event: dict[str, Any]) -> Outgoing:
        if event.get("type") == "screen.revoked":
            return (CLOSE, {"reason": "revoked"}) if event.get("screen") == screen.pk else None
        ticket = event.get("ticket")
        if not isinstance(ticket, dict):
            return None
        waiting = {key: value for key, value in event.get("waiting", {}).items() if int(key) in shown}
        kind = str(event.get("type", ""))
        return (
            "queue",
            {
                "type": "call" if kind in CALLS else "gone" if kind in GONE else "update",
                "shown": ticket.get("service_id") in shown,
                "code": ticket.get("code", ""),
                "counter": ticket.get("counter", ""),
                "waiting": waiting,
            },
        )

    return sse_response([queue_channel(screen.branch)], initial=initial, transform=transform)


def _bearer(request: HttpRequest) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _space, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" else None


def _stream_user(request: HttpRequest, session_user: Any) -> Any:
    raw = _bearer(request)
    if raw is not None:
        return api_token_authenticate(raw) if raw else None
    return session_user if session_user.is_authenticated else None


def _authorise(user: Any, branch_id: int) -> Any:
    if not user.has_perm(QueuePermission.VIEW_QUEUE.perm):
        return None
    return core_selectors.branch_get(user=user, pk=branch_id)


async def queue_stream(request: HttpRequest, branch_id: int) -> HttpResponse:
    session_user = await request.auser()
    user = await sync_to_async(_stream_user)(request, session_user)
    if user is None:
        return problem(request, 401, detail=_("Sign in, or send a valid API token."))
    try:
        branch = await sync_to_async(_authorise)(user, branch_id)
    except Http404:
        return problem(request, 404, detail=_("No such branch, or it is outside your organisation or branches."))
    if branch is None:
        return problem(request, 403, detail=_("You may not see the walk-in queue."))
    return sse_response([queue_channel(branch)], transform=lambda event: (str(event.get("type", "message")), event))
