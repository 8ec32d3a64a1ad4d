"""How money plugs into the desk: transition guards and callbacks, and the buttons on a visit."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from frontoffice.core.choices import BusinessKind

from ..actions import VisitAction, register_visit_action
from ..choices import VisitStatus
from ..handover_summaries import HandoverSummaryProvider, register_handover_summary
from ..workflow import register_after, register_guard
from . import selectors, services
from .permissions import MoneyPermission

TAKE = MoneyPermission.TAKE_PAYMENTS.perm
VIEW = "desk.view_visits"


def register() -> None:
    register_handover_summary(HandoverSummaryProvider(key="drawer", build=selectors.drawer_handover_block, order=10))
    register_guard(services.settled_before_check_out, to_status=VisitStatus.CHECKED_OUT, vertical=BusinessKind.HOTEL)
    register_guard(
        services.nights_not_invoiced_before_early_departure,
        to_status=VisitStatus.CHECKED_OUT,
        vertical=BusinessKind.HOTEL,
    )
    for vertical in (BusinessKind.RETAIL, BusinessKind.OFFICE):
        register_guard(services.settled_before_paid, to_status=VisitStatus.PAID, vertical=vertical)
    register_after(services.post_default_charges, to_status=VisitStatus.ARRIVED, vertical=BusinessKind.CLINIC)
    register_after(services.post_default_charges, to_status=VisitStatus.CHECKED_IN, vertical=BusinessKind.HOTEL)
    register_after(
        services.recalculate_nights_on_early_departure, to_status=VisitStatus.CHECKED_OUT, vertical=BusinessKind.HOTEL
    )
    for status in (VisitStatus.CANCELLED, VisitStatus.NO_SHOW):
        register_after(services.void_default_charges, to_status=status)
    register_visit_action(
        VisitAction(
            slot="payment",
            label=_("Take payment"),
            url_name="desk:payment_take",
            permissions=(TAKE,),
            statuses=(
                VisitStatus.PLANNED,
                VisitStatus.ARRIVED,
                VisitStatus.IN_PROGRESS,
                VisitStatus.FINISHED,
                VisitStatus.BOOKED,
                VisitStatus.CHECKED_IN,
                VisitStatus.OPEN,
            ),
        )
    )
    register_visit_action(
        VisitAction(
            slot="print",
            label=_("Print receipt"),
            url_name="desk:receipt",
            permissions=(TAKE,),
            statuses=(
                VisitStatus.ARRIVED,
                VisitStatus.IN_PROGRESS,
                VisitStatus.FINISHED,
                VisitStatus.CHECKED_IN,
                VisitStatus.CHECKED_OUT,
                VisitStatus.PAID,
                VisitStatus.FULFILLED,
            ),
        )
    )
