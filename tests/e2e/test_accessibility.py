"""Accessibility smoke: every page a person reaches has one ``<h1>`` and a title of its own.

Walks the whole menu (and a level deeper) as an administrator, who sees every item, and as a clerk;
on the way, each page's form controls must carry accessible names.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import add_totp_device
from tests.e2e.helpers import (
    assert_every_control_is_named,
    assert_page_shell,
    main_menu,
    menu_links,
    pass_second_factor,
    type_credentials,
)

pytestmark = pytest.mark.e2e


def walk_the_menu(page: Page, titles: dict[str, str]) -> list[str]:
    visited = []
    for label in menu_links(page):
        main_menu(page).get_by_role("link", name=label, exact=True).click()
        expect(main_menu(page).get_by_role("link", name=label, exact=True)).to_have_attribute("aria-current", "page")
        assert_page_shell(page, titles)
        assert_every_control_is_named(page)
        visited.append(label)
    return visited


def test_every_page_an_administrator_reaches_has_one_heading_and_its_own_title(admin, branch, page: Page):
    titles: dict[str, str] = {}
    # Given an administrator with an authenticator app
    device = add_totp_device(admin)

    # When they sign in, page by page
    page.goto("/accounts/login/")
    assert_page_shell(page, titles)
    type_credentials(page, "admin", "correct-horse-battery-staple")
    pass_second_factor(page, device)
    assert_page_shell(page, titles)

    # And open every item of the main menu
    visited = walk_the_menu(page, titles)
    assert {"Branches", "Staff", "Audit log", "Organisation settings", "Outgoing messages"} <= set(visited)

    # And go one level deeper: a branch, its forms, a staff member, the forms to add both
    main_menu(page).get_by_role("link", name="Branches", exact=True).click()
    page.get_by_role("link", name=branch.name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(branch.name)
    assert_page_shell(page, titles)
    for link in ("Edit", "Change opening hours", "Add department or area", "History"):
        page.get_by_role("link", name=link, exact=True).click()
        assert_page_shell(page, titles)
        assert_every_control_is_named(page)
        page.go_back()
    main_menu(page).get_by_role("link", name="Branches", exact=True).click()
    page.get_by_role("link", name="Add branch").click()
    assert_page_shell(page, titles)
    main_menu(page).get_by_role("link", name="Staff", exact=True).click()
    page.get_by_role("link", name="Add staff member").click()
    assert_page_shell(page, titles)
    assert_every_control_is_named(page)

    # Then (checked on the way) each page had exactly one h1 and a title no other page shares
    assert len(titles) >= 14, titles


def test_every_page_a_clerk_reaches_has_one_heading_and_its_own_title(clerk, page: Page):
    titles: dict[str, str] = {}
    # Given a clerk signed in
    page.goto("/accounts/login/")
    assert_page_shell(page, titles)
    type_credentials(page, "clerk", "correct-horse-battery-staple")
    assert_page_shell(page, titles)
    # When they open every item of their menu
    visited = walk_the_menu(page, titles)
    # Then each page had one h1 and its own title
    assert visited == [
        "Home",
        "Today at the desk",
        "New visit",
        "Calendar",
        "Find a slot",
        "Waitlist",
        "Visits",
        "Cash drawer",
        "Shift handovers",
        "Walk-in queue",
        "Clients",
        "New client",
        "Log a contact",
        "Contacts",
        "My follow-ups",
        "Cases",
        "Web chat",
        "Callbacks",
        "Calls",
        "Survey responses",
        "Survey invitations",
        "Take from stock",
        "Stock",
        "Supply requests",
        "Purchase orders",
        "Stocktakes",
        "Stock movements",
        "Items",
        "Suppliers",
        "Storage locations",
        "Dashboard",
        "Metrics",
        "Metric dictionary",
        "Branches",
        "API tokens",
        "My preferences",
    ]
    assert len(titles) == len(visited) + 1, titles  # every menu page plus the sign-in page


def test_enrolment_and_password_reset_pages_are_well_formed(manager, page: Page):
    titles: dict[str, str] = {}
    # Given a manager who has not enrolled yet: the enrolment page
    page.goto("/accounts/login/")
    type_credentials(page, "manager", "correct-horse-battery-staple")
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor sign-in")
    assert_page_shell(page, titles)
    assert_every_control_is_named(page)
    # And a password-reset request page
    page.goto("/accounts/password-reset/")
    assert_page_shell(page, titles)
    assert_every_control_is_named(page)
