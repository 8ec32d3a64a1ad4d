"""Watching mailboxes with IMAP IDLE, so that new mail is read within seconds instead of at the next poll.

``MailWatcher`` runs inside ``frontoffice worker`` (started by ``start_watching``) or alone
(``frontoffice manage mail_watch``). A supervising thread looks at the active mailboxes every
``refresh`` seconds and keeps one thread per mailbox, each holding one IMAP connection:

1. sign in; a server that does not announce IDLE is left to the periodic poll (until the
   mailbox's settings change);
2. read what is new with ``services.mailbox_poll`` on that connection (the one read path,
   which also keeps the mailbox's Working/Down state);
3. IDLE until the server reports new mail (EXISTS), or for ``renew_after`` seconds (servers end an
   IDLE after 30 minutes, RFC 2177), then back to 2.

A connection that drops after a good read is opened again at once; a failure to connect or read
is recorded on the mailbox (Down) and tried again after the same back-off as the poll. Changing a
mailbox's settings (its version) or switching it off restarts or ends its thread. The periodic
poll goes on at each mailbox's interval underneath, so nothing depends on this watcher running.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

from django.db import close_old_connections, connections

from ..models import Mailbox
from ..models.mail import IDLE_RENEW, IdleState
from . import services, transport

log = logging.getLogger(__name__)

# Well inside the 29 minutes after which a server may end an IDLE, and often enough for the mailbox page to
# tell within minutes that the watcher is gone (models.mail.IDLE_STALE).
IDLE_RENEW_SECONDS = IDLE_RENEW.total_seconds()
REFRESH_SECONDS = 60.0
# A connection that keeps dropping right after a good read is not opened again faster than this.
RECONNECT_PAUSE_SECONDS = 1.0


@dataclass
class _Watch:
    version: int
    stop: threading.Event
    thread: threading.Thread


@dataclass
class MailWatcher:
    """One IDLE connection per active mailbox whose server offers IDLE; ``start`` it, ``stop`` it."""

    refresh: float = REFRESH_SECONDS
    renew_after: float = IDLE_RENEW_SECONDS
    _stop: threading.Event = field(default_factory=threading.Event)
    _watches: dict[int, _Watch] = field(default_factory=dict)
    # (mailbox, version) whose server has no IDLE: not tried again until the settings change.
    _without_idle: set[tuple[int, int]] = field(default_factory=set)
    _supervisor: threading.Thread | None = None

    def start(self) -> MailWatcher:
        self._supervisor = threading.Thread(target=self._supervise, name="frontoffice-mail-watch", daemon=True)
        self._supervisor.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._supervisor is not None:
            self._supervisor.join(timeout)

    def watching(self) -> set[int]:
        """The mailboxes (ids) that have a live IDLE thread."""
        return {pk for pk, watch in self._watches.items() if watch.thread.is_alive()}

    def run_forever(self) -> None:
        """Supervise in the calling thread until ``stop`` (or Ctrl+C)."""
        self._supervise()

    # --- supervising ----------------------------------------------------------------

    def _supervise(self) -> None:
        try:
            while not self._stop.is_set():
                try:
                    self._reconcile()
                except Exception:
                    log.exception("mail watcher: looking at the mailboxes failed")
                self._stop.wait(self.refresh)
        finally:
            for watch in self._watches.values():
                watch.stop.set()
            for watch in self._watches.values():
                watch.thread.join(10)
            connections.close_all()

    def _reconcile(self) -> None:
        close_old_connections()
        wanted = dict(Mailbox.objects.filter(is_active=True).values_list("pk", "version"))
        for pk, watch in list(self._watches.items()):
            # Settings changed, switched off, or the thread ended (no IDLE, or an unexpected error).
            if wanted.get(pk) != watch.version or not watch.thread.is_alive():
                watch.stop.set()
                del self._watches[pk]
        for pk, version in wanted.items():
            if pk in self._watches or (pk, version) in self._without_idle:
                continue
            stop = threading.Event()
            thread = threading.Thread(
                target=self._watch_one, args=(pk, version, stop), name=f"frontoffice-idle-{pk}", daemon=True
            )
            self._watches[pk] = _Watch(version=version, stop=stop, thread=thread)
            thread.start()

    # --- one mailbox ----------------------------------------------------------------------

    def _watch_one(self, pk: int, version: int, stop: threading.Event) -> None:
        try:
            while not stop.is_set() and not self._stop.is_set():
                close_old_connections()
                mailbox = Mailbox.objects.select_related("branch").filter(pk=pk, is_active=True).first()
                if mailbox is None or mailbox.version != version:
                    return
                outcome = self._session(mailbox, stop)
                if outcome == "no-idle":
                    log.info("mailbox %s: the server offers no IDLE; it is polled", mailbox.address)
                    self._without_idle.add((pk, version))
                    services.mailbox_idle_mark(pk=pk, state=IdleState.UNSUPPORTED)
                    return
                if outcome == "dropped":
                    # It worked a moment ago: open it again at once (after a breath).
                    stop.wait(RECONNECT_PAUSE_SECONDS)
                    continue
                if outcome == "failed":
                    mailbox.refresh_from_db()
                    stop.wait(services.backoff(mailbox.consecutive_failures).total_seconds())
        except Exception:
            log.exception("mail watcher: mailbox %s stopped", pk)
        finally:
            if (pk, version) not in self._without_idle:
                try:
                    services.mailbox_idle_mark(pk=pk, state=IdleState.NONE)
                except Exception:
                    log.exception("mail watcher: could not clear the IDLE mark of mailbox %s", pk)
            connections.close_all()

    def _session(self, mailbox: Mailbox, stop: threading.Event) -> str:
        """One connection's life: "stopped", "no-idle", "dropped" (after a good read) or "failed"."""
        read_ok = False
        try:
            with transport.imap_session(mailbox) as connection:
                if not transport.imap_supports_idle(connection):
                    return "no-idle"
                while not stop.is_set() and not self._stop.is_set():
                    close_old_connections()
                    services.mailbox_poll(mailbox=mailbox, connection=connection)
                    if mailbox.is_down:
                        return "failed"  # recorded by the read
                    read_ok = True
                    services.mailbox_idle_mark(pk=mailbox.pk, state=IdleState.WATCHING)
                    # Wait for news; a False is a quiet renewal, read again anyway (cheap, and it
                    # keeps the mailbox's "last read" fresh).
                    transport.imap_idle(connection, stop=stop, renew_after=self.renew_after)
        except transport.READ_ERRORS as error:
            if stop.is_set() or self._stop.is_set():
                return "stopped"
            if read_ok:
                log.info("mailbox %s: IDLE connection lost (%s); reconnecting", mailbox.address, error)
                return "dropped"
            close_old_connections()
            services.mailbox_failed(mailbox=mailbox, error=error)
            return "failed"
        return "stopped"


def start_watching() -> MailWatcher:
    """Start watching every active mailbox (threads that die with the process): ``frontoffice worker``."""
    return MailWatcher().start()
