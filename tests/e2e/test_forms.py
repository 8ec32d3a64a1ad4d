"""An invalid form comes back with a message per field and every typed value still on screen."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import add_totp_device
from tests.e2e.helpers import assert_every_control_is_named, assert_page_shell, main_menu, sign_in

pytestmark = pytest.mark.e2e


@pytest.fixture
def admin_on_new_branch_form(admin, page: Page) -> Page:
    """An administrator who went Branches → Add branch."""
    sign_in(page, admin, device=add_totp_device(admin))
    main_menu(page).get_by_role("link", name="Branches", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Branches")
    page.get_by_role("link", name="Add branch").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New branch")
    return page


def test_invalid_branch_form_keeps_typed_values_and_names_each_problem(admin_on_new_branch_form: Page):
    page = admin_on_new_branch_form
    # Given the administrator fills in a name and a city, leaves the code empty and mistypes the e-mail
    page.get_by_label("Name", exact=True).fill("Oddział Zachód")
    page.get_by_label("City", exact=True).fill("Wrocław")
    page.get_by_label("E-mail", exact=True).fill("zachod-at-example.pl")

    # When they save
    page.get_by_role("button", name="Save").click()

    # Then the form comes back with a summary and a message next to each wrong field
    expect(page.get_by_role("alert")).to_contain_text("Please correct the fields marked below.")
    code = page.get_by_label("Code", exact=True)
    email = page.get_by_label("E-mail", exact=True)
    expect(code).to_have_accessible_description(re.compile(r"This field is required\."))
    expect(email).to_have_accessible_description(re.compile(r"Enter a valid email address\."))
    expect(code).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_text("This field is required.")).to_be_visible()
    expect(page.get_by_text("Enter a valid email address.")).to_be_visible()

    # And nothing typed is lost
    expect(page.get_by_label("Name", exact=True)).to_have_value("Oddział Zachód")
    expect(page.get_by_label("City", exact=True)).to_have_value("Wrocław")
    expect(email).to_have_value("zachod-at-example.pl")
    expect(page.get_by_role("heading", level=1)).to_have_text("New branch")
    assert_page_shell(page)

    # When they fix both fields and save again
    code.fill("zachod")
    email.fill("zachod@example.pl")
    page.get_by_role("button", name="Save").click()

    # Then the branch is created and shown
    expect(page.get_by_role("status")).to_contain_text("Branch created.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Oddział Zachód")


def test_every_control_on_the_branch_form_has_a_name(admin_on_new_branch_form: Page):
    page = admin_on_new_branch_form
    # Given the new-branch form, fresh and after a failed save
    # Then every field is reachable by its label, and every control has an accessible name
    for label in (
        "Name",
        "Code",
        "Street and number",
        "Postal code",
        "City",
        "Country",
        "Phone",
        "E-mail",
        "Time zone",
        "Active",
    ):
        expect(page.get_by_label(label, exact=True)).to_be_visible()
    assert assert_every_control_is_named(page) >= 12
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert assert_every_control_is_named(page) >= 12


def test_every_control_on_the_sign_in_page_has_a_name(page: Page):
    # Given the sign-in page
    page.goto("/accounts/login/")
    # Then username, password, the sign-in button and the language switch are all named
    expect(page.get_by_label("Username", exact=True)).to_be_visible()
    expect(page.get_by_label("Password", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Sign in", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Polski")).to_be_visible()
    assert assert_every_control_is_named(page) == 4
    assert_page_shell(page)
