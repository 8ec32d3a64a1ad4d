"""The roll-up tables metrics are read from.

``DailyRollup`` holds, per organisation, local day of the branch and dimension (branch, team,
agent, channel) and per *measure* (a name such as ``first_response`` or ``survey.csat``, see
``rollup.py``), the number of events, the sum of their values and the exact map value → count.
Values are whole seconds or integer scores; durations are kept in the map to three significant digits
(``rounding.py``), so a map stays small; counts and sums are exact.
Missing dimensions are stored as 0 / "" rather than NULL so that one unique constraint covers
every cell on every database.

``MonthlyRollup`` holds the same cells added up per calendar month, so that a page over whole months
reads a month's cell instead of thirty days' cells.

``DailyMarginalRollup`` and ``MonthlyMarginalRollup`` hold the same cells summed over every dimension but the
branch and at most one other (``grains.py``), kept by the same roll-up in the same transaction: the dashboards'
headline figures and tables read them instead of merging every agent's and channel's cells.

``RollupState`` is the per-organisation watermark: the highest ``ReportingEvent.id`` already
counted and the last day whose FCR is final. Its row is the lock that serialises roll-ups.

``ReportSettings`` holds an organisation's choices for metrics that take a parameter.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from frontoffice.core.models import Organisation

from .grains import Grain
from .permissions import ReportsPermission


class RollupCell(models.Model):
    """Count, sum and value → count of one measure in one period × branch × team × agent × channel cell."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField(_("day"))
    branch_id = models.PositiveBigIntegerField(_("branch"), default=0)
    team_id = models.PositiveBigIntegerField(_("team"), default=0)
    agent_id = models.PositiveBigIntegerField(_("staff member"), default=0)
    channel = models.CharField(_("channel"), max_length=16, blank=True)
    measure = models.CharField(_("measure"), max_length=64)
    count = models.PositiveBigIntegerField(_("count"), default=0)
    total = models.FloatField(_("sum"), default=0)
    values = models.JSONField(_("values"), default=dict, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.measure} {self.day} b{self.branch_id} t{self.team_id} a{self.agent_id} {self.channel}"


def _cell_meta(prefix: str) -> tuple[list[models.UniqueConstraint], list[models.Index]]:
    constraints = [
        models.UniqueConstraint(
            fields=["organisation", "day", "branch_id", "team_id", "agent_id", "channel", "measure"],
            name=f"{prefix}_cell_unique",
        )
    ]
    indexes = [
        # Metric values: one organisation, a few measures, a range of days; then filters.
        models.Index(fields=["organisation", "measure", "day"], name=f"{prefix}_org_measure_day_idx"),
        models.Index(fields=["organisation", "branch_id", "measure", "day"], name=f"{prefix}_org_branch_idx"),
        models.Index(fields=["organisation", "agent_id", "measure", "day"], name=f"{prefix}_org_agent_idx"),
        models.Index(fields=["organisation", "team_id", "measure", "day"], name=f"{prefix}_org_team_idx"),
    ]
    return constraints, indexes


class DailyRollup(RollupCell):
    """One measure in one local day × branch × team × agent × channel cell."""

    class Meta:
        verbose_name = _("daily roll-up")
        verbose_name_plural = _("daily roll-ups")
        constraints, indexes = _cell_meta("rollup")


class MonthlyRollup(RollupCell):
    """The daily cells of one calendar month added up (``day`` is the month's first day), kept by the same
    roll-up: a period of whole months reads one cell per dimension and measure instead of one per day."""

    class Meta:
        verbose_name = _("monthly roll-up")
        verbose_name_plural = _("monthly roll-ups")
        constraints, indexes = _cell_meta("rollupm")


class MarginalRollupCell(RollupCell):
    """A marginal cell: full cells summed over the dimensions its ``grain`` does not keep (stored as 0 / "").
    The grain is part of the key: a ``branch`` cell's team 0 means every team, a ``team`` cell's no team."""

    grain = models.CharField(_("grain"), max_length=16, choices=Grain.choices)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.grain}: {super().__str__()}"


def _marginal_meta(prefix: str) -> tuple[list[models.UniqueConstraint], list[models.Index]]:
    constraints = [
        models.UniqueConstraint(
            fields=["organisation", "grain", "day", "branch_id", "team_id", "agent_id", "channel", "measure"],
            name=f"{prefix}_cell_unique",
        )
    ]
    indexes = [
        # One grain, a few measures, a range of days (or a few months); then the scope's and filters' columns.
        models.Index(fields=["organisation", "grain", "measure", "day"], name=f"{prefix}_grain_measure_idx"),
        models.Index(fields=["organisation", "grain", "branch_id", "measure", "day"], name=f"{prefix}_branch_idx"),
        models.Index(fields=["organisation", "grain", "team_id", "measure", "day"], name=f"{prefix}_team_idx"),
        models.Index(fields=["organisation", "grain", "agent_id", "measure", "day"], name=f"{prefix}_agent_idx"),
        models.Index(fields=["organisation", "grain", "channel", "measure", "day"], name=f"{prefix}_channel_idx"),
    ]
    return constraints, indexes


class DailyMarginalRollup(MarginalRollupCell):
    """The daily cells of one local day summed per branch (× team, agent or channel: the grain), with the value
    map also packed (``packing.py``) for reads of a few days (a month's edges)."""

    packed = models.BinaryField(_("values, packed"), default=b"", blank=True)

    class Meta:
        verbose_name = _("daily marginal roll-up")
        verbose_name_plural = _("daily marginal roll-ups")
        constraints, indexes = _marginal_meta("rollupdg")


class MonthlyMarginalRollup(MarginalRollupCell):
    """The marginal daily cells of one calendar month added up (``day`` is the month's first day), with the
    value map also packed (``packing.py``): the dashboards read these maps most."""

    packed = models.BinaryField(_("values, packed"), default=b"", blank=True)

    class Meta:
        verbose_name = _("monthly marginal roll-up")
        verbose_name_plural = _("monthly marginal roll-ups")
        constraints, indexes = _marginal_meta("rollupmg")


class RollupState(models.Model):
    """How far an organisation's reporting events have been rolled up."""

    organisation = models.OneToOneField(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="+"
    )
    last_event_id = models.PositiveBigIntegerField(_("last event counted"), default=0)
    fcr_final_through = models.DateField(_("FCR final through"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("roll-up state")
        verbose_name_plural = _("roll-up states")
        permissions = ReportsPermission.choices

    def __str__(self) -> str:
        return f"{self.organisation_id}: {self.last_event_id}"


class ReportSettings(models.Model):
    """An organisation's parameters for the metrics that take one (FCR window, service level X/Y)."""

    organisation = models.OneToOneField(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="+"
    )
    fcr_days = models.PositiveSmallIntegerField(
        _("FCR window (days)"),
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=_(
            "A contact is resolved at first contact if the client does not contact again "
            "on the same topic within this many days."
        ),
    )
    service_level_seconds = models.PositiveSmallIntegerField(
        _("service level: answered within (seconds)"),
        default=20,
        validators=[MinValueValidator(1), MaxValueValidator(3600)],
    )
    service_level_target = models.PositiveSmallIntegerField(
        _("service level: target (%)"), default=80, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )

    class Meta:
        verbose_name = _("report settings")
        verbose_name_plural = _("report settings")

    def __str__(self) -> str:
        return (
            f"{self.organisation_id}: FCR {self.fcr_days} d,"
            f" SL {self.service_level_target}/{self.service_level_seconds}"
        )
