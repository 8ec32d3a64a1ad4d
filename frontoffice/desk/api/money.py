"""Money through the API: a visit's folio, charges (and voiding a wrong one), payments and refunds (creates
honour Idempotency-Key), refund approval, cash drawer sessions, receipts, invoices and correction invoices."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from frontoffice.core import selectors as core_selectors
from frontoffice.core.apikit import (
    IDEMPOTENCY_HEADER,
    Id,
    InSchema,
    LimitOffsetPagination,
    current_user,
    idempotent,
    requires,
)
from frontoffice.core.pdf import PDF_CONTENT_TYPE, pdf_response

from .. import selectors
from ..choices import VatRate
from ..money import documents, services
from ..money import selectors as money
from ..money.choices import ChargeKind, DocumentKind, PaymentMethod, RefundStatus
from ..money.permissions import MoneyPermission
from .refs import ref

router = Router(tags=["Desk: money"])

VIEW = "desk.view_visits"
TAKE = MoneyPermission.TAKE_PAYMENTS.perm
APPROVE = MoneyPermission.APPROVE_REFUNDS.perm
REVIEW = MoneyPermission.REVIEW_DRAWERS.perm
VOID = MoneyPermission.VOID_CHARGES.perm
CORRECT = MoneyPermission.CORRECT_INVOICES.perm


# --- schemas --------------------------------------------------------------------------------------


class ChargeOut(Schema):
    id: int
    kind: ChargeKind
    description: str
    quantity: Decimal
    unit_price: Decimal = Field(description="Gross unit price.")
    vat_rate: VatRate
    total_net: Decimal
    total_vat: Decimal
    total_gross: Decimal
    voided_at: datetime | None
    voided_by_id: int | None
    void_reason: str


class PaymentOut(Schema):
    id: int
    visit_id: int
    method: PaymentMethod
    amount: Decimal
    is_deposit: bool
    terminal_receipt: str
    reference: str
    drawer_session_id: int | None
    taken_at: datetime
    taken_by_id: int | None


class RefundOut(Schema):
    id: int
    visit_id: int
    method: PaymentMethod
    amount: Decimal
    reason: str
    status: RefundStatus
    required_role: str = Field(description="The role whose approval it needs; empty when within the limit.")
    drawer_session_id: int | None
    requested_at: datetime
    requested_by_id: int | None
    decided_at: datetime | None
    decided_by_id: int | None
    decision_comment: str


class DocumentOut(Schema):
    id: int
    visit_id: int
    kind: DocumentKind
    number: str
    issued_at: datetime
    sale_date: date
    seller_name: str
    seller_nip: str
    buyer_name: str
    buyer_nip: str
    total_net: Decimal
    total_vat: Decimal
    total_gross: Decimal = Field(description="A correction: the difference, below zero when the amount goes down.")
    vat_breakdown: list[dict[str, Any]] = Field(
        description="Net, VAT and gross per rate; a correction's rows are differences, with `before` and `after`."
    )
    lines: list[dict[str, Any]] = Field(
        description="As issued; a correction's lines carry `position` on the invoice, `before`, `after` and "
        "`difference`."
    )
    corrects_id: int | None = Field(description="A correction: the invoice it corrects.")
    reason: str = Field(description="A correction: why the invoice was corrected.")


class FolioOut(Schema):
    visit_id: int
    currency: str
    charges_total: Decimal = Field(description="Line items and charges (gross), corrections included.")
    corrections: Decimal = Field(description="What correction invoices changed (below zero: lowered).")
    paid: Decimal
    refunded: Decimal = Field(description="Approved refunds.")
    pending_refunds: Decimal
    balance: Decimal = Field(description="charges − payments + refunds; above zero the client owes.")
    outstanding: Decimal = Field(description="What may still be paid (a deposit before the visit starts).")
    refundable: Decimal
    charges: list[ChargeOut]
    payments: list[PaymentOut]
    refunds: list[RefundOut]
    documents: list[DocumentOut]


class ChargeIn(InSchema):
    description: str = Field(min_length=1, max_length=200)
    quantity: Decimal = Field(Decimal(1), gt=0, max_digits=10, decimal_places=3)
    unit_price: Decimal = Field(description="Gross unit price, zero or more.", max_digits=12, decimal_places=2)
    vat_rate: VatRate = VatRate.STANDARD


class ChargeVoidIn(InSchema):
    reason: str = Field(min_length=1, max_length=300)


class PaymentIn(InSchema):
    method: PaymentMethod
    amount: Decimal = Field(description="Above zero, at most what is due.", max_digits=12, decimal_places=2)
    terminal_receipt: str = Field("", max_length=40, description="Card: the terminal's receipt number (required).")
    reference: str = Field("", max_length=100, description="Transfer title; insurer claim or voucher code (required).")


class RefundIn(InSchema):
    method: PaymentMethod
    amount: Decimal = Field(
        description="Above zero, at most what was paid and not given back.", max_digits=12, decimal_places=2
    )
    reason: str = Field(min_length=1, max_length=300)


class DecisionIn(InSchema):
    comment: str = Field("", max_length=300, description="Required when rejecting.")


class DrawerOpenIn(InSchema):
    branch_id: int = Field(ge=1)
    opening_float: Decimal = Field(max_digits=12, decimal_places=2)


class DrawerCloseIn(InSchema):
    counted_amount: Decimal = Field(max_digits=12, decimal_places=2)
    note: str = Field("", max_length=300, description="Required when the count differs from what is expected.")


class DrawerOut(Schema):
    id: int
    branch_id: int
    clerk_id: int
    opened_at: datetime
    opening_float: Decimal
    closed_at: datetime | None
    expected_amount: Decimal | None
    counted_amount: Decimal | None
    discrepancy: Decimal | None
    close_note: str


class DocumentIn(InSchema):
    kind: Literal["receipt", "invoice"] = Field(description="A correction invoice has its own endpoint.")
    buyer_name: str = Field("", max_length=200, description="Invoice: required (default: the client's name).")
    buyer_nip: str = Field("", max_length=13)
    buyer_address: str = Field("", max_length=300)


class CorrectionLineIn(InSchema):
    position: int = Field(ge=1, description="The line's number on the invoice (1 = first).")
    quantity: Decimal = Field(ge=0, max_digits=10, decimal_places=3)
    unit_price: Decimal = Field(ge=0, max_digits=12, decimal_places=2, description="Gross unit price.")


class CorrectionIn(InSchema):
    reason: str = Field(min_length=1, max_length=300)
    to_zero: bool = Field(False, description="Cancel the whole invoice: every line to zero (`lines` ignored).")
    lines: list[CorrectionLineIn] = Field(
        default_factory=list, description="What each corrected line should have said; lines left out stay."
    )


# --- endpoints ------------------------------------------------------------------------------------


def _folio(user: Any, visit_id: int) -> dict[str, Any]:
    visit = selectors.visit_get(user=user, pk=visit_id)
    current = money.folio(visit)
    return {
        "visit_id": visit.pk,
        "currency": visit.organisation.currency,
        "charges_total": current.charges,
        "corrections": current.corrections,
        "paid": current.paid,
        "refunded": current.refunded,
        "pending_refunds": current.pending_refunds,
        "balance": current.balance,
        "outstanding": current.outstanding,
        "refundable": current.refundable,
        "charges": list(money.charges_of(visit)),
        "payments": list(money.payments_of(visit)),
        "refunds": list(money.refunds_of(visit)),
        "documents": list(money.documents_of(visit)),
    }


def _token(request: HttpRequest) -> str:
    # The key is already honoured by @idempotent; passing it on makes the row itself unique too.
    return (request.headers.get(IDEMPOTENCY_HEADER) or "")[:64]


@router.get("/desk/visits/{int:visit_id}/folio", response=FolioOut, summary="A visit's charges, payments and balance")
@requires(VIEW)
def folio_get(request: HttpRequest, visit_id: Id) -> Any:
    return _folio(current_user(request), visit_id)


@router.post("/desk/visits/{int:visit_id}/charges", response={201: ChargeOut}, summary="Add a charge")
@requires(TAKE)
@idempotent
def charge_create(request: HttpRequest, visit_id: Id, payload: ChargeIn) -> Any:
    user = current_user(request)
    visit = selectors.visit_get(user=user, pk=visit_id)
    charge = services.charge_add(visit=visit, actor=user, **payload.dict())
    return Status(201, charge)


@router.post(
    "/desk/visits/{int:visit_id}/charges/{int:charge_id}/void", response=ChargeOut, summary="Void a wrong charge"
)
@requires(VOID)
@idempotent
def charge_void(request: HttpRequest, visit_id: Id, charge_id: Id, payload: ChargeVoidIn) -> Any:
    """An extra charge posted by mistake stops counting; it stays on the folio with who, when and why. Refused
    (422) once a receipt or an invoice lists it, when the visit takes no more charges, for the desk's own
    charges, and above the organisation's void limit unless a manager voids it."""
    user = current_user(request)
    visit = selectors.visit_get(user=user, pk=visit_id)
    charge = money.charge_get(visit=visit, pk=charge_id)
    return services.charge_void(charge=charge, actor=user, reason=payload.reason)


