"""Clock-driven job of the reports app (run by the worker's sweep, see core/periodic.py)."""

from __future__ import annotations

from datetime import datetime

from frontoffice.core.periodic import periodic

from .rollup import rollup


@periodic("reports.rollup")
def rollup_due(now: datetime) -> int:
    """Roll up the reporting events recorded since the last run (and the FCR of days that became final)."""
    return rollup(now=now)
