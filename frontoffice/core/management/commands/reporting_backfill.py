"""``reporting_backfill [--organisation SLUG] [--since YYYY-MM-DD]``: derive missing reporting events."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from frontoffice.core.models import Organisation
from frontoffice.core.reporting import backfill


class Command(BaseCommand):
    help = (
        "Derive the reporting events of existing records that have none yet (safe to run again): every app's "
        "reporting.backfill, for one organisation or all."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organisation", metavar="SLUG", help="Only this organisation (its short name).")
        parser.add_argument("--since", metavar="YYYY-MM-DD", help="Only facts from this day on (UTC).")

    def handle(self, *args: Any, **options: Any) -> None:
        organisations = Organisation.objects.order_by("slug")
        if options["organisation"]:
            organisations = organisations.filter(slug=options["organisation"])
            if not organisations.exists():
                raise CommandError(f"No organisation with the short name {options['organisation']!r}.")
        since = None
        if options["since"]:
            try:
                day = datetime.date.fromisoformat(options["since"])
            except ValueError:
                raise CommandError("--since must be a date: YYYY-MM-DD.") from None
            since = datetime.datetime.combine(day, datetime.time(), tzinfo=datetime.UTC)
        total = 0
        for organisation in organisations:
            written = backfill(organisation=organisation, since=since)
            total += sum(written.values())
            parts = ", ".join(f"{label} {count}" for label, count in written.items())
            self.stdout.write(f"{organisation.slug}: {parts}")
        self.stdout.write(self.style.SUCCESS(f"Reporting events written: {total} ({timezone.now():%Y-%m-%d %H:%M})"))
