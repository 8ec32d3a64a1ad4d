"""A clerk registering a person who already exists sees the warning, with its reasons, while typing."""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import Page, expect

from frontoffice.clients.models import Client
from frontoffice.clients.services import ClientData, client_create
from tests.e2e.helpers import assert_every_control_is_named, assert_page_shell, sign_in

pytestmark = pytest.mark.e2e


@pytest.fixture
def jan_kowalski(organisation, clerk):
    return client_create(
        organisation=organisation,
        actor=clerk,
        data=ClientData(given_name="Jan", family_name="Kowalski", date_of_birth=date(1980, 3, 4), sex="male"),
    )


def test_clerk_typing_a_misspelt_existing_person_sees_the_warning_and_its_reasons(page: Page, clerk, jan_kowalski):
    # Given a clerk on the new-client form
    sign_in(page, clerk)
    page.goto("/clients/new/")
    expect(page.get_by_role("heading", level=1)).to_have_text("New client")
    assert_page_shell(page)
    panel = page.get_by_role("complementary", name="Existing clients like this one")
    expect(panel).to_contain_text("No similar clients found so far.")

    # When they type the name with a typo and the date of birth
    page.get_by_label("Given name", exact=True).fill("Jan")
    page.get_by_label("Family name", exact=True).fill("Kowalsky")
    page.get_by_label("Date of birth", exact=True).fill("1980-03-04")

    # Then the panel shows Jan Kowalski with the reasons
    expect(panel.get_by_role("link", name="Jan Kowalski")).to_be_visible()
    expect(panel).to_contain_text(re.compile(r"family name (kowalsky ≈ kowalski|kowalski ≈ kowalsky)"))
    expect(panel).to_contain_text("same date of birth")
    expect(panel).to_contain_text("Probably the same person")
    assert_every_control_is_named(page)

    # When they save without saying why this is someone else
    page.get_by_role("button", name="Register client").click()
    # Then the form comes back with their input and asks for a reason
    expect(page.get_by_role("alert").first).to_contain_text("Please correct the fields marked below.")
    expect(page.get_by_label("Family name", exact=True)).to_have_value("Kowalsky")
    expect(page.get_by_text("This person is probably registered already.")).to_be_visible()
    assert Client.objects.count() == 1

    # When they tick "create anyway" and give the reason
    page.get_by_label("Create anyway: this is a different person").check()
    page.get_by_label("Why is this a different person?").fill("Father and son, same name")
    page.get_by_role("button", name="Register client").click()

    # Then the new client is registered and flagged for review
    expect(page.get_by_role("status")).to_contain_text("Client Jan Kowalsky registered.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Jan Kowalsky")
    assert Client.objects.get(family_name="Kowalsky").needs_review
