"""Duration values kept to three significant digits in the roll-up's value maps.

Medians and percentiles need a value → count map, and at scale nearly every duration is a distinct number
of seconds: a month's map of first replies had 140,000 keys, and a dashboard merged and sorted hundreds of
thousands of them (docs/benchmarks.md, issue 7). Kept to three significant digits, a duration is at most
0.5 % off (finer than the pages show: "1 h 23 min") and a map has at most 900 keys per power of ten, so a
merged map of any period stays at a few thousand keys.

Only the map is rounded: a cell's count and sum stay exact, so means stay exact. Day ordinals (the backlog's
age), survey scores and call waits (compared with the service level's X seconds, and nearly all below
1,000 s where nothing is rounded anyway) are not durations kept here and stay exact. A measure missing from
``ROUNDED_MEASURES`` is merely kept exactly: listing the rounded ones (not the exact ones) means a new
measure is never rounded by mistake.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

SIGNIFICANT_DIGITS = 3
# Below this every whole second is kept: three significant digits of a number under 1,000 are all of it.
EXACT_BELOW = 10**SIGNIFICANT_DIGITS

# The measures whose value maps hold durations in seconds (rollup.measures_of).
ROUNDED_MEASURES = frozenset(
    {
        "first_response",
        "first_response.business",
        "next_response",
        "next_response.business",
        "resolution",
        "resolution.business",
        "handle",
        "handle.talk",
        "handle.hold",
        "handle.wrap",
        "calls.abandoned",
        "calls.abandoned.short",
        "desk.service",
        "desk.wait.to_call",
        "desk.wait.to_start",
    }
)
ROUNDED_PREFIXES = ("state.",)  # agent states: seconds spent in the state (occupancy reads only their sums)


def is_rounded(measure: str) -> bool:
    return measure in ROUNDED_MEASURES or measure.startswith(ROUNDED_PREFIXES)


def three_digits(value: int) -> int:
    """``value`` to three significant digits, halves away from zero: 1,004 → 1,000; 1,005 → 1,010;
    99,950 → 100,000; 123,456 → 123,000. Whole numbers only (a cell's values are whole seconds), and the
    same on every run: ``round()`` would round halves to even and go through floats."""
    size = abs(value)
    if size < EXACT_BELOW:
        return value
    step = 10 ** (len(str(size)) - SIGNIFICANT_DIGITS)
    rounded = (size + step // 2) // step * step
    return rounded if value >= 0 else -rounded


def kept(measure: str, value: int | None) -> int | None:
    """The value a cell's map keeps for ``measure``."""
    if value is None or not is_rounded(measure):
        return value
    return three_digits(value)


def kept_map(measure: str, values: Mapping[int, int]) -> Mapping[int, int]:
    """A value → count map as a cell keeps it for ``measure``: the same map when nothing is rounded (or it
    was rounded already: rounding twice changes nothing), else the counts of the rounded values added up."""
    if not is_rounded(measure) or all(three_digits(value) == value for value in values):
        return values
    out: Counter[int] = Counter()
    for value, times in values.items():
        out[three_digits(value)] += times
    return out
