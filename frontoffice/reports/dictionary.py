"""The metric dictionary: every metric's exact, versioned definition, as code.

A definition says what a figure means (name, description, formula, counting rules, unit,
direction, the reporting events it is computed from) and computes it from rolled-up measures
(``Aggregate``: count, sum and the value → count map of a measure over the chosen cells).
Changing what a metric means (its formula, its counting rules) gives it a new ``version``;
every result carries the version that computed it. ``docs/metrics.md`` is ``markdown()``
rendered in English.

General rules, for every metric:

- Durations are whole seconds of calendar time, as recorded by the app that saw them (paused time
  is not subtracted), except the ``*_business`` case metrics: business seconds of the SLA policy's
  calendar that ran the case's clock, paused time left out, as the clock recorded them.
- Scores are whole numbers on the survey's own scale; an answer outside the scale is ignored.
- Medians and percentiles are *nearest-rank*: the p-th percentile of n values is the smallest
  value whose rank is at least ⌈p/100 · n⌉ (so the median of an even count is the lower middle).
- Since version 2 of the duration metrics, their median and 90th percentile are those of the durations
  kept to three significant digits (``rounding.py``: at most 0.5 % off); the mean stays exact (the sum of
  the exact seconds over the count). Cells rolled up before keep their exact seconds; a period over both
  merges exact and rounded values, each at most 0.5 % off, so its median and p90 are too.
- A period is a range of local days of each branch; a metric over a period with nothing to
  count has no value ("no data"), never 0.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from frontoffice.core.reporting import EventKind


@dataclass
class Aggregate:
    """One measure summed over the chosen cells."""

    count: int = 0
    total: float = 0.0
    values: Counter[int] = field(default_factory=Counter)

    def add(self, count: int, total: float, values: dict[str, int]) -> None:
        self.count += count
        self.total += total
        for key, n in values.items():
            self.values[int(key)] += n


@dataclass(frozen=True)
class Params:
    """An organisation's metric parameters (``ReportSettings``) and the period's last day."""

    fcr_days: int = 7
    service_level_seconds: int = 20
    service_level_target: int = 80
    end_ordinal: int = 0


@dataclass
class Result:
    """A metric's value with what it was computed from; ``value`` None means "no data"."""

    value: float | None = None
    numerator: float | None = None
    denominator: float | None = None
    n: int = 0
    mean: float | None = None
    median: float | None = None
    p90: float | None = None
    parts: dict[str, float] = field(default_factory=dict)

    @property
    def has_data(self) -> bool:
        return self.value is not None


Measures = dict[str, Aggregate]
Compute = Callable[[Measures, Params], Result]


@dataclass(frozen=True)
class Metric:
    key: str
    version: int
    group: Promise
    name: Promise
    description: Promise
    formula: str
    rules: tuple[Promise, ...]
    unit: str
    higher_is_better: bool | None
    events: tuple[str, ...]
    measures: tuple[str, ...]
    compute: Compute
    # A snapshot (backlog) is read at the period's end from every earlier day, not summed over the period.
    snapshot: bool = False

    def variant(self, params: Params) -> str:
        """The parameters a result was computed with, printed next to it."""
        if self.key == "service_level":
            return str(
                _("%(target)s %% of calls answered within %(seconds)s s; short abandons excluded")
                % {"target": params.service_level_target, "seconds": params.service_level_seconds}
            )
        if self.key == "fcr":
            return str(_("no repeat contact within %(days)s days") % {"days": params.fcr_days})
        return ""


UNITS: dict[str, Promise] = {
    "percent": _("%"),
    "points": _("points"),
    "score": _("score"),
    "seconds": _("seconds"),
    "days": _("days"),
    "count": _("count"),
    "per_1000": _("per 1,000 visits"),
}

SURVEYS = _("Surveys")
CASES = _("Cases")
CONTACTS = _("Contacts")
VOICE = _("Phone")
DESK = _("Desk")

# --- computation helpers --------------------------------------------------------------------------


def _get(measures: Measures, name: str) -> Aggregate:
    return measures.get(name) or Aggregate()


def nearest_rank(values: Counter[int], fraction: float) -> float | None:
    return nearest_ranks(values, (fraction,))[0]


