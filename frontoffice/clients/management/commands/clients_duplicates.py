"""``frontoffice clients duplicates [--organisation SLUG] [--out pairs.csv]``: candidate duplicate pairs.

With ``--out`` the pairs go to a CSV file (``client_id_a, client_id_b, score,
reasons``), best first; without it a summary is printed. A progress line is
shown on a terminal. Exit codes: 0 done, 1 failed, 2 bad usage.
"""

from __future__ import annotations

import csv
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from frontoffice.clients.finder import Pair, find_duplicate_pairs
from frontoffice.clients.matching import thresholds_for
from frontoffice.core.models import Organisation


class Command(BaseCommand):
    help = "Find likely duplicate clients (pairs scoring at least the organisation's 'possible' threshold)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organisation", metavar="SLUG", help="only this organisation (default: every one)")
        parser.add_argument("--out", metavar="FILE", help="write the pairs to this CSV file")

    def handle(self, *args: Any, **options: Any) -> None:
        slug = options.get("organisation")
        if slug:
            organisations = list(Organisation.objects.filter(slug=slug))
            if not organisations:
                raise CommandError(f"No organisation with the slug {slug!r}.", returncode=2)
        else:
            organisations = list(Organisation.objects.order_by("slug"))
        out = options.get("out")
        writer: Any = None
        handle: Any = None
        if out:
            try:
                handle = Path(out).open("w", newline="", encoding="utf-8")  # noqa: SIM115
            except OSError as error:
                raise CommandError(f"Cannot write {out}: {error.strerror}", returncode=1) from None
            writer = csv.writer(handle)
            writer.writerow(["client_id_a", "client_id_b", "score", "reasons"])
        show_progress = self.stderr.isatty() if hasattr(self.stderr, "isatty") else sys.stderr.isatty()
        total = 0
        try:
            for organisation in organisations:
                pairs = sorted(
                    find_duplicate_pairs(
                        organisation=organisation, progress=self._progress(organisation.slug) if show_progress else None
                    ),
                    key=lambda pair: (-pair.score, pair.client_id_a, pair.client_id_b),
                )
                if show_progress:
                    self.stderr.write("")
                total += len(pairs)
                if writer is not None:
                    for pair in pairs:
                        writer.writerow([pair.client_id_a, pair.client_id_b, f"{pair.score:g}", pair.reasons_text])
                self._summary(organisation, pairs)
        finally:
            if handle is not None:
                handle.close()
        if out:
            self.stdout.write(f"{total} pair(s) written to {out}.")

    def _progress(self, slug: str) -> Any:
        def report(stage: str, done: int, total: int) -> None:
            label = "reading clients" if stage == "read" else "comparing blocks"
            percent = 100 * done // total if total else 100
            self.stderr.write(f"\r{slug}: {label} {percent:3d}% ({done}/{total})", ending="")
            self.stderr.flush()

        return report

    def _summary(self, organisation: Organisation, pairs: list[Pair]) -> None:
        thresholds = thresholds_for(organisation)
        probable = sum(1 for pair in pairs if pair.score >= thresholds.probable)
        exact = sum(1 for pair in pairs if any(r.code == "identifier" and r.weight > 0 for r in pair.reasons))
        reasons = Counter(reason.code for pair in pairs for reason in pair.reasons if reason.weight > 0)
        self.stdout.write(
            f"{organisation.slug}: {len(pairs)} candidate pair(s): {exact} sharing an identifier, "
            f"{probable} probable (score ≥ {thresholds.probable:g}), "
            f"{len(pairs) - probable} possible (score ≥ {thresholds.possible:g})."
        )
        if reasons:
            common = ", ".join(f"{code} {count}" for code, count in reasons.most_common())
            self.stdout.write(f"  agreeing fields: {common}")
