"""Reads of clients, scoped to the user's organisation (clients are visible to every branch)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from frontoffice.core.scoping import scope_queryset

from .models import Client


def client_queryset(*, user: Any, include_inactive: bool = False) -> QuerySet[Client]:
    """Clients of the user's organisation; merged-away and erased ones only when asked."""
    clients = scope_queryset(Client.objects.all(), user, branch_field=None)
    if not include_inactive:
        clients = clients.filter(replaced_by__isnull=True, erased_at__isnull=True)
    return clients


def client_get(*, user: Any, pk: int, follow_merges: bool = True) -> Client:
    """One client; a merged-away client leads to the survivor when ``follow_merges``."""
    try:
        client = client_queryset(user=user, include_inactive=True).get(pk=pk)
    except (Client.DoesNotExist, ValueError):
        raise Http404 from None
    seen = {client.pk}
    while follow_merges and client.replaced_by_id is not None and client.replaced_by_id not in seen:
        seen.add(client.replaced_by_id)
        client = client_queryset(user=user, include_inactive=True).get(pk=client.replaced_by_id)
    return client


def clients_with_phones(*, organisation_id: int, phones: Iterable[str], limit: int = 5) -> dict[str, list[Client]]:
    """``clients_with_contact`` for many phone numbers at once (a batch of calls), in one query: the clients at
    each number, keyed by the number as given; numbers with no client are left out."""
    from .choices import ContactKind
    from .models import ClientContact
    from .normalise import normalise_phone

    given: dict[str, list[str]] = {}
    for phone in phones:
        value = normalise_phone(phone) or ""
        if value:
            given.setdefault(value, []).append(phone)
    if not given:
        return {}
    contacts = ClientContact.objects.filter(
        organisation_id=organisation_id,
        kind=ContactKind.PHONE,
        value__in=list(given),
        client__organisation_id=organisation_id,
        client__replaced_by__isnull=True,
        client__erased_at__isnull=True,
    )
    clients: dict[str, list[Client]] = {}
    for contact in contacts.select_related("client").order_by("client_id"):
        found = clients.setdefault(contact.value, [])
        if len(found) < limit and contact.client not in found:
            found.append(contact.client)
    return {phone: clients[value] for value, phones in given.items() if value in clients for phone in phones}


def clients_with_contact(*, organisation_id: int, phone: str = "", email: str = "", limit: int = 5) -> list[Client]:
    """Active clients of one organisation whose phone or e-mail on file is this one (for matching a caller
    or a sender to a client). ``phone`` may be in any format; it is compared in E.164."""
    from .choices import ContactKind
    from .models import ClientContact
    from .normalise import normalise_email

    if phone:
        return clients_with_phones(organisation_id=organisation_id, phones=[phone], limit=limit).get(phone, [])
    value = normalise_email(email)
    if not value:
        return []
    client_ids = (
        ClientContact.objects.filter(organisation_id=organisation_id, kind=ContactKind.EMAIL, value=value)
        .values_list("client_id", flat=True)
        .distinct()
    )
    return list(
        Client.objects.filter(
            pk__in=client_ids, organisation_id=organisation_id, replaced_by__isnull=True, erased_at__isnull=True
        ).order_by("pk")[:limit]
    )