def nearest_ranks(values: Counter[int], fractions: tuple[float, ...], n: int | None = None) -> list[float | None]:
    """The value whose rank is at least ⌈fraction · n⌉, for each of ``fractions`` (ascending), sorting once;
    ``n``: the values' count, when the caller has it already."""
    if n is None:
        n = sum(values.values())
    if n == 0:
        return [None] * len(fractions)
    ranks = [max(1, math.ceil(fraction * n)) for fraction in fractions]
    ordered = sorted(values)
    # Running counts in C (accumulate, bisect): a merged map can hold thousands of values.
    seen = list(itertools.accumulate(map(values.__getitem__, ordered)))
    return [float(ordered[bisect.bisect_left(seen, rank)]) for rank in ranks]


def _ratio(numerator: float, denominator: float, scale: float = 100.0) -> Result:
    if denominator <= 0:
        return Result(numerator=numerator, denominator=denominator)
    return Result(
        value=numerator / denominator * scale, numerator=numerator, denominator=denominator, n=int(denominator)
    )


def _distribution(values: Counter[int], *, value: str = "median", total: float | None = None) -> Result:
    """Median, p90 and mean of ``values``; ``total``: the exact sum of the values when the map keeps them
    rounded (durations: ``rounding.py``), so that the mean stays exact."""
    n = sum(values.values())
    if n == 0:
        return Result()
    mean = (total if total is not None else sum(v * c for v, c in values.items())) / n
    median, p90 = nearest_ranks(values, (0.5, 0.9), n)
    chosen = {"median": median, "mean": mean}[value]
    return Result(value=chosen, n=n, mean=mean, median=median, p90=p90)


def _within(values: Counter[int], low: int, high: int) -> Counter[int]:
    return Counter({v: c for v, c in values.items() if low <= v <= high})


def _share(measure: str, low: int, high: int, good_low: int, good_high: int) -> Compute:
    def compute(measures: Measures, params: Params) -> Result:
        answers = _within(_get(measures, measure).values, low, high)
        good = sum(c for v, c in answers.items() if good_low <= v <= good_high)
        return _ratio(good, sum(answers.values()))

    return compute


def _nps(measures: Measures, params: Params) -> Result:
    answers = _within(_get(measures, "survey.nps").values, 0, 10)
    n = sum(answers.values())
    if n == 0:
        return Result()
    promoters = sum(c for v, c in answers.items() if v >= 9)
    detractors = sum(c for v, c in answers.items() if v <= 6)
    return Result(
        value=(promoters - detractors) / n * 100,
        numerator=promoters - detractors,
        denominator=n,
        n=n,
        parts={"promoters": promoters, "passives": n - promoters - detractors, "detractors": detractors},
    )


def _ces(measures: Measures, params: Params) -> Result:
    return _distribution(_within(_get(measures, "survey.ces").values, 1, 7), value="mean")


def _counts_ratio(numerator: str, denominator: str, scale: float = 100.0) -> Compute:
    def compute(measures: Measures, params: Params) -> Result:
        return _ratio(_get(measures, numerator).count, _get(measures, denominator).count, scale)

    return compute


def _durations(measure: str, value: str = "median") -> Compute:
    def compute(measures: Measures, params: Params) -> Result:
        found = _get(measures, measure)
        # The sum counts every value the map does (a cell adds a value to both, or to neither).
        return _distribution(found.values, value=value, total=found.total)

    return compute


def _count(measure: str) -> Compute:
    def compute(measures: Measures, params: Params) -> Result:
        n = _get(measures, measure).count
        return Result(value=float(n), n=n) if n else Result()

    return compute


def _sla(target: str) -> Compute:
    def compute(measures: Measures, params: Params) -> Result:
        met = _get(measures, f"sla.met.{target}").count
        return _ratio(met, met + _get(measures, f"sla.breached.{target}").count)

    return compute


def _abandonment(measures: Measures, params: Params) -> Result:
    offered = _get(measures, "calls.offered").count - _get(measures, "calls.abandoned.short").count
    return _ratio(_get(measures, "calls.abandoned").count, offered)


def _service_level(measures: Measures, params: Params) -> Result:
    offered = _get(measures, "calls.offered").count - _get(measures, "calls.abandoned.short").count
    waits = _get(measures, "calls.answered").values
    within = sum(c for v, c in waits.items() if v <= params.service_level_seconds)
    return _ratio(within, offered)


