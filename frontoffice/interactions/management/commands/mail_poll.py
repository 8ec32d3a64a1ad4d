"""``frontoffice manage mail_poll``: read mailboxes now (all active ones, or those named), for cron or by hand."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from frontoffice.interactions.mail import services
from frontoffice.interactions.models import Mailbox


class Command(BaseCommand):
    help = "Read new mail from the mailboxes (every active one, or the addresses given); exit 1 if one is down."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("addresses", nargs="*", help="only these mailbox addresses")
        parser.add_argument("--due", action="store_true", help="only mailboxes whose next attempt is due")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["due"]:
            from django.utils import timezone

            stored = services.mail_poll_due(timezone.now())
            self.stdout.write(f"{stored} new message(s)")
            return
        mailboxes = Mailbox.objects.filter(is_active=True).select_related("branch")
        if options["addresses"]:
            mailboxes = Mailbox.objects.filter(address__in=options["addresses"]).select_related("branch")
        down = 0
        for mailbox in mailboxes:
            stored = services.mailbox_poll(mailbox=mailbox)
            if mailbox.is_down:
                down += 1
                self.stderr.write(f"{mailbox.address}: DOWN ({mailbox.last_error})")
            else:
                self.stdout.write(f"{mailbox.address}: {stored} new message(s)")
        if down:
            raise SystemExit(1)
