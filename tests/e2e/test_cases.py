"""The case queue in the browser: it follows changes made by others live, and the reply box sends on Ctrl+Enter.

The queue's stream is an async view, so the browser talks to ``config.serve:application`` run by uvicorn in a
thread of this process (``serve_url``); the other person's changes go through the services, as any page would.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from frontoffice.interactions.cases import services as case_services
from frontoffice.interactions.choices import CaseStatus, Channel
from tests.e2e.helpers import sign_in, wait_for_listener

pytestmark = pytest.mark.e2e


def _queue_row(page: Page, subject: str) -> Any:
    return page.get_by_role("table", name="Cases").get_by_role("row").filter(has_text=subject)


def test_the_queue_shows_a_case_another_person_opens_and_changes_without_reloading(
    open_page, make_user, organisation, branch
):
    # given: an agent looking at every case of the branch, the queue listening for changes
    agent = make_user("agent", username="ola")
    manager = make_user("manager", username="kasia")
    page = open_page()
    sign_in(page, agent)
    page.goto("/interactions/cases/?tab=all")
    wait_for_listener(case_services.case_channel(organisation.pk, branch.pk), "case")

    # when: a manager opens a case at the branch
    case = case_services.case_create(
        branch=branch, subject="Zgubiona karta pacjenta", actor=manager, channel=Channel.PHONE
    )

    # then: its row appears, unassigned and new
    row = _queue_row(page, "Zgubiona karta pacjenta")
    expect(row).to_be_visible()
    expect(row).to_contain_text("Unassigned")
    expect(row).to_contain_text(case.number)

    # when: the manager gives it to the agent and moves it on
    case_services.case_assign(case=case, owner=agent, actor=manager)
    case.refresh_from_db()
    case_services.case_set_status(case=case, status=CaseStatus.PENDING_INTERNAL, actor=manager)

    # then: the same row shows the new owner and status, still without a reload
    expect(row).not_to_contain_text("Unassigned")
    expect(row).to_contain_text(agent.get_full_name() or agent.username)
    expect(row).to_contain_text(str(CaseStatus.PENDING_INTERNAL.label))


def test_ctrl_enter_in_the_reply_box_sends_the_reply(open_page, make_user, branch):
    # given: an agent on a case's page
    agent = make_user("agent", username="ola")
    case = case_services.case_create(
        branch=branch, subject="Faktura do poprawy", actor=agent, channel=Channel.PHONE, owner=agent
    )
    page = open_page()
    sign_in(page, agent)
    page.goto(f"/interactions/cases/{case.pk}/")

    # when: they type a reply and press Ctrl+Enter, without reaching for the button
    reply = page.get_by_label("Reply to the customer")
    reply.fill("Dzień dobry, poprawiona faktura jest w załączniku.")
    reply.press("Control+Enter")

    # then: the reply is on the case's timeline, to be sent by hand (a phone case cannot send it)
    timeline_reply = page.get_by_text("Dzień dobry, poprawiona faktura jest w załączniku.")
    expect(timeline_reply).to_be_visible()
    expect(page.get_by_text("To send manually").first).to_be_visible()
    assert case.replies.filter(body="Dzień dobry, poprawiona faktura jest w załączniku.").count() == 1