def _occupancy(measures: Measures, params: Params) -> Result:
    busy = _get(measures, "state.on_call").total + _get(measures, "state.wrap_up").total
    return _ratio(busy, busy + _get(measures, "state.available").total)


def _backlog(measures: Measures, params: Params) -> Result:
    opened = _get(measures, "cases.created").count + _get(measures, "reopened").count
    if opened == 0:
        return Result()
    open_now = opened - _get(measures, "resolved").count
    return Result(value=float(open_now), n=open_now)


def _backlog_age(measures: Measures, params: Params) -> Result:
    remaining = _get(measures, "backlog.in").values.copy()
    remaining.subtract(_get(measures, "backlog.out").values)
    ages = Counter({params.end_ordinal - day: n for day, n in remaining.items() if n > 0})
    return _distribution(ages)


# --- the dictionary --------------------------------------------------------------------------------

# Version 2 of every metric whose median or 90th percentile is of durations (rounding.py).
ROUNDED_RULE = _(
    "Median and 90th percentile: of the durations kept to three significant digits, off by at most half a per "
    "cent (123,456 s counts as 123,000 s; under 1,000 s every second counts); the mean is exact. "
    "Version 1 kept every second; cells rolled up before version 2 still do."
)
DURATION_RULES = (
    _("Value: the median; the mean and the 90th percentile are given with it."),
    ROUNDED_RULE,
    _("Counted on the day the event happened, in the branch's time zone."),
)
BUSINESS_RULES = (
    _(
        "Business time: only the opening hours of the calendar of the SLA policy that ran the case's clock count "
        "(its weekly hours and closed days, in the policy's time zone; around the clock for a 24/7 policy)."
    ),
    _(
        "Paused time is left out: while the case is in a status the policy pauses on (“Waiting for the "
        "customer” unless the policy names others, such as “Waiting internally”), the clock stands still."
    ),
    _(
        "Cases without an SLA clock for the target are not counted: no policy matched the case when it was "
        "opened, or the policy sets no such target."
    ),
    _("The seconds are those the SLA clock recorded when the reply or the resolution stopped it."),
)


