"""Clock-driven jobs of the supplies app (run by the worker's sweep, see core/periodic.py)."""

from __future__ import annotations

from datetime import datetime

from frontoffice.core.periodic import periodic

from . import alerts


@periodic("supplies.low_stock_digest")
def low_stock_digest(now: datetime) -> int:
    """The daily e-mail to each location's owner listing the items at or below their reorder point."""
    return alerts.low_stock_digest(now)
