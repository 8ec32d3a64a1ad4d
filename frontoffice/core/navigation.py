"""The menu is data: each app lists its items in ``menu.py``; the shell filters them by permission."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from importlib import import_module
from typing import Any

from django.apps import apps
from django.urls import get_script_prefix, reverse
from django.utils.functional import Promise


@dataclass(frozen=True)
class MenuItem:
    label: str | Promise
    url_name: str
    permissions: tuple[str, ...] = ()  # all are required
    section: str | Promise = ""
    order: int = 100
    match_prefix: str = ""  # marks the item current for deeper pages too
    extra: dict[str, Any] = field(default_factory=dict)

    def visible_to(self, user: Any) -> bool:
        return user.is_authenticated and all(user.has_perm(p) for p in self.permissions)

    @property
    def url(self) -> str:
        return _menu_url(self.url_name, get_script_prefix())


@cache
def _menu_url(url_name: str, script_prefix: str) -> str:
    """A menu item's URL: every page shows the menu, and its URLs change only with the script prefix."""
    return reverse(url_name)


@cache
def all_menu_items() -> tuple[MenuItem, ...]:
    items: list[MenuItem] = []
    for app_config in apps.get_app_configs():
        if not app_config.name.startswith("frontoffice."):
            continue
        try:
            module = import_module(f"{app_config.name}.menu")
        except ModuleNotFoundError as error:
            if error.name != f"{app_config.name}.menu":
                raise
            continue
        items.extend(module.MENU)
    return tuple(sorted(items, key=lambda item: item.order))


def menu_for(user: Any, current_path: str = "") -> list[dict[str, Any]]:
    visible = [(item, item.url) for item in all_menu_items() if item.visible_to(user)]
    # One current item: an exact URL, else the longest match_prefix (so "/clients/new/"
    # beats "/clients/"); "/me/" never lights up on "/me/tokens/" without a prefix.
    current = next((item for item, url in visible if url == current_path), None)
    if current is None:
        prefixed = [item for item, _url in visible if item.match_prefix and current_path.startswith(item.match_prefix)]
        current = max(prefixed, key=lambda item: len(item.match_prefix), default=None)
    return [
        {"label": item.label, "url": url, "section": item.section, "current": item is current} for item, url in visible
    ]
