"""Home-page card: shift handovers waiting for the user's acknowledgement, and the open items."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from frontoffice.core.dashboard import Card, CardProvider

from . import selectors_handover
from .permissions import DeskPermission


def _handovers(user: Any) -> Card | None:
    if not user.has_perm(DeskPermission.VIEW_VISITS.perm):
        return None
    waiting = list(selectors_handover.waiting_for(user=user)[:6])
    count = selectors_handover.waiting_for(user=user).count()
    return Card(
        title=_("Shift handovers to acknowledge"),
        figure=count,
        caption=ngettext("handover waiting", "handovers waiting", count),
        items=[
            (
                handover.branch.name,
                formats.date_format(timezone.localtime(handover.written_at), "SHORT_DATETIME_FORMAT")
                + " · "
                + (
                    handover.written_by.get_full_name() or handover.written_by.get_username()
                    if handover.written_by
                    else "—"
                ),
            )
            for handover in waiting
        ],
        url=reverse("desk:handover_list"),
        link_label=_("Open the handover log"),
        empty=_("Nothing waiting: every handover has been read."),
        tone="warn" if count else "ok",
    )


CARDS = [CardProvider(roles=frozenset({"clerk", "agent", "manager"}), build=_handovers, order=20)]
