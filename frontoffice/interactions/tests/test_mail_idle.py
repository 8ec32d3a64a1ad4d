"""IMAP IDLE: a watched mailbox reads new mail as it arrives, through dovecot, without the poll.

The watcher runs in its own threads with their own database connections, so these tests commit.
Conditions are waited for with a generous limit; nothing asserts how fast it happened.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable

import pytest

from frontoffice.interactions.mail import services as mail_services
from frontoffice.interactions.mail import transport
from frontoffice.interactions.mail.watch import MailWatcher
from frontoffice.interactions.models import Interaction, Mailbox

from .fixtures_mail import make_mail

pytestmark = pytest.mark.django_db(transaction=True)

# Long enough that only an EXISTS from the server can wake the watcher during a test.
NO_RENEWAL = 3600.0


def eventually(condition: Callable[[], bool], limit: float = 60.0) -> bool:
    """Whether ``condition`` came true within ``limit`` seconds (checked every tenth of a second)."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def _read_once(mailbox: Mailbox) -> bool:
    return Mailbox.objects.get(pk=mailbox.pk).last_success_at is not None


@pytest.fixture
def watcher():
    started: list[MailWatcher] = []

    def start(**options: float) -> MailWatcher:
        watcher = MailWatcher(refresh=0.2, renew_after=options.get("renew_after", NO_RENEWAL)).start()
        started.append(watcher)
        return watcher

    yield start
    for watcher in started:
        watcher.stop()


def test_new_mail_is_read_within_seconds_by_the_idle_watcher(live_mailbox, dovecot, caller, watcher):
    # Given the watcher holds an IDLE connection to the mailbox and has read what was there
    running = watcher()
    assert eventually(lambda: _read_once(live_mailbox))

    # When a customer's mail is delivered into the mailbox
    dovecot.append(make_mail(message_id="<idle-1@example.invalid>"))

    # Then it becomes a contact on a new case without anybody polling
    assert eventually(lambda: Interaction.objects.filter(external_id="<idle-1@example.invalid>").exists())
    contact = Interaction.objects.get(external_id="<idle-1@example.invalid>")
    assert contact.case is not None and contact.client == caller
    assert live_mailbox.pk in running.watching()

    # And a second message on the same connection is read as well, and the mailbox shows as working
    dovecot.append(make_mail(message_id="<idle-2@example.invalid>", subject="Druga sprawa"))
    assert eventually(lambda: Interaction.objects.filter(external_id="<idle-2@example.invalid>").exists())
    assert not Mailbox.objects.get(pk=live_mailbox.pk).is_down

    # And the mailbox says it is watched with IDLE, until the watcher stops
    assert Mailbox.objects.get(pk=live_mailbox.pk).is_watched
    running.stop()
    assert eventually(lambda: not Mailbox.objects.get(pk=live_mailbox.pk).is_watched)
    assert Mailbox.objects.get(pk=live_mailbox.pk).idle == ""


def test_a_dropped_idle_connection_is_opened_again(live_mailbox, dovecot, watcher, monkeypatch):
    # Given the watcher is idling, and we can reach the socket it idles on
    sockets: list[socket.socket] = []
    real_idle = transport.imap_idle

    def idle_and_remember(connection, **options):  # type: ignore[no-untyped-def]
        sockets.append(connection.sock)
        return real_idle(connection, **options)

    monkeypatch.setattr(transport, "imap_idle", idle_and_remember)
    watcher()
    assert eventually(lambda: bool(sockets))

    # When the connection breaks under it
    sockets[0].shutdown(socket.SHUT_RDWR)

    # Then it connects again, and mail delivered afterwards is still read
    assert eventually(lambda: len(sockets) >= 2)
    dovecot.append(make_mail(message_id="<after-drop@example.invalid>"))
    assert eventually(lambda: Interaction.objects.filter(external_id="<after-drop@example.invalid>").exists())
    assert not Mailbox.objects.get(pk=live_mailbox.pk).is_down


def test_a_server_without_idle_is_left_to_the_poll(live_mailbox, dovecot, watcher, monkeypatch):
    # Given a server that does not announce IDLE
    asked: list[int] = []

    def no_idle(connection):  # type: ignore[no-untyped-def]
        asked.append(1)
        return False

    monkeypatch.setattr(transport, "imap_supports_idle", no_idle)

    # When the watcher runs
    running = watcher()
    assert eventually(lambda: bool(asked))

    # Then it does not hold the mailbox (nor asks again while its settings stay), and the poll reads it
    assert eventually(lambda: live_mailbox.pk not in running.watching())
    time.sleep(0.5)
    assert len(asked) == 1
    dovecot.append(make_mail(message_id="<polled@example.invalid>"))
    assert mail_services.mailbox_poll(mailbox=live_mailbox) == 1


def test_a_mailbox_that_cannot_be_reached_shows_down_and_is_watched_once_it_can(mailbox, dovecot, watcher):
    # Given the mailbox points where nothing listens
    running = watcher()

    # Then the watcher records it as down, with the error
    assert eventually(lambda: Mailbox.objects.get(pk=mailbox.pk).is_down)
    assert "ConnectionRefusedError" in Mailbox.objects.get(pk=mailbox.pk).last_error

    # When a manager corrects the server (a new version of the settings)
    dovecot.clear()
    mail_services.mailbox_update(mailbox=mailbox, actor=None, data={"imap_port": dovecot.port})

    # Then the watcher starts over with the new settings: the mailbox is working and new mail is read
    assert eventually(lambda: not Mailbox.objects.get(pk=mailbox.pk).is_down)
    dovecot.append(make_mail(message_id="<fixed@example.invalid>"))
    assert eventually(lambda: Interaction.objects.filter(external_id="<fixed@example.invalid>").exists())
    assert mailbox.pk in running.watching()
