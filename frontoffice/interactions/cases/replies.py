"""Reply senders per channel: the mail and chat areas plug in here.

``register_reply_channel("email", fn)`` with ``fn(*, case, body, actor) -> Interaction`` (the outbound
contact the channel recorded on the case). Without a sender for the case's channel the reply is recorded
as an outbound contact marked "to send manually" (``cases.services.case_reply``). The e-mail sender
also takes ``attachments`` (uploaded files); replies on other channels carry none.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

ReplySender = Callable[..., Any]
_SENDERS: dict[str, ReplySender] = {}


def register_reply_channel(channel: str, fn: ReplySender) -> ReplySender:
    _SENDERS[channel] = fn
    return fn


def unregister_reply_channel(channel: str) -> None:
    _SENDERS.pop(channel, None)


def sender_for(channel: str) -> ReplySender | None:
    return _SENDERS.get(channel)
