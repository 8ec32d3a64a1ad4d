"""Human-readable numbers stay unique and gap-free, also under concurrent use."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction

from frontoffice.core.models import NumberSequence
from frontoffice.core.numbering import next_number, next_numbers
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


# --- several numbers at once (bulk writes) ------------------------------------------------------


def test_a_block_of_numbers_continues_the_sequence_without_gaps(db):
    organisation = OrganisationFactory()
    with transaction.atomic():
        single = next_number(organisation=organisation, prefix="K", year=2026)
        block = next_numbers(organisation=organisation, prefix="K", count=3, year=2026)
        after = next_number(organisation=organisation, prefix="K", year=2026)
    assert single == "K-2026-000001"
    assert block == ["K-2026-000002", "K-2026-000003", "K-2026-000004"]
    assert after == "K-2026-000005"


def test_the_first_block_of_a_year_starts_at_one_and_honours_the_width(db):
    organisation = OrganisationFactory()
    with transaction.atomic():
        block = next_numbers(organisation=organisation, prefix="K", count=2, year=2027, width=3)
    assert block == ["K-2027-001", "K-2027-002"]
    assert NumberSequence.objects.get(organisation=organisation, key="K", year=2027).last_value == 2


def test_a_rolled_back_block_gives_all_its_numbers_back(db):
    organisation = OrganisationFactory()
    with pytest.raises(RuntimeError), transaction.atomic():
        next_numbers(organisation=organisation, prefix="K", count=5, year=2026)
        raise RuntimeError("the batch failed")
    with transaction.atomic():
        assert next_numbers(organisation=organisation, prefix="K", count=2, year=2026) == [
            "K-2026-000001",
            "K-2026-000002",
        ]


def test_a_block_needs_a_transaction_a_valid_prefix_and_a_positive_count(db):
    organisation = OrganisationFactory()
    with transaction.atomic():
        with pytest.raises(ValueError, match="at least one"):
            next_numbers(organisation=organisation, prefix="K", count=0)
        with pytest.raises(ValueError, match="prefixes"):
            next_numbers(organisation=organisation, prefix="k", count=2)
    with pytest.raises(RuntimeError, match="inside the transaction"):
        connection.in_atomic_block, saved = False, connection.in_atomic_block
        try:
            next_numbers(organisation=organisation, prefix="K", count=2)
        finally:
            connection.in_atomic_block = saved
    assert not NumberSequence.objects.filter(organisation=organisation).exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_blocks_and_single_numbers_never_overlap_or_skip():
    organisation = OrganisationFactory()
    workers, rounds, block = 4, 6, 5
    results: list[str] = []
    blocks: list[list[str]] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(workers)

    def take(index: int) -> None:
        try:
            start.wait()
            for _ in range(rounds):
                with transaction.atomic():
                    if index % 2:
                        numbers = next_numbers(organisation=organisation, prefix="B", count=block, year=2026)
                    else:
                        numbers = [next_number(organisation=organisation, prefix="B", year=2026)]
                with lock:
                    results.extend(numbers)
                    blocks.append(numbers)
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=take, args=(index,)) for index in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not errors, errors
    total = (workers // 2) * rounds * block + (workers - workers // 2) * rounds
    assert len(results) == total
    assert set(results) == {f"B-2026-{n:06d}" for n in range(1, total + 1)}
    for numbers in blocks:  # each block is one run of consecutive numbers
        values = [int(number.rsplit("-", 1)[1]) for number in numbers]
        assert values == list(range(values[0], values[0] + len(values)))
