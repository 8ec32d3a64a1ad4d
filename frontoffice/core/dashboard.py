"""Home-page cards: each app offers cards in ``home.py``; the home view shows those meant for the user's roles."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from importlib import import_module
from typing import Any

from django.apps import apps
from django.utils.functional import Promise


@dataclass
class Card:
    title: str | Promise
    figure: int | str | None = None
    caption: str | Promise = ""
    items: list[tuple[Any, Any]] = field(default_factory=list)  # (label, value)
    url: str = ""
    link_label: str | Promise = ""
    empty: str | Promise = ""
    tone: str = ""  # "", "warn" or "ok"


@dataclass(frozen=True)
class CardProvider:
    roles: frozenset[str]
    build: Callable[[Any], Card | None]
    order: int = 100


@cache
def all_providers() -> tuple[CardProvider, ...]:
    providers: list[CardProvider] = []
    for app_config in apps.get_app_configs():
        if not app_config.name.startswith("frontoffice."):
            continue
        try:
            module = import_module(f"{app_config.name}.home")
        except ModuleNotFoundError as error:
            if error.name != f"{app_config.name}.home":
                raise
            continue
        providers.extend(module.CARDS)
    return tuple(sorted(providers, key=lambda provider: provider.order))


def cards_for(user: Any, roles: frozenset[str]) -> list[Card]:
    cards = []
    for provider in all_providers():
        if provider.roles & roles:
            card = provider.build(user)
            if card is not None:
                cards.append(card)
    return cards
