"""The case workspace's home-page card: SLA escalations sent to the user whose clocks still run."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from frontoffice.core.dashboard import Card, CardProvider

from ..sla.policy import EscalationMoment, SlaTarget
from .selectors import escalations_for

WORKERS = frozenset({"clerk", "agent", "manager", "executive", "admin"})


def _escalations(user: Any) -> Card | None:
    notices = list(escalations_for(user=user)[:5])
    if not notices:
        return None
    return Card(
        title=_("SLA escalations"),
        figure=len(notices),
        caption=_("cases near or past their deadline"),
        items=[
            (
                f"{notice.case.number} · {SlaTarget(notice.clock.target).label}",
                EscalationMoment(notice.step_key.split(":")[1]).label,
            )
            for notice in notices
        ],
        url=reverse("interactions:case_list") + "?tab=breaching",
        link_label=_("Open the cases breaching soon"),
        tone="warn",
    )


CARDS = [CardProvider(roles=WORKERS, build=_escalations, order=30)]
