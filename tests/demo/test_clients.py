"""The demo gives every organisation clients to search, with a few duplicates to review."""

from frontoffice.clients.demo import CLIENTS_PER_ORGANISATION
from frontoffice.clients.models import Client
from frontoffice.core.demo import load_demo


def test_the_demo_adds_clients_once_with_duplicates_flagged(demo, db):
    organisations = demo
    load_demo()  # idempotent
    for organisation in organisations:
        clients = Client.objects.filter(organisation=organisation)
        assert clients.count() == CLIENTS_PER_ORGANISATION
        assert clients.filter(needs_review=True).exists()
