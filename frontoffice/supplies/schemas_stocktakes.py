"""Typed request and response bodies of the stocktake API."""

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import field_validator
from pydantic_core import PydanticCustomError

from frontoffice.core.apikit import InSchema

from .choices import StocktakeStatus, Unit


class StocktakeSummaryOut(Schema):
    id: int
    location_id: int
    location_name: str
    branch_id: int
    status: StocktakeStatus
    started_by_id: int
    started_at: datetime
    approved_by_id: int | None
    approved_at: datetime | None
    reason: str = Field(description="Why the count differed from the books (given at approval).")
    line_count: int = Field(description="Items to count.")
    counted_count: int = Field(description="Items counted so far.")

    @staticmethod
    def resolve_location_name(stocktake: Any) -> str:
        return str(stocktake.location.name)

    @staticmethod
    def resolve_branch_id(stocktake: Any) -> int:
        return int(stocktake.location.branch_id)


class StocktakeLineOut(Schema):
    item_id: int
    item_name: str
    unit: Unit
    whole_units_only: bool
    expected: Decimal = Field(description="On hand by the books when the stocktake started.")
    on_hand_now: Decimal = Field(description="On hand by the books now.")
    counted: Decimal | None = Field(description="What was counted; null until counted.")
    adjustment: Decimal | None = Field(
        description="Open: what approval would book (counted − on hand now). Approved: what was booked."
    )
    counted_by_id: int | None
    counted_at: datetime | None


class StocktakeOut(StocktakeSummaryOut):
    lines: list[StocktakeLineOut]

    @staticmethod
    def resolve_lines(stocktake: Any) -> list[dict[str, Any]]:
        """From ``selectors_stocktake.stocktake_lines``, which the endpoint attaches as ``line_views``."""
        return [
            {
                "item_id": view.line.item_id,
                "item_name": view.line.item.name,
                "unit": view.line.item.unit,
                "whole_units_only": view.line.item.whole_units_only,
                "expected": view.line.expected,
                "on_hand_now": view.on_hand_now,
                "counted": view.line.counted,
                "adjustment": view.adjustment,
                "counted_by_id": view.line.counted_by_id,
                "counted_at": view.line.counted_at,
            }
            for view in stocktake.line_views
        ]


class StocktakeFilters(InSchema):
    location_id: int | None = Field(None, ge=1)
    status: StocktakeStatus | None = None


class StocktakeStartIn(InSchema):
    location_id: int = Field(ge=1, description="The storage location to count.")


class StocktakeCountIn(InSchema):
    item_id: int = Field(ge=1)
    counted: Decimal | None = Field(
        max_digits=12, decimal_places=3, description="What is on the shelf; null clears an earlier count."
    )


class StocktakeCountsIn(InSchema):
    counts: list[StocktakeCountIn] = Field(min_length=1, description="Items not listed keep what they had.")

    @field_validator("counts")
    @classmethod
    def _each_item_once(cls, counts: list[StocktakeCountIn]) -> list[StocktakeCountIn]:
        ids = [count.item_id for count in counts]
        if len(ids) != len(set(ids)):
            raise PydanticCustomError("duplicate_item", _("List each item once."))
        return counts


class StocktakeApproveIn(InSchema):
    reason: str = Field("", max_length=300, description="Required when any count differs from the books.")
