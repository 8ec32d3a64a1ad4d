"""Play recorded PBX events (one JSON object a line) against a CTI webhook, in order, and count the answers.

Used by ``frontoffice cti replay FILE.jsonl --url URL`` and by the replay test. Events are posted as JSON;
with ``speed`` the gaps between their ``timestamp`` fields are kept (divided by ``speed``), with
``speed=None`` they are sent as fast as the webhook answers.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils.dateparse import parse_datetime

TIMEOUT = 10.0
MAX_PAUSE = 60.0  # seconds: a long quiet spell in the recording is not waited out in full


@dataclass
class Summary:
    sent: int = 0
    results: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        return self.sent / self.seconds if self.seconds > 0 else 0.0

    def lines(self) -> list[str]:
        return [
            f"sent:          {self.sent}",
            f"applied:       {self.results['applied']}",
            f"duplicates:    {self.results['duplicate']}",
            f"out of order:  {self.results['out_of_order']}",
            f"unknown call:  {self.results['unknown_call']}",
            f"errors:        {len(self.errors)}",
            f"events/s:      {self.rate:.1f}",
        ]


def webhook_url(url: str, token: str = "") -> str:
    return url.rstrip("/") + "/" + token.strip("/") + "/" if token else url


def read_events(lines: Iterable[str]) -> list[dict[str, Any]]:
    events = []
    for number, line in enumerate(lines, start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        try:
            event = json.loads(line)
        except ValueError as error:
            raise ValueError(f"line {number}: not JSON ({error})") from None
        if not isinstance(event, dict):
            raise ValueError(f"line {number}: not a JSON object")
        events.append(event)
    return events


def _when(event: dict[str, Any]) -> datetime | None:
    raw = event.get("timestamp")
    return parse_datetime(raw) if isinstance(raw, str) else None


def _post(url: str, event: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    if not url.startswith(("http://", "https://")):
        raise ValueError("the webhook address must start with http:// or https://")
    request = urllib.request.Request(  # noqa: S310 (the scheme is checked above)
        url, data=json.dumps(event).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310 (the operator's URL)
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, {}


def replay(
    events: list[dict[str, Any]],
    *,
    url: str,
    speed: float | None = 1.0,
    progress: Callable[[int, int], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> Summary:
    summary = Summary()
    started = time.monotonic()
    previous: datetime | None = None
    for index, event in enumerate(events, start=1):
        when = _when(event)
        if speed and when is not None and previous is not None and when > previous:
            sleep(min(MAX_PAUSE, (when - previous).total_seconds() / speed))
        previous = when or previous
        try:
            status, body = _post(url, event)
        except (OSError, ValueError) as error:
            summary.errors.append(f"event {index}: {error}")
            continue
        summary.sent += 1
        if status != 200:
            summary.errors.append(f"event {index}: HTTP {status}")
        else:
            summary.results[str(body.get("result", ""))] += 1
        if progress is not None:
            progress(index, len(events))
    summary.seconds = time.monotonic() - started
    return summary
