"""An agent reads a customer's HTML e-mail (shown sanitised in a sandboxed frame) and answers it from the
keyboard; a manager sees a mailbox that is down, with its error, and every control on its page is named."""

from __future__ import annotations

from email.message import EmailMessage

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from frontoffice.interactions.mail import services as mail_services
from frontoffice.interactions.models.mail import DeliveryStatus
from tests.e2e.conftest import add_totp_device
from tests.e2e.helpers import assert_every_control_is_named, assert_page_shell, sign_in

pytestmark = pytest.mark.e2e


@pytest.fixture
def mailbox(branch, manager, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.MAIL_TIMEOUT_SECONDS = 2
    return mail_services.mailbox_create(
        branch=branch,
        actor=manager,
        data={
            "address": "biuro@przychodnia.invalid",
            "imap_host": "127.0.0.1",
            "imap_port": 1,
            "imap_security": "none",
            "imap_user": "biuro",
            "imap_password": "tajne",
            "smtp_host": "127.0.0.1",
            "smtp_port": 1,
            "smtp_security": "none",
        },
    )


@pytest.fixture
def customer_mail(mailbox):
    message = EmailMessage()
    message["From"] = "Jan Wiśniewski <jan.w@example.invalid>"
    message["To"] = "biuro@przychodnia.invalid"
    message["Subject"] = "Pytanie o wynik badania"
    message["Message-ID"] = "<wynik-1@example.invalid>"
    message.set_content("Dzień dobry, czy wynik jest gotowy?")
    message.add_alternative(
        "<p>Dzień dobry, czy <b>wynik</b> jest gotowy?</p><script>document.title='zhakowane'</script>"
        '<img src="https://sledzenie.example.invalid/p.gif" alt="logo">',
        subtype="html",
    )
    return mail_services.message_ingest(mailbox=mailbox, raw=message.as_bytes())


def test_agent_reads_the_sanitised_mail_and_replies_from_the_keyboard(page: Page, agent, customer_mail):
    sign_in(page, agent)
    page.goto(f"/interactions/mail/{customer_mail.pk}/")
    assert_page_shell(page)
    frame = page.frame_locator("iframe.email-html")
    expect(frame.locator("b")).to_have_text("wynik")
    expect(frame.get_by_role("link", name="[logo]")).to_be_visible()
    assert page.title() != "zhakowane"
    assert_every_control_is_named(page)

    reply_box = page.get_by_role("textbox", name="Reply")
    reply_box.fill("Tak, wynik jest do odebrania w rejestracji.")
    reply_box.press("Tab")  # to "Attach files"
    page.keyboard.press("Tab")  # to "Send reply"
    page.keyboard.press("Enter")

    expect(page.get_by_text("Reply sent to jan.w@example.invalid.")).to_be_visible()
    reply = customer_mail.case.interactions.exclude(pk=customer_mail.pk).get().email
    assert reply.status in {DeliveryStatus.QUEUED, DeliveryStatus.SENT}


def test_manager_sees_the_mailbox_down_with_its_error(page: Page, manager, mailbox):
    mail_services.mailbox_poll(mailbox=mailbox, now=timezone.now())
    sign_in(page, manager, device=add_totp_device(manager))
    page.goto("/interactions/mail/mailboxes/")
    assert_page_shell(page)
    row = page.get_by_role("row").filter(has_text="biuro@przychodnia.invalid")
    expect(row).to_contain_text("Down")
    expect(row).to_contain_text("ConnectionRefusedError")
    row.get_by_role("link", name="biuro@przychodnia.invalid").click()
    assert_page_shell(page)
    assert_every_control_is_named(page)
