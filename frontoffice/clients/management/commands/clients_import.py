"""``frontoffice clients import FILE.csv --organisation SLUG``: see docs/clients-import.md.

On a terminal (or with ``--progress``) a progress line goes to stderr after every batch: the stage,
rows done of the total and rows per second. The summary on stdout is the same either way.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from frontoffice.clients.importing import CHECKING, ImportFileError, Progress, client_import, errors_csv
from frontoffice.core.models import Branch, Organisation


class Command(BaseCommand):
    help = "Import clients from a CSV file (UTF-8 or Windows-1250; comma, semicolon or tab). Safe to run again."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="The CSV file.")
        parser.add_argument("--organisation", required=True, help="The organisation's short name (slug).")
        parser.add_argument("--branch", default="", help="Code of the branch the clients are registered at.")
        parser.add_argument("--dry-run", action="store_true", help="Check every row, import nothing.")
        parser.add_argument("--errors", type=Path, help="Write the rows that failed here (row, column, message).")
        parser.add_argument(
            "--progress",
            action="store_true",
            help="Print progress to stderr even when it is not a terminal (it always is printed on one).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = Organisation.objects.filter(slug=options["organisation"]).first()
        if organisation is None:
            raise CommandError(f"No organisation with the short name {options['organisation']!r}.", returncode=2)
        branch = None
        if options["branch"]:
            branch = Branch.objects.filter(organisation=organisation, code=options["branch"]).first()
            if branch is None:
                raise CommandError(f"No branch with the code {options['branch']!r} in {organisation}.", returncode=2)
        path = Path(options["file"])
        try:
            raw = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}.", returncode=2) from None
        try:
            summary = client_import(
                organisation=organisation,
                actor=None,
                raw=raw,
                branch=branch,
                dry_run=options["dry_run"],
                progress=self._progress() if options["progress"] or self._on_terminal() else None,
            )
        except ImportFileError as error:
            raise CommandError(f"{path}: {error}") from None
        if options["errors"]:
            Path(options["errors"]).write_text(errors_csv(summary.errors), encoding="utf-8")
        mode = " (dry run: nothing written)" if summary.dry_run else ""
        self.stdout.write(f"{path.name}: {summary.encoding}, {summary.delimiter}-separated{mode}")
        for label, value in (
            ("read", summary.read),
            ("imported" if not summary.dry_run else "would import", summary.imported),
            ("skipped (external_id already imported)", summary.skipped),
            ("flagged as probable duplicates", summary.flagged),
            ("rows with errors", summary.error_rows),
        ):
            self.stdout.write(f"  {label:<40} {value:>9}")
        self.stdout.write(f"  {'seconds':<40} {summary.seconds:>9.1f}")
        if summary.errors and not options["errors"]:
            for error in summary.errors[:10]:
                self.stderr.write(f"  line {error.row}, {error.column or '-'}: {error.message}")
            if len(summary.errors) > 10:
                self.stderr.write("  … use --errors FILE to get them all.")

    def _on_terminal(self) -> bool:
        isatty = getattr(self.stderr, "isatty", None)
        return bool(isatty and isatty())

    def _progress(self) -> Progress:
        """A callback for ``client_import``: one line per batch, redrawn in place on a terminal."""
        terminal = self._on_terminal()
        # A stage starts when the one before it ended (the first when the import started).
        started: dict[str, float] = {}
        previous_end = [time.monotonic()]

        def report(stage: str, done: int, total: int) -> None:
            now = time.monotonic()
            elapsed = now - started.setdefault(stage, previous_end[0])
            if done >= total:
                previous_end[0] = now
            rate = f"{done / elapsed:,.0f} rows/s" if elapsed > 0 else "— rows/s"
            label = "checking rows" if stage == CHECKING else "writing clients"
            line = f"{label}: {done:,}/{total:,} ({rate})"
            if terminal:
                self.stderr.write(f"\r{line:<60}", ending="\n" if done >= total else "")
                self.stderr.flush()
            else:
                self.stderr.write(line)

        return report
