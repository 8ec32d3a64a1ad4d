"""Handover summary providers: other parts of the desk add a block to every shift handover.

The cash drawer, for example, reports the drawer sessions closed since the last handover
(counted amount, discrepancy). A provider is registered once, usually in
``DeskConfig.ready`` or the area's own ``ready`` hook, without touching the handover code::

    from frontoffice.desk.handover_summaries import (
        HandoverSummaryProvider, SummaryBlock, register_handover_summary,
    )

    def drawer_summary(context):
        sessions = closed_sessions(branch=context.branch, since=context.since, until=context.until)
        if not sessions:
            return None                      # nothing to report: no block
        return SummaryBlock(
            title=_("Cash drawer"),
            lines=[(session.clerk_name, _("counted %(amount)s, difference %(diff)s") % {...})
                   for session in sessions],
            tone="warn" if any(s.discrepancy for s in sessions) else "",
        )

    register_handover_summary(HandoverSummaryProvider(key="drawer", build=drawer_summary, order=10))

When a handover is written, every provider's ``build(context)`` runs inside the same
transaction and its block is **stored on the handover** (``Handover.summaries``, plain
strings in the writer's language): the next shift reads what was handed over, not a
figure recomputed later. The write form shows the same blocks as a preview.

``context`` is a ``HandoverContext``: the ``branch``, the ``author`` (the user writing),
``since`` (when the branch's previous handover was written; None for the first one)
and ``until`` (now). A provider that raises does not stop the handover: the error is
logged and the block says the summary could not be made.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class HandoverContext:
    branch: Any
    author: Any
    since: datetime | None
    until: datetime


@dataclass(frozen=True)
class SummaryBlock:
    title: str | Promise
    lines: list[tuple[str | Promise, str | Promise]] = field(default_factory=list)  # (label, value)
    text: str | Promise = ""  # a sentence under the title, instead of or besides the lines
    tone: str = ""  # "" or "warn": a block that needs the next shift's attention

    def as_data(self, key: str) -> dict[str, Any]:
        return {
            "key": key,
            "title": str(self.title),
            "text": str(self.text),
            "tone": self.tone if self.tone in ("", "warn") else "",
            "lines": [[str(label), str(value)] for label, value in self.lines],
        }


@dataclass(frozen=True)
class HandoverSummaryProvider:
    key: str  # stable and unique, e.g. "drawer"
    build: Callable[[HandoverContext], SummaryBlock | None]
    order: int = 100


_PROVIDERS: dict[str, HandoverSummaryProvider] = {}


def register_handover_summary(provider: HandoverSummaryProvider) -> None:
    """Add (or replace, by ``key``) a provider; safe to call again on every ``ready``."""
    _PROVIDERS[provider.key] = provider


def unregister_handover_summary(key: str) -> None:
    _PROVIDERS.pop(key, None)


def summary_providers() -> list[HandoverSummaryProvider]:
    return sorted(_PROVIDERS.values(), key=lambda provider: (provider.order, provider.key))


def collect_summaries(context: HandoverContext) -> list[dict[str, Any]]:
    """Every provider's block for ``context``, as JSON-ready dicts, in provider order."""
    blocks = []
    for provider in summary_providers():
        try:
            with transaction.atomic():  # a savepoint: a failing query must not break the handover's transaction
                block = provider.build(context)
        except Exception:
            logger.exception("Handover summary provider %r failed", provider.key)
            block = SummaryBlock(title=provider.key, text=_("This summary could not be made."), tone="warn")
        if block is not None:
            blocks.append(block.as_data(provider.key))
    return blocks
