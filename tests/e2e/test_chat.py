"""A visitor chats from the business's own website with an agent signed in to Front Office.

The website is a tiny page on another origin (its own little HTTP server, with a strict CSP of
its own) that embeds the widget with the one script tag. The widget's stream and the agent's
pages are served by ``config.serve:application`` (``serve_url``), so Server-Sent Events work.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from playwright.sync_api import expect

from frontoffice.interactions.chat import services as chat_services
from frontoffice.interactions.models import Case
from frontoffice.interactions.models.chat import HoursSource
from tests.e2e.helpers import sign_in

pytestmark = pytest.mark.e2e

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Clinic website</title></head>
<body><h1>Clinic website</h1><p>Opening hours, prices and the team.</p>
<script src="{server}/static/interactions/chat-widget.js" data-widget="{token}" defer></script>
</body></html>"""


@pytest.fixture
def website(serve_url: str) -> Iterator[dict[str, Any]]:
    """A business's website on its own origin; ``website["token"]`` is set by the test before the page loads."""
    site: dict[str, Any] = {"token": ""}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = PAGE.format(server=serve_url, token=site["token"]).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            # As strict as a careful website would be: only our server's script, styles and connections.
            self.send_header(
                "Content-Security-Policy",
                f"default-src 'self'; script-src {serve_url}; style-src {serve_url}; connect-src {serve_url}",
            )
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    site["url"] = f"http://127.0.0.1:{port}"
    yield site
    server.shutdown()
    server.server_close()


def test_a_visitor_on_the_website_chats_with_an_agent(open_page, website, make_user, branch):
    # given: the clinic's widget allows its website, and an agent works at the branch
    manager = make_user("manager")
    widget = chat_services.widget_create(
        branch=branch,
        actor=manager,
        name="Clinic website",
        allowed_origins=website["url"],
        greeting_en="Hello! How can we help?",
        hours_source=HoursSource.ALWAYS,
    )
    website["token"] = widget.token
    agent = make_user("agent", username="agata")
    # when: a visitor opens the chat on the website and writes
    visitor = open_page()
    visitor.goto(website["url"] + "/")
    visitor.get_by_role("button", name="Chat with us").click()
    dialog = visitor.get_by_role("dialog", name="Chat")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_text("Hello! How can we help?")).to_be_visible()
    dialog.get_by_label("Your name (optional)").fill("Ewa Nowak")
    message = dialog.get_by_label("Your message")
    message.fill("Are my test results ready?")
    message.press("Enter")
    log = dialog.get_by_role("log", name="Chat messages")
    expect(log).to_contain_text("Are my test results ready?")
    expect(dialog.get_by_role("status")).to_have_text("Waiting for an agent…")
    # and: the agent sees the waiting chat and takes it
    desk = open_page()
    sign_in(desk, agent)
    desk.goto("/interactions/chat/")
    expect(desk.get_by_role("status")).to_contain_text("1 visitor waiting")
    desk.get_by_role("button", name="Take chat with Ewa Nowak").click()
    expect(desk.get_by_role("heading", level=1)).to_have_text("Chat with Ewa Nowak")
    expect(desk.get_by_role("log")).to_contain_text("Are my test results ready?")
    # and: answers from the keyboard
    reply = desk.get_by_label("Reply")
    reply.fill("Yes, they are ready. You can collect them today.")
    reply.press("Enter")
    expect(desk.get_by_role("log")).to_contain_text("Yes, they are ready.")
    # then: the visitor sees that the agent joined and reads the answer
    expect(log).to_contain_text("Yes, they are ready. You can collect them today.")
    expect(dialog.get_by_role("status")).to_have_text("An agent has joined the chat.")
    # and: the visitor's next message reaches the agent's page without a reload
    message.fill("Thank you!")
    message.press("Enter")
    expect(desk.get_by_role("log")).to_contain_text("Thank you!")


def test_outside_the_widgets_hours_a_visitor_leaves_a_message_for_email(open_page, website, make_user, branch):
    # given: a widget with its own hours that never come (an empty week)
    manager = make_user("manager")
    widget = chat_services.widget_create(
        branch=branch,
        actor=manager,
        name="Clinic website",
        allowed_origins=website["url"],
        hours_source=HoursSource.OWN,
    )
    website["token"] = widget.token
    # when: a visitor opens the chat, they are offered the e-mail form and fill it in
    visitor = open_page()
    visitor.goto(website["url"] + "/")
    visitor.get_by_role("button", name="Chat with us").click()
    dialog = visitor.get_by_role("dialog", name="Chat")
    expect(dialog.get_by_role("status")).to_have_text(
        "Nobody is online now. Leave a message and we will answer by e-mail."
    )
    dialog.get_by_label("Your e-mail", exact=True).fill("ewa.nowak@example.invalid")
    dialog.get_by_label("Message for us").fill("Please send me the price list.")
    dialog.get_by_role("button", name="Send by e-mail").click()
    # then: they are told the answer comes by e-mail, and a case waits for the team
    expect(dialog.get_by_role("status")).to_have_text("Thank you. We have your message and will answer by e-mail.")
    case = Case.objects.get()
    assert case.subject == "Please send me the price list."
    assert case.channel == "web_form"
