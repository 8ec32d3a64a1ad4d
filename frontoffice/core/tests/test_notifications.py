"""E-mail goes through a real SMTP conversation; SMS through the file and HTTP-gateway backends."""

from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message

from frontoffice.core.choices import MessageStatus
from frontoffice.core.models import OutboundMessage
from frontoffice.core.notifications import email_queue, sms_queue
from frontoffice.core.sms import HttpGatewaySmsBackend, Sms, SmsError


class _Inbox(Message):
    def __init__(self) -> None:
        super().__init__()
        self.messages: list = []

    def handle_message(self, message) -> None:  # type: ignore[no-untyped-def]
        self.messages.append(message)


@pytest.fixture
def smtp_server():
    inbox = _Inbox()
    with socket.socket() as probe:  # aiosmtpd does not report the port it got for port 0
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield controller, inbox
    finally:
        controller.stop()


@pytest.fixture
def smtp_mailer(settings, smtp_server):
    controller, _inbox = smtp_server
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": controller.port, "timeout": 10},
        }
    }
    return smtp_server


@pytest.mark.django_db(transaction=True)
def test_a_queued_email_is_delivered_over_smtp_by_the_task(smtp_mailer, organisation):
    _controller, inbox = smtp_mailer
    message = email_queue(
        to="anna.nowak@example.invalid",
        subject="Potwierdzenie wizyty",
        body="Dzień dobry, czekamy na Panią.",
        organisation=organisation,
    )
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert message.sent_at is not None and message.attempts == 1
    assert len(inbox.messages) == 1
    received = inbox.messages[0]
    assert received["To"] == "anna.nowak@example.invalid"
    assert received["Subject"] == "Potwierdzenie wizyty"
    assert received["X-FrontOffice-Message"] == str(message.pk)
    assert "czekamy" in received.get_payload(decode=True).decode()


@pytest.mark.django_db(transaction=True)
def test_an_unreachable_mail_server_leaves_the_message_queued_with_the_error(settings, organisation):
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": 9, "timeout": 2},
        }
    }
    # The caller's work is not undone by a mail outage: the failure stays on the message row.
    email_queue(to="jan@example.invalid", subject="Test", body="x", organisation=organisation)
    message = OutboundMessage.objects.get()
    assert message.status == MessageStatus.QUEUED
    assert message.attempts == 1 and message.error


@pytest.mark.django_db(transaction=True)
def test_an_sms_is_written_by_the_file_backend(settings, tmp_path, organisation):
    settings.SMS_BACKEND, settings.SMS_FILE_DIR = "file", tmp_path
    message = sms_queue(to="+48600100200", text="Wizyta jutro o 9:00", organisation=organisation)
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    written = json.loads((tmp_path / f"{message.provider_id}.json").read_text("utf-8"))
    assert written["to"] == "+48600100200" and written["text"] == "Wizyta jutro o 9:00"


class _Gateway(BaseHTTPRequestHandler):
    received: list = []
    status = 200

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Gateway.received.append((self.headers.get("Authorization"), json.loads(body)))
        self.send_response(_Gateway.status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"id": "gw-42"}')

    def log_message(self, *args) -> None:  # type: ignore[no-untyped-def]
        pass


@pytest.fixture
def gateway():
    _Gateway.received, _Gateway.status = [], 200
    server = HTTPServer(("127.0.0.1", 0), _Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()


def test_the_http_gateway_backend_posts_json_with_a_bearer_token(gateway):
    backend = HttpGatewaySmsBackend(url=f"http://127.0.0.1:{gateway.server_port}/sms", token="s3cret")
    provider_id = backend.send(Sms(to="+48600100200", text="Kod: 1234", sender="FrontOffice"))
    assert provider_id == "gw-42"
    assert _Gateway.received == [("Bearer s3cret", {"to": "+48600100200", "from": "FrontOffice", "text": "Kod: 1234"})]


def test_a_gateway_error_is_reported(gateway):
    _Gateway.status = 503
    backend = HttpGatewaySmsBackend(url=f"http://127.0.0.1:{gateway.server_port}/sms", token="")
    with pytest.raises(SmsError, match="503"):
        backend.send(Sms(to="+48600100200", text="x", sender="FrontOffice"))
