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


def actions_for(user: Any, visit: Any) -> list[dict[str, Any]]:
    found = [action for action in _ACTIONS if action.applies(user, visit)]
    found.sort(key=lambda action: SLOTS.index(action.slot))
    return [
        {"slot": action.slot, "label": action.label, "url": reverse(action.url_name, kwargs={"pk": visit.pk})}
        for action in found
    ]
