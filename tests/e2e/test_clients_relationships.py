"""A clerk records a child's guardian from the child's page, picking her with the read-back picker."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import Page, expect

from frontoffice.clients.models import ClientRelationship
from frontoffice.clients.services import ClientData, client_create
from tests.e2e.helpers import assert_every_control_is_named, assert_page_shell, sign_in

pytestmark = pytest.mark.e2e


def test_clerk_adds_a_guardian_with_the_picker_and_removes_her(page: Page, organisation, clerk):
    # Given a child and her mother, who share the family name
    ola = client_create(
        organisation=organisation, actor=clerk, data=ClientData(given_name="Ola", family_name="Wiśniewska")
    )
    client_create(
        organisation=organisation, actor=clerk, data=ClientData(given_name="Małgorzata", family_name="Wiśniewska")
    )
    sign_in(page, clerk)
    page.goto(f"/clients/{ola.pk}/")
    assert_page_shell(page)

    # When the clerk opens the form, picks the kind and searches for the mother
    section = page.get_by_role("region", name="Relationships")
    section.get_by_text("Add a relationship", exact=True).click()
    section.get_by_label("Relationship", exact=True).select_option(label="Guardian")
    section.get_by_label("Related client").fill("wisniewska")
    section.get_by_role("button", name="Małgorzata Wiśniewska").click()
    # Then, the two results being alike, the picker reads her back before taking her
    expect(section.get_by_role("alert")).to_contain_text("Confirm: Małgorzata Wiśniewska")
    section.get_by_role("button", name="Yes, Małgorzata Wiśniewska").click()
    expect(section.get_by_role("button", name="Choose another client")).to_be_visible()
    section.get_by_label("Note").fill("matka")
    assert_every_control_is_named(page, section)
    if os.environ.get("E2E_SCREENSHOTS"):
        page.screenshot(path=os.path.join(os.environ["E2E_SCREENSHOTS"], "relationship-form.png"), full_page=True)
    section.get_by_role("button", name="Add relationship").click()

    # Then the relationship is listed, linking to her record
    expect(page.get_by_role("status")).to_contain_text("Relationship added.")
    relationships = page.get_by_role("table", name="Relationships")
    expect(relationships.get_by_role("link", name="Małgorzata Wiśniewska")).to_be_visible()
    expect(relationships).to_contain_text("matka")
    assert ClientRelationship.objects.get().related_client.given_name == "Małgorzata"
    if os.environ.get("E2E_SCREENSHOTS"):
        page.screenshot(path=os.path.join(os.environ["E2E_SCREENSHOTS"], "relationship-added.png"), full_page=True)

    # When the clerk removes it
    relationships.get_by_role("button", name="Remove: Guardian Małgorzata Wiśniewska").click()
    # Then it is gone
    expect(page.get_by_role("status")).to_contain_text("Relationship removed: Guardian.")
    expect(page.get_by_text("No relationships.")).to_be_visible()
    assert not ClientRelationship.objects.exists()
