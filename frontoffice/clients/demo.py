"""Demo clients: a small generated Polish population per organisation, with a few duplicates to review."""

from __future__ import annotations

from frontoffice.core.models import Organisation

from .models import Client
from .population import generate, insert

CLIENTS_PER_ORGANISATION = 60


def load(organisations: list[Organisation]) -> None:
    for seed, organisation in enumerate(organisations, start=1):
        if Client.objects.filter(organisation=organisation).exists():
            continue  # idempotent: the demo runs on every `make run` of an empty database
        population = generate(count=CLIENTS_PER_ORGANISATION, duplicates=0.1, seed=seed)
        ids = insert(organisation=organisation, people=population.people)
        # The injected near-copies show up on the manager's duplicate review page.
        copies = [ids[b] for _a, b, _kind in population.pairs]
        Client.objects.filter(pk__in=copies).update(needs_review=True)
