"""Clock-driven jobs of the feedback app (run by the worker's sweep, see core/periodic.py)."""

from __future__ import annotations

from datetime import datetime

from frontoffice.core.periodic import periodic

from . import services


@periodic("feedback.send_due")
def send_due(now: datetime) -> int:
    """Queue the e-mail or SMS of every invitation whose delay has passed; expire the unanswered."""
    return services.send_due(now)


@periodic("feedback.relationship")
def relationship(now: datetime) -> int:
    """The periodic relationship (NPS) survey: each rule invites its next batch at most once a day."""
    return services.relationship_run(now)
