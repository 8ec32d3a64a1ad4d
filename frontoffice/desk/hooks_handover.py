"""What the handover log and documents plug into when the app is ready (called from ``DeskConfig.ready``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from .actions import VisitAction, register_visit_action
from .permissions import DocumentPermission


def register() -> None:
    # A "Documents" button on every visit (day page row and visit page) for those who may see them.
    register_visit_action(
        VisitAction(
            slot="other",
            label=_("Documents"),
            url_name="desk:visit_documents",
            permissions=(DocumentPermission.VIEW_DOCUMENTS.perm,),
        )
    )
