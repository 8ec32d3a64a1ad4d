"""``reports_dictionary``: print the metric dictionary as Markdown (``docs/metrics.md`` is its output)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import translation

from ...dictionary import markdown


class Command(BaseCommand):
    help = "Print the metric dictionary as Markdown, in English (docs/metrics.md)."

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override("en"):
            self.stdout.write(markdown(), ending="")
