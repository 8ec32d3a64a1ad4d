"""Demo supplies: per organisation a catalogue that fits the business (suppliers with valid NIPs, some twenty
items), a storeroom and a department cupboard in each branch, three months of stock history, the default
approval ladder, requests in every state and one order sent and partly delivered.

The catalogue, the locations, the ladder and today's requests and order go through the services. The
history (deliveries against received orders, consumption by department, adjustments and write-offs by
different people) is simulated day by day from a seeded random generator, never letting stock go below zero,
and inserted in bulk; on-hand stock is then recomputed from the movements, so the invariant holds by
construction. The whole app loads in about a second.
"""

from __future__ import annotations

import math
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import DecimalField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from frontoffice.accounts.models import User
from frontoffice.core.choices import BusinessKind, DepartmentKind
from frontoffice.core.models import Branch, Department, Organisation
from frontoffice.core.numbering import next_numbers
from frontoffice.core.queries import update_rows

from . import services, services_orders
from .choices import ItemCategory, MovementKind, OrderStatus, Unit
from .models import (
    Item,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseRequest,
    Receipt,
    ReceiptLine,
    StockLevel,
    StockMovement,
    StorageLocation,
    Supplier,
)

DAYS_BACK = 90
ORDER_DAYS = (0, 3)  # the storeroom orders on Mondays and Thursdays
CENT = Decimal("0.01")
C = ItemCategory


@dataclass(frozen=True)
class DemoSupplier:
    name: str
    nip: str
    email: str
    contact: str
    phone: str
    city: str


@dataclass(frozen=True)
class DemoItem:
    name: str
    category: str
    unit: str
    supplier: int  # index into the catalogue's suppliers
    price: str
    per_day: float  # what one branch uses on an ordinary day
    used_by: str  # "front": the front desk; "service": the other department (kept in its cupboard); "both"
    critical: bool = False
    whole: bool = True


@dataclass(frozen=True)
class Catalogue:
    suppliers: tuple[DemoSupplier, ...]
    items: tuple[DemoItem, ...]
    # How busy each weekday is (Monday first): a clinic is closed on Sundays, a hotel never rests.
    week: tuple[float, ...]


OFFICE = DemoSupplier(
    "Biuro Plus Sp. j.", "5370374244", "zamowienia@biuroplus.example", "Renata Sowa", "+48 22 555 10 20", "Warszawa"
)
CLEANING = DemoSupplier(
    "Czysta Linia s.c.", "7699767634", "biuro@czystalinia.example", "Adam Kruk", "+48 61 555 30 40", "Poznań"
)

