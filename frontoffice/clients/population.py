"""A realistic Polish client population with injected duplicates that carry ground truth.

For benchmarks and quality measurements (``bench/clients_*.py``,
``frontoffice clients generate``), never for real data. People get names by sex
(Faker ``pl_PL`` name lists, so family names agree with sex: Kowalski/Kowalska), a
PESEL consistent with the date of birth and sex (PESEL checksum), phones typed
in mixed formats, e-mails and addresses. A share of the records are duplicates
of another record, changed the way clerks and forms change people:

- ``typo``: one letter of the family name substituted, dropped, doubled or swapped;
- ``no_diacritics``: "Łucja Żółć" typed as "Lucja Zolc";
- ``swapped_names``: given and family name typed the other way round;
- ``phone_format``: the same phone typed differently ("+48 600 100 200" / "600-100-200");
- ``missing_fields``: no phone, e-mail or address;
- ``transposed_date``: day and month of the date of birth swapped;
- ``married_name``: a woman with a new family name (the old one sometimes kept as second family name).

A duplicate never repeats the PESEL (the database refuses a shared identifier), so
it is found by names, date of birth and contacts, as at a real front desk.
"""

from __future__ import annotations

import csv
import random
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from frontoffice.core.models import NumberSequence, Organisation

from .choices import ContactKind, IdentifierKind
from .models import Client, ClientAddress, ClientContact, ClientIdentifier
from .normalise import fold, normalise_email, normalise_phone, phone_digits
from .services import CLIENT_NUMBER_PREFIX

CHANGES = (
    "typo",
    "no_diacritics",
    "swapped_names",
    "phone_format",
    "missing_fields",
    "transposed_date",
    "married_name",
)
PESEL_WEIGHTS = (1, 3, 7, 9, 1, 3, 7, 9, 1, 3)
EMAIL_DOMAINS = ("example.com", "example.net", "example.org", "poczta.example", "mail.example")
MOBILE_PREFIXES = ("50", "51", "53", "57", "60", "66", "69", "72", "73", "78", "79", "88")


@dataclass(frozen=True)
class Person:
    given_name: str
    family_name: str
    sex: str  # "female" or "male"
    date_of_birth: date | None
    second_family_name: str = ""
    pesel: str = ""
    phone: str = ""  # as typed
    email: str = ""
    street: str = ""
    postal_code: str = ""
    city: str = ""


@dataclass(frozen=True)
class Population:
    people: list[Person]
    pairs: list[tuple[int, int, str]]  # (index of the original, index of the duplicate, kind of change)


