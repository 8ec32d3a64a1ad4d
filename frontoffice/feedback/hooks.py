"""Registries through which the apps above take part in feedback without feedback importing them.

- ``register_low_score_handler(fn)``: ``fn(low: LowScore) -> str`` is called, inside the transaction
  that submits a response, for a detractor (NPS 0–6) or a low CSAT (1–2) with a comment; it opens a
  follow-up and returns a short label of what it opened (kept on the response). interactions fills it.
- ``register_complaint_converter(fn)``: ``fn(*, response, actor) -> str`` turns a response into a
  complaint; the complaint register (a later app) fills it, and the "convert to complaint" button is
  shown only once it has.
- ``register_source(kind, resolver)``: ``resolver(*, user, pk) -> Source | None`` tells feedback what a
  ``source_type`` such as ``desk.visit`` is (its branch, client, label, link), scoped to ``user``, so the
  desk tablet can be bound to "the visit just finished".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class LowScore:
    response: Any
    invitation: Any
    score: int
    comment: str


@dataclass(frozen=True)
class Source:
    kind: str
    pk: str
    branch: Any
    client: Any
    label: str
    url: str = ""
    served_by: Any = None


LowScoreHandler = Callable[[LowScore], str]
ComplaintConverter = Callable[..., str]
SourceResolver = Callable[..., Source | None]

_LOW_SCORE: list[LowScoreHandler] = []
_CONVERTERS: list[ComplaintConverter] = []
_SOURCES: dict[str, SourceResolver] = {}


def register_low_score_handler(fn: LowScoreHandler) -> LowScoreHandler:
    if fn not in _LOW_SCORE:  # ready() may run twice in tests
        _LOW_SCORE.append(fn)
    return fn


def unregister_low_score_handler(fn: LowScoreHandler) -> None:
    if fn in _LOW_SCORE:
        _LOW_SCORE.remove(fn)


def low_score_handlers() -> list[LowScoreHandler]:
    return list(_LOW_SCORE)


def register_complaint_converter(fn: ComplaintConverter) -> ComplaintConverter:
    if fn not in _CONVERTERS:
        _CONVERTERS.append(fn)
    return fn


def unregister_complaint_converter(fn: ComplaintConverter) -> None:
    if fn in _CONVERTERS:
        _CONVERTERS.remove(fn)


def complaint_converter() -> ComplaintConverter | None:
    return _CONVERTERS[0] if _CONVERTERS else None


def register_source(kind: str, resolver: SourceResolver) -> None:
    _SOURCES[kind] = resolver


def resolve_source(*, kind: str, pk: str, user: Any) -> Source | None:
    resolver = _SOURCES.get(kind)
    return resolver(user=user, pk=pk) if resolver is not None else None