CATALOGUES: dict[str, Catalogue] = {
    BusinessKind.CLINIC: Catalogue(
        suppliers=(
            DemoSupplier(
                "Medisfera Hurtownia Medyczna Sp. z o.o.",
                "3823574162",
                "zamowienia@medisfera.example",
                "Joanna Malec",
                "+48 12 555 70 80",
                "Kraków",
            ),
            OFFICE,
            CLEANING,
            DemoSupplier(
                "Laborex Diagnostyka S.A.",
                "6502429848",
                "sprzedaz@laborex.example",
                "Marcin Bąk",
                "+48 12 555 90 10",
                "Kraków",
            ),
        ),
        items=(
            DemoItem("Rękawiczki nitrylowe M (100 szt.)", C.MEDICAL, Unit.BOX, 0, "24.90", 0.9, "service", True),
            DemoItem("Rękawiczki nitrylowe L (100 szt.)", C.MEDICAL, Unit.BOX, 0, "24.90", 0.5, "service"),
            DemoItem("Maseczki chirurgiczne (50 szt.)", C.MEDICAL, Unit.BOX, 0, "12.50", 0.6, "both"),
            DemoItem("Strzykawki 5 ml (100 szt.)", C.MEDICAL, Unit.PACK, 0, "18.00", 0.3, "service"),
            DemoItem("Igły 0,8 mm (100 szt.)", C.MEDICAL, Unit.PACK, 0, "15.00", 0.3, "service"),
            DemoItem("Gaziki nasączone alkoholem (100 szt.)", C.MEDICAL, Unit.PACK, 0, "9.90", 0.5, "service"),
            DemoItem("Plastry z opatrunkiem", C.MEDICAL, Unit.PACK, 0, "7.50", 0.4, "service"),
            DemoItem("Podkład na leżankę 50 m", C.MEDICAL, Unit.ROLL, 0, "11.50", 0.7, "service"),
            DemoItem("Probówki EDTA 2 ml (100 szt.)", C.MEDICAL, Unit.PACK, 3, "42.00", 0.4, "service", True),
            DemoItem("Probówki na surowicę (100 szt.)", C.MEDICAL, Unit.PACK, 3, "45.00", 0.3, "service"),
            DemoItem("Opaska uciskowa", C.MEDICAL, Unit.PIECE, 3, "6.00", 0.1, "service"),
            DemoItem("Płyn do dezynfekcji rąk", C.MEDICAL, Unit.LITRE, 0, "19.90", 0.8, "both", True, False),
            DemoItem("Papier A4 (ryza)", C.OFFICE, Unit.PACK, 1, "21.00", 0.6, "front"),
            DemoItem("Toner do drukarki rejestracji", C.OFFICE, Unit.PIECE, 1, "189.00", 0.04, "front"),
            DemoItem("Koperty C5 (50 szt.)", C.OFFICE, Unit.PACK, 1, "16.00", 0.1, "front"),
            DemoItem("Długopisy (12 szt.)", C.OFFICE, Unit.BOX, 1, "12.00", 0.1, "front"),
            DemoItem("Etykiety na skierowania", C.OFFICE, Unit.ROLL, 1, "24.00", 0.2, "front"),
            DemoItem("Ręczniki papierowe ZZ", C.CLEANING, Unit.PACK, 2, "14.00", 0.8, "both"),
            DemoItem("Mydło w płynie", C.CLEANING, Unit.LITRE, 2, "7.00", 0.5, "both", False, False),
            DemoItem("Worki na odpady medyczne", C.CLEANING, Unit.PACK, 2, "22.00", 0.2, "service"),
            DemoItem("Preparat do dezynfekcji powierzchni", C.CLEANING, Unit.BOTTLE, 2, "28.00", 0.3, "service"),
        ),
        week=(1.0, 1.0, 1.0, 1.0, 0.9, 0.3, 0.0),
    ),
    BusinessKind.HOTEL: Catalogue(
        suppliers=(
            DemoSupplier(
                "Hotelarz Dostawy Sp. z o.o.",
                "1772154732",
                "zamowienia@hotelarz.example",
                "Beata Zych",
                "+48 58 555 11 22",
                "Gdańsk",
            ),
            DemoSupplier(
                "Bałtycka Chemia Profesjonalna Sp. z o.o.",
                "6573796270",
                "biuro@baltchem.example",
                "Piotr Grad",
                "+48 58 555 33 44",
                "Gdynia",
            ),
            OFFICE,
            DemoSupplier(
                "Kawa i Herbata Hurt Sp. z o.o.",
                "3319986636",
                "hurt@kawaiherbata.example",
                "Ilona Mróz",
                "+48 18 555 55 66",
                "Nowy Targ",
            ),
        ),
        items=(
            DemoItem("Mydełko hotelowe 20 g", C.AMENITIES, Unit.PIECE, 0, "0.65", 22, "service"),
            DemoItem("Szampon 30 ml", C.AMENITIES, Unit.PIECE, 0, "0.90", 20, "service"),
            DemoItem("Żel pod prysznic 30 ml", C.AMENITIES, Unit.PIECE, 0, "0.90", 20, "service"),
            DemoItem("Kapcie hotelowe", C.AMENITIES, Unit.PAIR, 0, "3.20", 8, "service"),
            DemoItem("Zestaw do zębów", C.AMENITIES, Unit.PIECE, 0, "1.40", 5, "service"),
            DemoItem("Czepek kąpielowy", C.AMENITIES, Unit.PIECE, 0, "0.40", 4, "service"),
            DemoItem("Papier toaletowy (8 rolek)", C.CLEANING, Unit.PACK, 1, "16.50", 3, "service"),
            DemoItem("Płyn do mycia łazienek", C.CLEANING, Unit.LITRE, 1, "12.00", 1.5, "service", False, False),
            DemoItem("Worki na śmieci 35 l", C.CLEANING, Unit.ROLL, 1, "6.50", 1.2, "both"),
            DemoItem("Ręczniki papierowe ZZ", C.CLEANING, Unit.PACK, 1, "14.00", 0.8, "both"),
            DemoItem("Karta-klucz RFID", C.OFFICE, Unit.PIECE, 2, "2.80", 2, "front", True),
            DemoItem("Papier do drukarki fiskalnej", C.OFFICE, Unit.ROLL, 2, "3.20", 1.5, "front", True),
            DemoItem("Papier A4 (ryza)", C.OFFICE, Unit.PACK, 2, "21.00", 0.3, "front"),
            DemoItem("Długopis z logo hotelu", C.OFFICE, Unit.PIECE, 2, "1.90", 3, "front"),
            DemoItem("Mapka okolicy", C.OTHER, Unit.PIECE, 2, "0.80", 4, "front"),
            DemoItem("Kawa ziarnista 1 kg", C.OTHER, Unit.KILOGRAM, 3, "64.00", 0.6, "both", False, False),
            DemoItem("Herbata Earl Grey (100 torebek)", C.OTHER, Unit.BOX, 3, "22.00", 0.4, "both"),
            DemoItem("Cukier w saszetkach (1000 szt.)", C.OTHER, Unit.BOX, 3, "48.00", 0.1, "both"),
            DemoItem("Woda mineralna 0,5 l", C.OTHER, Unit.BOTTLE, 3, "1.10", 10, "service"),
        ),
        week=(0.8, 0.8, 0.9, 0.9, 1.1, 1.3, 1.1),
    ),
    BusinessKind.RETAIL: Catalogue(
        suppliers=(
            DemoSupplier(
                "Pigmenta Polska Sp. z o.o.",
                "7153663427",
                "zamowienia@pigmenta.example",
                "Tadeusz Wójcik",
                "+48 61 555 12 13",
                "Swarzędz",
            ),
            DemoSupplier(
                "Opakowania Wielkopolska Sp. z o.o.",
                "2440462349",
                "handel@opakowaniawlkp.example",
                "Monika Duda",
                "+48 61 555 14 15",
                "Luboń",
            ),
            OFFICE,
            CLEANING,
        ),
        items=(
            DemoItem("Pigment czarny do mieszalnika", C.RETAIL, Unit.LITRE, 0, "86.00", 0.4, "service", True, False),
            DemoItem("Pigment czerwony do mieszalnika", C.RETAIL, Unit.LITRE, 0, "92.00", 0.3, "service", False, False),
            DemoItem("Pigment żółty do mieszalnika", C.RETAIL, Unit.LITRE, 0, "88.00", 0.3, "service", False, False),
            DemoItem(
                "Pigment niebieski do mieszalnika", C.RETAIL, Unit.LITRE, 0, "95.00", 0.2, "service", False, False
            ),
            DemoItem("Puszka 1 l z wieczkiem", C.RETAIL, Unit.PIECE, 1, "2.40", 8, "service"),
            DemoItem("Puszka 2,5 l z wieczkiem", C.RETAIL, Unit.PIECE, 1, "3.60", 5, "service"),
            DemoItem("Mieszadło drewniane (100 szt.)", C.RETAIL, Unit.PACK, 0, "19.00", 0.2, "service"),
            DemoItem("Etykiety do mieszalnika", C.OFFICE, Unit.ROLL, 2, "18.00", 0.3, "service"),
            DemoItem("Próbnik kolorów", C.RETAIL, Unit.PIECE, 0, "4.50", 2, "front"),
            DemoItem("Torba papierowa z logo", C.RETAIL, Unit.PIECE, 1, "0.85", 25, "front"),
            DemoItem("Taśma pakowa 48 mm", C.OTHER, Unit.ROLL, 1, "4.20", 0.8, "both"),
            DemoItem("Folia stretch", C.OTHER, Unit.ROLL, 1, "21.00", 0.2, "both"),
            DemoItem("Papier do kasy fiskalnej 57 mm", C.OFFICE, Unit.ROLL, 2, "2.10", 3, "front", True),
            DemoItem("Papier A4 (ryza)", C.OFFICE, Unit.PACK, 2, "21.00", 0.2, "front"),
            DemoItem("Toner do drukarki biurowej", C.OFFICE, Unit.PIECE, 2, "179.00", 0.03, "front"),
            DemoItem("Rękawice robocze", C.OTHER, Unit.PAIR, 3, "5.50", 0.6, "service"),
            DemoItem("Ręczniki papierowe ZZ", C.CLEANING, Unit.PACK, 3, "14.00", 0.6, "both"),
            DemoItem("Zmywacz do mieszalnika", C.CLEANING, Unit.BOTTLE, 3, "31.00", 0.1, "service"),
            DemoItem("Worki na odpady 120 l", C.CLEANING, Unit.ROLL, 3, "12.00", 0.2, "both"),
        ),
        week=(0.9, 0.9, 0.9, 1.0, 1.2, 1.4, 0.5),
    ),
}

