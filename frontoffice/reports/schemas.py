"""Typed request and response bodies of the reports API."""

from datetime import date
from typing import Literal

from ninja import Field, Schema

from frontoffice.core.apikit import MAX_ID, InSchema, Text


class MetricOut(Schema):
    key: str
    version: int
    group: str
    name: str
    description: str
    formula: str
    rules: list[str]
    unit: str
    higher_is_better: bool | None
    events: list[str]
    snapshot: bool = Field(description="Read at the period's end from every earlier day, not summed over the period.")


class ValuesQuery(InSchema):
    metric: Text = Field(max_length=64, description="A key from `GET /reports/metrics`.")
    date_from: date = Field(alias="from", description="First local day of the period.")
    date_to: date = Field(alias="to", description="Last local day of the period (at most 366 days in all).")
    branch: int | None = Field(None, ge=1, le=MAX_ID)
    team: int | None = Field(None, ge=1, le=MAX_ID)
    agent: int | None = Field(None, ge=1, le=MAX_ID, description="Without `view_reports`, only your own id.")
    channel: Text = Field("", max_length=16)
    group_by: Literal["day", "week", "month", "branch", "team", "agent", "channel"] | None = None


class ValueOut(Schema):
    group: str = Field(description="The day, week or month's first day, or the dimension's id; empty when not grouped.")
    date_from: date = Field(alias="from")
    date_to: date = Field(alias="to")
    value: float | None = Field(description="null when there is no data in the period (never 0 instead).")
    numerator: float | None
    denominator: float | None
    n: int
    mean: float | None
    median: float | None
    p90: float | None
    parts: dict[str, float]


class ValuesOut(Schema):
    metric: str
    version: int = Field(description="The version of the metric's definition that computed these values.")
    unit: str
    variant: str = Field(description="The parameters used (service level X/Y, FCR window), when the metric has any.")
    group_by: str
    items: list[ValueOut]
