"""The live streams under /events/: a board's stream by its secret token, an integrator's stream by token or session."""

from __future__ import annotations

import asyncio
import json

import pytest
from asgiref.sync import sync_to_async
from django.db import connections
from django.test import AsyncClient

from frontoffice.accounts.services import api_token_create
from frontoffice.desk import services_queue

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.anyio]


@pytest.fixture
def anyio_backend():
    return "asyncio"


def parse(chunk: bytes) -> list[tuple[str, dict]]:
    """The (event, data) pairs in one chunk of an event stream; comments and retry lines are skipped."""
    events = []
    for block in chunk.decode().split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line and not line.startswith(":"))
        if "event" in fields:
            events.append((fields["event"], json.loads(fields["data"])))
    return events


async def next_events(content, timeout=5.0) -> list[tuple[str, dict]]:
    """Read chunks until one holds an event (heartbeats and the retry line are skipped)."""
    while True:
        chunk = await asyncio.wait_for(content.__anext__(), timeout)
        found = parse(chunk)
        if found:
            return found


async def open_stream(url, headers=None):
    response = await AsyncClient().get(url, headers=headers)
    return response, aiter(response.streaming_content)


@pytest.fixture(autouse=True)
def _fast_heartbeat(settings):
    settings.SSE_HEARTBEAT_SECONDS = 0.2


@pytest.fixture(autouse=True)
async def _close_the_sync_threads_connections(anyio_backend):
    """ORM calls made through sync_to_async run in a worker thread whose connection nobody else closes."""
    yield
    await sync_to_async(connections.close_all)()


async def test_a_board_stream_starts_with_the_state_and_shows_a_call_at_once(board, registration, window1, clerk):
    # given: one ticket waiting, the board connected
    await sync_to_async(services_queue.ticket_issue)(service=registration, actor=clerk)
    response, content = await open_stream(f"/events/desk/board/{board.token}/")
    assert response.status_code == 200 and response["Content-Type"] == "text/event-stream"
    [(name, state)] = await next_events(content)
    assert name == "state"
    assert {"id": registration.pk, "name": "Rejestracja", "waiting": 1} in state["services"]
    # when: a clerk calls it to window 1
    await sync_to_async(services_queue.ticket_call_next)(counter=window1, actor=clerk)
    # then
    [(name, event)] = await next_events(content)
    assert (name, event["type"], event["code"], event["counter"]) == ("queue", "call", "A001", "Okienko 1")
    assert event["waiting"] == {}
    await content.aclose()


async def test_a_board_stream_sends_heartbeats_while_nothing_happens(board):
    _response, content = await open_stream(f"/events/desk/board/{board.token}/")
    chunks = [await asyncio.wait_for(content.__anext__(), 5) for _ in range(4)]
    assert b": keep-alive\n\n" in chunks
    await content.aclose()


async def test_a_board_never_hears_another_branchs_queue(board, other_branch, manager, clerk, registration, window1):
    # given: a service and counter at the other branch
    elsewhere = await sync_to_async(services_queue.queue_service_save)(
        branch=other_branch, actor=manager, name="Kasa", prefix="K"
    )
    counter = await sync_to_async(services_queue.counter_save)(
        branch=other_branch, actor=manager, name="Kasa 1", services=[elsewhere]
    )
    await sync_to_async(services_queue.ticket_issue)(service=elsewhere, actor=manager)
    _response, content = await open_stream(f"/events/desk/board/{board.token}/")
    await next_events(content)  # the state
    # when: the other branch calls, then ours does
    await sync_to_async(services_queue.ticket_call_next)(counter=counter, actor=manager)
    await sync_to_async(services_queue.ticket_issue)(service=registration, actor=clerk)
    # then: the first event the board gets is ours
    [(_name, event)] = await next_events(content)
    assert event["code"] == "A001" and event["type"] == "update"
    await content.aclose()


async def test_a_revoked_board_is_told_to_close_and_cannot_reconnect(board, manager):
    _response, content = await open_stream(f"/events/desk/board/{board.token}/")
    await next_events(content)
    await sync_to_async(services_queue.board_screen_revoke)(screen=board, actor=manager)
    [(name, _data)] = await next_events(content)
    assert name == "close"
    again = await AsyncClient().get(f"/events/desk/board/{board.token}/")
    assert again.status_code == 410


async def test_an_unknown_board_token_is_not_found():
    response = await AsyncClient().get("/events/desk/board/not-a-screen/")
    assert response.status_code == 404


async def test_an_integrator_with_a_token_receives_the_branchs_queue_events(clerk, branch, registration):
    _token, raw = await sync_to_async(api_token_create)(user=clerk, name="Tablica")
    response, content = await open_stream(
        f"/events/desk/queue/{branch.pk}/", headers={"Authorization": f"Bearer {raw}"}
    )
    assert response.status_code == 200
    await asyncio.wait_for(content.__anext__(), 5)  # the retry line: subscribed
    await sync_to_async(services_queue.ticket_issue)(service=registration, actor=clerk)
    [(name, event)] = await next_events(content)
    assert name == "ticket.issued" and event["ticket"]["code"] == "A001"
    await content.aclose()


async def test_the_integrator_stream_refuses_anonymous_wrong_role_and_other_branches(guard, outsider_branch, branch):
    anonymous = await AsyncClient().get(f"/events/desk/queue/{branch.pk}/")
    assert anonymous.status_code == 401 and anonymous["Content-Type"] == "application/problem+json"
    bad_token = await AsyncClient().get(f"/events/desk/queue/{branch.pk}/", headers={"Authorization": "Bearer nope"})
    assert bad_token.status_code == 401
    client = AsyncClient()
    await client.aforce_login(guard)
    assert (await client.get(f"/events/desk/queue/{branch.pk}/")).status_code == 403
    client = AsyncClient()
    await client.aforce_login(outsider_branch)
    assert (await client.get(f"/events/desk/queue/{branch.pk}/")).status_code == 404
