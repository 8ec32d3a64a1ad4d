"""A client opens the survey link from the message on their phone, answers, and the manager sees the answer
(and the follow-up its low score opened) on the responses page, and the dashboard's figure move."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from frontoffice.clients.choices import ConsentMethod, ConsentPurpose
from frontoffice.clients.services import ClientData, client_create, consent_give
from frontoffice.feedback import services
from frontoffice.feedback.choices import InviteChannel
from frontoffice.reports.rollup import rollup
from tests.e2e.conftest import add_totp_device
from tests.e2e.helpers import main_menu, sign_in

pytestmark = pytest.mark.e2e


@pytest.fixture
def invitation(organisation, branch, clerk, manager):
    """Anna Wiśniewska, who reads English, was sent the satisfaction survey after her visit."""
    survey = services.survey_create(
        organisation=organisation,
        actor=manager,
        data=services.SurveyData(name="Po wizycie", kind="csat", title_pl="Jak było?", title_en="How was your visit?"),
    )
    anna = client_create(
        organisation=organisation,
        actor=clerk,
        data=ClientData(
            given_name="Anna", family_name="Wiśniewska", emails=["anna.w@example.org"], preferred_language="en"
        ),
        branch=branch,
    )
    consent_give(client=anna, actor=clerk, purpose=ConsentPurpose.EMAIL_REMINDERS, method=ConsentMethod.PAPER)
    invitation = services.invitation_create_manual(
        survey=survey, branch=branch, client=anna, channel=InviteChannel.EMAIL, actor=clerk
    )
    return services.invitation_send(invitation=invitation)


def test_a_client_answers_the_survey_from_the_link_and_the_manager_sees_it(page: Page, new_page, manager, invitation):
    # Given Anna opens the link from her e-mail on her phone
    phone = new_page(viewport={"width": 390, "height": 844})
    phone.goto(urlsplit(services.survey_url(invitation)).path)
    expect(phone.get_by_role("heading", name="How was your visit?")).to_be_visible()

    # When she picks 2 out of 5 and says why
    question = phone.get_by_role("group", name="How satisfied were you with our service?")
    question.get_by_role("radio", name="2", exact=True).check()
    phone.get_by_label("Would you like to tell us more?").fill("I waited forty minutes.")
    phone.get_by_role("button", name="Send my answers").click()

    # Then she is thanked, and the link is used up
    expect(phone.get_by_role("heading", name="Thank you")).to_be_visible()
    phone.reload()
    expect(phone.get_by_role("heading", name="You have already answered")).to_be_visible()

    # And the manager finds her answer, with its follow-up, on the responses page
    sign_in(page, manager, device=add_totp_device(manager))
    main_menu(page).get_by_role("link", name="Survey responses").click()
    row = page.get_by_role("row").filter(has_text="Anna Wiśniewska")
    expect(row).to_contain_text("I waited forty minutes.")
    expect(row.get_by_role("cell").nth(2)).to_contain_text("2")
    expect(row).to_contain_text("follow-up")


def test_an_answer_from_the_link_moves_the_manager_dashboard(page: Page, new_page, manager, invitation):
    # Given the manager's dashboard has no satisfaction figure this week
    sign_in(page, manager, device=add_totp_device(manager))
    main_menu(page).get_by_role("link", name="Dashboard").click()
    csat = page.locator("#figure-csat")
    expect(csat.locator(".metric-value")).to_contain_text("no data")

    # When Anna answers 5 out of 5 from her link
    phone = new_page(viewport={"width": 390, "height": 844})
    phone.goto(urlsplit(services.survey_url(invitation)).path)
    question = phone.get_by_role("group", name="How satisfied were you with our service?")
    question.get_by_role("radio", name="5", exact=True).check()
    phone.get_by_role("button", name="Send my answers").click()
    expect(phone.get_by_role("heading", name="Thank you")).to_be_visible()

    # ... and the worker's periodic roll-up has run (without waiting out the settle time)
    rollup(settle_seconds=0)

    # Then the dashboard shows one satisfied answer: 100 %, counted 1, with the record behind it
    page.reload()
    expect(csat.locator(".metric-value")).to_contain_text("100")
    expect(csat.locator(".card-items > div").filter(has_text="Counted").locator("dd")).to_have_text("1")
    csat.get_by_role("link", name="Records behind Customer satisfaction (CSAT)").click()
    records = page.locator("tbody tr")
    expect(records).to_have_count(1)
    records.get_by_role("link").click()  # the answer itself
    expect(page.get_by_text("Anna Wiśniewska").first).to_be_visible()
