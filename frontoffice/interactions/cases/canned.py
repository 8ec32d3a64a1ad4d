"""Canned replies: a fixed set of variables filled in by plain substitution (never the template engine)."""

from __future__ import annotations

import re
from typing import Any

from ..models import CannedReply, Case

VARIABLE = re.compile(r"\{\{\s*([a-z_]+\.[a-z_]+)\s*\}\}")
VARIABLES = (
    "client.given_name",
    "client.family_name",
    "client.name",
    "case.number",
    "case.subject",
    "agent.first_name",
    "agent.last_name",
)


def _values(case: Case, agent: Any) -> dict[str, str]:
    client = case.client
    return {
        "client.given_name": client.given_name if client else "",
        "client.family_name": client.family_name if client else "",
        "client.name": client.display_name if client else "",
        "case.number": case.number,
        "case.subject": case.subject,
        "agent.first_name": getattr(agent, "first_name", "") or "",
        "agent.last_name": getattr(agent, "last_name", "") or "",
    }


def reply_language(case: Case) -> str:
    """The client's preferred language (Polish when there is no client)."""
    return case.client.preferred_language if case.client is not None else "pl"


def canned_render(*, canned: CannedReply, case: Case, agent: Any, language: str = "") -> str:
    """The text in the client's language (the other one when it is empty), variables filled in.

    Unknown variables are left as written, so a typo shows up instead of silently vanishing.
    """
    language = language or reply_language(case)
    first, second = (canned.body_en, canned.body_pl) if language == "en" else (canned.body_pl, canned.body_en)
    text = first or second
    values = _values(case, agent)
    return VARIABLE.sub(lambda match: values.get(match.group(1), match.group(0)), text)
