"""Home-page card: the user's open follow-ups, overdue first (collected through interactions/home.py)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from frontoffice.core.dashboard import Card, CardProvider

from .. import selectors
from ..permissions import InteractionPermission

SHOWN = 6


def _follow_ups(user: Any) -> Card | None:
    if not user.has_perm(InteractionPermission.LOG_INTERACTIONS.perm):
        return None
    now = timezone.now()
    open_ones = selectors.follow_ups_open_for(user=user)
    shown = list(open_ones[:SHOWN])  # soonest due first: the overdue ones lead
    count = len(shown) if len(shown) < SHOWN else open_ones.count()
    overdue = sum(1 for follow_up in shown if follow_up.due_at < now)
    items = []
    for follow_up in shown:
        when = formats.date_format(timezone.localtime(follow_up.due_at), "SHORT_DATETIME_FORMAT")
        if follow_up.due_at < now:
            when = _("overdue since %(when)s") % {"when": when}
        items.append((follow_up.note, when))
    return Card(
        title=_("My follow-ups"),
        figure=count,
        caption=ngettext("open follow-up", "open follow-ups", count),
        items=items,
        url=reverse("interactions:follow_up_list"),
        link_label=_("Open my follow-ups"),
        empty=_("No open follow-ups."),
        tone="warn" if overdue else "ok",
    )


CARDS = [CardProvider(roles=frozenset({"clerk", "agent", "manager", "admin"}), build=_follow_ups, order=25)]
