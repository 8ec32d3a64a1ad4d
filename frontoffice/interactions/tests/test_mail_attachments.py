"""Files with a reply: chosen on the e-mail page, the case page or sent through the API, kept privately,
sent as a proper multipart message through a real SMTP server, and kept for a retried send."""

from __future__ import annotations

import base64

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from frontoffice.interactions.cases import services as case_services
from frontoffice.interactions.choices import Channel
from frontoffice.interactions.mail import services as mail_services
from frontoffice.interactions.models import Case, EmailAttachment, EmailMessage, Interaction, Mailbox
from frontoffice.interactions.models.mail import DeliveryStatus

from .fixtures_mail import make_mail

PRICE_LIST = b"%PDF-1.4\n% cennik badan\n"


def _customer_case(mailbox: Mailbox) -> Interaction:
    interaction = mail_services.message_ingest(mailbox=mailbox, raw=make_mail().as_bytes())
    assert interaction is not None and interaction.case is not None
    return interaction


def _attached(sent) -> dict[str, bytes]:  # type: ignore[no-untyped-def]
    return {part.get_filename(): part.get_payload(decode=True) for part in sent.iter_attachments()}


def test_a_reply_from_the_email_page_carries_its_files_through_the_smtp_server(
    client, agent, live_mailbox, smtp_server, django_capture_on_commit_callbacks
):
    # Given a customer's mail on a case
    inbound = _customer_case(live_mailbox)
    client.force_login(agent)

    # When the agent replies with two files
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("interactions:email_reply", args=[inbound.pk]),
            {
                "body": "W załączeniu cennik & <regulamin>.",
                "attachments": [
                    SimpleUploadedFile("cennik.pdf", PRICE_LIST, content_type="application/pdf"),
                    SimpleUploadedFile("mapa dojazdu.txt", b"Ulica Zdrowa 1", content_type="text/plain"),
                ],
            },
        )

    # Then the customer's server received one message with the text, as plain text and HTML, and both files
    assert response.status_code == 302
    [sent] = smtp_server.messages
    assert sent.get_content_type() == "multipart/mixed"
    assert sent.get_body(("plain",)).get_content().strip() == "W załączeniu cennik & <regulamin>."
    assert "cennik &amp; &lt;regulamin&gt;." in sent.get_body(("html",)).get_content()
    assert _attached(sent) == {"cennik.pdf": PRICE_LIST, "mapa dojazdu.txt": b"Ulica Zdrowa 1"}
    assert [part.get_content_type() for part in sent.iter_attachments()] == ["application/pdf", "text/plain"]

    # And the outbound contact's page lists the files, which download
    reply = EmailMessage.objects.get(interaction__direction="outbound")
    assert reply.status == DeliveryStatus.SENT
    page = client.get(reverse("interactions:email_detail", args=[reply.interaction_id])).content.decode()
    assert "cennik.pdf" in page and "mapa dojazdu.txt" in page
    stored = reply.attachments.get(filename="cennik.pdf")
    download = client.get(reverse("interactions:email_attachment", args=[stored.pk]))
    assert b"".join(download.streaming_content) == PRICE_LIST


def test_files_over_the_limit_are_refused_and_the_typed_reply_stays(client, agent, mailbox, settings):
    # Given at most 1 KB may go with a reply
    settings.MAIL_ATTACHMENT_MAX_BYTES = 1024
    inbound = _customer_case(mailbox)
    client.force_login(agent)

    # When the agent sends a 2 KB file
    response = client.post(
        reverse("interactions:email_reply", args=[inbound.pk]),
        {"body": "Przesyłam skan.", "attachments": [SimpleUploadedFile("skan.pdf", b"%PDF" + b"0" * 2048)]},
    )

    # Then the page says why, keeps what was typed, and nothing was recorded or stored
    page = response.content.decode()
    assert response.status_code == 400
    assert "The attachments come to 2.0\xa0KB; at most 1.0\xa0KB may go with one reply." in page
    assert "Przesyłam skan." in page
    assert not EmailMessage.objects.filter(interaction__direction="outbound").exists()
    assert not EmailAttachment.objects.filter(message__interaction__direction="outbound").exists()


def test_a_retried_send_still_carries_the_files(agent, live_mailbox, smtp_server, django_capture_on_commit_callbacks):
    # Given the SMTP server is unreachable when the agent replies with a file
    inbound = _customer_case(live_mailbox)
    Mailbox.objects.filter(pk=live_mailbox.pk).update(smtp_port=1)
    with django_capture_on_commit_callbacks(execute=True):
        reply = mail_services.email_reply(
            case=inbound.case,
            body="Cennik w załączeniu.",
            actor=agent,
            attachments=[SimpleUploadedFile("cennik.pdf", PRICE_LIST)],
        )
    reply.refresh_from_db()
    assert reply.status == DeliveryStatus.QUEUED and not smtp_server.messages

    # When the server is back and the retry falls due
    Mailbox.objects.filter(pk=live_mailbox.pk).update(smtp_port=smtp_server.port)
    assert mail_services.mail_send_due(reply.next_attempt_at) == 1

    # Then the message that went out has the file
    [sent] = smtp_server.messages
    assert _attached(sent) == {"cennik.pdf": PRICE_LIST}


def test_a_reply_from_the_case_page_carries_a_file(client, agent, mailbox, django_capture_on_commit_callbacks):
    inbound = _customer_case(mailbox)
    client.force_login(agent)
    page = client.get(reverse("interactions:case_detail", args=[inbound.case_id])).content.decode()
    assert 'enctype="multipart/form-data"' in page and 'name="attachments"' in page
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(
            reverse("interactions:case_reply", args=[inbound.case_id]),
            {"body": "Cennik w załączeniu.", "attachments": [SimpleUploadedFile("cennik.pdf", PRICE_LIST)]},
        )
    assert response.status_code in (200, 302)
    reply = EmailMessage.objects.get(interaction__direction="outbound")
    assert [attachment.filename for attachment in reply.attachments.all()] == ["cennik.pdf"]


def test_files_go_only_with_e_mail_replies(agent, case):
    # Given a case that came by phone
    Case.objects.filter(pk=case.pk).update(channel=Channel.PHONE)
    # When the agent tries to send a file with the reply
    with pytest.raises(ValidationError, match="only with a reply by e-mail"):
        case_services.case_reply(
            case=case, body="Proszę", actor=agent, attachments=[SimpleUploadedFile("a.pdf", PRICE_LIST)]
        )
    # Then nothing was recorded
    assert not Case.objects.get(pk=case.pk).replies.exists()


def test_the_api_reply_carries_base64_files_and_refuses_bad_ones(
    client, agent, mailbox, django_capture_on_commit_callbacks
):
    inbound = _customer_case(mailbox)
    client.force_login(agent)
    url = f"/api/v1/interactions/mail/cases/{inbound.case_id}/reply"
    bad = client.post(
        url,
        {"body": "x", "attachments": [{"filename": "a.pdf", "content_base64": "nie base64!"}]},
        content_type="application/json",
    )
    assert bad.status_code in (400, 422) and "base64" in bad.content.decode()
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(
            url,
            {
                "body": "Cennik w załączeniu.",
                "attachments": [{"filename": "cennik.pdf", "content_base64": base64.b64encode(PRICE_LIST).decode()}],
            },
            content_type="application/json",
        )
    assert response.status_code == 201
    [attachment] = response.json()["attachments"]
    assert (attachment["filename"], attachment["content_type"], attachment["size"]) == (
        "cennik.pdf",
        "application/pdf",
        len(PRICE_LIST),
    )
