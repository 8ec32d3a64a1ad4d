"""What a person does in the browser, written once: sign in, pass the second factor, read the page."""

from __future__ import annotations

import re
import time
from typing import Any
from urllib.parse import urlsplit

from django.utils import translation
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Locator, Page, expect

from tests.factories import PASSWORD


def tr(language: str, message: str) -> str:
    """``message`` as the app shows it in ``language`` (the English text until it is translated)."""
    with translation.override(language):
        return str(translation.gettext(message))


def totp_code(key: bytes, *, step: int = 30, t0: int = 0, digits: int = 6) -> str:
    """The code an authenticator app shows right now for ``key``."""
    # A code typed in the last second of its step may reach the server in the next one;
    # the server accepts one step of drift, but waiting keeps the test independent of that.
    if step - (int(time.time()) - t0) % step < 2:
        time.sleep(2)
    return f"{totp(key, step=step, t0=t0, digits=digits):0{digits}d}"


def device_code(device: TOTPDevice) -> str:
    device.refresh_from_db()
    return totp_code(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)


def main_menu(page: Page, language: str = "en") -> Locator:
    return page.get_by_role("navigation", name=tr(language, "Main menu"))


def menu_links(page: Page, language: str = "en") -> list[str]:
    menu = main_menu(page, language)
    expect(menu).to_be_visible()
    return [name.strip() for name in menu.get_by_role("link").all_inner_texts()]


def type_credentials(page: Page, username: str, password: str, *, language: str = "en") -> None:
    """On the sign-in page: type login and password, press the button."""
    labels = {"en": ("Username", "Password"), "pl": ("Nazwa użytkownika", "Hasło")}[language]
    page.get_by_label(labels[0], exact=True).fill(username)
    page.get_by_label(labels[1], exact=True).fill(password)
    page.get_by_role("button", name=tr(language, "Sign in"), exact=True).click()


def sign_in(
    page: Page, user: Any, *, password: str = PASSWORD, device: TOTPDevice | None = None, language: str = "en"
) -> None:
    """Open the sign-in page, type the credentials and, when ``device`` is given, the current code.

    Ends on the page the app lands on after signing in (the home page unless ``next`` says otherwise).
    """
    page.goto("/accounts/login/")
    assert_page_shell(page)
    type_credentials(page, user.username, password, language=language)
    if device is not None:
        pass_second_factor(page, device, language=language)
    expect(page.get_by_role("button", name=tr(language, "Sign out"))).to_be_visible()


def pass_second_factor(page: Page, device: TOTPDevice, *, language: str = "en") -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(tr(language, "Two-factor sign-in"))
    assert_page_shell(page)
    page.get_by_label(tr(language, "Code from your authenticator app")).fill(device_code(device))
    page.get_by_role("button", name=tr(language, "Verify"), exact=True).click()


def sign_out(page: Page, *, language: str = "en") -> None:
    page.get_by_role("button", name=tr(language, "Sign out")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(tr(language, "Sign in"))


def assert_page_shell(page: Page, titles: dict[str, str] | None = None) -> str:
    """Every page has exactly one ``<h1>`` and a non-empty ``<title>``; returns the title.

    With ``titles`` (title → path, shared across one walk through the app), also checks that
    no two different pages share a title.
    """
    expect(page.get_by_role("heading", level=1)).to_have_count(1)
    title = page.title().strip()
    own = re.sub(r"\s*·\s*Front Office$", "", title)
    assert own and own != "Front Office", f"{page.url} has no title of its own: {title!r}"
    if titles is not None:
        path = urlsplit(page.url).path
        seen = titles.setdefault(title, path)
        assert seen == path, f"{path} and {seen} share the title {title!r}"
    return title


def assert_every_control_is_named(page: Page, scope: Locator | None = None) -> int:
    """Each visible form control (input, select, textarea, button) has an accessible name.

    Counts the controls found by role against all controls in the markup, so that a control
    without any role-based match cannot slip through. Returns how many were checked.
    """
    # Deferred scripts (e.g. the intake form's conditional questions) hide controls once they run:
    # count after they have, not while the page is still loading.
    page.wait_for_load_state("load")
    root = scope or page.locator("body")
    roles = ("textbox", "searchbox", "spinbutton", "combobox", "listbox", "checkbox", "radio", "button", "switch")
    checked = 0
    for role in roles:
        for control in root.get_by_role(role).all():
            expect(control).to_have_accessible_name(re.compile(r"\S"))
            checked += 1
    # Counting only: how many controls the markup holds, to compare with what was found by role.
    markup = root.locator("input:not([type=hidden]):visible, select:visible, textarea:visible, button:visible")
    assert checked == markup.count(), f"{markup.count()} controls on {page.url}, only {checked} found by role"
    return checked


def wait_for_listener(channel: str, what: str) -> None:
    """A page's EventSource has subscribed to ``channel`` (so what the test publishes is not sent to nobody)."""
    from frontoffice.core.events import get_broker

    broker: Any = get_broker()
    deadline = time.monotonic() + 10
    while broker.subscriber_count(channel) == 0:
        assert time.monotonic() < deadline, f"the {what} stream never connected"
        time.sleep(0.05)