WRITE_OFF_REASONS = (
    "Uszkodzone opakowanie przy dostawie",
    "Przeterminowane",
    "Zalane podczas sprzątania",
    "Zniszczone przy przenoszeniu",
    "Zaginęło z półki",
)
# Adjustments down (the books showed more than the shelf) and up (the shelf held more than the books).
ADJUSTMENT_REASONS_DOWN = (
    "Korekta po przeliczeniu półki",
    "Pomyłka przy wydaniu",
    "Wydanie niezapisane w systemie",
)
ADJUSTMENT_REASONS_UP = (
    "Znalezione w drugiej szafce",
    "Zwrot z gabinetu – niezużyte",
)


def load(organisations: list[Organisation]) -> None:
    for seed, organisation in enumerate(organisations, start=1):
        catalogue = CATALOGUES.get(organisation.kind)
        if catalogue is None or Supplier.objects.filter(organisation=organisation).exists():
            continue  # idempotent: the demo runs on every `make run` of an empty database
        _load(organisation, catalogue, random.Random(8000 + seed))  # noqa: S311 - invented demo data


# --- people and places ------------------------------------------------------------------------------------


@dataclass
class _Branch:
    branch: Branch
    zone: ZoneInfo
    front: Department | None
    service: Department | None
    manager: User
    clerks: list[User]
    storeroom: StorageLocation | None = None
    cupboard: StorageLocation | None = None


