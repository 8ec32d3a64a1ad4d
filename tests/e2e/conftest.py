"""Browser tests: Playwright (sync API) drives Debian's Chromium against pytest-django's live server.

Run them on their own: ``.venv/bin/pytest tests/e2e -q``.

- ``browser``: one Chromium for the whole session (starting it is the slow part);
- ``page``: a fresh context and page per test, English-speaking, pointed at the live server;
- ``new_page``: more contexts in one test (a second device, a browser without cookies);
- ``make_user``: a staff member of any role, optionally with a confirmed TOTP device;
- ``organisation``: the personas' organisation, overridden here to require two-factor sign-in,
  so every manager, executive and administrator persona has to pass it.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import uvicorn
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Browser, Page, expect, sync_playwright

from frontoffice.accounts.roles import sync_roles
from tests.factories import BranchFactory, OrganisationFactory, StaffFactory

# Playwright's sync API runs an event loop in this thread; the ORM calls made by the
# test code itself (fixtures, assertions) are still plain synchronous calls.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # Without these Chromium keeps calling home, which a closed network answers slowly.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

expect.set_options(timeout=10_000)


@pytest.fixture(scope="session", autouse=True)
def _test_database_released(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    """At the end, on PostgreSQL, end the sessions the test servers' threads left open on the test database,
    which would otherwise keep pytest-django from dropping it ("is being accessed by other users")."""
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser: Browser, live_server: Any) -> Iterator[Callable[..., Page]]:
    """``new_page(locale="pl-PL")`` opens a fresh context (no cookies) on the live server."""
    contexts = []

    def _open(*, locale: str = "en-GB", viewport: dict[str, int] | None = None) -> Page:
        context = browser.new_context(
            base_url=live_server.url,
            locale=locale,
            timezone_id="Europe/Warsaw",
            viewport=viewport or {"width": 1280, "height": 800},
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield _open
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page: Callable[..., Page]) -> Page:
    return new_page()


@pytest.fixture(autouse=True)
def _roles(transactional_db: None) -> None:
    """Role groups come from a data migration, which the flush between live-server tests wipes."""
    sync_roles()


@pytest.fixture
def organisation(_roles: None):
    """The personas' organisation: requires two-factor sign-in (the model's default) and works in English.

    English because the org's language wins over the browser's after sign-in, and most tests read
    English text; the language tests switch it back to Polish.
    """
    return OrganisationFactory(name="Przychodnia Testowa", slug="testowa", require_mfa=True, default_language="en")


def add_totp_device(user: Any) -> TOTPDevice:
    """Give ``user`` a confirmed authenticator app, as if enrolled earlier."""
    return TOTPDevice.objects.create(user=user, name="Phone", confirmed=True)


@pytest.fixture
def make_user(organisation: Any, branch: Any) -> Callable[..., Any]:
    """``make_user("manager", username="kasia", totp=True)``: a staff member who can sign in.

    Branch-bound roles work in the personas' ``branch``; executives and admins are organisation-wide.
    """

    def _make(
        role: str,
        *,
        username: str | None = None,
        org: Any = None,
        branches: list[Any] | None = None,
        totp: bool = False,
        language: str = "",
    ) -> Any:
        org = org or organisation
        if branches is None:
            branches = (
                []
                if role in ("executive", "admin")
                else [branch if org == organisation else BranchFactory(organisation=org)]
            )
        kwargs: dict[str, Any] = {"user__language": language}
        if username:
            kwargs["user__username"] = username
        user = StaffFactory(organisation=org, roles=[role], branches=branches, **kwargs).user
        if totp:
            add_totp_device(user)
        return user

    return _make


@pytest.fixture
def serve_url(transactional_db: None) -> Iterator[str]:
    """``config.serve:application`` (what ``frontoffice run`` serves: pages on a WSGI thread pool, /events/ on
    ASGI) run by uvicorn in a thread of this process, on the same test database; for pages with live streams,
    which pytest-django's WSGI live server cannot hold open."""
    from config.serve import application

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(application, host="127.0.0.1", port=port, lifespan="off", log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    server.force_exit = True  # the board's stream never ends by itself
    thread.join(timeout=10)


@pytest.fixture
def open_page(browser: Browser, serve_url: str) -> Iterator[Callable[[], Page]]:
    """``open_page()``: a new browser window (its own cookies) on the ``serve_url`` server; closed at the end."""
    contexts = []

    def _open() -> Page:
        context = browser.new_context(base_url=serve_url, locale="en-GB", timezone_id="Europe/Warsaw")
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield _open
    for context in contexts:
        context.close()
