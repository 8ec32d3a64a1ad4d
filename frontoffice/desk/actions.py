"""Extra buttons on a visit (day page row, visit page), added by the parts built on the desk.

The day page and the visit page show, for each visit, the next transitions and then
every registered action that applies. The payments work registers "Take payment",
the documents work "Print", and so on, without touching the desk's templates::

    from frontoffice.desk.actions import VisitAction, register_visit_action

    register_visit_action(VisitAction(
        slot="payment", label=_("Take payment"), url_name="desk:payment_take",
        permissions=("desk.take_payments",), statuses=("arrived", "checked_in", "open"),
    ))

``url_name`` is reversed with the visit's ``pk``. ``slot`` orders the buttons:
``payment`` first, then ``print``, then ``other``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise

SLOTS = ("payment", "print", "other")


@dataclass(frozen=True)
class VisitAction:
    slot: str
    label: str | Promise
    url_name: str
    permissions: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()  # empty: every status
    verticals: tuple[str, ...] = ()  # empty: every vertical

    def applies(self, user: Any, visit: Any) -> bool:
        return (
            (not self.statuses or visit.status in self.statuses)
            and (not self.verticals or visit.vertical in self.verticals)
            and all(user.has_perm(perm) for perm in self.permissions)
        )


_ACTIONS: list[VisitAction] = []


def register_visit_action(action: VisitAction) -> None:
    if action.slot not in SLOTS:
        raise ValueError(f"slot must be one of {SLOTS}")
    if action not in _ACTIONS:
        _ACTIONS.append(action)


class VisitUrls:
    """Visit URLs for a page of many visits: each URL name is reversed once, then each visit's ``pk`` is
    put in (a day page of a few hundred visits otherwise spends much of its time in ``reverse``)."""

    _MARK = "2147483647"

    def __init__(self) -> None:
        self._patterns: dict[str, str] = {}

    def __call__(self, url_name: str, pk: int) -> str:
        pattern = self._patterns.get(url_name)
        if pattern is None:
            pattern = self._patterns[url_name] = reverse(url_name, kwargs={"pk": int(self._MARK)})
        return pattern.replace(self._MARK, str(pk), 1)


def visit_actions(user: Any, urls: VisitUrls | None = None) -> Callable[[Any], list[dict[str, Any]]]:
    """``actions_for`` prepared once for a page of visits: the user's permissions are checked once."""
    allowed = [action for action in _ACTIONS if all(user.has_perm(perm) for perm in action.permissions)]
    allowed.sort(key=lambda action: SLOTS.index(action.slot))
    url = urls or VisitUrls()

    def for_visit(visit: Any) -> list[dict[str, Any]]:
        return [
            {"slot": action.slot, "label": action.label, "url": url(action.url_name, visit.pk)}
            for action in allowed
            if (not action.statuses or visit.status in action.statuses)
            and (not action.verticals or visit.vertical in action.verticals)
        ]

    return for_visit


def actions_for(user: Any, visit: Any) -> list[dict[str, Any]]:
    return visit_actions(user)(visit)
