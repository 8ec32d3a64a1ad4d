"""Core's home-page cards: today's opening hours, recent changes, outgoing messages."""

from __future__ import annotations

from typing import Any

from django.contrib.humanize.templatetags.humanize import naturaltime
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .choices import MessageStatus
from .dashboard import Card, CardProvider
from .selectors import audit_list, branches_today, message_list

EVERYONE = frozenset({"clerk", "agent", "security", "manager", "executive", "admin"})


def _branches_today(user: Any) -> Card:
    rows = branches_today(user=user)
    items = []
    for row in rows:
        hours = ", ".join(f"{start:%H:%M}–{end:%H:%M}" for start, end in row.periods) or _("closed today")
        state = _("open now") if row.open_now else _("closed now")
        items.append((row.branch.name, f"{hours} · {state}"))
    open_count = sum(1 for row in rows if row.open_now)
    return Card(
        title=_("Your branches today"),
        figure=open_count,
        caption=_("open now"),
        items=items,
        empty=_("You are not assigned to any branch yet."),
    )


def _recent_changes(user: Any) -> Card:
    since = timezone.now() - timezone.timedelta(days=1)
    entries = audit_list(user=user, since=since)
    latest = list(entries[:5])
    total = entries.count()
    return Card(
        title=_("Changes in the last 24 hours"),
        figure=total,
        caption=ngettext("recorded action", "recorded actions", total),
        items=[(f"{entry.summary} ({entry.actor or _('system')})", naturaltime(entry.created_at)) for entry in latest],
        url=reverse("core:audit_list"),
        link_label=_("Open the audit log"),
        empty=_("Nothing has changed in the last 24 hours."),
    )


def _messages(user: Any) -> Card:
    counts = dict(message_list(user=user).values_list("status").annotate(n=Count("id")).order_by())
    failed = counts.get(MessageStatus.FAILED, 0)
    return Card(
        title=_("Outgoing e-mail and SMS"),
        figure=counts.get(MessageStatus.QUEUED, 0),
        caption=_("waiting to be sent"),
        items=[(_("Sent"), counts.get(MessageStatus.SENT, 0)), (_("Failed"), failed)],
        url=reverse("core:message_list"),
        link_label=_("Open outgoing messages"),
        tone="warn" if failed else "",
    )


CARDS = [
    CardProvider(roles=EVERYONE, build=_branches_today, order=10),
    CardProvider(roles=frozenset({"manager", "executive", "admin"}), build=_recent_changes, order=60),
    CardProvider(roles=frozenset({"admin"}), build=_messages, order=70),
]
