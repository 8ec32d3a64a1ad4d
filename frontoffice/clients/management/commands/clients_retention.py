"""``frontoffice clients retention [--organisation SLUG] [--dry-run]``: erase clients past the retention period."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from frontoffice.clients.privacy import retention_apply
from frontoffice.core.models import Organisation


class Command(BaseCommand):
    help = (
        "Erase (anonymise) clients with no change and no linked activity for longer than their "
        "organisation's retention period. Run it daily from cron or a systemd timer."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organisation", default="", help="Only this organisation (short name).")
        parser.add_argument("--dry-run", action="store_true", help="List who would be erased; erase nobody.")

    def handle(self, *args: Any, **options: Any) -> None:
        organisations = Organisation.objects.order_by("slug")
        if options["organisation"]:
            organisations = organisations.filter(slug=options["organisation"])
            if not organisations.exists():
                raise CommandError(f"No organisation with the short name {options['organisation']!r}.", returncode=2)
        for organisation in organisations:
            result = retention_apply(organisation=organisation, dry_run=options["dry_run"])
            if result.cutoff is None:
                self.stdout.write(f"{organisation.slug}: no retention period set")
                continue
            verb = "would erase" if options["dry_run"] else "erased"
            count = len(result.due) if options["dry_run"] else result.erased
            self.stdout.write(f"{organisation.slug}: {verb} {count} client(s) unchanged since {result.cutoff:%Y-%m-%d}")
            if options["dry_run"]:
                for client in result.due:
                    self.stdout.write(f"  {client.number}")
