"""Marginal roll-up cells: the full cells summed over every dimension but the branch and at most one other.

A full cell is day × branch × team × agent × channel × measure. A dashboard's headline figures and branch
table need only the branch, its team table only branch × team, and so on; summing those from the full cells
merged every agent's and channel's value map on every page (docs/benchmarks.md, issue 7). So the roll-up
keeps, beside the full cells and in the same transaction, one *marginal* cell per grain:

- ``branch``: day × branch × measure;
- ``team``, ``agent``, ``channel``: day × branch × that dimension × measure.

The branch is in these grains because a user's scope is a set of branches. A summed-over dimension is stored
as 0 / "" like a missing one, so the grain is part of every marginal cell's key (``MarginalRollupCell.grain``):
team 0 in a ``team`` cell means "no team", in a ``branch`` cell "every team".

Someone who sees every branch reads a table by team or channel, a trend, a headline figure over all branches:
summed from the branch grains, that merged one value map per branch. So three more grains keep the same cells
summed over every branch (``OVER_BRANCHES``): ``org`` (day × measure), ``org_team`` and ``org_channel``.
They hold the events of real branches only (an event with no branch stays in its branch grain's branch 0), and
are read only by someone whose scope holds every branch of the organisation (``selectors.read_grain``).

A read that needs more dimensions than a grain keeps (team and channel, say) reads the full cells.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from .rounding import kept_map


class Grain(models.TextChoices):
    """Which dimensions a marginal cell keeps besides the branch (``FULL``: the full cells' own table)."""

    BRANCH = "branch", _("branch")
    TEAM = "team", _("branch and team")
    AGENT = "agent", _("branch and staff member")
    CHANNEL = "channel", _("branch and channel")
    ORGANISATION = "org", _("every branch")
    ORG_TEAM = "org_team", _("every branch, by team")
    ORG_CHANNEL = "org_channel", _("every branch, by channel")


FULL = "full"

# The dimension (cellsums.DIMENSION_FIELDS) a marginal grain keeps besides the branch.
KEPT = {
    Grain.BRANCH: None,
    Grain.TEAM: "team",
    Grain.AGENT: "agent",
    Grain.CHANNEL: "channel",
    Grain.ORGANISATION: None,
    Grain.ORG_TEAM: "team",
    Grain.ORG_CHANNEL: "channel",
}
BY_BRANCH = (Grain.BRANCH, Grain.TEAM, Grain.AGENT, Grain.CHANNEL)
GRAIN_OF = {KEPT[grain]: grain for grain in BY_BRANCH}
# A grain by branch → the same cells summed over every branch (the agent's: each agent works in one branch).
OVER_BRANCHES: dict[str, str] = {
    Grain.BRANCH: Grain.ORGANISATION,
    Grain.TEAM: Grain.ORG_TEAM,
    Grain.CHANNEL: Grain.ORG_CHANNEL,
}
BY_BRANCH_OF: dict[str, str] = {over: grain for grain, over in OVER_BRANCHES.items()}


def grain_for(dimensions: Iterable[str]) -> str:
    """The smallest grain by branch that answers a read grouped or filtered by ``dimensions`` (branch, team,
    agent, channel; the branch is always kept): a marginal ``Grain`` or ``FULL``."""
    needed = set(dimensions) - {"branch"}
    if not needed:
        return Grain.BRANCH
    if len(needed) == 1:
        return GRAIN_OF.get(needed.pop(), FULL)
    return FULL


# (day, branch_id, team_id, agent_id, channel, measure) → the same with the grain last.
def marginal_keys(key: tuple[Any, ...]) -> list[tuple[Any, ...]]:
    """The marginal cells a full cell's key adds to, one per grain (those over every branch: a real branch's)."""
    day, branch_id, team_id, agent_id, channel, measure = key
    keys = [
        (day, branch_id, 0, 0, "", measure, Grain.BRANCH.value),
        (day, branch_id, team_id, 0, "", measure, Grain.TEAM.value),
        (day, branch_id, 0, agent_id, "", measure, Grain.AGENT.value),
        (day, branch_id, 0, 0, channel, measure, Grain.CHANNEL.value),
    ]
    if branch_id:
        keys += [
            (day, 0, 0, 0, "", measure, Grain.ORGANISATION.value),
            (day, 0, team_id, 0, "", measure, Grain.ORG_TEAM.value),
            (day, 0, 0, 0, channel, measure, Grain.ORG_CHANNEL.value),
        ]
    return keys


def margins_of(cells: dict[Any, Any], factory: Any, *, kept_already: bool = False) -> dict[Any, Any]:
    """Full ``cells`` (key → ``rollup.Cell``) summed into their marginal cells (``factory()`` makes one).

    Durations are kept to three significant digits (``rounding.kept_map``): the roll-up's own cells are
    rounded already, but cells rolled up before metric version 2 hold exact seconds, and a marginal cell
    built from them (``rollup.rebuild_margins``, migration 0005) is kept as version 2 reads it.
    ``kept_already``: the cells come straight from the roll-up, whose maps are kept already, so the check of
    every value is skipped on its hot path."""
    margins: dict[Any, Any] = defaultdict(factory)
    for key, cell in cells.items():
        values = cell.values if kept_already else kept_map(key[5], cell.values)
        for marginal in marginal_keys(key):
            margins[marginal].absorb(cell.count, cell.total, values)
    return margins
