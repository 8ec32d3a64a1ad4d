"""Queue fixtures: two services at ``branch`` (registration ``A``, results ``B``), two counters, a board."""

from __future__ import annotations

import pytest

from frontoffice.desk import services_queue


@pytest.fixture
def registration(branch, manager):
    return services_queue.queue_service_save(branch=branch, actor=manager, name="Rejestracja", prefix="A")


@pytest.fixture
def results(branch, manager):
    return services_queue.queue_service_save(branch=branch, actor=manager, name="Odbiór wyników", prefix="B")


@pytest.fixture
def window1(branch, manager, registration, results):
    return services_queue.counter_save(branch=branch, actor=manager, name="Okienko 1", services=[registration, results])


@pytest.fixture
def window2(branch, manager, registration):
    return services_queue.counter_save(branch=branch, actor=manager, name="Okienko 2", services=[registration])


@pytest.fixture
def board(branch, manager):
    return services_queue.board_screen_create(branch=branch, actor=manager, name="Poczekalnia, parter")


@pytest.fixture
def kiosk(branch, manager):
    return services_queue.board_screen_create(branch=branch, actor=manager, name="Kiosk przy wejściu", kind="kiosk")
