"""Talking to mail servers: IMAP (stdlib ``imaplib``) to read, SMTP (stdlib ``smtplib``) to send.

Kept apart from the services so that the services read as what happens to the records, and the
tests can see in one place what is said to a server.
"""

from __future__ import annotations

import imaplib
import select
import smtplib
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from email.message import EmailMessage as StdEmailMessage
from typing import Any

from django.conf import settings

from ..models.mail import Mailbox, Security

# What a server or the network can throw at us: each is recorded on the mailbox, never raised to a page.
MAIL_ERRORS: tuple[type[Exception], ...] = (
    OSError,
    imaplib.IMAP4.error,
    smtplib.SMTPException,
    ssl.SSLError,
    UnicodeError,
    ValueError,
)


class MailServerError(Exception):
    """The server answered, but not with what we asked for."""


# Everything one attempt to read a mailbox may fail with.
READ_ERRORS: tuple[type[Exception], ...] = (*MAIL_ERRORS, MailServerError)


def _quote(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


@contextmanager
def imap_session(mailbox: Mailbox) -> Iterator[imaplib.IMAP4]:
    """Signed in to the mailbox's IMAP server (logged out again afterwards, whatever happens)."""
    timeout = settings.MAIL_TIMEOUT_SECONDS
    connection: imaplib.IMAP4
    if mailbox.imap_security == Security.SSL:
        connection = imaplib.IMAP4_SSL(
            mailbox.imap_host, mailbox.imap_port, ssl_context=ssl.create_default_context(), timeout=timeout
        )
    else:
        connection = imaplib.IMAP4(mailbox.imap_host, mailbox.imap_port, timeout=timeout)
        if mailbox.imap_security == Security.STARTTLS:
            connection.starttls(ssl.create_default_context())
    try:
        connection.login(mailbox.imap_user, mailbox.imap_password)
        yield connection
    finally:
        with suppress(*MAIL_ERRORS):
            connection.logout()


def imap_select(connection: imaplib.IMAP4, folder: str) -> int:
    """Open the folder read-only (nothing is marked as read) and return its UIDVALIDITY."""
    status, _data = connection.select(_quote(folder), readonly=True)
    if status != "OK":
        raise MailServerError(f"cannot open folder {folder!r}")
    # The folder's size at opening is no news; an EXISTS after this one is (see imap_idle).
    connection.untagged_responses.pop("EXISTS", None)
    _name, values = connection.response("UIDVALIDITY")
    if not values or values[0] is None:
        raise MailServerError("the server gave no UIDVALIDITY")
    return int(values[0])


def imap_new_uids(connection: imaplib.IMAP4, after: int) -> list[int]:
    """UIDs above ``after``, oldest first (``n:*`` always returns the last message: it is dropped)."""
    status, data = connection.uid("SEARCH", "UID", f"{after + 1}:*")
    if status != "OK":
        raise MailServerError("UID SEARCH failed")
    return sorted(uid for uid in (int(item) for item in (data[0] or b"").split()) if uid > after)


def imap_fetch(connection: imaplib.IMAP4, uid: int) -> bytes:
    """The whole raw message, without setting its \\Seen flag."""
    status, data = connection.uid("FETCH", str(uid), "(BODY.PEEK[])")
    if status != "OK":
        raise MailServerError(f"FETCH of UID {uid} failed")
    for item in data:
        if isinstance(item, tuple) and len(item) > 1 and isinstance(item[1], bytes):
            return item[1]
    raise MailServerError(f"the server returned no message for UID {uid}")


def imap_supports_idle(connection: imaplib.IMAP4) -> bool:
    """Whether the server announces IDLE (RFC 2177) once signed in (capabilities may change at sign-in)."""
    status, data = connection.capability()
    if status != "OK" or not data or not isinstance(data[0], bytes):
        return False
    return b"IDLE" in data[0].upper().split()


def _buffered(connection: imaplib.IMAP4) -> bool:
    """Whether a response already waits in imaplib's read buffer (or TLS's), without blocking."""
    sock = connection.sock
    if isinstance(sock, ssl.SSLSocket) and sock.pending():
        return True
    timeout = sock.gettimeout()
    sock.settimeout(0.0)
    try:
        reader: Any = connection.file
        return bool(reader.peek(1))
    except (BlockingIOError, ssl.SSLWantReadError):
        return False
    finally:
        sock.settimeout(timeout)


def imap_idle(connection: imaplib.IMAP4, *, stop: threading.Event, renew_after: float) -> bool:
    """Wait in IDLE (RFC 2177) on the selected folder; True when new mail arrived (EXISTS).

    Returns False after ``renew_after`` seconds without news (servers end an IDLE after 30
    minutes, so the caller issues a new one well before) or as soon as ``stop`` is set. IDLE is
    ended with DONE before returning, so the connection can be used for other commands.
    Python 3.13's imaplib has no IDLE (3.14 adds ``IMAP4.idle``), so this uses its response reader.
    """
    # imaplib's own response reader: private methods, unchanged for many Python versions.
    imap: Any = connection
    tag = imap._new_tag()
    imap.send(tag + b" IDLE\r\n")
    while True:
        # None means the continuation ("+ idling"); a tagged answer means the server refused.
        if imap._get_response() is None:
            break
        if imap.tagged_commands.get(tag) is not None:
            typ, data = imap.tagged_commands.pop(tag)
            raise MailServerError(f"IDLE refused: {typ} {data!r}")
    # An EXISTS that came with an earlier command (mail arriving during the last read) counts too.
    arrived = bool(connection.untagged_responses.pop("EXISTS", None))
    deadline = time.monotonic() + renew_after
    while not arrived and not stop.is_set() and time.monotonic() < deadline:
        if not _buffered(connection):
            ready, _w, _x = select.select([connection.sock], [], [], min(1.0, max(deadline - time.monotonic(), 0)))
            if not ready:
                continue
        imap._get_response()
        if "BYE" in connection.untagged_responses:
            raise imaplib.IMAP4.abort(f"server said goodbye: {connection.untagged_responses['BYE']!r}")
        arrived = bool(connection.untagged_responses.pop("EXISTS", None))
    connection.send(b"DONE\r\n")
    imap._command_complete("IDLE", tag)
    # What arrived during IDLE is read next; forget the counts so the next IDLE starts clean.
    connection.untagged_responses.pop("EXISTS", None)
    connection.untagged_responses.pop("RECENT", None)
    return arrived


@contextmanager
def smtp_session(mailbox: Mailbox) -> Iterator[smtplib.SMTP]:
    timeout = settings.MAIL_TIMEOUT_SECONDS
    connection: smtplib.SMTP
    if mailbox.smtp_security == Security.SSL:
        connection = smtplib.SMTP_SSL(
            mailbox.smtp_host, mailbox.smtp_port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        connection = smtplib.SMTP(mailbox.smtp_host, mailbox.smtp_port, timeout=timeout)
        if mailbox.smtp_security == Security.STARTTLS:
            connection.starttls(context=ssl.create_default_context())
    try:
        if mailbox.smtp_user:
            connection.login(mailbox.smtp_user, mailbox.smtp_password)
        yield connection
    finally:
        with suppress(*MAIL_ERRORS):
            connection.quit()


def smtp_send(mailbox: Mailbox, message: StdEmailMessage) -> None:
    with smtp_session(mailbox) as connection:
        connection.send_message(message)


def connection_check(mailbox: Mailbox) -> list[tuple[str, str]]:
    """Sign in to both servers; a list of (server, error) for what failed, empty when both work."""
    failures: list[tuple[str, str]] = []
    try:
        with imap_session(mailbox) as connection:
            imap_select(connection, mailbox.imap_folder)
    except READ_ERRORS as error:
        failures.append(("IMAP", describe(error)))
    try:
        with smtp_session(mailbox) as connection:
            connection.noop()
    except MAIL_ERRORS as error:
        failures.append(("SMTP", describe(error)))
    return failures


def describe(error: BaseException) -> str:
    """A short, log-friendly line for an error (servers put bytes in their messages)."""
    text = " ".join(
        part.decode("utf-8", errors="replace") if isinstance(part, bytes) else str(part) for part in error.args
    )
    return f"{type(error).__name__}: {text}"[:1000] if text else type(error).__name__
