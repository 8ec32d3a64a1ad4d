"""Demo staff: every role in every demo organisation, with the same password."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from frontoffice.core.models import Organisation

from .choices import EmployerKind, QualificationKind, Role
from .models import ContractorCompany, StaffMember, User
from .services import qualification_add, staff_member_create


@dataclass(frozen=True)
class DemoPerson:
    login: str
    first_name: str
    last_name: str
    roles: tuple[str, ...]
    branch_codes: tuple[int, ...]  # indexes into the organisation's branches, by code
    job_title: str
    contractor: bool = False


PEOPLE: dict[str, tuple[DemoPerson, ...]] = {
    "zdrowie": (
        DemoPerson("clerk", "Anna", "Kwiatkowska", (Role.CLERK,), (0,), "Rejestratorka"),
        DemoPerson("clerk2", "Tomasz", "Wrona", (Role.CLERK,), (1,), "Rejestrator"),
        DemoPerson("agent", "Magdalena", "Szulc", (Role.AGENT,), (0, 1), "Konsultantka infolinii"),
        DemoPerson("guard", "Marek", "Bielecki", (Role.SECURITY,), (0,), "Pracownik ochrony", contractor=True),
        DemoPerson("manager", "Katarzyna", "Lis", (Role.MANAGER,), (0, 1), "Kierowniczka rejestracji"),
        DemoPerson("executive", "Piotr", "Zaremba", (Role.EXECUTIVE,), (), "Dyrektor przychodni"),
        DemoPerson("admin", "Ewa", "Domańska", (Role.ADMIN,), (), "Administratorka systemu"),
    ),
    "lipy": (
        DemoPerson("clerk", "Julia", "Sobczak", (Role.CLERK,), (0,), "Recepcjonistka"),
        DemoPerson("clerk2", "Michał", "Gajda", (Role.CLERK,), (1,), "Recepcjonista"),
        DemoPerson("agent", "Oliwia", "Kaczmarek", (Role.AGENT,), (0, 1), "Specjalistka rezerwacji"),
        DemoPerson("guard", "Robert", "Nowicki", (Role.SECURITY,), (0,), "Pracownik ochrony", contractor=True),
        DemoPerson("manager", "Agnieszka", "Wilk", (Role.MANAGER,), (0,), "Front office manager"),
        DemoPerson("executive", "Jan", "Borowski", (Role.EXECUTIVE,), (), "Dyrektor hotelu"),
        DemoPerson("admin", "Krzysztof", "Pawlak", (Role.ADMIN,), (), "Administrator systemu"),
    ),
    "kolor": (
        DemoPerson("clerk", "Natalia", "Urban", (Role.CLERK,), (0,), "Kasjerka"),
        DemoPerson("clerk2", "Bartosz", "Czarnecki", (Role.CLERK,), (1,), "Sprzedawca"),
        DemoPerson("agent", "Zofia", "Michalak", (Role.AGENT,), (0, 1), "Obsługa klienta"),
        DemoPerson("guard", "Dariusz", "Sikora", (Role.SECURITY,), (0, 1), "Pracownik ochrony", contractor=True),
        DemoPerson("manager", "Paweł", "Jasiński", (Role.MANAGER,), (0, 1), "Kierownik sklepu"),
        DemoPerson("executive", "Barbara", "Stępień", (Role.EXECUTIVE,), (), "Dyrektorka sprzedaży"),
        DemoPerson("admin", "Łukasz", "Kołodziej", (Role.ADMIN,), (), "Administrator systemu"),
    ),
}

SECURITY_COMPANIES = {
    "zdrowie": "Ochrona Sokół Sp. z o.o.",
    "lipy": "Agencja Ochrony Bałtyk Sp. z o.o.",
    "kolor": "Straż Mienia Warta S.A.",
}


def demo_username(organisation: Organisation, person: DemoPerson) -> str:
    return f"{person.login}.{organisation.slug}"


def demo_totp_key(username: str) -> str:
    """A fixed key per demo user, so the demo can print a current code (never used outside the demo)."""
    return hashlib.sha1(f"frontoffice-demo:{username}".encode(), usedforsecurity=False).hexdigest()


def load(organisations: list[Organisation]) -> None:
    today = timezone.localdate()
    # Hash the shared demo password once: hashing is deliberately slow, and there are 21 people.
    password_hash = make_password(settings.DEMO_PASSWORD)
    for organisation in organisations:
        people = PEOPLE.get(organisation.slug, ())
        branches = list(organisation.branches.order_by("code"))
        company, _created = ContractorCompany.objects.get_or_create(
            organisation=organisation,
            name=SECURITY_COMPANIES.get(organisation.slug, "Ochrona"),
        )
        for person in people:
            username = demo_username(organisation, person)
            if User.objects.filter(username=username).exists():
                continue
            staff = staff_member_create(
                organisation=organisation,
                actor=None,
                username=username,
                email=f"{username}@demo.frontoffice.invalid",
                first_name=person.first_name,
                last_name=person.last_name,
                roles=person.roles,
                branches=[branches[i] for i in person.branch_codes],
                password=None,
                job_title=person.job_title,
                employer_kind=EmployerKind.CONTRACTOR if person.contractor else EmployerKind.IN_HOUSE,
                contractor=company if person.contractor else None,
            )
            User.objects.filter(pk=staff.user_id).update(password=password_hash)
            _demo_qualifications(staff, person, today)
            if set(person.roles) & set(settings.MFA_ROLES):
                TOTPDevice.objects.create(user=staff.user, name="Demo", key=demo_totp_key(username), confirmed=True)


def _demo_qualifications(staff: StaffMember, person: DemoPerson, today) -> None:  # type: ignore[no-untyped-def]
    if Role.SECURITY in person.roles:
        qualification_add(
            staff=staff,
            actor=None,
            kind=QualificationKind.LICENCE,
            name="Wpis na listę kwalifikowanych pracowników ochrony fizycznej",
            number=f"KPOF-{staff.pk:05d}",
            valid_until=None,
        )
        qualification_add(
            staff=staff,
            actor=None,
            kind=QualificationKind.LICENCE,
            name="Kurs pierwszej pomocy",
            number=f"KPP-{staff.pk:05d}",
            valid_until=today + timedelta(days=20),
        )
    if Role.CLERK in person.roles:
        qualification_add(
            staff=staff, actor=None, kind=QualificationKind.SKILL, name="Obsługa kasy fiskalnej", valid_until=None
        )
    if Role.AGENT in person.roles:
        qualification_add(
            staff=staff, actor=None, kind=QualificationKind.SKILL, name="Język angielski B2", valid_until=None
        )
