"""Human-readable numbers stay unique and gap-free, also under concurrent use."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction

from frontoffice.core.models import NumberSequence
from frontoffice.core.numbering import next_number
from tests.factories import OrganisationFactory


def test_numbers_count_per_organisation_prefix_and_year(db):
    zdrowie, lipy = OrganisationFactory(), OrganisationFactory()
    with transaction.atomic():
        first = next_number(organisation=zdrowie, prefix="V", year=2026)
        second = next_number(organisation=zdrowie, prefix="V", year=2026)
        other_org = next_number(organisation=lipy, prefix="V", year=2026)
        other_prefix = next_number(organisation=zdrowie, prefix="R", year=2026)
        next_year = next_number(organisation=zdrowie, prefix="V", year=2027)
    assert (first, second) == ("V-2026-000001", "V-2026-000002")
    assert other_org == "V-2026-000001"
    assert other_prefix == "R-2026-000001"
    assert next_year == "V-2027-000001"


def test_a_rolled_back_record_gives_its_number_back(db):
    organisation = OrganisationFactory()
    with pytest.raises(RuntimeError), transaction.atomic():
        next_number(organisation=organisation, prefix="V", year=2026)
        raise RuntimeError("the record failed validation")
    with transaction.atomic():
        assert next_number(organisation=organisation, prefix="V", year=2026) == "V-2026-000001"


def test_numbers_are_only_handed_out_inside_a_transaction(db):
    organisation = OrganisationFactory()
    # pytest-django wraps each test in a transaction; leave it to check the guard.
    with pytest.raises(RuntimeError, match="inside the transaction"):
        connection.in_atomic_block, saved = False, connection.in_atomic_block
        try:
            next_number(organisation=organisation, prefix="V")
        finally:
            connection.in_atomic_block = saved


@pytest.mark.django_db(transaction=True)
def test_concurrent_callers_never_share_or_skip_a_number():
    organisation = OrganisationFactory()
    workers, per_worker = 6, 15
    results: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(workers)

    def take_numbers() -> None:
        try:
            start.wait()
            for _ in range(per_worker):
                with transaction.atomic():
                    number = next_number(organisation=organisation, prefix="T", year=2026)
                with lock:
                    results.append(number)
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=take_numbers) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not errors, errors
    expected = {f"T-2026-{n:06d}" for n in range(1, workers * per_worker + 1)}
    assert len(results) == workers * per_worker
    assert set(results) == expected
    assert NumberSequence.objects.get(organisation=organisation, key="T").last_value == workers * per_worker
