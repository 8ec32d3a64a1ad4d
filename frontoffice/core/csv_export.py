"""CSV downloads of report tables, written the way the project's other exports are: UTF-8 with a byte-order
mark (so a spreadsheet reads Polish letters right), commas, one header row.

A text cell that starts like a formula (``=``, ``+``, ``-``, ``@``, a tab or a carriage return) is prefixed
with an apostrophe: a spreadsheet would otherwise run it (CSV injection), and item names, reasons and notes
are typed by staff. Numbers are written as they are, so negative quantities stay numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.utils.functional import Promise

CONTENT_TYPE = "text/csv; charset=utf-8"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """``value`` ready for a CSV cell: empty for None, ISO for dates, text made inert when it looks like a formula."""
    if value is None:
        return ""
    if isinstance(value, bool | int | float | Decimal):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    text = str(value) if isinstance(value, Promise) else value
    if isinstance(text, str) and text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def csv_text(header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([safe_cell(cell) for cell in header])
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return buffer.getvalue()


def csv_response(filename: str, header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> HttpResponse:
    """A download named ``filename`` with ``header`` and ``rows`` (the caller keeps the name to ASCII)."""
    response = HttpResponse("\ufeff" + csv_text(header, rows), content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
