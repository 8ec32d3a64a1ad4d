"""``reports_rollup``: roll up new reporting events now (the worker does it on every sweep)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from frontoffice.core.models import Organisation

from ...rollup import SETTLE_SECONDS, rollup


class Command(BaseCommand):
    help = "Roll up new reporting events into the daily metric tables."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organisation", help="Short name (slug) of one organisation; all by default.")
        parser.add_argument(
            "--settle",
            type=int,
            default=SETTLE_SECONDS,
            help="Leave events recorded in the last this many seconds for the next run (default %(default)s).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = None
        if options["organisation"]:
            organisation = Organisation.objects.filter(slug=options["organisation"]).first()
            if organisation is None:
                raise CommandError(f"No organisation with the short name {options['organisation']!r}.")
        if options["settle"] < 0:
            raise CommandError("--settle must be zero or more.")
        done = rollup(organisation=organisation, settle_seconds=options["settle"])
        self.stdout.write(f"Rolled up {done} reporting events.")
