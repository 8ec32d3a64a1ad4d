"""API schemas for payers, coverage, eligibility checks and registration cards."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ninja import Field, Schema

from frontoffice.core.apikit import InSchema, Text

from .choices_coverage import (
    Billing,
    CoverageOrder,
    DocumentType,
    EligibilityResult,
    PayerKind,
    SelfPayReason,
    SubscriberRelationship,
)


class PayerOut(Schema):
    id: int
    name: str
    kind: PayerKind
    code: str
    is_active: bool


class CopayOut(Schema):
    visit_type_id: int
    amount: Decimal


class CopayIn(InSchema):
    visit_type_id: int = Field(ge=1, description="A visit type of your organisation.")
    amount: Decimal = Field(ge=0, max_digits=12, decimal_places=2)


class CoverageOut(Schema):
    id: int
    client_id: int
    payer_id: int
    payer_name: str = Field(alias="payer.name")
    member_number: str
    group_number: str
    plan_name: str
    relationship: SubscriberRelationship
    subscriber_id: int
    valid_from: date
    valid_to: date | None
    order: CoverageOrder
    copays: list[CopayOut]
    has_card_front: bool = Field(description="Card images are uploaded and viewed in the web interface.")
    has_card_back: bool
    notes: str
    version: int

    @staticmethod
    def resolve_copays(obj: Any) -> list[Any]:
        return list(obj.copays.all())

    @staticmethod
    def resolve_has_card_front(obj: Any) -> bool:
        return bool(obj.card_front)

    @staticmethod
    def resolve_has_card_back(obj: Any) -> bool:
        return bool(obj.card_back)


class CoverageIn(InSchema):
    payer_id: int = Field(ge=1, description="An active payer of your organisation.")
    member_number: Text = Field(min_length=1, max_length=60)
    group_number: Text = Field("", max_length=60)
    plan_name: Text = Field("", max_length=120)
    relationship: SubscriberRelationship = SubscriberRelationship.SELF
    subscriber_id: int | None = Field(
        None, ge=1, description="Who holds the policy; leave empty (or the client) for `self`."
    )
    valid_from: date
    valid_to: date | None = Field(None, description="Empty: open-ended.")
    order: CoverageOrder = CoverageOrder.PRIMARY
    copays: list[CopayIn] | None = Field(None, description="Copay per visit type; on update, null keeps them.")
    notes: Text = Field("", max_length=2000)


class CoverageUpdateIn(CoverageIn):
    version: int = Field(ge=1, description="The version you read; an older one gives 409.")


class EligibilityCheckOut(Schema):
    id: int
    visit_id: int | None
    client_id: int
    coverage_id: int | None
    checked_at: datetime
    checked_by_id: int | None
    service: str
    result: EligibilityResult
    message: str
    copay: Decimal | None
    reference: str
    raw_summary: dict[str, Any]


class EligibilityCheckIn(InSchema):
    coverage_id: int | None = Field(
        None, ge=1, description="The policy to check; empty: the client's primary policy valid on the visit's day."
    )


class EligibilityRunOut(Schema):
    check: EligibilityCheckOut
    billing: Billing
    self_pay_reason: SelfPayReason | None = Field(description="Set when the visit falls back to self-pay.")


class CardOut(Schema):
    id: int
    guest_id: int
    given_name: str
    family_name: str
    date_of_birth: date | None
    nationality: str
    street: str
    postal_code: str
    city: str
    country: str
    document_type: str
    document_number: str
    document_issuing_country: str
    document_expiry: date | None
    signed_at: datetime | None
    is_complete: bool
    version: int


class CardIn(InSchema):
    given_name: Text = Field("", max_length=100)
    family_name: Text = Field("", max_length=100)
    date_of_birth: date | None = None
    nationality: Text = Field("", max_length=2, description="ISO 3166 two-letter code.")
    street: Text = Field("", max_length=200)
    postal_code: Text = Field("", max_length=16)
    city: Text = Field("", max_length=100)
    country: Text = Field("", max_length=2, description="Country of residence, ISO 3166 two-letter code.")
    document_type: DocumentType | None = None
    document_number: Text = Field("", max_length=40)
    document_issuing_country: Text = Field("", max_length=2)
    document_expiry: date | None = None
    signature_png: Text = Field(
        "",
        max_length=400_000,
        description="The drawn signature as `data:image/png;base64,…`; required on create, empty on update keeps it.",
    )


class CardUpdateIn(CardIn):
    version: int = Field(ge=1, description="The version you read; an older one gives 409.")
