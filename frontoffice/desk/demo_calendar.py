"""Demo calendars: resources with working hours at every branch, an absence, a closure, and appointments.

Resources, hours, the absence and the closure go through the services; the appointments (a week
back and three weeks ahead, about half the slots taken) are inserted in bulk so that
``frontoffice demo`` stays quick. Hotels book rooms through stays, not calendars: they get none.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from frontoffice.clients.models import Client
from frontoffice.core.choices import BusinessKind
from frontoffice.core.models import Organisation

from . import services_calendar
from .appointment_links import new_code
from .choices import AppointmentStatus as S
from .models import Appointment, Resource, VisitType

DAYS_BACK = 7
DAYS_AHEAD = 21
FILL = 0.5
HOURS = [(weekday, time(8), time(12)) for weekday in range(5)] + [
    (weekday, time(12, 30), time(16)) for weekday in range(5)
]
RESOURCES = {
    BusinessKind.CLINIC: (
        ("Dr Anna Wiśniewska", "practitioner"),
        ("Dr Tomasz Lewandowski", "practitioner"),
        ("Gabinet zabiegowy", "room"),
        ("Aparat EKG", "equipment"),
    ),
    BusinessKind.OFFICE: (("Doradca 1", "staff"), ("Doradca 2", "staff"), ("Sala konferencyjna", "room")),
    BusinessKind.RETAIL: (("Stanowisko mieszania farb", "equipment"),),
}


def load(organisations: list[Organisation]) -> None:
    for seed, organisation in enumerate(organisations, start=1):
        if organisation.kind not in RESOURCES or Resource.objects.filter(organisation=organisation).exists():
            continue  # idempotent, like the rest of the demo
        _load(organisation, random.Random(seed * 11))  # noqa: S311 - invented demo data


def _load(organisation: Organisation, rng: random.Random) -> None:
    types = list(VisitType.objects.filter(organisation=organisation, is_active=True, duration_minutes__gt=0))
    clients = list(
        Client.objects.filter(organisation=organisation, replaced_by__isnull=True, erased_at__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)[:300]
    )
    if not types or not clients:
        return
    rows: list[Appointment] = []
    now = timezone.now()
    for branch in organisation.branches.order_by("code"):
        zone = ZoneInfo(branch.time_zone)
        today = timezone.localdate(now, zone)
        resources = []
        for index, (name, kind) in enumerate(RESOURCES[organisation.kind]):
            offered = types if kind != "equipment" else types[-1:]
            resource = services_calendar.resource_create(
                branch=branch, actor=None, name=name, kind=kind, visit_types=offered[index % 2 :: 1] or offered
            )
            services_calendar.working_hours_set(resource=resource, actor=None, ranges=HOURS)
            resources.append((resource, [vt for vt in (offered[index % 2 :: 1] or offered)]))
        away = datetime.combine(today + timedelta(days=9), time(8), tzinfo=zone)
        services_calendar.absence_add(
            resource=resources[0][0], actor=None, starts_at=away, ends_at=away + timedelta(days=2), reason="Urlop"
        )
        services_calendar.closure_add(
            branch=branch, actor=None, day=today + timedelta(days=16), reason="Inwentaryzacja"
        )
        closed, absent = today + timedelta(days=16), (away, away + timedelta(days=2))
        for resource, offered in resources:
            for offset in range(-DAYS_BACK, DAYS_AHEAD):
                day = today + timedelta(days=offset)
                if day.weekday() >= 5 or day == closed:
                    continue
                for _weekday, begin, end in HOURS[::5]:
                    moment = datetime.combine(day, begin, tzinfo=zone)
                    stop = datetime.combine(day, end, tzinfo=zone)
                    while True:
                        visit_type = rng.choice(offered)
                        length = timedelta(minutes=visit_type.duration_minutes)
                        if moment + length > stop:
                            break
                        busy = resource == resources[0][0] and absent[0] <= moment < absent[1]
                        if not busy and rng.random() < FILL:
                            rows.append(
                                _appointment(
                                    organisation, branch, resource, visit_type, rng, clients, moment, length, now
                                )
                            )
                        moment += length
    codes: set[str] = set()
    for row in rows:  # check-in codes for the kiosk, unique in the organisation as booking makes them
        while not row.check_in_code or row.check_in_code in codes:
            row.check_in_code = new_code()
        codes.add(row.check_in_code)
    Appointment.objects.bulk_create(rows, batch_size=1000)


def _appointment(organisation, branch, resource, visit_type, rng, clients, moment, length, now):  # type: ignore[no-untyped-def]
    status, stamps = S.BOOKED, {"booked_at": moment - timedelta(days=rng.randint(1, 20))}
    if moment + length < now:
        status = rng.choices([S.FULFILLED, S.NOSHOW, S.CANCELLED], weights=[85, 7, 8])[0]
        stamps[{S.FULFILLED: "fulfilled_at", S.NOSHOW: "noshow_at", S.CANCELLED: "cancelled_at"}[status]] = (
            moment + length
        )
        if status == S.FULFILLED:
            stamps["arrived_at"] = moment - timedelta(minutes=rng.randint(0, 15))
    return Appointment(
        organisation=organisation,
        branch=branch,
        resource=resource,
        client_id=rng.choice(clients),
        visit_type=visit_type,
        starts_at=moment,
        ends_at=moment + length,
        status=status,
        cancellation_reason="Klient zadzwonił, że nie przyjdzie" if status == S.CANCELLED else "",
        **stamps,
    )
