"""API schemas for visits and visit types."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from ninja import Field, Schema

from frontoffice.core.apikit import InSchema
from frontoffice.core.choices import BusinessKind

from .choices import VatRate, VisitStatus


class VisitTypeOut(Schema):
    id: int
    name: str
    vertical: BusinessKind
    duration_minutes: int
    price: Decimal = Field(description="Gross price in the organisation's currency.")
    vat_rate: VatRate
    coverage_required: bool
    performed_by_roles: list[str]
    is_active: bool


class GuestOut(Schema):
    id: int
    client_id: int
    name: str = Field(alias="client.display_name")
    is_primary: bool


class LineOut(Schema):
    id: int
    position: int
    description: str
    quantity: Decimal
    unit_price: Decimal = Field(description="Gross unit price.")
    vat_rate: VatRate
    total_net: Decimal
    total_vat: Decimal
    total_gross: Decimal


class StatusChangeOut(Schema):
    from_status: str = Field(description="Empty for the first status.")
    to_status: VisitStatus
    at: datetime
    by_id: int | None
    reason: str


class VisitListItem(Schema):
    id: int
    number: str
    vertical: BusinessKind
    status: VisitStatus
    status_changed_at: datetime
    scheduled_at: datetime
    branch_id: int
    client_id: int
    client_name: str = Field(alias="client.display_name")
    visit_type_id: int
    visit_type_name: str = Field(alias="visit_type.name")
    room_id: int | None
    arrival_date: date | None
    departure_date: date | None
    version: int


class VisitOut(VisitListItem):
    responsible_id: int | None
    notes: str
    reason: str
    practitioner_id: int | None
    referral_number: str
    early_departure: bool
    next_statuses: list[VisitStatus] = Field(description="Where `POST …/transition` may move the visit now.")
    guests: list[GuestOut] = Field(description="A stay's guests; empty for other verticals.")
    lines: list[LineOut] = Field(description="A shop or office transaction's items; empty for other verticals.")
    status_changes: list[StatusChangeOut]


class VisitDetailsIn(InSchema):
    """The details of a visit; which apply depends on the visit type's vertical (others must stay empty)."""

    scheduled_at: datetime | None = Field(
        None, description="When (clinic: required; shop/office: empty means now; hotel: taken from arrival_date)."
    )
    responsible_id: int | None = Field(None, ge=1, description="Staff member responsible.")
    notes: str = Field("", max_length=5000)
    reason: str = Field("", max_length=300, description="Clinic: reason for the visit.")
    practitioner_id: int | None = Field(None, ge=1, description="Clinic: the staff member who performs it.")
    referral_number: str = Field("", max_length=60, description="Clinic: referral number.")
    arrival_date: date | None = Field(None, description="Hotel: arrival day.")
    departure_date: date | None = Field(None, description="Hotel: departure day.")
    room_id: int | None = Field(None, ge=1, description="Hotel: room.")


class VisitCreateIn(VisitDetailsIn):
    branch_id: int = Field(ge=1, description="A branch you work at.")
    client_id: int = Field(ge=1, description="The client (an active record of your organisation).")
    visit_type_id: int = Field(ge=1, description="An active visit type of your organisation.")


class VisitUpdateIn(VisitDetailsIn):
    version: int = Field(ge=1, description="The version you read; an older one gives 409.")


class TransitionIn(InSchema):
    to_status: VisitStatus
    reason: str = Field("", max_length=300, description="Required for cancelled and returned.")
    version: int | None = Field(None, ge=1, description="Optional: refuse with 409 if the visit changed since read.")


class VisitFilters(InSchema):
    branch_id: int | None = Field(None, ge=1)
    status: VisitStatus | None = None
    vertical: BusinessKind | None = None
    date_from: date | None = Field(None, description="Scheduled on or after this day (branch time).")
    date_to: date | None = Field(None, description="Scheduled on or before this day.")
    client_id: int | None = Field(None, ge=1)
    q: str = Field("", max_length=100, description="Visit number, client number or part of the client's name.")
