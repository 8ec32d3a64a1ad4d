"""The complaint hook: the complaint register (a later app) registers here to take up cases marked as complaints.

``register_complaint_hook(fn)``: ``fn(case=…, actor=…)`` is called inside the transaction that marks
the case, so a failing hook rolls the marking back (nothing is half done).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

ComplaintHook = Callable[..., Any]
_HOOKS: list[ComplaintHook] = []


def register_complaint_hook(fn: ComplaintHook) -> ComplaintHook:
    """Register ``fn(*, case, actor)``; registering the same function twice keeps one."""
    if fn not in _HOOKS:
        _HOOKS.append(fn)
    return fn


def unregister_complaint_hook(fn: ComplaintHook) -> None:
    if fn in _HOOKS:
        _HOOKS.remove(fn)


def complaint_hooks() -> list[ComplaintHook]:
    return list(_HOOKS)
