"""What the CTI webhook answers a ``newCall`` with, besides its result: Zammad's generic-CTI actions.

Zammad (``Integration::CtiController``) answers an inbound ``newCall`` from a blocked caller ID with
``{"action": "reject", "reason": "busy"}`` and an outbound ``newCall`` with a configured caller ID with
``{"action": "dial", "caller_id": "…", "number": "<to as sent>"}``; the PBX then rejects the call or dials
with that caller ID. Other events, and calls without either, get no action. Scripts written for Zammad read
these fields; ours keep ``result`` and ``contact_id`` beside them.
"""

from __future__ import annotations

from typing import Any

from ..choices import Direction, Outcome
from ..models import Call
from . import selectors_setup

REJECT = {"action": "reject", "reason": "busy"}


def is_blocked(*, branch_id: int, number: str) -> bool:
    """Whether the branch rejects calls from ``number`` (E.164; empty for an anonymous caller)."""
    return selectors_setup.blocked_number_active(branch_id=branch_id, number=number) is not None


def pbx_reply(*, kind: str, call: Call | None) -> dict[str, str]:
    """The action for the PBX: reject a blocked caller, or dial out with the branch's caller ID; else nothing.

    Asked again for a repeated ``newCall`` (a PBX retrying after a lost answer), it answers the same."""
    if kind != "newCall" or call is None:
        return {}
    interaction = call.interaction
    if interaction.direction == Direction.INBOUND:
        return dict(REJECT) if interaction.outcome == Outcome.BLOCKED else {}
    caller_id = selectors_setup.branch_phone_settings(branch_id=call.branch_id).outgoing_caller_id
    if not caller_id or not call.to_number:
        return {}
    return {"action": "dial", "caller_id": caller_id, "number": call.to_number}


def new_call_reply(*, branch_id: int, event: dict[str, Any], address: str) -> dict[str, str]:
    """The same actions decided from the event alone, before it is applied (the webhook's queued mode)."""
    if event.get("event") != "newCall":
        return {}
    if event.get("direction", "in") != "out":
        return dict(REJECT) if is_blocked(branch_id=branch_id, number=address) else {}
    caller_id = selectors_setup.branch_phone_settings(branch_id=branch_id).outgoing_caller_id
    number = event.get("to", "")
    if not caller_id or not number:
        return {}
    return {"action": "dial", "caller_id": caller_id, "number": number[:64]}
