"""Demo money: the month of visits gets charges, payments, refunds, cash drawers and sales documents.

Written in bulk, like the visits (``demo.py``), but by the services' rules, so every page and
report agrees with what the desk would have recorded:

- the desk's own charges are posted once a visit is under way (a clinic visit's service on
  arrival, a stay's nights at check-in), extras on some stays; nothing on cancelled visits;
- a finished clinic visit, a paid sale and a checked-out stay are settled: paid by cash, card
  or transfer (some split), a clinic patient with a private policy pays the copay and the
  insurer the rest (some claims still open); deposits before a stay or a visit;
- a returned sale is refunded in full, a cancelled stay's deposit is given back (approved by
  the manager above the approval limit; the latest one still waiting for approval);
- every cash payment and cash refund is in the drawer of the branch's clerk on its day; past
  drawers are closed with the expected amount (a few with a small, explained discrepancy),
  today's is open;
- receipts (with what the fiscal printer would have printed) and some invoices, numbered
  gap-free per organisation and year in the order they were issued;
- today: some visits paid, some not yet.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

from frontoffice.accounts.models import StaffMember
from frontoffice.core.choices import BusinessKind
from frontoffice.core.models import Branch, NumberSequence, Organisation

from .choices import VisitStatus as S
from .choices_coverage import Billing, PayerKind, SelfPayReason
from .models import (
    Charge,
    Coverage,
    CoverageCopay,
    DrawerSession,
    FiscalPrintout,
    MoneySettings,
    Payment,
    Refund,
    SaleDocument,
    Visit,
    VisitBilling,
    VisitLine,
    VisitStatusChange,
)
from .money import documents
from .money.choices import ChargeKind, DocumentKind, PaymentMethod, RefundStatus
from .money.fiscal import LocalFiscalPrinter, is_fiscal, receipt_payload
from .money.services import INVOICE_PREFIX, RECEIPT_PREFIX, required_role
from .pricing import line_totals

ZERO = Decimal("0.00")
SELLERS = {
    BusinessKind.CLINIC: "5261234509",
    BusinessKind.HOTEL: "6781234516",
    BusinessKind.RETAIL: "7771234509",
    BusinessKind.OFFICE: "9512345600",
}
BUYERS = (
    ("Kowalczyk i Wspólnicy Sp. z o.o.", "1134567808", "ul. Wielicka 10, 30-552 Kraków"),
    ("Budmax S.A.", "5219876501", "ul. Prosta 51, 00-838 Warszawa"),
)
FLOATS = {BusinessKind.HOTEL: Decimal("500.00")}
OPENS, CLOSES = time(7, 30), time(20, 0)
SHORTFALLS = (
    (Decimal("-10.00"), "Brak 10 zł: pomyłka przy wydawaniu reszty."),
    (Decimal("-2.50"), "Brak 2,50 zł, nie wyjaśniono."),
    (Decimal("5.00"), "Nadwyżka 5 zł: klient nie zabrał reszty."),
)


def load(organisations: list[Organisation]) -> None:
    for seed, organisation in enumerate(organisations, start=1):
        if MoneySettings.objects.filter(organisation=organisation).exists():
            continue  # idempotent, like the rest of the demo
        _Money(organisation, random.Random(seed * 13)).run()  # noqa: S311 - invented demo data


@dataclass
class _Plan:
    """What one visit gets: charges posted, payments and refunds, its billing and its document."""

    visit: Visit
    charges: list[Charge] = field(default_factory=list)
    payments: list[Payment] = field(default_factory=list)
    refunds: list[Refund] = field(default_factory=list)
    billing: VisitBilling | None = None
    document: tuple[str, datetime, int] | None = None  # kind, when, buyer (−1: the client)

    def due(self, lines: Decimal) -> Decimal:
        return lines + sum((charge.total_gross for charge in self.charges), ZERO)

    def paid(self) -> Decimal:
        return sum((payment.amount for payment in self.payments), ZERO)


class _Money:
    def __init__(self, organisation: Organisation, rng: random.Random) -> None:
        self.organisation = organisation
        self.rng = rng
        self.now = timezone.now()
        self.branches = {branch.pk: branch for branch in organisation.branches.all()}
        self.clerks: dict[int, Any] = {}
        for branch_id in self.branches:
            staff = (
                StaffMember.objects.filter(organisation=organisation, branches=branch_id, user__groups__name="clerk")
                .select_related("user")
                .order_by("pk")
                .first()
            )
            if staff is not None:
                self.clerks[branch_id] = staff.user
        manager = (
            StaffMember.objects.filter(organisation=organisation, user__groups__name="manager")
            .select_related("user")
            .order_by("pk")
            .first()
        )
        self.manager = manager.user if manager else None
        self.claims = 0

    # --- reading what the demo booked ---

    def run(self) -> None:
        branch = min(self.branches.values(), key=lambda b: b.code) if self.branches else None
        MoneySettings.objects.create(
            organisation=self.organisation,
            seller_name=self.organisation.name,
            seller_nip=SELLERS.get(self.organisation.kind, ""),
            seller_street=branch.street if branch else "",
            seller_postal_code=branch.postal_code if branch else "",
            seller_city=branch.city if branch else "",
        )
        visits = list(
            Visit.objects.filter(organisation=self.organisation)
            .select_related("visit_type", "client", "branch")
            .order_by("scheduled_at", "pk")
        )
        if not visits or not self.clerks:
            return
        self.moments: dict[int, dict[str, datetime]] = defaultdict(dict)
        for visit_id, status, at in VisitStatusChange.objects.filter(visit__organisation=self.organisation).values_list(
            "visit_id", "to_status", "at"
        ):
            self.moments[visit_id][status] = at
        self.lines: dict[int, list[VisitLine]] = defaultdict(list)
        for line in VisitLine.objects.filter(visit__organisation=self.organisation).order_by("position", "pk"):
            self.lines[line.visit_id].append(line)
        self._coverages()
        plans = [self._plan(visit) for visit in visits if visit.branch_id in self.clerks]
        self._refund_cancelled_deposits(plans)
        self._save(plans)

    def _coverages(self) -> None:
        self.public: dict[int, Coverage] = {}
        self.private: dict[int, Coverage] = {}
        for coverage in Coverage.objects.filter(organisation=self.organisation).select_related("payer"):
            target = self.public if coverage.payer.kind == PayerKind.PUBLIC_FUND else self.private
            target.setdefault(coverage.client_id, coverage)
        self.copays = {
            (row.coverage_id, row.visit_type_id): row.amount
            for row in CoverageCopay.objects.filter(coverage__organisation=self.organisation)
        }

    # --- planning one visit ---

    def _plan(self, visit: Visit) -> _Plan:
        plan = _Plan(visit)
        if visit.vertical == BusinessKind.CLINIC:
            self._clinic(plan)
        elif visit.vertical == BusinessKind.HOTEL:
            self._stay(plan)
        else:
            self._sale(plan)
        return plan

    def _charge(
        self, plan: _Plan, kind: str, description: str, quantity: Decimal, price: Decimal, vat: str, at: datetime
    ) -> None:
        totals = line_totals(quantity=quantity, unit_price=price, vat_rate=vat)
        plan.charges.append(
            Charge(
                visit=plan.visit,
                kind=kind,
                description=description,
                quantity=quantity,
                unit_price=price,
                vat_rate=vat,
                total_net=totals.net,
                total_vat=totals.vat,
                total_gross=totals.gross,
                created_at=at,
                created_by=self.clerks[plan.visit.branch_id],
            )
        )

    def _pay(
        self, plan: _Plan, method: str, amount: Decimal, at: datetime, *, deposit: bool = False, reference: str = ""
    ) -> None:
        if amount <= 0:
            return
        visit = plan.visit
        plan.payments.append(
            Payment(
                organisation=self.organisation,
                branch=visit.branch,
                visit=visit,
                method=method,
                amount=amount,
                is_deposit=deposit,
                terminal_receipt=f"{self.rng.randint(100000, 999999)}" if method == PaymentMethod.CARD else "",
                reference=reference,
                taken_at=self._in_opening_hours(visit.branch, at),
                taken_by=self.clerks[visit.branch_id] if method != PaymentMethod.INSURER else None,
            )
        )

    def _settle(self, plan: _Plan, due: Decimal, at: datetime, mix: tuple[float, float]) -> None:
        """Pay what is still due: cash or card (some split between them), or a transfer."""
        rest = due - plan.paid()
        roll = self.rng.random()
        if roll < mix[0]:
            self._pay(plan, PaymentMethod.CASH, rest, at)
        elif roll < mix[1]:
            if rest > Decimal("50.00") and self.rng.random() < 0.12:
                part = Decimal(int(rest / 2)).quantize(ZERO)
                self._pay(plan, PaymentMethod.CASH, part, at)
                rest -= part
            self._pay(plan, PaymentMethod.CARD, rest, at)
        else:
            self._pay(plan, PaymentMethod.TRANSFER, rest, at, reference=f"Przelew {plan.visit.number}")

    def _clinic(self, plan: _Plan) -> None:
        visit, moments = plan.visit, self.moments[plan.visit.pk]
        visit_type = visit.visit_type
        price = visit_type.price
        if visit_type.coverage_required and S.ARRIVED in moments:
            covered = self.public.get(visit.client_id)
            if covered is not None and covered.valid_from <= visit.scheduled_at.date():
                plan.billing = VisitBilling(visit=visit, billing=Billing.COVERAGE, coverage=covered, copay=ZERO)
            else:
                plan.billing = VisitBilling(
                    visit=visit, billing=Billing.SELF_PAY, self_pay_reason=SelfPayReason.NO_COVERAGE
                )
        arrived = moments.get(S.ARRIVED)
        if visit.status == S.PLANNED:
            if price and self.rng.random() < 0.15:  # a deposit when booking online
                self._pay(plan, PaymentMethod.CARD, price, self.now - timedelta(minutes=30), deposit=True)
            return
        if arrived is None:
            return  # cancelled or no-show: nothing charged
        self._charge(plan, ChargeKind.SERVICE, visit_type.name, Decimal(1), price, visit_type.vat_rate, arrived)
        if not price:
            return
        finished = moments.get(S.FINISHED)
        policy = self.private.get(visit.client_id)
        copay = self.copays.get((policy.pk, visit_type.pk)) if policy is not None else None
        if copay is not None and self.rng.random() < 0.8:
            plan.billing = VisitBilling(visit=visit, billing=Billing.COVERAGE, coverage=policy, copay=copay)
            if finished is not None:
                self._pay(plan, self.rng.choice((PaymentMethod.CASH, PaymentMethod.CARD)), copay, finished)
                self.claims += 1
                claim = f"{policy.payer.name}/{visit.scheduled_at:%Y}/{self.claims:05d}"
                paid_on = datetime.combine(finished.date() + timedelta(days=7), time(11, 0), tzinfo=finished.tzinfo)
                if paid_on <= self.now:  # the insurer pays a week later; newer claims are still open
                    self._pay(plan, PaymentMethod.INSURER, price - copay, paid_on, reference=claim)
            return
        if finished is None:
            if self.rng.random() < 0.4:  # paid on arrival, the rest of today's under-way visits not yet
                self._settle(plan, price, arrived, (0.4, 1.0))
            return
        if self.rng.random() < 0.03:
            return  # left without paying: the balance stays on the visit
        self._settle(plan, price, finished, (0.35, 0.82))
        self._document(plan, finished, invoice=0.06)

    def _stay(self, plan: _Plan) -> None:
        visit, moments = plan.visit, self.moments[plan.visit.pk]
        visit_type = visit.visit_type
        nights = Decimal((visit.departure_date - visit.arrival_date).days)
        booked = moments.get(S.BOOKED, visit.scheduled_at - timedelta(days=1))
        if visit.status == S.CANCELLED or (visit.status != S.NO_SHOW and self.rng.random() < 0.4):
            self._pay(plan, PaymentMethod.TRANSFER, visit_type.price, booked, deposit=True, reference=visit.number)
        checked_in = moments.get(S.CHECKED_IN)
        if checked_in is None:
            return
        self._charge(
            plan, ChargeKind.NIGHTS, visit_type.name, nights, visit_type.price, visit_type.vat_rate, checked_in
        )
        if self.rng.random() < 0.25:
            self._charge(plan, ChargeKind.EXTRA, "Parking", nights, Decimal("40.00"), "23", checked_in)
        if self.rng.random() < 0.1:
            items = Decimal(self.rng.randint(1, 4))
            self._charge(
                plan, ChargeKind.EXTRA, "Minibar", items, Decimal("12.00"), "8", checked_in + timedelta(hours=5)
            )
        left = moments.get(S.CHECKED_OUT)
        if left is None:
            return  # in the house: the folio is settled at check-out
        self._settle(plan, plan.due(ZERO), left, (0.25, 0.85))
        self._document(plan, left, invoice=0.2)

    def _sale(self, plan: _Plan) -> None:
        visit, moments = plan.visit, self.moments[plan.visit.pk]
        paid = moments.get(S.PAID)
        if paid is None:
            return  # open or cancelled: nothing taken yet
        total = sum((line.total_gross for line in self.lines[visit.pk]), ZERO)
        self._settle(plan, total, paid, (0.45, 0.96))
        self._document(plan, paid, invoice=0.08)
        returned = moments.get(S.RETURNED)
        if returned is not None:
            method = plan.payments[0].method if len(plan.payments) == 1 else PaymentMethod.CASH
            self._refund(plan, method, total, returned, "Zwrot towaru w terminie 14 dni.", approve=True)

    def _refund(self, plan: _Plan, method: str, amount: Decimal, at: datetime, reason: str, *, approve: bool) -> None:
        visit = plan.visit
        clerk = self.clerks[visit.branch_id]
        needed = required_role(self.organisation, amount)
        at = self._in_opening_hours(visit.branch, at)
        decided = not needed or approve
        plan.refunds.append(
            Refund(
                organisation=self.organisation,
                branch=visit.branch,
                visit=visit,
                method=method,
                amount=amount,
                reason=reason,
                status=RefundStatus.APPROVED if decided else RefundStatus.PENDING,
                required_role=needed,
                requested_at=at,
                requested_by=clerk,
                decided_at=(at + timedelta(minutes=10 if needed else 0)) if decided else None,
                decided_by=(self.manager if needed else clerk) if decided else None,
            )
        )

    def _refund_cancelled_deposits(self, plans: list[_Plan]) -> None:
        """A cancelled stay's deposit goes back; the latest such refund still waits for the manager."""
        cancelled = [plan for plan in plans if plan.visit.status == S.CANCELLED and plan.payments]
        for index, plan in enumerate(cancelled):
            at = self.moments[plan.visit.pk].get(S.CANCELLED, plan.visit.scheduled_at)
            self._refund(
                plan,
                PaymentMethod.TRANSFER,
                plan.paid(),
                min(at, self.now - timedelta(hours=3)),
                "Rezerwacja odwołana w terminie: zwrot zaliczki.",
                approve=index < len(cancelled) - 1,
            )

    def _document(self, plan: _Plan, at: datetime, *, invoice: float) -> None:
        if plan.paid() < plan.due(sum((line.total_gross for line in self.lines[plan.visit.pk]), ZERO)):
            return  # a receipt is issued once the visit is paid
        roll = self.rng.random()
        if roll < invoice:
            plan.document = (
                DocumentKind.INVOICE,
                min(at + timedelta(minutes=2), self.now),
                self.rng.randrange(len(BUYERS)),
            )
        elif roll < 0.9:
            plan.document = (DocumentKind.RECEIPT, min(at + timedelta(minutes=1), self.now), -1)

    def _in_opening_hours(self, branch: Branch, at: datetime) -> datetime:
        """``at`` moved into the desk's hours of its day (and never later than now)."""
        zone = ZoneInfo(branch.time_zone)
        local = at.astimezone(zone)
        opens = datetime.combine(local.date(), OPENS, tzinfo=zone) + timedelta(minutes=5)
        closes = datetime.combine(local.date(), CLOSES, tzinfo=zone) - timedelta(minutes=5)
        return min(max(local, opens), closes, self.now)

    # --- saving ---

    def _save(self, plans: list[_Plan]) -> None:
        charges = [charge for plan in plans for charge in plan.charges]
        posted = [charge.created_at for charge in charges]
        Charge.objects.bulk_create(charges, batch_size=1000)
        # The insert stamps created_at "now"; the charges were posted when each visit got under way.
        for charge, at in zip(charges, posted, strict=True):
            charge.created_at = at
        Charge.objects.bulk_update(charges, ["created_at"], batch_size=1000)
        VisitBilling.objects.bulk_create([plan.billing for plan in plans if plan.billing], batch_size=1000)
        payments = [payment for plan in plans for payment in plan.payments]
        refunds = [refund for plan in plans for refund in plan.refunds]
        self._drawers(payments, refunds)
        Payment.objects.bulk_create(payments, batch_size=1000)
        Refund.objects.bulk_create(refunds, batch_size=1000)
        self._documents(plans)

    def _drawers(self, payments: list[Payment], refunds: list[Refund]) -> None:
        """One drawer per branch and day with cash or card at the desk, closed at the end of the day."""
        at_desk = [p for p in payments if p.method in (PaymentMethod.CASH, PaymentMethod.CARD)]
        cash_out = [r for r in refunds if r.method == PaymentMethod.CASH]
        days: dict[tuple[int, date], list[Any]] = defaultdict(list)
        for record in [*at_desk, *cash_out]:
            moment = record.taken_at if isinstance(record, Payment) else record.requested_at
            zone = ZoneInfo(record.branch.time_zone)
            days[(record.branch_id, moment.astimezone(zone).date())].append(record)
        sessions = {}
        for (branch_id, day), records in sorted(days.items()):
            branch = self.branches[branch_id]
            zone = ZoneInfo(branch.time_zone)
            today = day == self.now.astimezone(zone).date()
            earliest = min(r.taken_at if isinstance(r, Payment) else r.requested_at for r in records)
            session = DrawerSession(
                organisation=self.organisation,
                branch=branch,
                clerk=self.clerks[branch_id],
                opened_at=min(datetime.combine(day, OPENS, tzinfo=zone), earliest - timedelta(minutes=5)),
                opening_float=FLOATS.get(self.organisation.kind, Decimal("300.00")),
                closed_at=None if today else datetime.combine(day, CLOSES, tzinfo=zone),
            )
            if not today:
                cash_in = sum(
                    (p.amount for p in records if isinstance(p, Payment) and p.method == PaymentMethod.CASH), ZERO
                )
                given = sum(
                    (r.amount for r in records if isinstance(r, Refund) and r.status == RefundStatus.APPROVED), ZERO
                )
                session.expected_amount = session.opening_float + cash_in - given
                # Now and then the count is off (always once, so the drawer pages show how it looks).
                short = self.rng.random() < 0.05 or len(sessions) == 10
                difference, note = self.rng.choice(SHORTFALLS) if short else (ZERO, "")
                session.counted_amount = max(session.expected_amount + difference, ZERO)
                session.discrepancy = session.counted_amount - session.expected_amount
                session.close_note = note if session.discrepancy else ""
            sessions[(branch_id, day)] = session
        DrawerSession.objects.bulk_create(list(sessions.values()), batch_size=1000)
        for (_key, records), session in zip(sorted(days.items()), sessions.values(), strict=True):
            for record in records:
                record.drawer_session = session

    def _documents(self, plans: list[_Plan]) -> None:
        settings = MoneySettings.objects.get(organisation=self.organisation)
        issued = sorted((plan for plan in plans if plan.document), key=lambda plan: (plan.document[1], plan.visit.pk))  # type: ignore[index]
        counters: dict[tuple[str, int], int] = {}
        rows = []
        for plan in issued:
            kind, at, buyer = plan.document  # type: ignore[misc]
            visit = plan.visit
            prefix = INVOICE_PREFIX if kind == DocumentKind.INVOICE else RECEIPT_PREFIX
            year = at.astimezone(ZoneInfo(visit.branch.time_zone)).year
            counters[(prefix, year)] = counters.get((prefix, year), self._last(prefix, year)) + 1
            lines = documents.lines_from([*self.lines[visit.pk], *plan.charges])
            breakdown = documents.vat_breakdown(lines)
            net, vat, gross = documents.totals(breakdown)
            name, nip, address = BUYERS[buyer] if buyer >= 0 else (visit.client.display_name, "", "")
            rows.append(
                SaleDocument(
                    organisation=self.organisation,
                    branch=visit.branch,
                    visit=visit,
                    kind=kind,
                    number=f"{prefix}-{year}-{counters[(prefix, year)]:06d}",
                    issued_at=at,
                    sale_date=visit.departure_date
                    if visit.vertical == BusinessKind.HOTEL
                    else timezone.localdate(visit.scheduled_at, ZoneInfo(visit.branch.time_zone)),
                    issued_by=self.clerks[visit.branch_id],
                    seller_name=settings.seller_name,
                    seller_nip=settings.seller_nip,
                    seller_address=f"{settings.seller_street}, {settings.seller_postal_code} {settings.seller_city}",
                    buyer_name=name[:200],
                    buyer_nip=nip,
                    buyer_address=address,
                    lines=lines,
                    vat_breakdown=breakdown,
                    payments=_payments_summary(plan, at),
                    total_net=net,
                    total_vat=vat,
                    total_gross=gross,
                )
            )
        SaleDocument.objects.bulk_create(rows, batch_size=500)
        for (prefix, year), last in counters.items():
            NumberSequence.objects.update_or_create(
                organisation=self.organisation, key=prefix, year=year, defaults={"last_value": last}
            )
        printer = LocalFiscalPrinter.name
        FiscalPrintout.objects.bulk_create(
            (
                FiscalPrintout(document=row, printer=printer, payload=receipt_payload(row))
                for row in rows
                if row.kind == DocumentKind.RECEIPT and is_fiscal(row.payments)
            ),
            batch_size=500,
        )

    def _last(self, prefix: str, year: int) -> int:
        found = NumberSequence.objects.filter(organisation=self.organisation, key=prefix, year=year)
        return found.values_list("last_value", flat=True).first() or 0


def _payments_summary(plan: _Plan, issued_at: datetime) -> list[dict[str, str]]:
    """Paid per method less what was given back by ``issued_at``, as ``document_issue`` prints it."""
    by_method: dict[str, Decimal] = {}
    for payment in plan.payments:
        if payment.taken_at <= issued_at:
            by_method[payment.method] = by_method.get(payment.method, ZERO) + payment.amount
    for refund in plan.refunds:
        if refund.status == RefundStatus.APPROVED and refund.requested_at <= issued_at:
            by_method[refund.method] = by_method.get(refund.method, ZERO) - refund.amount
    return [
        {"method": method, "label": str(PaymentMethod(method).label), "amount": str(amount)}
        for method, amount in by_method.items()
        if amount
    ]