@router.post("/desk/visits/{int:visit_id}/payments", response={201: PaymentOut}, summary="Take a payment")
@requires(TAKE)
@idempotent
def payment_create(request: HttpRequest, visit_id: Id, payload: PaymentIn) -> Any:
    """Overpayment, a zero or negative amount, a card payment without a terminal receipt number and cash
    without an open drawer are refused with 422."""
    user = current_user(request)
    visit = selectors.visit_get(user=user, pk=visit_id)
    payment = services.payment_take(visit=visit, actor=user, token=_token(request), **payload.dict())
    return Status(201, payment)


@router.post("/desk/visits/{int:visit_id}/refunds", response={201: RefundOut}, summary="Give money back")
@requires(TAKE)
@idempotent
def refund_create(request: HttpRequest, visit_id: Id, payload: RefundIn) -> Any:
    """Above the organisation's limit the refund is `pending` until approved; more than was paid is refused."""
    user = current_user(request)
    visit = selectors.visit_get(user=user, pk=visit_id)
    refund = services.refund_request(visit=visit, actor=user, token=_token(request), **payload.dict())
    return Status(201, refund)


@router.get("/desk/refunds", response=list[RefundOut], summary="List refunds")
@paginate(LimitOffsetPagination)
@requires(APPROVE)
def refund_list(request: HttpRequest, status: RefundStatus | None = None) -> Any:
    return money.refund_list(user=current_user(request), status=status or "")


