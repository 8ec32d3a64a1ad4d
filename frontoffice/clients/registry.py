"""Models that point at a client, so that merge and unmerge move every one of them.

Each app registers its client-linked foreign keys in its ``AppConfig.ready``:

    from frontoffice.clients.registry import register_client_link
    register_client_link("desk.Visit", "client")

Apps built later are then included in merges without touching this app.
The clients app registers its own links (identifiers, contacts, addresses,
relationships, consents) below.
"""

from __future__ import annotations

from dataclasses import dataclass

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


for _label, _field in (
    ("clients.ClientIdentifier", "client"),
    ("clients.ClientContact", "client"),
    ("clients.ClientAddress", "client"),
    ("clients.ClientRelationship", "client"),
    ("clients.ClientRelationship", "related_client"),
    ("clients.Consent", "client"),
):
    register_client_link(_label, _field)
