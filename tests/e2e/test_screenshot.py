"""The screenshot in the docs: a demo manager's home page, taken from the running app."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from frontoffice.accounts.demo import demo_totp_key
from frontoffice.core.demo import load_demo
from tests.e2e.helpers import assert_page_shell, pass_second_factor, tr, type_credentials

pytestmark = pytest.mark.e2e

SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshot.png"


def test_demo_manager_home_page_is_captured_for_the_docs(new_page):
    # Given the demo data (three organisations, their branches and staff) and its clinic manager
    load_demo()
    username = "manager.zdrowie"
    device = TOTPDevice.objects.get(user__username=username, confirmed=True)
    assert device.key == demo_totp_key(username)
    page: Page = new_page(locale="pl-PL", viewport={"width": 1280, "height": 800})

    # When she signs in with the demo password and her authenticator code, in the organisation's Polish
    page.goto("/accounts/login/")
    type_credentials(page, username, settings.DEMO_PASSWORD, language="pl")
    pass_second_factor(page, device, language="pl")
    expect(page.get_by_role("heading", level=1)).to_have_text(tr("pl", "Front office management"))

    # And switches to English for readers of the docs
    page.get_by_role("button", name="English").click()

    # Then her home page shows real content: the menu and cards about her branches and staff
    expect(page.get_by_role("heading", level=1)).to_have_text("Front office management")
    expect(page.get_by_role("navigation", name="Main menu")).to_be_visible()
    expect(page.get_by_role("region", name="Your branches today")).to_contain_text("Kraków Centrum")
    expect(page.get_by_role("region", name="Staff on your branches")).to_be_visible()
    assert page.get_by_role("region").count() >= 3
    assert_page_shell(page)

    # And it is saved for the docs
    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOT))
    assert SCREENSHOT.stat().st_size > 10_000
