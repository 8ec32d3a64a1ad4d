"""The coverage area's buttons on the day page and the visit page."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from frontoffice.core.choices import BusinessKind

from .actions import VisitAction, register_visit_action
from .choices import VisitStatus
from .permissions import DeskPermission


def register() -> None:
    register_visit_action(
        VisitAction(
            slot="other",
            label=_("Check eligibility"),
            url_name="desk:visit_eligibility",
            permissions=(DeskPermission.VIEW_VISITS.perm,),
            statuses=(VisitStatus.PLANNED, VisitStatus.ARRIVED, VisitStatus.IN_PROGRESS),
            verticals=(BusinessKind.CLINIC,),
        )
    )
    register_visit_action(
        VisitAction(
            slot="print",
            label=_("Registration cards"),
            url_name="desk:stay_cards",
            permissions=(DeskPermission.VIEW_VISITS.perm,),
            statuses=(VisitStatus.BOOKED, VisitStatus.CHECKED_IN, VisitStatus.CHECKED_OUT),
            verticals=(BusinessKind.HOTEL,),
        )
    )