METRICS: tuple[Metric, ...] = (
    Metric(
        key="csat",
        version=1,
        group=SURVEYS,
        name=_("Customer satisfaction (CSAT)"),
        description=_("Share of satisfied answers to the CSAT question on a 1–5 scale."),
        formula="answers scoring 4–5 / answers scoring 1–5 × 100",
        rules=(
            _("Top-two-box: 4 and 5 count as satisfied; 1, 2 and 3 do not."),
            _("Only CSAT surveys; answers outside 1–5 are ignored."),
            _("Counted on the day of the answer."),
        ),
        unit="percent",
        higher_is_better=True,
        events=(EventKind.SURVEY_ANSWERED,),
        measures=("survey.csat",),
        compute=_share("survey.csat", 1, 5, 4, 5),
    ),
    Metric(
        key="nps",
        version=1,
        group=SURVEYS,
        name=_("Net Promoter Score (NPS)"),
        description=_("Promoters minus detractors among answers to the 0–10 recommendation question."),
        formula="% answers scoring 9–10 − % answers scoring 0–6",
        rules=(
            _("Promoters score 9–10, passives 7–8, detractors 0–6; passives count only in the denominator."),
            _("The result is a number of points from −100 to +100, not a percentage."),
            _("Only NPS surveys; answers outside 0–10 are ignored."),
        ),
        unit="points",
        higher_is_better=True,
        events=(EventKind.SURVEY_ANSWERED,),
        measures=("survey.nps",),
        compute=_nps,
    ),
    Metric(
        key="ces",
        version=1,
        group=SURVEYS,
        name=_("Customer effort (CES)"),
        description=_("Mean answer to “The company made it easy for me to handle my issue” on a 1–7 scale."),
        formula="Σ scores / answers (scale 1–7)",
        rules=(
            _("7 means easiest; the mean is given with the median and the 90th percentile."),
            _("Only CES surveys; answers outside 1–7 are ignored."),
        ),
        unit="score",
        higher_is_better=True,
        events=(EventKind.SURVEY_ANSWERED,),
        measures=("survey.ces",),
        compute=_ces,
    ),
    Metric(
        key="ces_agree",
        version=1,
        group=SURVEYS,
        name=_("Customer effort: share who agree"),
        description=_("Share of CES answers that agree the company made it easy (5–7 on 1–7)."),
        formula="answers scoring 5–7 / answers scoring 1–7 × 100",
        rules=(_("Only CES surveys; answers outside 1–7 are ignored."),),
        unit="percent",
        higher_is_better=True,
        events=(EventKind.SURVEY_ANSWERED,),
        measures=("survey.ces",),
        compute=_share("survey.ces", 1, 7, 5, 7),
    ),
    Metric(
        key="response_rate",
        version=1,
        group=SURVEYS,
        name=_("Survey response rate"),
        description=_("Answers received per survey invitation sent, in the same period."),
        formula="surveys answered / surveys sent × 100",
        rules=(
            _(
                "Every survey type counts; an answer counts on the day it was given, an invitation on the day it "
                "was sent, so a period's rate can exceed 100 % when invitations from before it are answered in it."
            ),
            _("A partial answer counts once it is submitted; a repeated submit is one answer."),
        ),
        unit="percent",
        higher_is_better=True,
        events=(EventKind.SURVEY_SENT, EventKind.SURVEY_ANSWERED),
        measures=("surveys.answered", "surveys.sent"),
        compute=_counts_ratio("surveys.answered", "surveys.sent"),
    ),
    Metric(
        key="first_response_time",
        version=2,
        group=CASES,
        name=_("First response time"),
        description=_("Time from a case's creation to the first reply to the client."),
        formula="median(t(first reply) − t(created))",
        rules=(
            *DURATION_RULES,
            _("Automatic replies and internal notes are not replies."),
            _(
                "Calendar time: nights, weekends and paused time count; the business-hours variant is "
                "first_response_business."
            ),
        ),
        unit="seconds",
        higher_is_better=False,
        events=(EventKind.CASE_FIRST_RESPONSE,),
        measures=("first_response",),
        compute=_durations("first_response"),
    ),
    Metric(
        key="first_response_business",
        version=2,
        group=CASES,
        name=_("First response time (business hours)"),
        description=_(
            "Business time from a case's creation to the first reply to the client, by the case's SLA calendar."
        ),
        formula="median(business seconds from created to first reply, paused time left out)",
        rules=(
            *DURATION_RULES,
            _("Automatic replies and internal notes are not replies."),
            *BUSINESS_RULES,
        ),
        unit="seconds",
        higher_is_better=False,
        events=(EventKind.CASE_FIRST_RESPONSE,),
        measures=("first_response.business",),
        compute=_durations("first_response.business"),
    ),
    Metric(
        key="next_response_time",
        version=2,
        group=CASES,
        name=_("Next response time"),
        description=_("Time from a client's message to the next reply, measured from the earliest unanswered message."),
        formula="median(t(next reply) − t(earliest unanswered client message))",
        rules=(
            *DURATION_RULES,
            _(
                "Calendar time: nights, weekends and paused time count; the business-hours variant is "
                "next_response_business."
            ),
        ),
        unit="seconds",
        higher_is_better=False,
        events=(EventKind.CASE_RESPONSE,),
        measures=("next_response",),
        compute=_durations("next_response"),
    ),
    Metric(
        key="next_response_business",
        version=2,
        group=CASES,
        name=_("Next response time (business hours)"),
        description=_(
            "Business time from a client's message to the next reply, measured by the case's next-response SLA clock."
        ),
        formula="median(business seconds from the earliest unanswered client message to the next reply)",
        rules=(
            *DURATION_RULES,
            _(
                "The next-response clock starts at the earliest client message left unanswered after the first "
                "response and stops at the next reply."
            ),
            *BUSINESS_RULES,
        ),
        unit="seconds",
        higher_is_better=False,
        events=(EventKind.CASE_RESPONSE,),
        measures=("next_response.business",),
        compute=_durations("next_response.business"),
    ),
    Metric(
        key="resolution_time",
        version=2,
        group=CASES,
        name=_("Resolution time"),
        description=_("Time from a case's creation to its first resolution."),
        formula="median(t(first resolved) − t(created))",
        rules=(
            *DURATION_RULES,
            _("Only the first resolution of a case counts; a resolution after a reopening does not (see reopen rate)."),
            _(
                "Calendar time: nights, weekends and paused time count; the business-hours variant is "
                "resolution_business."
            ),
        ),
        unit="seconds",
        higher_is_better=False,
        events=(EventKind.CASE_RESOLVED,),
        measures=("resolution",),
        compute=_durations("resolution"),
    ),
    Metric(
        key="resolution_business",
        version=2,
        group=CASES,
        name=_("Resolution time (business hours)"),
        description=_("Business time from a case's creation to its first resolution, by the case's SLA calendar."),
        formula="median(business seconds from created to first resolved, paused time left out)",
        rules=(
            *DURATION_RULES,
            _("Only the first resolution of a case counts; a resolution after a reopening does not (see reopen rate)."),
            _("A case closed without being resolved has no business time and is not counted."),
            *BUSINESS_RULES,
        ),
        unit="seconds",
        higher_is_better=False,
        events=(EventKind.CASE_RESOLVED,),
        measures=("resolution.business",),
        compute=_durations("resolution.business"),
    ),
    Metric(
        key="sla_first_response",
        version=1,
        group=CASES,
        name=_("SLA compliance: first response"),
        description=_("Share of first-response targets met among those that fell due."),
        formula="targets met / (targets met + targets breached) × 100",
        rules=(_("A target counts on the day it was met or breached."),),
        unit="percent",
        higher_is_better=True,
        events=(EventKind.SLA_MET, EventKind.SLA_BREACHED),
        measures=("sla.met.first_response", "sla.breached.first_response"),
        compute=_sla("first_response"),
    ),
    Metric(
        key="sla_next_response",
        version=1,
        group=CASES,
        name=_("SLA compliance: next response"),
        description=_("Share of next-response targets met among those that fell due."),
        formula="targets met / (targets met + targets breached) × 100",
        rules=(_("A target counts on the day it was met or breached."),),
        unit="percent",
        higher_is_better=True,
        events=(EventKind.SLA_MET, EventKind.SLA_BREACHED),
        measures=("sla.met.next_response", "sla.breached.next_response"),
        compute=_sla("next_response"),
    ),
    Metric(
        key="sla_resolution",
        version=1,
        group=CASES,
        name=_("SLA compliance: resolution"),
        description=_("Share of resolution targets met among those that fell due."),
        formula="targets met / (targets met + targets breached) × 100",
        rules=(_("A target counts on the day it was met or breached."),),
        unit="percent",
        higher_is_better=True,
        events=(EventKind.SLA_MET, EventKind.SLA_BREACHED),
        measures=("sla.met.resolution", "sla.breached.resolution"),
        compute=_sla("resolution"),
    ),
    Metric(
        key="backlog",
        version=1,
        group=CASES,
        name=_("Backlog"),
        description=_("Cases open at the end of the period's last day."),
        formula="Σ up to the end (cases created + cases reopened − cases resolved)",
        rules=(
            _("A snapshot: read at the end of the period from every earlier day, not summed over the period."),
            _("A reopened case enters the backlog again; every resolution takes one out."),
        ),
        unit="count",
        higher_is_better=False,
        events=(EventKind.CASE_CREATED, EventKind.CASE_REOPENED, EventKind.CASE_RESOLVED),
        measures=("cases.created", "reopened", "resolved"),
        compute=_backlog,
        snapshot=True,
    ),
    Metric(
        key="backlog_age",
        version=1,
        group=CASES,
        name=_("Backlog age"),
        description=_("Age in days of the cases still open at the end of the period, counted from their creation."),
        formula="median(last day − day created) over cases created and not yet resolved",
        rules=(
            _("A snapshot at the end of the period; the median, mean and 90th percentile are in whole local days."),
            _("Cases that were reopened are left out of the age (they are in the backlog count)."),
        ),
        unit="days",
        higher_is_better=False,
        events=(EventKind.CASE_CREATED, EventKind.CASE_RESOLVED),
        measures=("backlog.in", "backlog.out"),
        compute=_backlog_age,
        snapshot=True,
    ),
    Metric(
        key="reopen_rate",
        version=1,
        group=CASES,
        name=_("Reopen rate"),
        description=_("Reopenings per resolution in the period."),
        formula="cases reopened / cases resolved × 100",
        rules=(_("Every resolution counts, including one after a reopening; each reopening counts."),),
        unit="percent",
        higher_is_better=False,
        events=(EventKind.CASE_REOPENED, EventKind.CASE_RESOLVED),
        measures=("reopened", "resolved"),
        compute=_counts_ratio("reopened", "resolved"),
    ),
    Metric(
        key="one_touch",
        version=1,
        group=CASES,
        name=_("One-touch resolution"),
        description=_("Share of cases resolved with exactly one reply to the client."),
        formula="first resolutions with 1 reply / first resolutions × 100",
        rules=(_("Only a case's first resolution counts; internal notes are not replies."),),
        unit="percent",
        higher_is_better=True,
        events=(EventKind.CASE_RESOLVED,),
        measures=("one_touch", "resolved.first"),
        compute=_counts_ratio("one_touch", "resolved.first"),
    ),
    Metric(
        key="fcr",
        version=1,
        group=CONTACTS,
        name=_("First contact resolution (FCR)"),
        description=_(
            "Share of contacts after which the same client did not contact again on the same topic "
            "within N days, in any channel."
        ),
        formula="contacts with no repeat within N days / contacts × 100",
        rules=(
            _("N is the organisation's setting (7 days unless changed); the window is N × 24 hours after the contact."),
            _("Only incoming contacts with a known client and topic count."),
            _("A day's figure is final N + 2 days after it; until then the day has no FCR value."),
        ),
        unit="percent",
        higher_is_better=True,
        events=(EventKind.CONTACT_RECEIVED,),
        measures=("fcr.resolved", "fcr.contacts"),
        compute=_counts_ratio("fcr.resolved", "fcr.contacts"),
    ),
    Metric(
        key="contacts_per_1000_visits",
        version=1,
        group=CONTACTS,
        name=_("Contacts per 1,000 visits"),
        description=_("Incoming contacts in every channel per 1,000 finished visits, stays or purchases."),
        formula="contacts received / visits finished × 1000",
        rules=(_("Only incoming contacts count."),),
        unit="per_1000",
        higher_is_better=False,
        events=(EventKind.CONTACT_RECEIVED, EventKind.VISIT_FINISHED),
        measures=("contacts", "visits"),
        compute=_counts_ratio("contacts", "visits", 1000.0),
    ),
    Metric(
        key="calls_offered",
        version=1,
        group=VOICE,
        name=_("Calls offered"),
        description=_("Calls that entered a queue."),
        formula="count(calls offered)",
        rules=(_("Short abandons are included."),),
        unit="count",
        higher_is_better=None,
        events=(EventKind.CALL_OFFERED,),
        measures=("calls.offered",),
        compute=_count("calls.offered"),
    ),
    Metric(
        key="calls_answered",
        version=1,
        group=VOICE,
        name=_("Calls answered"),
        description=_("Calls answered by a person."),
        formula="count(calls answered)",
        rules=(),
        unit="count",
        higher_is_better=None,
        events=(EventKind.CALL_ANSWERED,),
        measures=("calls.answered",),
        compute=_count("calls.answered"),
    ),
    Metric(
        key="asa",
        version=1,
        group=VOICE,
        name=_("Average speed of answer (ASA)"),
        description=_("Mean time answered calls waited in the queue."),
        formula="Σ wait of answered calls / calls answered",
        rules=(_("Value: the mean; the median and the 90th percentile are given with it."),),
        unit="seconds",
        higher_is_better=False,
        events=(EventKind.CALL_ANSWERED,),
        measures=("calls.answered",),
        compute=_durations("calls.answered", "mean"),
    ),
    Metric(
        key="abandonment_rate",
        version=1,
        group=VOICE,
        name=_("Abandonment rate"),
        description=_("Share of calls the caller hung up before an answer, short abandons excluded."),
        formula="abandoned (not short) / (offered − short abandons) × 100",
        rules=(
            _(
                "A short abandon (within the line's grace time, as the phone system marked it) "
                "is left out of both counts."
            ),
        ),
        unit="percent",
        higher_is_better=False,
        events=(EventKind.CALL_OFFERED, EventKind.CALL_ABANDONED),
        measures=("calls.abandoned", "calls.abandoned.short", "calls.offered"),
        compute=_abandonment,
    ),
    Metric(
        key="service_level",
        version=1,
        group=VOICE,
        name=_("Service level"),
        description=_("Share of calls answered within X seconds (the target is Y %; 80 % in 20 s unless changed)."),
        formula="answered within X s / (offered − short abandons) × 100",
        rules=(
            _("Variant: abandons other than short ones stay in the denominator and count as missed."),
            _("X and Y are the organisation's settings; the report prints the variant it used."),
        ),
        unit="percent",
        higher_is_better=True,
        events=(EventKind.CALL_OFFERED, EventKind.CALL_ANSWERED, EventKind.CALL_ABANDONED),
        measures=("calls.answered", "calls.abandoned.short", "calls.offered"),
        compute=_service_level,
    ),
    Metric(
        key="aht",
        version=2,
        group=VOICE,
        name=_("Average handle time (AHT)"),
        description=_("Mean time a call took an agent: talk, hold and wrap-up."),
        formula="Σ (talk + hold + wrap-up) / calls handled",
        rules=(_("Value: the mean; the median and the 90th percentile are given with it."), ROUNDED_RULE),
        unit="seconds",
        higher_is_better=False,
        events=(EventKind.CALL_ENDED,),
        measures=("handle",),
        compute=_durations("handle", "mean"),
    ),
    Metric(
        key="occupancy",
        version=1,
        group=VOICE,
        name=_("Occupancy"),
        description=_("Share of an agent's available time spent on calls and their wrap-up."),
        formula="(on a call + wrap-up) / (on a call + wrap-up + available) × 100",
        rules=(_("Breaks and offline time are not counted; a state counts on the day it ended."),),
        unit="percent",
        higher_is_better=None,
        events=(EventKind.AGENT_STATE,),
        measures=("state.on_call", "state.wrap_up", "state.available"),
        compute=_occupancy,
    ),
    Metric(
        key="desk_wait_to_call",
        version=2,
        group=DESK,
        name=_("Desk wait until called"),
        description=_("Time from a client's place in the walk-in line to the first call to a counter."),
        formula="median(t(called) − t(place in line))",
        rules=DURATION_RULES,
        unit="seconds",
        higher_is_better=False,
        events=(EventKind.QUEUE_SERVED,),
        measures=("desk.wait.to_call",),
        compute=_durations("desk.wait.to_call"),
    ),
    Metric(
        key="desk_wait_to_start",
        version=2,
        group=DESK,
        name=_("Desk wait from call to service"),
        description=_("Time from the call to a counter to the start of service."),
        formula="median(t(service started) − t(called))",
        rules=DURATION_RULES,
        unit="seconds",
        higher_is_better=False,
        events=(EventKind.QUEUE_SERVED,),
        measures=("desk.wait.to_start",),
        compute=_durations("desk.wait.to_start"),
    ),
    Metric(
        key="desk_service_time",
        version=2,
        group=DESK,
        name=_("Desk service time"),
        description=_("Time from the start of service at a counter to its end."),
        formula="median(t(finished) − t(service started))",
        rules=DURATION_RULES,
        unit="seconds",
        higher_is_better=False,
        events=(EventKind.QUEUE_SERVED,),
        measures=("desk.service",),
        compute=_durations("desk.service"),
    ),
)

