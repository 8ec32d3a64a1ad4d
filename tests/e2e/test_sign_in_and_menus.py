"""Each role signs in (with a second factor where the organisation requires it) and sees its own menu."""

from __future__ import annotations

import base64

import pytest
from django.utils import translation
from playwright.sync_api import Page, expect

from frontoffice.accounts.roles import permissions_of
from frontoffice.core.navigation import all_menu_items
from frontoffice.core.views import ROLE_HOME_TITLES
from tests.e2e.conftest import add_totp_device
from tests.e2e.helpers import assert_page_shell, menu_links, sign_in, totp_code

pytestmark = pytest.mark.e2e

PERSONA_ROLE = {
    "clerk": "clerk",
    "agent": "agent",
    "guard": "security",
    "manager": "manager",
    "executive": "executive",
    "admin": "admin",
}

# Written out by hand so that the test cannot pass by deriving nonsense from nonsense.
HOME_HEADING = {
    "clerk": "Front desk",
    "agent": "Customer service",
    "security": "Security post",
    "manager": "Front office management",
    "executive": "Management overview",
    "admin": "Administration",
}
EVERYDAY = ["Home", "Branches", "API tokens", "My preferences"]
SEES = {
    "clerk": EVERYDAY,
    "agent": EVERYDAY,
    "security": EVERYDAY,
    "manager": [*EVERYDAY, "Staff", "Audit log"],
    "executive": [*EVERYDAY, "Staff", "Audit log"],
    "admin": [*EVERYDAY, "Staff", "Audit log", "Organisation settings", "Outgoing messages"],
}
DOES_NOT_SEE = {
    "clerk": ["Staff", "Audit log", "Organisation settings", "Outgoing messages"],
    "agent": ["Staff", "Audit log", "Organisation settings", "Outgoing messages"],
    "security": ["Staff", "Audit log", "Organisation settings", "Outgoing messages"],
    "manager": ["Organisation settings", "Outgoing messages"],
    "executive": ["Organisation settings", "Outgoing messages"],
    "admin": [],
}


def expected_menu(role: str) -> list[str]:
    """The menu a role should get, from the menu data and the grants table, in menu order."""
    granted = permissions_of(role)
    with translation.override("en"):
        return [str(item.label) for item in all_menu_items() if set(item.permissions) <= granted]


def test_menu_expectations_differ_between_roles():
    # Given the menu data and the grants, the derived menus are not all alike (else the next test proves little)
    menus = {role: expected_menu(role) for role in HOME_HEADING}
    assert menus["clerk"] != menus["manager"] != menus["admin"]
    assert all("Home" in menu for menu in menus.values())


@pytest.mark.parametrize("persona", list(PERSONA_ROLE))
def test_each_role_signs_in_and_sees_its_own_menu_and_home(persona: str, page: Page, request):
    # Given a staff member of this role; privileged roles have an authenticator app,
    # because their organisation requires two-factor sign-in
    role = PERSONA_ROLE[persona]
    user = request.getfixturevalue(persona)
    needs_second_factor = role in ("manager", "executive", "admin")
    device = add_totp_device(user) if needs_second_factor else None
    assert user.staff.organisation.require_mfa

    # When they sign in (typing the current code when asked for one)
    sign_in(page, user, device=device)

    # Then they land on their role's home page
    expect(page.get_by_role("heading", level=1)).to_have_text(HOME_HEADING[role])
    assert str(ROLE_HOME_TITLES[role]) == HOME_HEADING[role]
    assert_page_shell(page)

    # And the main menu holds exactly the items their grants allow, in order
    links = menu_links(page)
    assert links == expected_menu(role)
    for label in SEES[role]:
        assert label in links, f"{persona} should see {label!r}"
    for label in DOES_NOT_SEE[role]:
        assert label not in links, f"{persona} should not see {label!r}"


def test_privileged_user_is_asked_for_a_code_before_any_page(manager, page: Page):
    # Given a manager with an authenticator app, in an organisation that requires two-factor sign-in
    add_totp_device(manager)

    # When they type only their password
    page.goto("/accounts/login/")
    page.get_by_label("Username", exact=True).fill("manager")
    page.get_by_label("Password", exact=True).fill("correct-horse-battery-staple")
    page.get_by_role("button", name="Sign in", exact=True).click()

    # Then they are asked for the code, and the staff list stays out of reach until they give it
    expect(page.get_by_role("heading", level=1)).to_have_text("Two-factor sign-in")
    page.goto("/staff/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Two-factor sign-in")
    expect(page.get_by_role("heading", level=1, name="Staff")).to_have_count(0)
    # and no menu is offered before the second factor
    expect(page.get_by_role("navigation", name="Main menu")).to_have_count(0)


def test_wrong_code_is_refused_and_the_right_one_lets_the_manager_in(manager, page: Page):
    # Given a manager with an authenticator app
    device = add_totp_device(manager)
    page.goto("/accounts/login/")
    page.get_by_label("Username", exact=True).fill("manager")
    page.get_by_label("Password", exact=True).fill("correct-horse-battery-staple")
    page.get_by_role("button", name="Sign in", exact=True).click()
    code_field = page.get_by_label("Code from your authenticator app")

    # When they type a wrong code
    right = totp_code(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    code_field.fill("000000" if right != "000000" else "111111")
    page.get_by_role("button", name="Verify", exact=True).click()

    # Then they are told so and stay on the code page
    expect(page.get_by_text("That code is not valid")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Two-factor sign-in")

    # When they wait a moment (a wrong code makes the next try wait one throttle delay) and type the current code
    page.wait_for_timeout(1000 * device.get_throttle_factor() + 200)
    code_field.fill(totp_code(device.bin_key, step=device.step, t0=device.t0, digits=device.digits))
    page.get_by_role("button", name="Verify", exact=True).click()

    # Then they are in
    expect(page.get_by_role("heading", level=1)).to_have_text("Front office management")


def test_manager_without_a_device_enrols_at_first_sign_in(make_user, page: Page):
    # Given a newly added manager who has never set up two-factor sign-in
    make_user("manager", username="kasia.nowa")

    # When she signs in with her password
    page.goto("/accounts/login/")
    page.get_by_label("Username", exact=True).fill("kasia.nowa")
    page.get_by_label("Password", exact=True).fill("correct-horse-battery-staple")
    page.get_by_role("button", name="Sign in", exact=True).click()

    # Then she is sent to set it up, with a QR code and the key written out
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor sign-in")
    assert_page_shell(page)
    expect(page.get_by_role("img", name="QR code for the authenticator app")).to_be_visible()
    secret = page.get_by_test_id("totp-secret").inner_text().strip()

    # When she adds the key to her app and types the code it shows
    key = base64.b32decode(secret)
    page.get_by_label("Code from your authenticator app").fill(totp_code(key))
    page.get_by_role("button", name="Confirm", exact=True).click()

    # Then two-factor sign-in is set up and she lands on her home page
    expect(page.get_by_role("heading", level=1)).to_have_text("Front office management")
    expect(page.get_by_role("status")).to_contain_text("Two-factor sign-in is set up.")
    assert "Staff" in menu_links(page)
