"""The state machine of each vertical, and the hooks other parts attach to transitions.

Pure: nothing here touches the database. ``services.visit_transition`` asks
``check_transition`` whether a move is allowed, then runs every registered guard
(which may refuse it with a ValidationError), performs the move, and runs every
registered "after" callback inside the same transaction.

Statuses per vertical (``VisitStatus``)::

    clinic          planned → arrived → in_progress → finished
                    planned → cancelled | no_show;  arrived → cancelled
    hotel           booked → checked_in → checked_out   (before the departure date: an early departure)
                    booked → cancelled | no_show;  room changes while checked in (not a status)
    retail, office  open → paid → fulfilled;  paid | fulfilled → returned (return with refund)
                    open → cancelled

Cancelling a booking and voiding an open sale are not in the issue's list; they are
here because a desk cannot work without them (a guest who calls off, an abandoned till).

Hooks. Another part of the system registers, usually in its ``AppConfig.ready``::

    from frontoffice.desk.workflow import register_guard, register_after

    def settled_folio(visit, to_status, actor):      # raise ValidationError to refuse
        if balance_of(visit) > 0:
            raise ValidationError(_("Settle the folio before check-out."))

    register_guard(settled_folio, to_status=VisitStatus.CHECKED_OUT, vertical=BusinessKind.HOTEL)
    register_after(consume_supplies, to_status=VisitStatus.FINISHED)

A guard runs with the visit locked and before anything is written; an "after" callback
runs after the status change is saved, in the same transaction (so its failure undoes the
transition). Work outside the database (e-mail, SMS) belongs in ``transaction.on_commit``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from frontoffice.core.choices import BusinessKind

from .choices import VisitStatus as S

INITIAL: dict[str, str] = {
    BusinessKind.CLINIC: S.PLANNED,
    BusinessKind.HOTEL: S.BOOKED,
    BusinessKind.RETAIL: S.OPEN,
    BusinessKind.OFFICE: S.OPEN,
}

_SALE: dict[str, tuple[str, ...]] = {
    S.OPEN: (S.PAID, S.CANCELLED),
    S.PAID: (S.FULFILLED, S.RETURNED),
    S.FULFILLED: (S.RETURNED,),
}

TRANSITIONS: dict[str, dict[str, tuple[str, ...]]] = {
    BusinessKind.CLINIC: {
        S.PLANNED: (S.ARRIVED, S.CANCELLED, S.NO_SHOW),
        S.ARRIVED: (S.IN_PROGRESS, S.CANCELLED),
        S.IN_PROGRESS: (S.FINISHED,),
    },
    BusinessKind.HOTEL: {
        S.BOOKED: (S.CHECKED_IN, S.CANCELLED, S.NO_SHOW),
        S.CHECKED_IN: (S.CHECKED_OUT,),
    },
    BusinessKind.RETAIL: _SALE,
    BusinessKind.OFFICE: _SALE,
}

# Statuses after which the desk has nothing left to do today (a fulfilled sale may still come back, but
# through a search, not from the day's list).
DONE = frozenset({S.FINISHED, S.CANCELLED, S.NO_SHOW, S.CHECKED_OUT, S.FULFILLED, S.RETURNED})

# A transition into one of these needs a reason from the clerk.
NEEDS_REASON = frozenset({S.CANCELLED, S.RETURNED})


def statuses_of(vertical: str) -> list[str]:
    """Every status a visit of ``vertical`` can have, in the order of the flow."""
    seen = [INITIAL[vertical]]
    for source, targets in TRANSITIONS[vertical].items():
        for status in (source, *targets):
            if status not in seen:
                seen.append(status)
    return seen


def next_statuses(vertical: str, status: str) -> tuple[str, ...]:
    return TRANSITIONS.get(vertical, {}).get(status, ())


def is_final(vertical: str, status: str) -> bool:
    return not next_statuses(vertical, status)


def check_transition(vertical: str, from_status: str, to_status: str) -> None:
    """Raise a ValidationError naming both statuses when ``from_status → to_status`` is not allowed."""
    if to_status in next_statuses(vertical, from_status):
        return
    raise ValidationError(
        _("A visit cannot go from “%(from)s” to “%(to)s”.") % {"from": _label(from_status), "to": _label(to_status)},
        code="invalid_transition",
    )


def _label(status: str) -> str:
    try:
        return str(S(status).label)
    except ValueError:
        return status


# --- hooks ------------------------------------------------------------------------------------

Hook = Callable[[Any, str, Any], None]  # (visit, to_status, actor)


@dataclass(frozen=True)
class _Registered:
    hook: Hook
    to_status: str | None  # None: every transition
    vertical: str | None  # None: every vertical

    def applies(self, vertical: str, to_status: str) -> bool:
        return (self.to_status is None or self.to_status == to_status) and (
            self.vertical is None or self.vertical == vertical
        )


_GUARDS: list[_Registered] = []
_AFTER: list[_Registered] = []


def register_guard(hook: Hook, *, to_status: str | None = None, vertical: str | None = None) -> None:
    """``hook(visit, to_status, actor)`` may refuse the transition by raising ValidationError."""
    entry = _Registered(hook, to_status, vertical)
    if entry not in _GUARDS:  # ready() may run twice in tests
        _GUARDS.append(entry)


def register_after(hook: Hook, *, to_status: str | None = None, vertical: str | None = None) -> None:
    """``hook(visit, to_status, actor)`` runs after the transition is saved, in its transaction."""
    entry = _Registered(hook, to_status, vertical)
    if entry not in _AFTER:
        _AFTER.append(entry)


def unregister(hook: Hook) -> None:
    """Remove ``hook`` from guards and callbacks (tests that register their own)."""
    _GUARDS[:] = [entry for entry in _GUARDS if entry.hook is not hook]
    _AFTER[:] = [entry for entry in _AFTER if entry.hook is not hook]


def guards_for(vertical: str, to_status: str) -> list[Hook]:
    return [entry.hook for entry in _GUARDS if entry.applies(vertical, to_status)]


def after_hooks_for(vertical: str, to_status: str) -> list[Hook]:
    return [entry.hook for entry in _AFTER if entry.applies(vertical, to_status)]


def run_guards(visit: Any, to_status: str, actor: Any) -> None:
    """Every applicable guard; all refusals are collected, so the clerk sees every reason at once."""
    messages: list[str] = []
    for guard in guards_for(visit.vertical, to_status):
        try:
            guard(visit, to_status, actor)
        except ValidationError as error:
            messages.extend(error.messages)
    if messages:
        raise ValidationError(messages, code="guard")
