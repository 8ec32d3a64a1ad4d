"""Models that point at a client, so that merge and unmerge move every one of them; and what other
apps erase with a client.

Each app registers its client-linked foreign keys in its ``AppConfig.ready``:

    from frontoffice.clients.registry import register_client_link
    register_client_link("desk.Visit", "client")

Apps built later are then included in merges without touching this app.
The clients app registers its own links (identifiers, contacts, addresses,
relationships, consents) below.

Erasure works the same way: an app whose records hold the person's data (files, signatures,
free text) registers a hook, and ``privacy.client_erase`` calls every hook inside its
transaction, after the client row is anonymised:

    from frontoffice.clients.registry import register_erasure_hook
    register_erasure_hook("desk", erase_desk_data)   # erase_desk_data(*, client, actor) -> counts

A hook changes rows only through the transaction it is given (so a failed erasure changes
nothing) and deletes stored files with ``transaction.on_commit``. It returns what it did as
counts (``{"documents": 2}``), which go into the erasure's audit entry; never values.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import models


@dataclass(frozen=True)
class ClientLink:
    model_label: str  # "app_label.ModelName"
    field_name: str

    @property
    def model(self) -> type[models.Model]:
        return apps.get_model(self.model_label)


_LINKS: dict[tuple[str, str], ClientLink] = {}


def register_client_link(model_label: str, field_name: str) -> None:
    _LINKS[(model_label, field_name)] = ClientLink(model_label, field_name)


def client_links() -> list[ClientLink]:
    return list(_LINKS.values())


ErasureHook = Callable[..., Mapping[str, int] | None]
_ERASURE_HOOKS: dict[str, ErasureHook] = {}


def register_erasure_hook(name: str, hook: ErasureHook) -> None:
    """``hook(*, client, actor)`` runs inside every client erasure; registering a name again replaces it."""
    _ERASURE_HOOKS[name] = hook


def erasure_hooks() -> dict[str, ErasureHook]:
    return dict(_ERASURE_HOOKS)


def run_erasure_hooks(*, client: Any, actor: Any) -> dict[str, dict[str, int]]:
    """Call every registered hook for ``client``; what each did, by the name it was registered with."""
    done: dict[str, dict[str, int]] = {}
    for name, hook in _ERASURE_HOOKS.items():
        counts = {key: int(value) for key, value in (hook(client=client, actor=actor) or {}).items() if value}
        if counts:
            done[name] = counts
    return done


# Links beside each phone number on the client page, offered by apps above this one (the interactions app
# offers "Log a call to …"), so that this app never names their URLs: ``action(*, user, client, number)``
# returns ``(label, url)``, or None when the user may not use it.
PhoneAction = Callable[..., tuple[str, str] | None]
_PHONE_ACTIONS: dict[str, PhoneAction] = {}


def register_phone_action(name: str, action: PhoneAction) -> None:
    _PHONE_ACTIONS[name] = action


def phone_actions(*, user: Any, client: Any, number: str) -> list[tuple[str, str]]:
    """The links other apps offer beside ``number`` for ``user``."""
    offered = (action(user=user, client=client, number=number) for action in _PHONE_ACTIONS.values())
    return [link for link in offered if link is not None]


for _label, _field in (
    ("clients.ClientIdentifier", "client"),
    ("clients.ClientContact", "client"),
    ("clients.ClientAddress", "client"),
    ("clients.ClientRelationship", "client"),
    ("clients.ClientRelationship", "related_client"),
    ("clients.Consent", "client"),
):
    register_client_link(_label, _field)