BY_KEY: dict[str, Metric] = {metric.key: metric for metric in METRICS}


def get(key: str) -> Metric | None:
    return BY_KEY.get(key)


def as_json(metric: Metric) -> dict[str, Any]:
    return {
        "key": metric.key,
        "version": metric.version,
        "group": str(metric.group),
        "name": str(metric.name),
        "description": str(metric.description),
        "formula": metric.formula,
        "rules": [str(rule) for rule in metric.rules],
        "unit": metric.unit,
        "higher_is_better": metric.higher_is_better,
        "events": list(metric.events),
        "snapshot": metric.snapshot,
    }


ROLLUP_NOTES = [
    "## How the figures are computed",
    "",
    "- `reports_rollup` (and the worker's periodic job `reports.rollup`) reads only the events recorded since",
    "  the last run (a watermark on the event id per organisation), adds them to daily cells (count, sum and",
    "  value → count map per measure) and writes the cells and the new watermark in one transaction per batch.",
    "  Runs take a per-organisation lock, so two at once never count an event twice; re-running changes nothing.",
    "- The same transaction adds the cells to their calendar month's cells and to *marginal* cells per branch",
    "  and per branch × team, staff member or channel (daily and monthly), and, for real branches, to the same",
    "  summed over every branch (in all, per team, per channel): a figure reads the smallest of them that keeps",
    "  every dimension it is grouped or filtered by (the sums over every branch only for someone who sees every",
    "  branch), else the full cells; all give the same figure.",
    "- Durations rolled up before version 2 keep their exact seconds in the full cells; their marginal cells",
    "  were filled (migration `reports.0005`) with the durations to three significant digits. A period over",
    "  both merges exact and rounded values, each at most 0.5 % off, so its median and p90 are too.",
    "- Events recorded in the last 60 seconds wait for the next run, so an event whose transaction is still",
    "  open is never stepped over.",
    "- **FCR** needs N days of look-ahead. A day's FCR is computed once, when it is final: N + 2 days after",
    "  it (N days of look-ahead, the day itself, and a day of margin for time zones). Until then the day has no",
    "  FCR value; afterwards it is not revised.",
    "- Event details read (`data`): `case.first_response`, `case.response` and `case.resolved`",
    "  `business_seconds` (the `*_business` metrics); `case.resolved` `replies`, `reopened`; `sla.*` `target`",
    "  (`first_response`, `next_response`, `resolution`); `call.abandoned` `short`; `call.ended` `talk`, `hold`,",
    "  `wrap`; `agent.state` `state` (`available`, `on_call`, `wrap_up`, `break`, `offline`); `queue.served` `wait`",
    "  (in line until called) and `walk` (called to service start), seconds; `survey.answered` `survey_type`",
    "  (`csat`, `nps`, `ces`).",
    "- An agent (without `view_reports`) sees only their own figures and their team's median, shown only when",
    "  the team has at least three agents with a value, so that it never gives away a colleague's figure.",
    "",
]


