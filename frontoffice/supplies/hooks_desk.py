"""The supplies app's part in the desk's workflow: a finished visit books what its visit type uses.

The desk runs callbacks registered in ``desk.workflow``; it never imports this app.
"""

from __future__ import annotations

from typing import Any

from frontoffice.desk.choices import VisitStatus
from frontoffice.desk.workflow import register_after

from . import services

# The status at which each kind of visit is over and its supplies are used.
ENDS = (VisitStatus.FINISHED, VisitStatus.CHECKED_OUT)


def visit_ended(visit: Any, to_status: str, actor: Any) -> None:
    if visit.visit_type_id is None:
        return
    services.visit_finished(
        visit_id=visit.pk, visit_type_id=visit.visit_type_id, branch_id=visit.branch_id, actor=actor
    )


def register() -> None:
    for status in ENDS:
        register_after(visit_ended, to_status=status)
