"""``frontoffice cti replay FILE.jsonl --url URL [--token T] [--speed X | --as-fast-as-possible]``.

Posts each line's event to a CTI webhook in order and prints a summary (sent, applied, duplicates,
out of order, unknown calls, errors, events/s). Exit codes: 0 every event answered 200, 1 some failed,
2 bad usage.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from frontoffice.interactions.phone.replay import read_events, replay, webhook_url


class Command(BaseCommand):
    help = "Play a file of recorded PBX events (JSON lines) against a CTI webhook."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", metavar="FILE.jsonl")
        parser.add_argument("--url", required=True, help="the webhook address (with the token, or see --token)")
        parser.add_argument("--token", default="", help="appended to --url as its last part")
        pace = parser.add_mutually_exclusive_group()
        pace.add_argument("--speed", type=float, default=1.0, help="times real time (default: %(default)s)")
        pace.add_argument("--as-fast-as-possible", action="store_true", help="do not wait between events")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}", returncode=2)
        if options["speed"] <= 0:
            raise CommandError("--speed must be more than 0", returncode=2)
        try:
            events = read_events(path.read_text(encoding="utf-8").splitlines())
        except ValueError as error:
            raise CommandError(f"{path}: {error}", returncode=2) from None
        terminal = sys.stderr.isatty()

        def progress(done: int, total: int) -> None:
            if terminal:
                print(f"\r{done}/{total} events", end="", file=sys.stderr, flush=True)

        summary = replay(
            events,
            url=webhook_url(options["url"], options["token"]),
            speed=None if options["as_fast_as_possible"] else options["speed"],
            progress=progress,
        )
        if terminal:
            print(file=sys.stderr)
        for line in summary.lines():
            self.stdout.write(line)
        for error in summary.errors[:10]:
            self.stderr.write(error)
        if summary.errors:
            raise CommandError(f"{len(summary.errors)} event(s) failed", returncode=1)
