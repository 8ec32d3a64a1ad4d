"""Polish by default; English one click away, and remembered for the person, not the browser.

Polish translations of the project's own strings are written in parallel, so the Polish side is
checked through ``<html lang>``, through strings Django itself translates (the sign-in form's
labels) and through the app's catalogue (``tr``): the checks hold now and once the catalogue is full.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import assert_page_shell, main_menu, sign_out, tr, type_credentials

pytestmark = pytest.mark.e2e


@pytest.fixture
def polish_by_default(settings, organisation):
    """The shipped default: Polish, for the site and for the organisation."""
    settings.LANGUAGE_CODE = "pl"
    organisation.default_language = "pl"
    organisation.save()


def test_the_interface_is_polish_by_default(polish_by_default, clerk, new_page):
    # Given a browser that prefers Polish
    page = new_page(locale="pl-PL")

    # When a clerk opens the sign-in page
    page.goto("/accounts/login/")

    # Then it speaks Polish
    expect(page.locator("html")).to_have_attribute("lang", "pl")
    expect(page.get_by_label("Nazwa użytkownika", exact=True)).to_be_visible()
    expect(page.get_by_label("Hasło", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="English")).to_be_visible()
    assert_page_shell(page)

    # And so does the home page once signed in
    type_credentials(page, "clerk", "correct-horse-battery-staple", language="pl")
    expect(page.get_by_role("heading", level=1)).to_have_text(tr("pl", "Front desk"))
    expect(page.locator("html")).to_have_attribute("lang", "pl")
    expect(main_menu(page, "pl")).to_be_visible()


def test_site_default_is_polish_even_for_an_english_browser(polish_by_default, clerk, new_page):
    # Given an organisation working in Polish and a clerk who never chose a language
    page = new_page(locale="en-GB")

    # When the clerk signs in from a browser set to English
    page.goto("/accounts/login/")
    page.get_by_label("Username", exact=True).fill("clerk")
    page.get_by_label("Password", exact=True).fill("correct-horse-battery-staple")
    page.get_by_role("button", name="Sign in", exact=True).click()

    # Then the pages after sign-in follow the organisation's language
    expect(page.get_by_role("heading", level=1)).to_have_text(tr("pl", "Front desk"))
    expect(page.locator("html")).to_have_attribute("lang", "pl")


def test_one_click_switches_to_english_and_the_choice_follows_the_user(polish_by_default, clerk, new_page):
    # Given a clerk signed in to the Polish interface
    page = new_page(locale="pl-PL")
    page.goto("/accounts/login/")
    type_credentials(page, "clerk", "correct-horse-battery-staple", language="pl")
    expect(page.get_by_role("heading", level=1)).to_have_text(tr("pl", "Front desk"))
    expect(page.locator("html")).to_have_attribute("lang", "pl")

    # When they press "English" in the top bar
    page.get_by_role("button", name="English").click()

    # Then the same page is shown in English, with "Polski" offered to switch back
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Front desk")
    expect(page.get_by_role("navigation", name="Main menu")).to_be_visible()
    expect(page.get_by_role("button", name="Polski")).to_be_visible()
    assert_page_shell(page)

    # When they sign out, and sign in again later from a browser without cookies that prefers Polish
    sign_out(page)
    fresh = new_page(locale="pl-PL")
    fresh.goto("/accounts/login/")
    expect(fresh.locator("html")).to_have_attribute("lang", "pl")
    type_credentials(fresh, "clerk", "correct-horse-battery-staple", language="pl")

    # Then the interface is still in English: the choice was stored for the person
    expect(fresh.locator("html")).to_have_attribute("lang", "en")
    expect(fresh.get_by_role("heading", level=1)).to_have_text("Front desk")
    expect(fresh.get_by_role("navigation", name="Main menu")).to_be_visible()
    expect(fresh.get_by_role("button", name="Sign out")).to_be_visible()

    # And switching back to Polish works the same way
    fresh.get_by_role("button", name="Polski").click()
    expect(fresh.locator("html")).to_have_attribute("lang", "pl")
    expect(fresh.get_by_role("button", name="English")).to_be_visible()


def test_language_switch_on_the_sign_in_page_works_before_signing_in(polish_by_default, new_page):
    # Given a visitor on the Polish sign-in page
    page = new_page(locale="pl-PL")
    page.goto("/accounts/login/")
    expect(page.get_by_label("Nazwa użytkownika", exact=True)).to_be_visible()

    # When they press "English"
    page.get_by_role("button", name="English").click()

    # Then the sign-in form is in English
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_label("Username", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
