"""E-mail fixtures: a real IMAP server (Debian's dovecot), a real SMTP server (aiosmtpd) and a mailbox.

Dovecot runs from its own configuration in a temporary folder: passwd-file sign-in, maildirs under
the folder, a free port on 127.0.0.1, no TLS. It must not run as root, so when the tests do, it is
started as the ``dovecot`` system user the package creates. Mail is delivered by IMAP APPEND, as a
mail server would file it.
"""

from __future__ import annotations

import imaplib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest

from frontoffice.interactions.mail import services as mail_services
from frontoffice.interactions.models import Mailbox
from frontoffice.interactions.models.mail import Security

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
MAILBOX_USER = "biuro@przychodnia.invalid"
MAILBOX_PASSWORD = "tajne-haslo-testowe"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for_port(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"dovecot stopped: {log.read_text() if log.exists() else ''}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as connection:
                if connection.recv(64).startswith(b"* OK"):
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("dovecot did not start listening within 15 s")


@dataclass
class Dovecot:
    port: int
    user: str = MAILBOX_USER
    password: str = MAILBOX_PASSWORD

    def append(self, raw: bytes | EmailMessage, folder: str = "INBOX") -> None:
        """File a message in the folder, as the mail server does when mail arrives."""
        data = raw.as_bytes(policy=policy.SMTP) if isinstance(raw, EmailMessage) else raw
        connection = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        try:
            connection.login(self.user, self.password)
            status, _detail = connection.append(folder, None, None, data)
            assert status == "OK"
        finally:
            connection.logout()

    def clear(self, folder: str = "INBOX") -> None:
        connection = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        try:
            connection.login(self.user, self.password)
            _status, count = connection.select(folder)
            if int(count[0] or 0):
                connection.store("1:*", "+FLAGS", "\\Deleted")
                connection.expunge()
        finally:
            connection.logout()


@pytest.fixture(scope="session")
def dovecot() -> Iterator[Dovecot]:
    """A dovecot of our own for the test session (skipped, with the reason, when it is not installed)."""
    if not os.path.exists(DOVECOT):
        pytest.skip("dovecot is not installed: apt-get install dovecot-imapd")
    run_as = "dovecot" if os.geteuid() == 0 else pwd.getpwuid(os.getuid()).pw_name
    account = pwd.getpwnam(run_as)
    home = Path(tempfile.mkdtemp(prefix="frontoffice-dovecot-"))
    port = free_port()
    for name in ("run", "state", "mail"):
        (home / name).mkdir()
    (home / "passwd").write_text(f"{MAILBOX_USER}:{{PLAIN}}{MAILBOX_PASSWORD}\n")
    group = _group_name(account.pw_gid)
    (home / "dovecot.conf").write_text(
        f"""base_dir = {home}/run
state_dir = {home}/state
log_path = {home}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 1
first_valid_gid = 1
default_internal_user = {run_as}
default_internal_group = {group}
default_login_user = {run_as}
mail_location = maildir:{home}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {home}/passwd
}}
userdb {{
  driver = static
  args = uid={account.pw_uid} gid={account.pw_gid} home={home}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
  chroot =
}}
service anvil {{
  chroot =
}}
"""
    )
    if os.geteuid() == 0:
        for path in [home, *home.rglob("*")]:
            os.chown(path, account.pw_uid, account.pw_gid)
    extra = {"user": run_as, "group": group, "extra_groups": []} if os.geteuid() == 0 else {}
    process = subprocess.Popen([DOVECOT, "-F", "-c", str(home / "dovecot.conf")], **extra)  # type: ignore[call-overload]
    try:
        _wait_for_port(port, process, home / "dovecot.log")
        yield Dovecot(port=port)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(home, ignore_errors=True)


def _group_name(gid: int) -> str:
    import grp

    return grp.getgrgid(gid).gr_name


@dataclass
class SmtpCapture:
    """What reached our SMTP server: the envelopes, each with the parsed message."""

    port: int
    received: list[tuple[str, list[str], EmailMessage]] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        message = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 OK"

    @property
    def messages(self) -> list[EmailMessage]:
        return [message for _sender, _to, message in self.received]


@pytest.fixture
def smtp_server() -> Iterator[SmtpCapture]:
    """A real SMTP server on a free port that keeps everything it is sent."""
    from aiosmtpd.controller import Controller

    capture = SmtpCapture(port=free_port())
    controller = Controller(capture, hostname="127.0.0.1", port=capture.port)
    controller.start()
    try:
        yield capture
    finally:
        controller.stop()


@pytest.fixture
def mailbox(branch, manager, settings, tmp_path) -> Mailbox:
    """The branch's mailbox pointing nowhere reachable (tests that talk to servers point it at theirs)."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.MAIL_TIMEOUT_SECONDS = 5
    return mail_services.mailbox_create(
        branch=branch,
        actor=manager,
        data={
            "address": "biuro@przychodnia.invalid",
            "from_name": "Przychodnia Testowa",
            "imap_host": "127.0.0.1",
            "imap_port": 1,
            "imap_security": Security.NONE,
            "imap_user": MAILBOX_USER,
            "imap_password": MAILBOX_PASSWORD,
            "smtp_host": "127.0.0.1",
            "smtp_port": 1,
            "smtp_security": Security.NONE,
            "poll_seconds": 60,
        },
    )


@pytest.fixture
def live_mailbox(mailbox, dovecot, smtp_server) -> Mailbox:
    """The mailbox wired to the test dovecot (emptied first) and the capturing SMTP server."""
    dovecot.clear()
    mailbox.imap_port = dovecot.port
    mailbox.smtp_port = smtp_server.port
    mailbox.save()
    return mailbox


def make_mail(
    *,
    sender: str = "Jan Wiśniewski <jan.w@example.invalid>",
    to: str = "biuro@przychodnia.invalid",
    subject: str = "Pytanie o wizytę",
    body: str = "Dzień dobry, czy mogę przełożyć wizytę?",
    message_id: str | None = "<pytanie-1@example.invalid>",
    headers: dict[str, str] | None = None,
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = "Fri, 27 Nov 2026 09:15:00 +0100"
    if message_id:
        message["Message-ID"] = message_id
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    return message