def _branches(organisation: Organisation) -> list[_Branch]:
    users = list(User.objects.filter(staff__organisation=organisation, staff__is_active=True).order_by("pk"))
    roles: dict[int, set[str]] = defaultdict(set)
    for user_id, group in User.objects.filter(pk__in=[user.pk for user in users]).values_list("pk", "groups__name"):
        roles[user_id].add(group)
    branch_of: dict[int, set[int]] = defaultdict(set)
    for user_id, branch_id in User.objects.filter(pk__in=[user.pk for user in users]).values_list(
        "pk", "staff__branches"
    ):
        if branch_id:
            branch_of[user_id].add(branch_id)
    # A branch without its own manager is looked after by someone who sees every branch.
    fallback = next((user for user in users if roles[user.pk] & {"executive", "admin"}), None)
    result = []
    for branch in organisation.branches.order_by("code"):
        departments = list(branch.departments.filter(kind=DepartmentKind.DEPARTMENT).order_by("pk"))
        here = [user for user in users if branch.pk in branch_of[user.pk]]
        manager = next((user for user in here if "manager" in roles[user.pk]), fallback)
        clerks = [user for user in here if "clerk" in roles[user.pk]]
        if manager is None:
            continue
        result.append(
            _Branch(
                branch=branch,
                zone=ZoneInfo(branch.time_zone),
                front=departments[0] if departments else None,
                service=departments[1] if len(departments) > 1 else None,
                manager=manager,
                clerks=clerks or [manager],
            )
        )
    return result