def pesel_for(birth: date, sex: str, serial: int) -> str:
    """A valid PESEL: the month carries the century, the tenth digit the sex (even for women)."""
    century_offset = {1800: 80, 1900: 0, 2000: 20, 2100: 40, 2200: 60}[birth.year // 100 * 100]
    serial_digits = f"{serial % 1000:03d}"
    sex_digit = (serial // 1000) % 5 * 2 + (1 if sex == "male" else 0)
    digits = f"{birth.year % 100:02d}{birth.month + century_offset:02d}{birth.day:02d}{serial_digits}{sex_digit}"
    check = (10 - sum(int(d) * w for d, w in zip(digits, PESEL_WEIGHTS, strict=True)) % 10) % 10
    return digits + str(check)


def format_phone(digits: str, rng: random.Random) -> str:
    """A nine-digit Polish number typed as people type it."""
    a, b, c = digits[:3], digits[3:6], digits[6:]
    return rng.choice(
        (
            f"{a}{b}{c}",
            f"{a} {b} {c}",
            f"{a}-{b}-{c}",
            f"+48 {a} {b} {c}",
            f"+48{a}{b}{c}",
            f"(+48) {a}-{b}-{c}",
            f"0048 {a} {b} {c}",
        )
    )


def strip_diacritics(text: str) -> str:
    text = text.replace("ł", "l").replace("Ł", "L")
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _typo(word: str, rng: random.Random) -> str:
    if len(word) < 4:
        return word + rng.choice("aeiou")
    position = rng.randrange(1, len(word) - 1)
    operation = rng.choice(("substitute", "drop", "double", "swap"))
    if operation == "substitute":
        letter = rng.choice([c for c in "aeioukszcnrtyl" if c != word[position]])
        return word[:position] + letter + word[position + 1 :]
    if operation == "drop":
        return word[:position] + word[position + 1 :]
    if operation == "double":
        return word[:position] + word[position] + word[position:]
    return word[:position] + word[position + 1] + word[position] + word[position + 2 :]


class _Pools:
    def __init__(self, seed: int) -> None:
        from faker import Faker

        faker = Faker("pl_PL")
        faker.seed_instance(seed)
        self.given = {
            "female": sorted({faker.first_name_female() for _ in range(2000)}),
            "male": sorted({faker.first_name_male() for _ in range(2000)}),
        }
        self.family = {
            "female": sorted({faker.last_name_female() for _ in range(3000)}),
            "male": sorted({faker.last_name_male() for _ in range(3000)}),
        }
        self.streets = [faker.street_address() for _ in range(2000)]
        self.cities = sorted({faker.city() for _ in range(500)})


def generate(*, count: int, duplicates: float = 0.1, seed: int = 0) -> Population:
    """``count`` people in all, of which ``duplicates`` × count (at most half) are changed copies of others."""
    rng = random.Random(seed)  # noqa: S311 - reproducible fake data, not secrets
    pools = _Pools(seed)
    duplicate_count = min(round(count * duplicates), count // 2)
    base_count = count - duplicate_count
    people: list[Person] = []
    used_phones: set[str] = set()
    used_pesels: set[str] = set()
    for index in range(base_count):
        people.append(_person(index, rng, pools, used_phones, used_pesels))
    pairs: list[tuple[int, int, str]] = []
    originals = rng.sample(range(base_count), min(duplicate_count, base_count))
    for original in originals:
        kind, copy = _duplicate(people[original], rng, pools)
        pairs.append((original, len(people), kind))
        people.append(copy)
    # Interleave the duplicates with the rest, as they arrive in a real index.
    order = list(range(len(people)))
    rng.shuffle(order)
    position = {old: new for new, old in enumerate(order)}
    shuffled = [people[old] for old in order]
    return Population(shuffled, [(position[a], position[b], kind) for a, b, kind in pairs])


def _person(index: int, rng: random.Random, pools: _Pools, used_phones: set[str], used_pesels: set[str]) -> Person:
    sex = rng.choice(("female", "male"))
    given = rng.choice(pools.given[sex])
    family = rng.choice(pools.family[sex])
    birth = date(1935, 1, 1) + timedelta(days=rng.randrange(0, 365 * 88))
    phone = ""
    if rng.random() < 0.85:
        while True:
            digits = rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10_000_000):07d}"
            if digits not in used_phones:
                used_phones.add(digits)
                break
        phone = format_phone(digits, rng)
    email = ""
    if rng.random() < 0.6:
        email = f"{fold(given)}.{fold(family)}{index}@{rng.choice(EMAIL_DOMAINS)}".replace(" ", "")
    has_address = rng.random() < 0.7
    pesel = ""
    if rng.random() < 0.7:
        for serial in range(rng.randrange(5000), rng.randrange(5000) + 5000):
            pesel = pesel_for(birth, sex, serial)
            if pesel not in used_pesels:
                used_pesels.add(pesel)
                break
        else:
            pesel = ""
    return Person(
        given_name=given,
        family_name=family,
        sex=sex,
        date_of_birth=birth,
        pesel=pesel,
        phone=phone,
        email=email,
        street=rng.choice(pools.streets) if has_address else "",
        postal_code=f"{rng.randrange(100):02d}-{rng.randrange(1000):03d}" if has_address else "",
        city=rng.choice(pools.cities) if has_address else "",
    )


def _applicable(person: Person) -> list[str]:
    kinds = ["typo", "swapped_names", "missing_fields"]
    if strip_diacritics(person.given_name + person.family_name) != person.given_name + person.family_name:
        kinds.append("no_diacritics")
    if person.phone:
        kinds.append("phone_format")
    birth = person.date_of_birth
    if birth and birth.day <= 12 and birth.day != birth.month:
        kinds.append("transposed_date")
    if person.sex == "female":
        kinds.append("married_name")
    return kinds


def _duplicate(person: Person, rng: random.Random, pools: _Pools) -> tuple[str, Person]:
    kind = rng.choice(_applicable(person))
    copy = replace(person, pesel="")  # a shared PESEL would be refused: the copy was registered without it
    if kind == "typo":
        copy = replace(copy, family_name=_typo(person.family_name, rng))
    elif kind == "no_diacritics":
        copy = replace(
            copy, given_name=strip_diacritics(person.given_name), family_name=strip_diacritics(person.family_name)
        )
    elif kind == "swapped_names":
        copy = replace(copy, given_name=person.family_name, family_name=person.given_name)
    elif kind == "phone_format":
        digits = phone_digits(normalise_phone(person.phone))[-9:]
        copy = replace(copy, phone=format_phone(digits, rng), email="")
    elif kind == "missing_fields":
        copy = replace(copy, phone="", street="", postal_code="", city="")
    elif kind == "transposed_date" and person.date_of_birth:
        birth = person.date_of_birth
        copy = replace(copy, date_of_birth=birth.replace(day=birth.month, month=birth.day))
    elif kind == "married_name":
        new_family = rng.choice([name for name in pools.family["female"] if name != person.family_name])
        copy = replace(
            copy,
            family_name=new_family,
            second_family_name=person.family_name if rng.random() < 0.5 else "",
            email="",
        )
    return kind, copy


def _chunks(items: list[Person], size: int) -> Iterator[tuple[int, list[Person]]]:
    for start in range(0, len(items), size):
        yield start, items[start : start + size]


@transaction.atomic
def insert(*, organisation: Organisation, people: list[Person], batch_size: int = 5000) -> list[int]:
    """Bulk-insert ``people`` as clients (with contacts, PESELs and addresses); their ids, in order.

    Fast path for benchmarks: no history rows and one audit-free transaction. The search
    copies are written exactly as ``services.set_search_fields`` writes them (same
    normalise functions). Client numbers are not taken one by one from ``next_number``
    (one UPDATE per row): the sequence row is locked once, the numbers last+1 … last+N are
    given out here in the usual ``K-YYYY-NNNNNN`` format, and the sequence is set to
    last+N at the end, inside the same transaction, so it stays gap-free and later
    registrations continue after the generated clients.
    """
    year = timezone.localdate().year
    sequence, _created = NumberSequence.objects.select_for_update().get_or_create(
        organisation=organisation, key=CLIENT_NUMBER_PREFIX, year=year, defaults={"last_value": 0}
    )
    first = sequence.last_value + 1
    ids: list[int] = []
    for start, chunk in _chunks(people, batch_size):
        clients = []
        phones_of: list[str | None] = []
        for offset, person in enumerate(chunk):
            phone = normalise_phone(person.phone) if person.phone else None
            email = normalise_email(person.email)
            phones_of.append(phone)
            names = [person.given_name, person.family_name, person.second_family_name]
            clients.append(
                Client(
                    organisation=organisation,
                    number=f"{CLIENT_NUMBER_PREFIX}-{year}-{first + start + offset:06d}",
                    given_name=person.given_name,
                    family_name=person.family_name,
                    second_family_name=person.second_family_name,
                    date_of_birth=person.date_of_birth,
                    sex=person.sex,
                    search_name=" ".join(part for part in (fold(name) for name in names) if part),
                    search_phones=phone_digits(phone) if phone else "",
                    search_emails=email,
                )
            )
        created = Client.objects.bulk_create(clients)
        contacts, identifiers, addresses = [], [], []
        for client, person, phone in zip(created, chunk, phones_of, strict=True):
            if phone:
                contacts.append(
                    ClientContact(
                        organisation=organisation, client=client, kind=ContactKind.PHONE, value=phone, is_primary=True
                    )
                )
            if person.email:
                contacts.append(
                    ClientContact(
                        organisation=organisation,
                        client=client,
                        kind=ContactKind.EMAIL,
                        value=normalise_email(person.email),
                        is_primary=not phone,
                    )
                )
            if person.pesel:
                identifiers.append(
                    ClientIdentifier(
                        organisation=organisation,
                        client=client,
                        kind=IdentifierKind.PESEL,
                        value=person.pesel,
                        value_normalised=person.pesel,
                    )
                )
            if person.city:
                addresses.append(
                    ClientAddress(client=client, street=person.street, postal_code=person.postal_code, city=person.city)
                )
        ClientContact.objects.bulk_create(contacts)
        ClientIdentifier.objects.bulk_create(identifiers)
        ClientAddress.objects.bulk_create(addresses)
        ids.extend(client.pk for client in created)
    sequence.last_value = first + len(people) - 1
    sequence.save(update_fields=["last_value"])
    return ids


def write_truth(path: str | Path, population: Population, ids: list[int]) -> int:
    """The duplicate pairs as ``client_id_a, client_id_b, kind_of_change``; how many were written."""
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["client_id_a", "client_id_b", "kind_of_change"])
        for a, b, kind in population.pairs:
            writer.writerow([ids[a], ids[b], kind])
    return len(population.pairs)
