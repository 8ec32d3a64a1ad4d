"""The demo is loaded once for all the tests that read it (loading it takes about a minute).

``demo`` commits the demo into the test database when the first demo test starts and empties the
database again after the last one; each test still runs in its own transaction, rolled back at its end
(so a test's second ``load_demo()``, proving the loaders idempotent, leaves nothing behind). The tests
are one group for xdist (the root ``conftest.py``), so one worker loads the demo once instead of each worker
loading it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import translation

from frontoffice.core.demo import load_demo


@pytest.fixture(scope="package")
def demo(django_db_setup: Any, django_db_blocker: Any) -> Iterator[list[Any]]:
    with django_db_blocker.unblock(), override_settings(LANGUAGE_CODE="en"), translation.override("en"):
        organisations = load_demo()
    yield organisations
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0, reset_sequences=False)
