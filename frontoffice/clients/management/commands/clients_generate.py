"""``frontoffice clients generate``: a realistic Polish population with ground-truth duplicates (benchmarks only)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from frontoffice.core.models import Organisation

from ...population import generate, insert, write_truth


class Command(BaseCommand):
    help = "Generate N fake Polish clients, some of them duplicates, for benchmarks and quality measurements."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organisation", required=True, help="Slug of the organisation to fill.")
        parser.add_argument("--count", type=int, required=True, help="How many clients in all.")
        parser.add_argument("--duplicates", type=float, default=0.1, help="Share of duplicates (default 0.1).")
        parser.add_argument("--seed", type=int, default=0, help="Random seed (default 0).")
        parser.add_argument("--truth", help="Write the duplicate pairs to this CSV file.")
        parser.add_argument("--batch-size", type=int, default=5000)

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = Organisation.objects.filter(slug=options["organisation"]).first()
        if organisation is None:
            raise CommandError(f"No organisation with the slug {options['organisation']!r}.")
        if options["count"] < 1 or not 0 <= options["duplicates"] < 1:
            raise CommandError("--count must be at least 1 and --duplicates between 0 and 1.")
        started = time.perf_counter()
        population = generate(count=options["count"], duplicates=options["duplicates"], seed=options["seed"])
        generated = time.perf_counter()
        ids = insert(organisation=organisation, people=population.people, batch_size=options["batch_size"])
        inserted = time.perf_counter()
        if options["truth"]:
            write_truth(options["truth"], population, ids)
        self.stdout.write(
            f"{len(ids)} clients ({len(population.pairs)} duplicates) in {organisation.slug}: "
            f"generated in {generated - started:.1f} s, inserted in {inserted - generated:.1f} s."
        )
