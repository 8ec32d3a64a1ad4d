"""The demo: three organisations (clinic, hotel, shop), each with two branches.

Each app may add to it with a ``demo.py`` that defines ``load(organisations)``;
``load_demo`` calls them lowest layer first. Every loader is idempotent, so
``frontoffice demo`` can run on every start.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time
from importlib import import_module

from django.apps import apps
from django.db import transaction

from .choices import BusinessKind, DepartmentKind
from .models import Branch, Organisation
from .services import branch_create, branch_set_opening_hours, department_create


@dataclass(frozen=True)
class DemoBranch:
    name: str
    code: str
    street: str
    postal_code: str
    city: str
    phone: str
    departments: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class DemoOrganisation:
    slug: str
    name: str
    kind: str
    branches: tuple[DemoBranch, ...]
    weekday_hours: tuple[time, time]
    weekend_hours: tuple[time, time] | None = None
    extra: dict[str, str] = field(default_factory=dict)


DEMO_ORGANISATIONS = (
    DemoOrganisation(
        slug="zdrowie",
        name="Przychodnia Zdrowie",
        kind=BusinessKind.CLINIC,
        weekday_hours=(time(7, 30), time(19, 0)),
        weekend_hours=None,
        branches=(
            DemoBranch(
                "Przychodnia Zdrowie – Kraków Centrum",
                "KRK1",
                "ul. Długa 14",
                "31-146",
                "Kraków",
                "+48 12 555 01 10",
                (
                    ("Rejestracja", DepartmentKind.DEPARTMENT),
                    ("Gabinety internistyczne", DepartmentKind.DEPARTMENT),
                    ("Poczekalnia", DepartmentKind.AREA),
                ),
            ),
            DemoBranch(
                "Przychodnia Zdrowie – Nowa Huta",
                "KRK2",
                "os. Centrum C 7",
                "31-929",
                "Kraków",
                "+48 12 555 02 20",
                (
                    ("Rejestracja", DepartmentKind.DEPARTMENT),
                    ("Punkt pobrań", DepartmentKind.DEPARTMENT),
                    ("Parking", DepartmentKind.AREA),
                ),
            ),
        ),
    ),
    DemoOrganisation(
        slug="lipy",
        name="Hotel Pod Lipami",
        kind=BusinessKind.HOTEL,
        weekday_hours=(time(0, 0), time(23, 59)),
        weekend_hours=(time(0, 0), time(23, 59)),
        branches=(
            DemoBranch(
                "Hotel Pod Lipami – Sopot",
                "SOP",
                "ul. Morska 3",
                "81-701",
                "Sopot",
                "+48 58 555 03 30",
                (
                    ("Recepcja", DepartmentKind.DEPARTMENT),
                    ("Housekeeping", DepartmentKind.DEPARTMENT),
                    ("Lobby", DepartmentKind.AREA),
                ),
            ),
            DemoBranch(
                "Hotel Pod Lipami – Zakopane",
                "ZAK",
                "ul. Halna 21",
                "34-500",
                "Zakopane",
                "+48 18 555 04 40",
                (
                    ("Recepcja", DepartmentKind.DEPARTMENT),
                    ("Restauracja", DepartmentKind.DEPARTMENT),
                    ("Garaż", DepartmentKind.AREA),
                ),
            ),
        ),
    ),
    DemoOrganisation(
        slug="kolor",
        name="Dom Farb Kolorowo",
        kind=BusinessKind.RETAIL,
        weekday_hours=(time(9, 0), time(20, 0)),
        weekend_hours=(time(10, 0), time(16, 0)),
        branches=(
            DemoBranch(
                "Dom Farb Kolorowo – Poznań Stary Rynek",
                "POZ1",
                "Stary Rynek 41",
                "61-772",
                "Poznań",
                "+48 61 555 05 50",
                (
                    ("Kasy", DepartmentKind.DEPARTMENT),
                    ("Mieszalnia farb", DepartmentKind.DEPARTMENT),
                    ("Magazyn", DepartmentKind.AREA),
                ),
            ),
            DemoBranch(
                "Dom Farb Kolorowo – Poznań Jeżyce",
                "POZ2",
                "ul. Dąbrowskiego 88",
                "60-523",
                "Poznań",
                "+48 61 555 06 60",
                (
                    ("Kasy", DepartmentKind.DEPARTMENT),
                    ("Obsługa klienta", DepartmentKind.DEPARTMENT),
                    ("Wejście główne", DepartmentKind.AREA),
                ),
            ),
        ),
    ),
)


@transaction.atomic
def load_core(actor: object = None) -> list[Organisation]:
    from django.contrib.auth.models import AnonymousUser

    user = actor or AnonymousUser()
    organisations = []
    for spec in DEMO_ORGANISATIONS:
        organisation, created = Organisation.objects.get_or_create(
            slug=spec.slug,
            defaults={"name": spec.name, "kind": spec.kind},
        )
        organisations.append(organisation)
        if not created:
            continue
        for branch_spec in spec.branches:
            branch = branch_create(
                organisation=organisation,
                user=user,
                name=branch_spec.name,
                code=branch_spec.code.lower(),
                street=branch_spec.street,
                postal_code=branch_spec.postal_code,
                city=branch_spec.city,
                phone=branch_spec.phone,
                time_zone=organisation.time_zone,
            )
            periods = [(day, *spec.weekday_hours) for day in range(5)]
            if spec.weekend_hours:
                periods += [(day, *spec.weekend_hours) for day in (5, 6)]
            branch_set_opening_hours(branch=branch, user=user, periods=periods)
            for name, kind in branch_spec.departments:
                department_create(branch=branch, user=user, name=name, kind=kind)
    return organisations


def load_demo() -> list[Organisation]:
    """Load core's part, then every app's ``demo.load`` in layer order."""
    organisations = load_core()
    for app_config in apps.get_app_configs():
        if not app_config.name.startswith("frontoffice.") or app_config.name == "frontoffice.core":
            continue
        try:
            module = import_module(f"{app_config.name}.demo")
        except ModuleNotFoundError as error:
            if error.name != f"{app_config.name}.demo":
                raise
            continue
        with transaction.atomic():
            module.load(organisations)
    # The loaders bulk-create much of their history: derive its reporting events, so dashboards have data.
    from .reporting import backfill

    for organisation in organisations:
        backfill(organisation=organisation)
    return organisations


def demo_branches(organisation: Organisation) -> list[Branch]:
    return list(organisation.branches.order_by("code"))
