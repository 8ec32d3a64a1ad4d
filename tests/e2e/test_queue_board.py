"""The waiting-room board shows a called ticket in real time while a clerk works the queue.

The board's event stream is an async view, which pytest-django's WSGI live server cannot hold
open; so both browsers talk to ``config.serve:application`` (what ``frontoffice run`` serves:
pages on a WSGI thread pool, /events/ on ASGI) run by uvicorn in a thread of this process,
on the same test database.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from frontoffice.desk import services_queue
from tests.e2e.helpers import sign_in

pytestmark = pytest.mark.e2e


def test_the_board_shows_a_ticket_called_by_a_clerk_without_reloading(open_page, make_user, branch, organisation):
    # given: a registration service with one counter, a board screen, and a clerk
    manager = make_user("manager")
    registration = services_queue.queue_service_save(branch=branch, actor=manager, name="Registration", prefix="A")
    services_queue.counter_save(branch=branch, actor=manager, name="Window 1", services=[registration])
    screen = services_queue.board_screen_create(branch=branch, actor=manager, name="Waiting room", chime=False)
    clerk = make_user("clerk", username="kasia")
    # and: the board is open on the TV
    board = open_page()
    board.goto(f"/desk/board/{screen.token}/")
    calls = board.get_by_role("table")
    expect(board.get_by_role("heading", name="Now serving")).to_be_visible()
    expect(calls).not_to_contain_text("A001")
    # when: the clerk issues a ticket and calls it to window 1
    desk = open_page()
    sign_in(desk, clerk)
    desk.goto("/desk/queue/")
    desk.get_by_role("button", name="Ticket for Registration (A)").click()
    expect(desk.get_by_text("Ticket A001 issued for Registration.")).to_be_visible()
    waiting = board.locator(f'[data-waiting="{registration.pk}"]')
    expect(waiting).to_have_text("1")
    desk.get_by_label("My counter").select_option(label="Window 1")
    desk.get_by_role("button", name="Show").click()
    desk.get_by_role("button", name="Call next").click()
    expect(desk.get_by_text("Ticket A001 called to Window 1.")).to_be_visible()
    # then: the board shows the ticket and its counter, without a reload
    row = calls.get_by_role("row", name="A001 Window 1")
    expect(row).to_be_visible(timeout=3_000)
    expect(waiting).to_have_text("0")
