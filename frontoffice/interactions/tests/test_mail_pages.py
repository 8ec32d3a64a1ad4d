"""The e-mail pages: mailboxes for managers, an e-mail with its reply form, attachments, and the API."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db.models import TextField
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone

from frontoffice.interactions.mail import services as mail_services
from frontoffice.interactions.models import EmailMessage, Mailbox
from frontoffice.interactions.models.mail import IDLE_STALE, DeliveryStatus, IdleState

from .fixtures_mail import make_mail


def _mail_with_attachment(mailbox):
    message = make_mail()
    message.add_alternative("<p>Dzień dobry<script>alert(1)</script></p>", subtype="html")
    message.add_attachment(b"%PDF-1.4\n%\n", maintype="application", subtype="pdf", filename="skierowanie.pdf")
    return mail_services.message_ingest(mailbox=mailbox, raw=message.as_bytes())


def test_manager_sees_a_mailbox_that_is_down_with_its_last_error(
    client, manager, mailbox, django_assert_max_num_queries
):
    # Given the mailbox failed to be read
    mail_services.mailbox_poll(mailbox=mailbox, now=timezone.now())
    client.force_login(manager)
    # When the manager opens the list
    with django_assert_max_num_queries(12):
        response = client.get(reverse("interactions:mailbox_list"))
    # Then it is shown as down, with the error
    page = response.content.decode()
    assert response.status_code == 200 and "Down" in page and "ConnectionRefusedError" in page


def test_the_mailbox_list_tells_idle_from_polling_and_a_stopped_watcher(client, manager, mailbox):
    client.force_login(manager)
    Mailbox.objects.filter(pk=mailbox.pk).update(poll_seconds=300)
    # Nobody watches it: polled at its interval
    assert "polling every 5 minutes" in client.get(reverse("interactions:mailbox_list")).content.decode()
    # The worker's watcher confirmed its IDLE connection a moment ago
    mail_services.mailbox_idle_mark(pk=mailbox.pk, state=IdleState.WATCHING)
    assert "within seconds (IDLE)" in client.get(reverse("interactions:mailbox_list")).content.decode()
    # The confirmation is older than a renewal: the watcher is gone, the poll reads it
    Mailbox.objects.filter(pk=mailbox.pk).update(idle_seen_at=timezone.now() - IDLE_STALE - timedelta(seconds=1))
    page = client.get(reverse("interactions:mailbox_list")).content.decode()
    assert "polling every 5 minutes" in page and "is the worker running?" in page
    # A server without IDLE says so
    mail_services.mailbox_idle_mark(pk=mailbox.pk, state=IdleState.UNSUPPORTED)
    assert "the server offers no IDLE" in client.get(reverse("interactions:mailbox_list")).content.decode()


def test_manager_sets_up_a_mailbox_and_the_password_is_never_shown_back(client, manager, branch):
    client.force_login(manager)
    data = {
        "branch": branch.pk,
        "address": "recepcja@przychodnia.invalid",
        "from_name": "Recepcja",
        "is_active": "on",
        "imap_host": "imap.przychodnia.invalid",
        "imap_port": 993,
        "imap_security": "ssl",
        "imap_user": "recepcja",
        "imap_password": "Sekret-123",
        "imap_folder": "INBOX",
        "smtp_host": "smtp.przychodnia.invalid",
        "smtp_port": 587,
        "smtp_security": "starttls",
        "smtp_user": "recepcja",
        "smtp_password": "Sekret-456",
        "poll_seconds": 120,
    }
    # When the manager saves the form
    response = client.post(reverse("interactions:mailbox_create"), data)
    mailbox = Mailbox.objects.get(address="recepcja@przychodnia.invalid")
    assert response.status_code == 302 and mailbox.imap_password == "Sekret-123"
    # Then the database holds the passwords sealed, not as typed
    stored = Mailbox.objects.filter(pk=mailbox.pk).values_list(
        Cast("imap_password", TextField()), Cast("smtp_password", TextField())
    )[0]
    assert all(value.startswith("sealed:") and "Sekret" not in value for value in stored)
    # And the edit page does not show the passwords
    page = client.get(reverse("interactions:mailbox_edit", args=[mailbox.pk])).content.decode()
    assert "Sekret-123" not in page and "Sekret-456" not in page
    # And saving it with empty passwords keeps them
    data.update(imap_password="", smtp_password="", from_name="Rejestracja", version=mailbox.version)
    response = client.post(reverse("interactions:mailbox_edit", args=[mailbox.pk]), data)
    mailbox.refresh_from_db()
    assert response.status_code == 302
    assert (mailbox.from_name, mailbox.imap_password, mailbox.smtp_password) == (
        "Rejestracja",
        "Sekret-123",
        "Sekret-456",
    )


def test_a_bad_mailbox_form_is_shown_again_with_the_input_and_messages(client, manager, branch):
    client.force_login(manager)
    response = client.post(
        reverse("interactions:mailbox_create"), {"branch": branch.pk, "address": "nie-adres", "poll_seconds": 5}
    )
    page = response.content.decode()
    assert response.status_code == 400 and 'value="nie-adres"' in page and "Check at most every 30 seconds." in page


def test_test_connection_reports_each_server_that_failed(client, manager, mailbox):
    client.force_login(manager)
    response = client.post(reverse("interactions:mailbox_test", args=[mailbox.pk]), follow=True)
    page = response.content.decode()
    assert "IMAP failed" in page and "SMTP failed" in page


def test_agent_reads_an_email_with_sanitised_html_in_a_sandbox_and_downloads_its_attachment(client, agent, mailbox):
    interaction = _mail_with_attachment(mailbox)
    client.force_login(agent)
    page = client.get(reverse("interactions:email_detail", args=[interaction.pk])).content.decode()
    assert '<iframe class="email-html" sandbox=' in page and "alert(1)" not in page
    attachment = interaction.email.attachments.get()
    response = client.get(reverse("interactions:email_attachment", args=[attachment.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/octet-stream"
    assert "attachment" in response["Content-Disposition"] and b"".join(response.streaming_content).startswith(b"%PDF")


def test_agent_replies_from_the_email_page(client, agent, mailbox, django_capture_on_commit_callbacks):
    interaction = _mail_with_attachment(mailbox)
    client.force_login(agent)
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(reverse("interactions:email_reply", args=[interaction.pk]), {"body": "Zapraszamy."})
    reply = EmailMessage.objects.get(status=DeliveryStatus.QUEUED)
    assert response.status_code == 302 and reply.interaction.case == interaction.case
    assert reply.to == "jan.w@example.invalid" and interaction.case.number in reply.subject


def test_an_empty_reply_is_refused_with_a_message(client, agent, mailbox):
    interaction = _mail_with_attachment(mailbox)
    client.force_login(agent)
    response = client.post(reverse("interactions:email_reply", args=[interaction.pk]), {"body": ""})
    assert response.status_code == 400 and "This field is required." in response.content.decode()


@pytest.mark.parametrize("persona", ["guard", "outsider_branch"])
def test_others_cannot_read_the_email(client, request, persona, mailbox):
    interaction = _mail_with_attachment(mailbox)
    client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse("interactions:email_detail", args=[interaction.pk]))
    assert response.status_code in (403, 404)


def test_the_api_lists_mailboxes_without_passwords_and_replies_to_a_case(
    client, manager, mailbox, django_capture_on_commit_callbacks
):
    interaction = _mail_with_attachment(mailbox)
    client.force_login(manager)
    listed = client.get("/api/v1/interactions/mail/mailboxes").json()
    assert listed["count"] == 1 and "imap_password" not in listed["items"][0]
    messages = client.get(f"/api/v1/interactions/mail/contacts/{interaction.pk}").json()
    assert (
        messages[0]["case_id"] == interaction.case_id and messages[0]["attachments"][0]["filename"] == "skierowanie.pdf"
    )
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(
            f"/api/v1/interactions/mail/cases/{interaction.case_id}/reply",
            {"body": "Dzień dobry"},
            content_type="application/json",
        )
    assert response.status_code == 201 and response.json()["status"] == "queued"
    assert response.json()["in_reply_to"] == interaction.email.message_id


def test_the_poll_command_reports_a_mailbox_that_is_down(mailbox, capsys):
    with pytest.raises(SystemExit) as stop:
        call_command("mail_poll")
    assert stop.value.code == 1 and "DOWN" in capsys.readouterr().err
