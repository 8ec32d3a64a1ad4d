"""Demo desk data: visit types per vertical, hotel rooms, a month of past visits and today's schedule.

Visit types and rooms go through the services; the visits (a few thousand rows with
their status changes and line items) are inserted in bulk, numbered gap-free by
advancing the number sequence once per year, so ``frontoffice demo`` stays quick.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

from frontoffice.accounts.models import StaffMember
from frontoffice.clients.models import Client
from frontoffice.core.choices import BusinessKind
from frontoffice.core.models import Branch, NumberSequence, Organisation

from . import services
from .choices import VisitStatus as S
from .models import Visit, VisitGuest, VisitLine, VisitStatusChange, VisitType
from .pricing import line_totals

DAYS_BACK = 30


@dataclass(frozen=True)
class DemoType:
    name: str
    duration: int
    price: str
    vat: str
    coverage: bool = False


TYPES: dict[str, tuple[DemoType, ...]] = {
    BusinessKind.CLINIC: (
        DemoType("Porada lekarza rodzinnego (NFZ)", 15, "0.00", "zw", coverage=True),
        DemoType("Konsultacja internistyczna", 20, "180.00", "zw"),
        DemoType("Konsultacja kardiologiczna", 30, "250.00", "zw"),
        DemoType("Pobranie krwi", 10, "25.00", "zw"),
        DemoType("Szczepienie przeciw grypie", 10, "90.00", "8"),
        DemoType("Zaświadczenie lekarskie", 15, "100.00", "23"),
    ),
    BusinessKind.HOTEL: (
        DemoType("Nocleg ze śniadaniem", 0, "420.00", "8"),
        DemoType("Nocleg bez śniadania", 0, "360.00", "8"),
        DemoType("Pakiet weekendowy SPA", 0, "890.00", "8"),
    ),
    BusinessKind.RETAIL: (
        DemoType("Sprzedaż detaliczna", 5, "0.00", "23"),
        DemoType("Mieszanie farby na zamówienie", 15, "0.00", "23"),
        DemoType("Zwrot lub reklamacja", 10, "0.00", "23"),
    ),
    BusinessKind.OFFICE: (DemoType("Zlecenie usługi", 30, "0.00", "23"),),
}

REASONS = ("Kontrola", "Kaszel i gorączka", "Ból pleców", "Wyniki badań", "Recepta", "Ból głowy", "Nadciśnienie")
PRODUCTS = (
    ("Farba lateksowa biała 10 l", "189.99"),
    ("Farba akrylowa kolor 2,5 l", "79.90"),
    ("Wałek malarski 25 cm", "24.90"),
    ("Pędzel płaski 50 mm", "12.50"),
    ("Taśma malarska 48 mm", "9.99"),
    ("Folia ochronna 4×5 m", "6.49"),
    ("Grunt głęboko penetrujący 5 l", "54.00"),
)
ROOMS = (("single", 1), ("double", 2), ("double", 2), ("twin", 2), ("family", 4), ("suite", 3))


def load(organisations: list[Organisation]) -> None:
    for seed, organisation in enumerate(organisations, start=1):
        if VisitType.objects.filter(organisation=organisation).exists():
            continue  # idempotent: the demo runs on every `make run` of an empty database
        _Loader(organisation, random.Random(seed)).run()  # noqa: S311 - invented demo data
    # After the visits exist: payers, policies and registration cards; then money, which needs the
    # policies (copays); then intake forms, which need the visit types.
    from . import demo_calendar, demo_coverage, demo_intake, demo_money, demo_queue

    demo_coverage.load(organisations)
    demo_money.load(organisations)
    demo_intake.load(organisations)
    demo_calendar.load(organisations)
    demo_queue.load(organisations)


class _Loader:
    def __init__(self, organisation: Organisation, rng: random.Random) -> None:
        self.organisation = organisation
        self.rng = rng
        self.vertical = organisation.kind
        self.clients = list(
            Client.objects.filter(organisation=organisation, replaced_by__isnull=True, erased_at__isnull=True)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        self.visits: list[Visit] = []
        self.changes: list[list[tuple[str, str, datetime]]] = []  # per visit: (from, to, at)
        self.lines: list[list[tuple[str, str, int]]] = []
        self.guests: list[list[int]] = []

    def run(self) -> None:
        types = [
            services.visit_type_create(
                organisation=self.organisation,
                actor=None,
                name=spec.name,
                vertical=self.vertical,
                duration_minutes=spec.duration,
                price=Decimal(spec.price),
                vat_rate=spec.vat,
                coverage_required=spec.coverage,
            )
            for spec in TYPES.get(self.vertical, ())
        ]
        if not types or not self.clients:
            return
        for branch in self.organisation.branches.order_by("code"):
            clerk = (
                StaffMember.objects.filter(organisation=self.organisation, branches=branch, user__groups__name="clerk")
                .order_by("pk")
                .first()
            )
            if self.vertical == BusinessKind.HOTEL:
                self._stays(branch, types, clerk)
            else:
                self._appointments(branch, types, clerk)
        self._save()

    # --- generating ---

    def _add(  # type: ignore[no-untyped-def]
        self, visit: Visit, path: list[str], start: datetime, *, lines=(), guests=(), final_at=None
    ) -> None:
        booked_at = min(start - timedelta(days=1), timezone.now() - timedelta(hours=1))
        steps, previous, moment = [], "", start
        for index, status in enumerate(path):
            if index:
                moment += timedelta(minutes=self.rng.randint(2, 25))
            at = booked_at if index == 0 else moment
            if final_at is not None and index == len(path) - 1 and index > 0:
                at = final_at
            steps.append((previous, status, at))
            previous = status
        visit.status = path[-1]
        visit.status_changed_at = steps[-1][2]
        self.visits.append(visit)
        self.changes.append(steps)
        self.lines.append(list(lines))
        self.guests.append(list(guests))

    def _visit(self, branch: Branch, visit_type: VisitType, when: datetime, clerk: StaffMember | None) -> Visit:
        return Visit(
            organisation=self.organisation,
            branch=branch,
            client_id=self.rng.choice(self.clients),
            visit_type=visit_type,
            vertical=self.vertical,
            scheduled_at=when,
            responsible=clerk,
        )

    def _appointments(self, branch: Branch, types: list[VisitType], clerk: StaffMember | None) -> None:
        zone = ZoneInfo(branch.time_zone)
        today = services.branch_today(branch)
        now = timezone.now()
        for offset in range(-DAYS_BACK, 1):
            day = today + timedelta(days=offset)
            if day.weekday() == 6:
                continue
            for slot in range(8 * 2, 17 * 2):
                if self.rng.random() > 0.45:
                    continue
                when = datetime.combine(day, time(slot // 2, 30 * (slot % 2)), tzinfo=zone)
                visit = self._visit(branch, self.rng.choice(types[:-1] if len(types) > 1 else types), when, clerk)
                if self.vertical == BusinessKind.CLINIC:
                    visit.reason = self.rng.choice(REASONS)
                    self._add(visit, self._clinic_path(when, now), when)
                else:
                    lines = [
                        (*self.rng.choice(PRODUCTS), self.rng.randint(1, 4)) for _ in range(self.rng.randint(1, 3))
                    ]
                    self._add(visit, self._sale_path(when, now), when, lines=lines)

    def _clinic_path(self, when: datetime, now: datetime) -> list[str]:
        if when > now + timedelta(minutes=30):
            return [S.PLANNED]
        if when > now - timedelta(minutes=30):
            return self.rng.choice([[S.PLANNED], [S.PLANNED, S.ARRIVED], [S.PLANNED, S.ARRIVED, S.IN_PROGRESS]])
        roll = self.rng.random()
        if roll < 0.08:
            return [S.PLANNED, S.NO_SHOW]
        if roll < 0.15:
            return [S.PLANNED, S.CANCELLED]
        return [S.PLANNED, S.ARRIVED, S.IN_PROGRESS, S.FINISHED]

    def _sale_path(self, when: datetime, now: datetime) -> list[str]:
        if when > now:
            return [S.OPEN]
        roll = self.rng.random()
        if when > now - timedelta(hours=1):
            return [S.OPEN, S.PAID] if roll < 0.5 else [S.OPEN]
        if roll < 0.05:
            return [S.OPEN, S.PAID, S.FULFILLED, S.RETURNED]
        if roll < 0.08:
            return [S.OPEN, S.CANCELLED]
        return [S.OPEN, S.PAID, S.FULFILLED]

    def _stays(self, branch: Branch, types: list[VisitType], clerk: StaffMember | None) -> None:
        rooms = []
        for index, (kind, capacity) in enumerate(ROOMS * 2):
            floor = 1 + index // 4
            rooms.append(
                services.room_create(
                    branch=branch,
                    actor=None,
                    number=f"{floor}{index % 4 + 1:02d}",
                    floor=floor,
                    kind=kind,
                    capacity=capacity,
                )
            )
        zone = ZoneInfo(branch.time_zone)
        today = services.branch_today(branch)
        for room in rooms:
            day = today - timedelta(days=DAYS_BACK + self.rng.randint(0, 3))
            while day <= today + timedelta(days=7):
                nights = self.rng.randint(1, 5)
                departure = day + timedelta(days=nights)
                when = datetime.combine(day, services.CHECK_IN_TIME, tzinfo=zone)
                visit = self._visit(branch, self.rng.choice(types), when, clerk)
                visit.arrival_date, visit.departure_date, visit.room = day, departure, room
                path = self._stay_path(day, departure, today)
                left = departure
                if path[-1] == S.CHECKED_OUT and self.rng.random() < 0.07 and nights > 1:
                    visit.early_departure = True
                    left = departure - timedelta(days=1)
                extra = self.rng.choice(self.clients) if room.capacity > 1 and self.rng.random() < 0.5 else None
                guests = [visit.client_id] + ([extra] if extra and extra != visit.client_id else [])
                final_at = datetime.combine(left, time(10, 30), tzinfo=zone) if path[-1] == S.CHECKED_OUT else None
                self._add(visit, path, when, guests=guests, final_at=final_at)
                day = departure + timedelta(days=self.rng.choice((0, 0, 1, 2)))

    def _stay_path(self, arrival: date, departure: date, today: date) -> list[str]:
        if arrival > today:
            return [S.BOOKED]
        if arrival == today:
            return [S.BOOKED]  # today's arrivals: the clerk checks them in
        if departure > today:
            return [S.BOOKED, S.CHECKED_IN]
        roll = self.rng.random()
        if roll < 0.05:
            return [S.BOOKED, S.NO_SHOW]
        if roll < 0.08:
            return [S.BOOKED, S.CANCELLED]
        return [S.BOOKED, S.CHECKED_IN, S.CHECKED_OUT]

    # --- saving ---

    def _save(self) -> None:
        order = sorted(range(len(self.visits)), key=lambda i: (self.visits[i].scheduled_at, i))
        per_year: dict[int, int] = {}
        for index in order:
            visit = self.visits[index]
            year = visit.scheduled_at.year
            last = per_year.get(year) or self._last_number(year)
            per_year[year] = last + 1
            visit.number = f"{services.VISIT_NUMBER_PREFIX}-{year}-{last + 1:06d}"
        for year, last in per_year.items():
            NumberSequence.objects.update_or_create(
                organisation=self.organisation,
                key=services.VISIT_NUMBER_PREFIX,
                year=year,
                defaults={"last_value": last},
            )
        Visit.objects.bulk_create(self.visits, batch_size=500)
        changes, lines, guests = [], [], []
        for visit, steps, items, people in zip(self.visits, self.changes, self.lines, self.guests, strict=True):
            changes += [
                VisitStatusChange(visit=visit, from_status=a, to_status=b, at=at, by=None) for a, b, at in steps
            ]
            for position, (description, price, quantity) in enumerate(items, start=1):
                totals = line_totals(quantity=Decimal(quantity), unit_price=Decimal(price), vat_rate="23")
                lines.append(
                    VisitLine(
                        visit=visit,
                        position=position,
                        description=description,
                        quantity=Decimal(quantity),
                        unit_price=Decimal(price),
                        vat_rate="23",
                        total_net=totals.net,
                        total_vat=totals.vat,
                        total_gross=totals.gross,
                    )
                )
            guests += [VisitGuest(visit=visit, client_id=pk, is_primary=i == 0) for i, pk in enumerate(people)]
        VisitStatusChange.objects.bulk_create(changes, batch_size=1000)
        VisitLine.objects.bulk_create(lines, batch_size=1000)
        VisitGuest.objects.bulk_create(guests, batch_size=1000)

    def _last_number(self, year: int) -> int:
        found = NumberSequence.objects.filter(
            organisation=self.organisation, key=services.VISIT_NUMBER_PREFIX, year=year
        ).values_list("last_value", flat=True)
        return found.first() or 0
