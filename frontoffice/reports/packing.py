"""Value maps packed as binary pairs of 64-bit integers: the monthly marginal cells' second copy of ``values``.

A dashboard over a quarter reads thousands of monthly maps (the staff table alone: three months × 200 staff
members × a few measures, 4.8 MB of JSON at 5,000,000 events). Parsing that JSON and turning its text keys
into numbers took most of the time of the read (docs/benchmarks.md, issue 7); the same map as
value, count, value, count… in little-endian 64-bit integers is read by ``array`` and zipped into a dict in C.
``values`` (JSON) stays the map of record: the roll-up writes both from the same merged map, and the
database sums and every other reader use it.
"""

from __future__ import annotations

import operator
import sys
from array import array
from collections.abc import Collection, Iterable, Sequence
from itertools import repeat
from typing import Any

_LITTLE_ENDIAN = sys.byteorder == "little"


def packed(items: Iterable[tuple[int, int]]) -> bytes:
    """``(value, count)`` pairs (a map's items) as bytes."""
    numbers = array("q")
    for value, count in items:
        numbers.append(value)
        numbers.append(count)
    if not _LITTLE_ENDIAN:
        numbers.byteswap()
    return numbers.tobytes()


def unpacked(data: bytes | memoryview) -> dict[int, int]:
    """The value → count map ``packed`` wrote."""
    numbers = _numbers(data)
    return dict(zip(numbers[::2], numbers[1::2], strict=True))


def unpacked_sum(blobs: Sequence[bytes | memoryview]) -> dict[int, int]:
    """The maps packed in ``blobs`` added up: the first unpacked, each other added to it straight from its
    numbers, without a dict of its own (a quarter's staff table adds up 700,000 pairs, most of them in maps
    after the first)."""
    total = unpacked(blobs[0])
    for data in blobs[1:]:
        numbers = _numbers(data)
        add_counts(total, numbers[::2], numbers[1::2])
    return total


def add_counts(total: dict[int, int], values: Collection[int], counts: Iterable[int]) -> None:
    """``counts`` of ``values`` (unique) added to the map ``total`` by built-ins (``map``, ``zip``,
    ``dict.update``), not a Python step per value as a Counter's ``update`` takes."""
    # Each value is looked up in ``total`` before ``update`` writes it (the values are unique).
    total.update(zip(values, map(operator.add, counts, map(total.get, values, repeat(0))), strict=True))


def _numbers(data: bytes | memoryview) -> array[int]:
    numbers = array("q")
    numbers.frombytes(data)
    if not _LITTLE_ENDIAN:
        numbers.byteswap()
    return numbers


def has_packed_maps(model: Any) -> bool:
    """Whether the cells of ``model`` keep their value maps packed too (a ``packed`` field)."""
    return any(field.name == "packed" for field in model._meta.fields)