@transaction.atomic
def _load(organisation: Organisation, catalogue: Catalogue, rng: random.Random) -> None:
    places = _branches(organisation)
    if not places:
        return
    actor = places[0].manager
    services.ladder_set(organisation=organisation, actor=actor, steps=list(services.DEFAULT_LADDER))
    suppliers = [
        services.supplier_save(
            organisation=organisation,
            actor=actor,
            data=services.SupplierData(
                name=spec.name,
                order_email=spec.email,
                nip=spec.nip,
                contact_person=spec.contact,
                phone=spec.phone,
                city=spec.city,
            ),
        )
        for spec in catalogue.suppliers
    ]
    items = [
        services.item_save(
            organisation=organisation,
            actor=actor,
            data=services.ItemData(
                name=spec.name,
                category=spec.category,
                unit=spec.unit,
                whole_units_only=spec.whole,
                preferred_supplier=suppliers[spec.supplier],
                last_price=Decimal(spec.price),
                currency=organisation.currency,
                is_critical=spec.critical,
                code=f"{organisation.slug[:3].upper()}-{index:03d}",
            ),
        )
        for index, spec in enumerate(catalogue.items, start=1)
    ]
    for place in places:
        place.storeroom = services.location_save(
            branch=place.branch, actor=actor, name="Magazyn główny", owner=place.manager
        )
        if place.service is not None:
            place.cupboard = services.location_save(
                branch=place.branch,
                actor=actor,
                name=f"Szafka – {place.service.name}",
                department=place.service,
                owner=place.clerks[0],
            )
    history = _History(organisation, catalogue, items, rng)
    for factor, place in zip((1.0, 0.7, 0.6), places, strict=False):
        history.simulate(place, factor)
    history.save()
    _today(organisation, places, items, rng)


# --- three months of history ------------------------------------------------------------------------------


def _whole_up(quantity: Decimal, whole: bool) -> Decimal:
    if whole:
        return quantity.to_integral_value(rounding=ROUND_CEILING)
    return (quantity * 2).to_integral_value(rounding=ROUND_CEILING) / 2  # half litres and kilograms


@dataclass
class _Level:
    level: StockLevel
    spec: DemoItem
    item: Item
    place: _Branch
    department: Department | None  # who takes from it; None: either department
    per_day: float
    on_hand: Decimal = Decimal(0)
    pending: bool = False

    @property
    def order_at(self) -> Decimal:
        return self.level.reorder_point + Decimal(str(round(self.per_day * 4, 2)))


@dataclass
class _Order:
    order: PurchaseOrder
    lines: list[tuple[_Level, PurchaseOrderLine]] = field(default_factory=list)


