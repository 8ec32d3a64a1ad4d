"""``frontoffice manage mail_watch``: watch the mailboxes with IMAP IDLE in the foreground (Ctrl+C stops).

``frontoffice worker`` does the same in a thread; this command is for a deployment that runs the
watcher as its own service (then start the workers with ``--no-mail-watch``).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from frontoffice.interactions.mail.watch import MailWatcher


class Command(BaseCommand):
    help = "Read new mail as it arrives (IMAP IDLE) from every active mailbox whose server offers it; Ctrl+C stops."

    def handle(self, *args: Any, **options: Any) -> None:
        watcher = MailWatcher()
        self.stdout.write("Watching the active mailboxes (IMAP IDLE); Ctrl+C stops.")
        try:
            watcher.run_forever()
        except KeyboardInterrupt:
            watcher.stop()