@router.post("/desk/refunds/{int:refund_id}/approve", response=RefundOut, summary="Approve a refund")
@requires(APPROVE)
def refund_approve(request: HttpRequest, refund_id: Id, payload: DecisionIn) -> Any:
    user = current_user(request)
    refund = money.refund_get(user=user, pk=refund_id)
    return services.refund_decide(refund=refund, actor=user, approve=True, comment=payload.comment)


@router.post("/desk/refunds/{int:refund_id}/reject", response=RefundOut, summary="Reject a refund")
@requires(APPROVE)
def refund_reject(request: HttpRequest, refund_id: Id, payload: DecisionIn) -> Any:
    user = current_user(request)
    refund = money.refund_get(user=user, pk=refund_id)
    return services.refund_decide(refund=refund, actor=user, approve=False, comment=payload.comment)


@router.get("/desk/drawer-sessions", response=list[DrawerOut], summary="List cash drawer sessions")
@paginate(LimitOffsetPagination)
@requires(TAKE)
def drawer_list(request: HttpRequest, discrepancies_only: bool = False) -> Any:
    """Your own sessions; managers (who review drawers) see every clerk's at their branches."""
    user = current_user(request)
    return money.drawer_list(user=user, discrepancies_only=discrepancies_only, own_only=not user.has_perm(REVIEW))


@router.post("/desk/drawer-sessions", response={201: DrawerOut}, summary="Open your cash drawer")
@requires(TAKE)
@idempotent
def drawer_open(request: HttpRequest, payload: DrawerOpenIn) -> Any:
    user = current_user(request)
    branch = ref("branch_id", core_selectors.branch_get, payload.branch_id, user)
    return Status(201, services.drawer_open(branch=branch, actor=user, opening_float=payload.opening_float))


@router.post("/desk/drawer-sessions/{int:session_id}/close", response=DrawerOut, summary="Close your cash drawer")
@requires(TAKE)
def drawer_close(request: HttpRequest, session_id: Id, payload: DrawerCloseIn) -> Any:
    user = current_user(request)
    session = money.drawer_get(user=user, pk=session_id, own_only=True)
    return services.drawer_close(session=session, actor=user, counted_amount=payload.counted_amount, note=payload.note)


@router.post("/desk/visits/{int:visit_id}/documents", response={201: DocumentOut}, summary="Issue a receipt or invoice")
@requires(TAKE)
@idempotent
def document_create(request: HttpRequest, visit_id: Id, payload: DocumentIn) -> Any:
    """One of each per visit: issuing again returns the first. A receipt needs the visit paid."""
    user = current_user(request)
    visit = selectors.visit_get(user=user, pk=visit_id)
    return Status(201, services.document_issue(visit=visit, actor=user, **payload.dict()))


@router.post(
    "/desk/documents/{int:document_id}/corrections",
    response={201: DocumentOut},
    summary="Issue a correction invoice",
)
@requires(CORRECT)
@idempotent
def correction_create(request: HttpRequest, document_id: Id, payload: CorrectionIn) -> Any:
    """A *faktura korygująca* of an invoice, numbered `FK-YYYY-NNNNNN`. It moves no money: a lowered amount
    leaves the visit in credit until a refund gives it back. A receipt is not corrected (422)."""
    user = current_user(request)
    invoice = money.document_get(user=user, pk=document_id)
    lines = [services.LineCorrection(line.position, line.quantity, line.unit_price) for line in payload.lines]
    correction = services.correction_issue(
        invoice=invoice, actor=user, reason=payload.reason, lines=lines, to_zero=payload.to_zero
    )
    return Status(201, correction)


@router.get(
    "/desk/documents/{int:document_id}/corrections",
    response=list[DocumentOut],
    summary="List an invoice's correction invoices",
)
@paginate(LimitOffsetPagination)
@requires(VIEW)
def correction_list(request: HttpRequest, document_id: Id) -> Any:
    invoice = money.document_get(user=current_user(request), pk=document_id)
    if invoice.kind != DocumentKind.INVOICE:
        raise Http404
    return money.corrections_of(invoice)


@router.get(
    "/desk/documents/{int:document_id}/pdf",
    summary="Download a receipt or invoice (PDF)",
    openapi_extra={
        "responses": {
            200: {
                "description": "The document as issued, with the seller's and buyer's NIP and the VAT by rate.",
                "content": {PDF_CONTENT_TYPE: {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
@requires(VIEW)
def document_pdf(request: HttpRequest, document_id: Id) -> HttpResponse:
    document = money.document_get(user=current_user(request), pk=document_id)
    return pdf_response(documents.issued_pdf(document), filename=documents.document_filename(document))