class _History:
    """Simulates the last ``DAYS_BACK`` days and collects the rows to insert."""

    def __init__(self, organisation: Organisation, catalogue: Catalogue, items: list[Item], rng: random.Random):
        self.organisation = organisation
        self.catalogue = catalogue
        self.items = items
        self.rng = rng
        self.today = timezone.localdate(timezone.now(), ZoneInfo(organisation.time_zone))
        self.levels: list[StockLevel] = []
        self.orders: list[_Order] = []
        self.receipts: list[Receipt] = []
        self.receipt_lines: list[ReceiptLine] = []
        self.movements: list[StockMovement] = []
        self.last_price: dict[int, Decimal] = {}

    def _moment(self, place: _Branch, day: date, start: int, end: int) -> datetime:
        minute = self.rng.randrange(start * 60, end * 60)
        return datetime.combine(day, time(minute // 60, minute % 60), tzinfo=place.zone)

    def _levels(self, place: _Branch, factor: float) -> list[_Level]:
        made = []
        for spec, item in zip(self.catalogue.items, self.items, strict=True):
            location = place.cupboard if spec.used_by == "service" and place.cupboard else place.storeroom
            assert location is not None
            per_day = spec.per_day * factor
            # Reorder with a week's use left (orders go out twice a week and take up to three days); fill up
            # to three weeks' use.
            target = _whole_up(Decimal(str(max(per_day * 21, 3))), spec.whole)
            reorder = _whole_up(Decimal(str(max(per_day * 7, 1))), spec.whole)
            level = StockLevel(location=location, item=item, reorder_point=reorder, target_level=target)
            self.levels.append(level)
            department = {"front": place.front, "service": place.service}.get(spec.used_by)
            made.append(_Level(level, spec, item, place, department, per_day))
        return made

    def simulate(self, place: _Branch, factor: float) -> None:
        levels = self._levels(place, factor)
        first = self.today - timedelta(days=DAYS_BACK)  # up to yesterday: nothing is booked in the future
        arrivals: dict[date, list[_Order]] = defaultdict(list)
        arrivals[first].extend(self._order(place, levels, first - timedelta(days=4), opening=True))
        for offset in range(DAYS_BACK):
            day = first + timedelta(days=offset)
            for order in arrivals.pop(day, []):
                self._deliver(order, place, day)
            busy = self.catalogue.week[day.weekday()]
            if busy > 0:
                for level in levels:
                    self._consume(level, day, busy)
                if self.rng.random() < 0.14:
                    self._correction(place, levels, day)
            if day.weekday() in ORDER_DAYS:
                # Order what will be under its reorder point before the next order day's delivery.
                due = [level for level in levels if not level.pending and level.on_hand <= level.order_at]
                if due:
                    arrives = day + timedelta(days=self.rng.randint(1, 3))
                    arrivals[arrives].extend(self._order(place, levels, day, low=due))
        for late in arrivals.values():  # ordered in the last days: still on its way
            for planned in late:
                planned.order.status = OrderStatus.SENT
        # Make sure a few items are low when the demo starts: the reports and a new request show them.
        last = first + timedelta(days=DAYS_BACK - 1)
        for level in self.rng.sample(levels, 3):
            wanted = level.on_hand - level.level.reorder_point + (1 if level.spec.whole else Decimal("0.5"))
            if wanted > 0:
                department = level.department or place.front
                when = self._moment(place, last, 18, 19)
                taker = self.rng.choice(place.clerks)
                self._book(level, MovementKind.CONSUMED, -wanted, when, taker, department=department)

    def _order(
        self,
        place: _Branch,
        levels: list[_Level],
        ordered: date,
        *,
        opening: bool = False,
        low: list[_Level] | None = None,
    ) -> list[_Order]:
        """Orders (one per location and supplier) for the low levels and, with them, the ones running short."""
        by_group: dict[tuple[int, int], list[_Level]] = defaultdict(list)
        low_groups = {(level.level.location.pk, level.spec.supplier) for level in low or []}
        for level in levels:
            group = (level.level.location.pk, level.spec.supplier)
            if level.pending:
                continue
            if opening or (group in low_groups and level.on_hand <= level.level.target_level / 2):
                by_group[group].append(level)
        made = []
        when = self._moment(place, ordered, 14, 17)
        for _key, members in sorted(by_group.items(), key=lambda pair: pair[0]):
            first = members[0]
            order = PurchaseOrder(
                branch=place.branch,
                location=first.level.location,
                supplier=first.item.preferred_supplier,
                status=OrderStatus.RECEIVED,
                currency=self.organisation.currency,
                created_by=self.rng.choice([place.manager, *place.clerks]),
                created_at=when,
                sent_at=when + timedelta(minutes=self.rng.randint(5, 90)),
            )
            planned = _Order(order)
            for level in members:
                quantity = level.level.target_level - level.on_hand
                if quantity <= 0:
                    continue
                price = Decimal(level.spec.price)  # the catalogue price; an invoice may differ
                line = PurchaseOrderLine(order=order, item=level.item, quantity=quantity, unit_price=price)
                planned.lines.append((level, line))
                level.pending = True
            if planned.lines:
                made.append(planned)
                self.orders.append(planned)
        return made

    def _deliver(self, planned: _Order, place: _Branch, day: date) -> None:
        when = self._moment(place, day, 8, 10)
        receipt = Receipt(order=planned.order, received_by=self.rng.choice(place.clerks), received_at=when)
        self.receipts.append(receipt)
        for level, line in planned.lines:
            price = line.unit_price
            if self.rng.random() < 0.12:  # the supplier's invoice now and then carries another price
                price = (price * Decimal(str(self.rng.choice((0.95, 1.04, 1.08))))).quantize(CENT)
            delivered = ReceiptLine(
                receipt=receipt,
                order_line=line,
                quantity=line.quantity,
                unit_price=price,
                price_differs=price != line.unit_price,
            )
            line.received = line.quantity
            self.receipt_lines.append(delivered)
            self.last_price[level.item.pk] = price
            self._book(level, MovementKind.RECEIVED, line.quantity, when, receipt.received_by, price, delivered)
            level.pending = False

    def _consume(self, level: _Level, day: date, busy: float) -> None:
        """One day's use of a level, booked as one take (never more than is on the shelf)."""
        expected = level.per_day * busy * self.rng.uniform(0.5, 1.5)
        if level.spec.whole:
            wanted = Decimal(math.floor(expected) + (1 if self.rng.random() < expected % 1 else 0))
        else:
            wanted = Decimal(str(round(expected * 4) / 4))
        taken = min(wanted, level.on_hand)
        if taken <= 0:
            return
        place = level.place
        department = level.department or self.rng.choice([place.front, place.service])
        taker = self.rng.choice(place.clerks + [place.manager] * (len(place.clerks) // 3))
        self._book(level, MovementKind.CONSUMED, -taken, self._moment(place, day, 9, 18), taker, department=department)

    def _correction(self, place: _Branch, levels: list[_Level], day: date) -> None:
        """A write-off or an adjustment; the first clerk has a heavier hand than the others."""
        level = self.rng.choice(levels)
        people = [place.clerks[0], place.clerks[0], *place.clerks, place.manager]
        who = self.rng.choice(people)
        step = Decimal(1) if level.spec.whole else Decimal("0.5")
        quantity = step * self.rng.randint(1, 3)
        when = self._moment(place, day, 9, 19)
        if self.rng.random() < 0.6:
            quantity = min(quantity, level.on_hand)
            if quantity > 0:
                self._book(
                    level, MovementKind.WRITTEN_OFF, -quantity, when, who, reason=self.rng.choice(WRITE_OFF_REASONS)
                )
            return
        if self.rng.random() < 0.3:
            self._book(level, MovementKind.ADJUSTED, quantity, when, who, reason=self.rng.choice(ADJUSTMENT_REASONS_UP))
            return
        change = -min(quantity, level.on_hand)
        if change:
            self._book(level, MovementKind.ADJUSTED, change, when, who, reason=self.rng.choice(ADJUSTMENT_REASONS_DOWN))

    def _book(
        self,
        level: _Level,
        kind: str,
        quantity: Decimal,
        when: datetime,
        who: User | None,
        price: Decimal | None = None,
        receipt_line: ReceiptLine | None = None,
        *,
        department: Department | None = None,
        reason: str = "",
    ) -> None:
        location = level.level.location
        self.movements.append(
            StockMovement(
                level=level.level,
                location=location,
                item=level.item,
                branch=level.place.branch,
                department=department or location.department,
                kind=kind,
                quantity=quantity,
                unit_price=price,
                reason=reason,
                actor=who,
                created_at=when,
                receipt_line=receipt_line,
            )
        )
        level.on_hand += quantity

    def save(self) -> None:
        StockLevel.objects.bulk_create(self.levels)
        orders = [planned.order for planned in self.orders]
        by_year: dict[int, list[PurchaseOrder]] = defaultdict(list)
        for order in orders:
            by_year[order.created_at.year].append(order)
        for year, batch in by_year.items():
            numbers = next_numbers(organisation=self.organisation, prefix="ZAM", count=len(batch), year=year)
            for order, number in zip(sorted(batch, key=lambda o: o.created_at), numbers, strict=True):
                order.number = number
        stamps = {id(order): order.created_at for order in orders}
        PurchaseOrder.objects.bulk_create(orders)
        for order in orders:
            order.created_at = stamps[id(order)]
        update_rows(PurchaseOrder, orders, ["created_at"])
        PurchaseOrderLine.objects.bulk_create([line for planned in self.orders for _level, line in planned.lines])
        received = {id(receipt): receipt.received_at for receipt in self.receipts}
        Receipt.objects.bulk_create(self.receipts)
        for receipt in self.receipts:
            receipt.received_at = received[id(receipt)]
        update_rows(Receipt, self.receipts, ["received_at"])
        ReceiptLine.objects.bulk_create(self.receipt_lines)
        moments = [movement.created_at for movement in self.movements]
        StockMovement.objects.bulk_create(self.movements, batch_size=2000)
        for movement, moment in zip(self.movements, moments, strict=True):
            movement.created_at = moment
        update_rows(StockMovement, self.movements, ["created_at"])
        for item in self.items:
            if item.pk in self.last_price and self.last_price[item.pk] != item.last_price:
                item.last_price = self.last_price[item.pk]
        update_rows(Item, self.items, ["last_price"])
        recompute_on_hand(self.organisation)


def recompute_on_hand(organisation: Organisation) -> None:
    """Set every level's on-hand stock of ``organisation`` to the sum of its movements (the invariant)."""
    total = (
        StockMovement.objects.filter(level=OuterRef("pk"))
        .order_by()
        .values("level")
        .annotate(total=Sum("quantity"))
        .values("total")
    )
    quantity = DecimalField(max_digits=12, decimal_places=3)
    StockLevel.objects.filter(location__branch__organisation=organisation).update(
        on_hand=Coalesce(Subquery(total, output_field=quantity), Value(Decimal(0)), output_field=quantity)
    )


# --- today: requests in every state and an order on its way ----------------------------------------------


def _today(organisation: Organisation, places: list[_Branch], items: list[Item], rng: random.Random) -> None:
    first, second = places[0], places[-1]
    assert first.storeroom is not None and second.storeroom is not None
    line = services.RequestLineData
    # A clerk asks for what runs low at the first storeroom (from one supplier, so one order); the manager
    # approves; the order goes out by e-mail and half of its biggest line has come.
    low = _low_levels(first.storeroom)
    by_supplier = Counter(level.item.preferred_supplier_id for level in low)
    main_supplier = by_supplier.most_common(1)[0][0] if by_supplier else None
    chosen = [level for level in low if level.item.preferred_supplier_id == main_supplier][:3]
    clerk = first.clerks[0]
    ordered = services.request_create(
        location=first.storeroom,
        actor=clerk,
        lines=[line(item=level.item, quantity=max(services.suggested_quantity(level), Decimal(2))) for level in chosen]
        or [line(item=items[0], quantity=Decimal(10))],
        note="Uzupełnienie stanów – pozycje poniżej minimum.",
    )
    approver = first.manager if first.manager.pk != clerk.pk else second.manager
    services.request_approve(request=ordered, actor=approver, comment="Zgoda, zamawiamy.")
    for order in services_orders.orders_from_approved(branch=first.branch, actor=approver):
        sent = services_orders.order_send(order=order, actor=approver)
        biggest = max(sent.lines.select_related("item"), key=lambda order_line: order_line.quantity)
        half = biggest.quantity / 2
        half = half.to_integral_value(rounding=ROUND_FLOOR) if biggest.item.whole_units_only else half
        services_orders.receipt_create(
            order=sent,
            actor=clerk,
            lines={biggest.pk: services_orders.DeliveredLine(quantity=half)},
            note="Reszta w drodze – dostawca potwierdził na przyszły tydzień.",
        )
    # A request waiting for approval, an approved one waiting to be ordered, a rejected and a withdrawn one.
    asking = second.clerks[0]
    services.request_create(
        location=second.storeroom,
        actor=asking,
        lines=[line(item=items[-1], quantity=Decimal(4)), line(item=items[-2], quantity=Decimal(2))],
        note="Na przyszły tydzień.",
    )
    approved = services.request_create(
        location=second.storeroom, actor=asking, lines=[line(item=items[len(items) // 2], quantity=Decimal(6))]
    )
    services.request_approve(request=approved, actor=second.manager)
    rejected = services.request_create(
        location=second.storeroom, actor=asking, lines=[line(item=items[1], quantity=Decimal(40))]
    )
    services.request_reject(
        request=rejected, actor=second.manager, comment="Mamy zapas do końca miesiąca – proszę zamówić mniej."
    )
    withdrawn = services.request_create(
        location=first.storeroom, actor=first.clerks[-1], lines=[line(item=items[2], quantity=Decimal(3))]
    )
    services.request_cancel(request=withdrawn, actor=first.clerks[-1])
    # The requests came in over the last days, not all at once.
    now = timezone.now()
    requests = list(PurchaseRequest.objects.filter(branch__organisation=organisation).order_by("pk"))
    for request, days in zip(requests, (2, 1, 3, 5, 4), strict=False):
        request.created_at = now - timedelta(days=days, hours=rng.randint(0, 6))
    update_rows(PurchaseRequest, requests, ["created_at"])


def _low_levels(location: StorageLocation) -> list[StockLevel]:
    """The location's levels at or under the reorder point that have a supplier (what a request starts with)."""
    levels = StockLevel.objects.filter(location=location).select_related("item", "location__branch")
    return [level for level in levels.order_by("item__name") if level.is_low and level.item.preferred_supplier_id]