def markdown() -> str:
    """The dictionary as ``docs/metrics.md`` (call with English active)."""
    lines = [
        "# Metric dictionary",
        "",
        "Generated from `frontoffice/reports/dictionary.py` by "
        "`python manage.py reports_dictionary > docs/metrics.md`. "
        "The same definitions are in the app at `/reports/metrics/` (Polish and English) and at "
        "`GET /api/v1/reports/metrics`. Each result says which version of its metric computed it.",
        "",
        "## Rules for every metric",
        "",
        "- Metrics are computed from reporting events recorded when things happen (`frontoffice/core/reporting.py`),",
        "  rolled up per day (in the branch's time zone) × branch × team × agent × channel.",
        "- Durations are whole seconds of calendar time (paused time is not subtracted), except the",
        "  `*_business` case metrics: whole business seconds of the calendar of the SLA policy that ran the",
        "  case's clock, paused time left out, as the clock recorded them; cases without a policy are not",
        "  counted there. Scores are whole numbers on the survey's own scale.",
        "- The roll-up keeps the value → count map of every cell: scores, waits for a call and days exactly,",
        "  other durations to three significant digits (since version 2 of the duration metrics: at most 0.5 %",
        "  off; under 1,000 s exact). Counts and sums are exact, so means are. Medians and the 90th percentile",
        "  are *nearest-rank* over the map: the p-th percentile of n values is the smallest value whose rank is",
        "  at least ⌈p/100 · n⌉ (the median of an even count is the lower middle).",
        '- A metric over a period with nothing to count has no value ("no data"), never 0.',
        "- A changed definition gets a new version; this page lists the current ones.",
        "",
    ]
    for metric in METRICS:
        lines += [
            f"## `{metric.key}` — {metric.name} (version {metric.version})",
            "",
            str(metric.description),
            "",
            f"- **Formula:** `{metric.formula}`",
            f"- **Unit:** {metric.unit}; **better when:** "
            + {True: "higher", False: "lower", None: "neither (context)"}[metric.higher_is_better],
            f"- **Computed from events:** {', '.join(f'`{kind}`' for kind in metric.events)}",
        ]
        if metric.snapshot:
            lines.append("- **Snapshot** at the end of the period.")
        lines += [f"- {rule}" for rule in metric.rules]
        lines.append("")
    lines += ROLLUP_NOTES
    return "\n".join(lines)
