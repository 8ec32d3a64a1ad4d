"""Inbound SMS adapters: turn a gateway's webhook request into (sender, text) pairs.

Pick one with ``FRONTOFFICE_SMS_INBOUND_ADAPTER`` (a dotted path). The local one, the default, takes
JSON ``{"from": "+48600100200", "text": "9"}`` or a list of such objects; a gateway with another format
gets a class with the same ``parse(request)`` method.
"""

from __future__ import annotations

import json
from typing import Any, Protocol

from django.conf import settings
from django.utils.module_loading import import_string


class InboundSmsAdapter(Protocol):
    def parse(self, request: Any) -> list[tuple[str, str]]: ...


class LocalJsonAdapter:
    def parse(self, request: Any) -> list[tuple[str, str]]:
        try:
            payload = json.loads(request.body or b"null")
        except (ValueError, UnicodeDecodeError):
            raise ValueError("body is not JSON") from None
        items = payload if isinstance(payload, list) else [payload]
        messages = []
        for item in items[:100]:
            if (
                not isinstance(item, dict)
                or not isinstance(item.get("from"), str)
                or not isinstance(item.get("text"), str)
            ):
                raise ValueError('each message needs "from" and "text" strings')
            if "\x00" in item["from"] or "\x00" in item["text"]:
                raise ValueError("NUL byte in a message")
            messages.append((item["from"][:32], item["text"][:1600]))
        return messages


def get_inbound_sms_adapter() -> InboundSmsAdapter:
    return import_string(settings.FEEDBACK_SMS_INBOUND_ADAPTER)()
