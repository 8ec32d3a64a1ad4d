"""Home-page card: the last week's survey responses at the user's branches, and how many need a follow-up."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from frontoffice.core.dashboard import Card, CardProvider

from . import selectors
from .permissions import FeedbackPermission


def _last_week(user: Any) -> Card | None:
    if not user.has_perm(FeedbackPermission.VIEW_FEEDBACK.perm):
        return None
    since = (timezone.localdate() - timedelta(days=7)).isoformat()
    week = selectors.response_list(
        user=user, filters=selectors.ResponseFilters(date_from=timezone.localdate() - timedelta(days=7))
    )
    figures = week.aggregate(total=Count("pk"), low=Count("pk", filter=Q(is_low=True)))
    total, low = figures["total"], figures["low"]
    return Card(
        title=_("Client feedback this week"),
        figure=total,
        caption=ngettext("response", "responses", total),
        items=[(_("Low scores with a follow-up"), str(low))] if total else [],
        url=reverse("feedback:response_list") + f"?date_from={since}",
        link_label=_("Open the responses"),
        empty=_("No responses this week."),
        tone="warn" if low else "ok",
    )


CARDS = [CardProvider(roles=frozenset({"manager", "executive", "agent"}), build=_last_week, order=60)]
