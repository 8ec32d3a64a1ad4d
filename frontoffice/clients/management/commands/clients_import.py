"""``frontoffice clients import FILE.csv --organisation SLUG``: see docs/clients-import.md."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from frontoffice.clients.importing import ImportFileError, client_import, errors_csv
from frontoffice.core.models import Branch, Organisation


class Command(BaseCommand):
    help = "Import clients from a CSV file (UTF-8 or Windows-1250; comma, semicolon or tab). Safe to run again."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="The CSV file.")
        parser.add_argument("--organisation", required=True, help="The organisation's short name (slug).")
        parser.add_argument("--branch", default="", help="Code of the branch the clients are registered at.")
        parser.add_argument("--dry-run", action="store_true", help="Check every row, import nothing.")
        parser.add_argument("--errors", type=Path, help="Write the rows that failed here (row, column, message).")

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
                organisation=organisation, actor=None, raw=raw, branch=branch, dry_run=options["dry_run"]
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
