"""A failed sign-in says nothing about who exists, keeps what was typed, and locks after repeated failures."""

from __future__ import annotations

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from tests.e2e.helpers import assert_page_shell, type_credentials

pytestmark = pytest.mark.e2e

GENERIC_FAILURE = "Please enter a correct username and password."


def test_wrong_password_gets_a_generic_message_and_keeps_the_username(clerk, page: Page):
    # Given a clerk on the sign-in page
    page.goto("/accounts/login/")

    # When they type a wrong password
    type_credentials(page, "clerk", "not-my-password")

    # Then they are told, without a hint about which part was wrong
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text(GENERIC_FAILURE)
    # And what they typed as username is still there; the password is not
    expect(page.get_by_label("Username", exact=True)).to_have_value("clerk")
    expect(page.get_by_label("Password", exact=True)).to_have_value("")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    assert_page_shell(page)
    wrong_password_message = alert.inner_text()

    # When someone tries a username that does not exist
    page.goto("/accounts/login/")
    type_credentials(page, "nobody-by-this-name", "not-my-password")

    # Then the message is word for word the same, so it cannot be used to find out who has an account
    expect(page.get_by_role("alert")).to_have_text(wrong_password_message)
    expect(page.get_by_label("Username", exact=True)).to_have_value("nobody-by-this-name")
    assert "exist" not in wrong_password_message.lower()
    assert "unknown" not in wrong_password_message.lower()


def test_sign_in_locks_after_repeated_failures_even_for_the_right_password(clerk, page: Page):
    # Given a clerk whose password someone keeps guessing wrong, up to the limit
    limit = settings.AXES_FAILURE_LIMIT
    assert limit == 5
    for attempt in range(1, limit + 1):
        page.goto("/accounts/login/")
        type_credentials(page, "clerk", f"guess-{attempt}")
        if attempt < limit:
            expect(page.get_by_role("alert")).to_contain_text(GENERIC_FAILURE)

    # When the right password is typed on the next attempt
    page.goto("/accounts/login/")
    type_credentials(page, "clerk", "correct-horse-battery-staple")

    # Then sign-in stays locked, with a page that says so and what to do
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign-in locked")
    expect(page.get_by_role("alert")).to_contain_text("Too many failed sign-in attempts")
    expect(page.get_by_role("link", name="Forgot your password?")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    assert_page_shell(page)

    # And the home page is still out of reach
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")


def test_a_lockout_for_one_person_does_not_lock_out_a_colleague(clerk, agent, page: Page):
    # Given the clerk's sign-in is locked after repeated failures
    for attempt in range(settings.AXES_FAILURE_LIMIT + 1):
        page.goto("/accounts/login/")
        type_credentials(page, "clerk", f"guess-{attempt}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign-in locked")

    # When a colleague signs in from the same desk
    page.goto("/accounts/login/")
    type_credentials(page, "agent", "correct-horse-battery-staple")

    # Then they get in
    expect(page.get_by_role("heading", level=1)).to_have_text("Customer service")
