"""Web chat fixtures: a widget on the clinic's website, always online, and a visitor's waiting chat."""

import pytest
from django.core.cache import cache

from frontoffice.interactions.chat import services as chat_services
from frontoffice.interactions.models.chat import HoursSource

SHOP = "https://www.przychodnia-testowa.example"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Rate-limit counters live in the cache: every test starts with none."""
    cache.clear()


@pytest.fixture
def widget(branch, manager):
    return chat_services.widget_create(
        branch=branch,
        actor=manager,
        name="Strona przychodni",
        allowed_origins=SHOP,
        greeting_en="Hello! How can we help?",
        greeting_pl="Dzień dobry! W czym możemy pomóc?",
        hours_source=HoursSource.ALWAYS,
    )


@pytest.fixture
def waiting_chat(widget):
    """Ewa Nowak asks about her results and waits for an agent."""
    return chat_services.chat_start(
        widget=widget, name="Ewa Nowak", email="ewa.nowak@example.invalid", text="Czy są już moje wyniki?"
    )
