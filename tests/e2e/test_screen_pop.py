"""Screen pop: an agent signed in sees the ringing caller's client card without reloading.

The pop stream is an async view, so the browser talks to ``config.serve:application`` run by uvicorn
in a thread of this process (``serve_url``); the PBX posts to the webhook over HTTP like a real one.
"""

from __future__ import annotations

import urllib.parse
import urllib.request

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from frontoffice.clients.services import ClientData, client_create
from frontoffice.interactions.phone import cti
from frontoffice.interactions.phone import services as phone_services
from tests.e2e.helpers import sign_in, wait_for_listener

pytestmark = pytest.mark.e2e


def test_a_ringing_call_pops_the_callers_client_on_the_agents_screen(
    open_page, serve_url, make_user, organisation, branch
):
    # given: an agent with extension 201, a client whose mobile is on file, and a connected PBX
    manager = make_user("manager")
    agent = make_user("agent", username="ola")
    phone_services.agent_phone_set(user=agent, extension="201", actor=manager)
    client_create(
        organisation=organisation,
        actor=manager,
        data=ClientData(given_name="Halina", family_name="Dzwoniąca", phones=["600 123 456"]),
        branch=branch,
    )
    _token, raw = phone_services.cti_token_create(branch=branch, name="Centrala", actor=manager)
    # and: the agent is signed in, on their home page
    page = open_page()
    sign_in(page, agent)
    wait_for_listener(cti.pop_channel(organisation.pk, agent.pk), "screen-pop")

    # when: the PBX says a call rings for extension 201
    body = urllib.parse.urlencode(
        {
            "event": "newCall",
            "from": "+48600123456",
            "to": "+48221234500",
            "direction": "in",
            "callId": "e2e-1",
            "user[]": "201",
        }
    ).encode()
    with urllib.request.urlopen(serve_url + reverse("interactions:cti_webhook", args=[raw]), body) as response:  # noqa: S310 (the test server)
        assert response.status == 200

    # then: the card appears with the caller's number, the client and the call's log page
    card = page.get_by_role("alert").get_by_role("region", name="Incoming call: +48600123456")
    expect(card).to_be_visible()
    expect(card.get_by_role("link", name="Halina Dzwoniąca")).to_be_visible()
    expect(card.get_by_role("link", name="Open the call's log page")).to_be_visible()
    # and: it can be dismissed
    card.get_by_role("button", name="Dismiss").click()
    expect(card).to_have_count(0)
