"""Demo contacts: topics for each organisation, two teams, and a month of contacts in every channel.

Topics, teams and the few cases go through the services; the contacts (some 1,500 rows) and their
follow-ups are inserted in bulk, from a seeded random generator, so ``frontoffice demo`` stays quick
and every run gives the same data. Most contacts are linked to demo clients (by their phone or
e-mail on file); some callers are unknown, and a few share a number and wait as "maybe".
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

from frontoffice.accounts.models import StaffMember
from frontoffice.clients.choices import ContactKind
from frontoffice.clients.models import Client, ClientContact
from frontoffice.core.choices import BusinessKind
from frontoffice.core.models import Branch, Organisation

from . import services
from .cases import demo as case_demo
from .choices import Channel, ClientMatch, Direction, Outcome
from .contacts import services as contact_services
from .models import FollowUp, Interaction, Topic
from .phone import demo as phone_demo

DAYS_BACK = 30

COMMON_TOPICS = (
    ("Invoice", "Faktura"),
    ("Complaint", "Reklamacja"),
    ("Opening hours", "Godziny otwarcia"),
)
TOPICS: dict[str, tuple[tuple[str, str], ...]] = {
    BusinessKind.CLINIC: (
        ("Appointment", "Wizyta"),
        ("Test results", "Wyniki badań"),
        ("Prescription", "Recepta"),
        *COMMON_TOPICS,
    ),
    BusinessKind.HOTEL: (
        ("Reservation", "Rezerwacja"),
        ("Room service", "Obsługa pokoju"),
        ("Lost property", "Rzeczy znalezione"),
        *COMMON_TOPICS,
    ),
    BusinessKind.RETAIL: (
        ("Order", "Zamówienie"),
        ("Product availability", "Dostępność towaru"),
        ("Return", "Zwrot"),
        *COMMON_TOPICS,
    ),
}
DEFAULT_TOPICS = (("Appointment", "Wizyta"), *COMMON_TOPICS)

# How often each channel comes up, and the outcomes it usually ends with.
CHANNEL_WEIGHTS = (
    (Channel.PHONE, 40),
    (Channel.IN_PERSON, 20),
    (Channel.EMAIL, 18),
    (Channel.SMS, 8),
    (Channel.CHAT, 8),
    (Channel.WEB_FORM, 4),
    (Channel.LETTER, 2),
)
OUTCOMES = (
    (Outcome.RESOLVED, 35),
    (Outcome.INFORMATION, 30),
    (Outcome.FOLLOW_UP, 10),
    (Outcome.TRANSFERRED, 5),
    (Outcome.MISSED, 6),
    (Outcome.NO_ANSWER, 4),
    (Outcome.VOICEMAIL, 3),
    (Outcome.OTHER, 2),
)
SUMMARIES = (
    "Klient pytał o termin.",
    "Przekazano informację o godzinach otwarcia.",
    "Prośba o kopię faktury.",
    "Zgłoszenie niezadowolenia z obsługi.",
    "Potwierdzenie rezerwacji.",
    "Pytanie o dostępność.",
    "Zmiana danych kontaktowych.",
)
FOLLOW_UP_NOTES = ("Oddzwonić z odpowiedzią", "Wysłać kopię faktury", "Sprawdzić status i dać znać", "Przesłać ofertę")
CASE_SUBJECTS = ("Korekta faktury", "Skarga na obsługę", "Zgubiony dokument")


@dataclass
class _Person:
    user_id: int
    branch_ids: set[int]


def load(organisations: list[Organisation]) -> None:
    for seed, organisation in enumerate(organisations, start=1):
        if Topic.objects.filter(organisation=organisation).exists():
            continue  # idempotent: the demo runs on every `make run` of an empty database
        _Loader(organisation, random.Random(6000 + seed)).run()  # noqa: S311 - invented demo data


class _Loader:
    def __init__(self, organisation: Organisation, rng: random.Random) -> None:
        self.organisation = organisation
        self.rng = rng
        self.branches = list(organisation.branches.order_by("code"))
        staff = StaffMember.objects.filter(
            organisation=organisation, is_active=True, user__groups__name__in=("clerk", "agent")
        ).prefetch_related("branches")
        self.staff = [_Person(member.user_id, {branch.pk for branch in member.branches.all()}) for member in staff]
        self.manager = (
            StaffMember.objects.filter(organisation=organisation, user__groups__name="manager")
            .order_by("pk")
            .select_related("user")
            .first()
        )
        contacts = ClientContact.objects.filter(
            organisation=organisation, client__replaced_by__isnull=True, client__erased_at__isnull=True
        ).order_by("client_id", "pk")
        self.addresses: dict[int, dict[str, str]] = {}
        for client_id, kind, value in contacts.values_list("client_id", "kind", "value"):
            self.addresses.setdefault(client_id, {}).setdefault(kind, value)
        self.clients = sorted(self.addresses) or list(
            Client.objects.filter(organisation=organisation, replaced_by__isnull=True).values_list("pk", flat=True)
        )

    def run(self) -> None:
        actor = self.manager.user if self.manager else None
        topics = [
            contact_services.topic_create(
                organisation=self.organisation, actor=actor, name=name, name_pl=name_pl, position=position
            )
            for position, (name, name_pl) in enumerate(TOPICS.get(self.organisation.kind, DEFAULT_TOPICS), start=1)
        ]
        self._teams(actor)
        if not self.branches or not self.clients:
            return
        rows = self._contacts(topics)
        plan = self._calls(rows)
        Interaction.objects.bulk_create(rows, batch_size=500)
        self._maybe(rows)
        self._follow_ups(rows)
        self._cases(rows, actor)
        phone_demo.load_calls(self.organisation, plan)
        case_demo.load_cases(self.organisation, rows, self.rng, actor=actor, staff=self.staff)

    def _people_at(self, branch: Branch) -> list[int]:
        return [person.user_id for person in self.staff if branch.pk in person.branch_ids]

    def _teams(self, actor: Any) -> None:
        if not self.branches:
            return
        first = self.branches[0]
        desk_name = "Recepcja" if self.organisation.kind == BusinessKind.HOTEL else "Rejestracja"
        from django.contrib.auth import get_user_model

        users = get_user_model().objects
        lead = self.manager.user if self.manager else None
        contact_services.team_create(
            branch=first,
            actor=actor,
            name=f"{desk_name} – {first.code.upper()}",
            lead=lead,
            members=list(users.filter(pk__in=self._people_at(first))),
            phone_queues=["recepcja"],  # the queue of the sample PBX day (phone/samples/pbx-day.jsonl)
        )
        contact_services.team_create(
            branch=self.branches[-1],
            actor=actor,
            name="Infolinia",
            lead=lead,
            members=list(users.filter(pk__in=[person.user_id for person in self.staff])),
        )

    def _pick(self, weighted: tuple[tuple[str, int], ...]) -> str:
        return self.rng.choices([value for value, _ in weighted], weights=[weight for _, weight in weighted])[0]

    def _contacts(self, topics: list[Topic]) -> list[Interaction]:
        now = timezone.now()
        rows = []
        for branch in self.branches:
            zone = ZoneInfo(branch.time_zone)
            everyone = [person.user_id for person in self.staff]
            people: list[int | None] = [*(self._people_at(branch) or everyone)] or [None]
            today = timezone.localdate(now, zone)
            for offset in range(-DAYS_BACK, 1):
                day = today + timedelta(days=offset)
                if day.weekday() == 6:
                    continue
                for _ in range(self.rng.randint(8, 16)):
                    started = datetime.combine(day, time(8), tzinfo=zone) + timedelta(minutes=self.rng.randint(0, 600))
                    if started > now:
                        continue
                    rows.append(self._contact(branch, started, self.rng.choice(people), topics))
        return rows

    def _contact(self, branch: Branch, started: datetime, staff_id: int | None, topics: list[Topic]) -> Interaction:
        channel = self._pick(CHANNEL_WEIGHTS)
        direction = Direction.OUTBOUND if self.rng.random() < 0.25 else Direction.INBOUND
        outcome = self._pick(OUTCOMES)
        if channel != Channel.PHONE and outcome in (Outcome.MISSED, Outcome.NO_ANSWER, Outcome.VOICEMAIL):
            outcome = Outcome.RESOLVED
        client_id: int | None = self.rng.choice(self.clients)
        kind = ContactKind.EMAIL if channel in (Channel.EMAIL, Channel.WEB_FORM, Channel.CHAT) else ContactKind.PHONE
        address = self.addresses.get(client_id, {}).get(kind, "") if client_id else ""
        match = ClientMatch.AUTOMATIC if address else ClientMatch.CONFIRMED
        if channel == Channel.PHONE and self.rng.random() < 0.12:  # an unknown caller
            client_id, match = None, ClientMatch.NONE
            address = f"+4850{self.rng.randint(1_000_000, 9_999_999)}"
        if channel in (Channel.IN_PERSON, Channel.LETTER):
            address, match = "", ClientMatch.CONFIRMED
        answered = started if channel in (Channel.PHONE, Channel.CHAT) and outcome != Outcome.MISSED else None
        ended = started + timedelta(seconds=self.rng.randint(40, 900)) if channel != Channel.LETTER else None
        return Interaction(
            organisation=self.organisation,
            branch=branch,
            channel=channel,
            direction=direction,
            started_at=started,
            answered_at=answered,
            ended_at=ended,
            staff_id=staff_id,
            contact_address=address,
            client_id=client_id,
            client_match=match,
            topic=self.rng.choice(topics) if outcome not in (Outcome.MISSED, Outcome.NO_ANSWER) else None,
            outcome=outcome,
            summary=self.rng.choice(SUMMARIES) if outcome != Outcome.MISSED else "",
        )

    def _calls(self, rows: list[Interaction]) -> phone_demo.Plan:
        """Inbound phone contacts become PBX calls (those over by now): their agent, times and outcome are set here."""
        everyone = [person.user_id for person in self.staff]
        people = {branch.pk: self._people_at(branch) or everyone for branch in self.branches}
        return phone_demo.plan_calls(rows, people, self.rng, now=timezone.now())

    def _maybe(self, rows: list[Interaction]) -> None:
        """A few unknown callers turn out to share a number with two clients: they wait as "maybe"."""
        unknown = [row for row in rows if row.client_match == ClientMatch.NONE][:6]
        if len(self.clients) < 2:
            return
        links = []
        through = Interaction.candidates.through
        for row in unknown:
            first, second = self.rng.sample(self.clients, 2)
            row.client_match = ClientMatch.MAYBE
            links += [through(interaction_id=row.pk, client_id=first), through(interaction_id=row.pk, client_id=second)]
        Interaction.objects.bulk_update(unknown, ["client_match"])
        through.objects.bulk_create(links)

    def _follow_ups(self, rows: list[Interaction]) -> None:
        """Contacts that needed a follow-up get one: done when old, some overdue, the latest still due."""
        now = timezone.now()
        follow_ups = []
        for row in rows:
            if row.outcome != Outcome.FOLLOW_UP or row.staff_id is None:
                continue
            due = row.started_at + timedelta(days=self.rng.randint(1, 3))
            done = due < now - timedelta(days=2) and self.rng.random() < 0.8
            follow_ups.append(
                FollowUp(
                    organisation=self.organisation,
                    branch=row.branch,
                    interaction=row,
                    owner_id=row.staff_id,
                    due_at=due,
                    note=self.rng.choice(FOLLOW_UP_NOTES),
                    done_at=due - timedelta(hours=2) if done else None,
                    done_by_id=row.staff_id if done else None,
                    created_by_id=row.staff_id,
                )
            )
        FollowUp.objects.bulk_create(follow_ups, batch_size=500)

    def _cases(self, rows: list[Interaction], actor: Any) -> None:
        """A few complaints and invoice corrections became cases."""
        with_client = [row for row in rows if row.client_id is not None and row.case_id is None]
        for subject, row in zip(CASE_SUBJECTS, self.rng.sample(with_client, min(3, len(with_client))), strict=False):
            services.case_open(branch=row.branch, subject=subject, actor=actor, interaction=row)
