"""The generated population: valid PESELs, normalisable phones, duplicates with ground truth, bulk insert."""

from __future__ import annotations

import csv
from collections import Counter

from django.core.management import call_command
from stdnum.pl import pesel

from frontoffice.clients.matching import query_from_client, score_pair
from frontoffice.clients.models import Client, ClientContact, ClientIdentifier
from frontoffice.clients.normalise import fold, normalise_phone
from frontoffice.clients.population import CHANGES, generate, insert, pesel_for
from frontoffice.clients.search import search_clients
from frontoffice.clients.services import set_search_fields
from frontoffice.core.models import NumberSequence


def test_every_pesel_is_valid_and_agrees_with_birth_date_and_sex():
    population = generate(count=400, duplicates=0.1, seed=1)
    with_pesel = [person for person in population.people if person.pesel]
    assert len(with_pesel) > 200
    for person in with_pesel:
        assert pesel.is_valid(person.pesel)
        assert pesel.get_birth_date(person.pesel) == person.date_of_birth
        assert pesel.get_gender(person.pesel) == ("F" if person.sex == "female" else "M")
    assert len({person.pesel for person in with_pesel}) == len(with_pesel)


def test_pesels_of_every_century_are_valid():
    from datetime import date

    for birth in (date(1899, 12, 31), date(1950, 1, 1), date(2004, 2, 29)):
        assert pesel.get_birth_date(pesel_for(birth, "male", 123)) == birth


def test_phones_come_in_mixed_formats_and_all_normalise():
    population = generate(count=300, duplicates=0, seed=2)
    phones = [person.phone for person in population.people if person.phone]
    assert all(normalise_phone(phone) for phone in phones)
    assert len({phone[:4].isdigit() for phone in phones}) == 2  # some typed with +48, some without


def test_duplicates_carry_their_kind_of_change_and_differ_from_the_original():
    population = generate(count=2000, duplicates=0.1, seed=3)
    assert len(population.pairs) == 200
    kinds = Counter(kind for _a, _b, kind in population.pairs)
    assert set(kinds) == set(CHANGES)
    for a, b, kind in population.pairs:
        original, copy = population.people[a], population.people[b]
        assert copy.pesel == ""
        if kind == "swapped_names":
            assert (copy.given_name, copy.family_name) == (original.family_name, original.given_name)
        if kind == "no_diacritics":
            assert fold(copy.family_name) == fold(original.family_name)
            assert copy.family_name + copy.given_name != original.family_name + original.given_name
        if kind == "transposed_date":
            assert (copy.date_of_birth.day, copy.date_of_birth.month) == (
                original.date_of_birth.month,
                original.date_of_birth.day,
            )
        if kind == "phone_format":
            assert normalise_phone(copy.phone) == normalise_phone(original.phone)


def test_the_same_seed_gives_the_same_population():
    assert generate(count=50, seed=7) == generate(count=50, seed=7)


def test_bulk_insert_writes_search_fields_numbers_and_the_sequence(organisation, clerk):
    population = generate(count=120, duplicates=0.1, seed=4)
    ids = insert(organisation=organisation, people=population.people, batch_size=50)
    assert Client.objects.filter(organisation=organisation).count() == 120
    for client in Client.objects.filter(pk__in=ids[:30]).prefetch_related("contacts"):
        expected = Client(
            given_name=client.given_name, family_name=client.family_name, second_family_name=client.second_family_name
        )
        contacts = list(client.contacts.all())
        set_search_fields(
            expected,
            phones=[c.value for c in contacts if c.kind == "phone"],
            emails=[c.value for c in contacts if c.kind == "email"],
        )
        assert (client.search_name, client.search_phones, client.search_emails) == (
            expected.search_name,
            expected.search_phones,
            expected.search_emails,
        )
    numbers = sorted(Client.objects.values_list("number", flat=True))
    assert numbers[0].endswith("-000001") and numbers[-1].endswith("-000120")
    assert NumberSequence.objects.get(organisation=organisation, key="K").last_value == 120
    assert ClientIdentifier.objects.filter(client_id__in=ids).exists()
    phone_client = next(
        Client.objects.get(pk=ids[i]) for i, p in enumerate(population.people) if p.phone and not p.email
    )
    contact = ClientContact.objects.get(client=phone_client)
    assert search_clients(user=clerk, query=contact.value) == [phone_client]


def test_generated_duplicates_score_as_the_same_person_more_often_than_not(organisation):
    population = generate(count=400, duplicates=0.1, seed=5)
    ids = insert(organisation=organisation, people=population.people)
    clients = Client.objects.in_bulk(ids)
    scores = [
        score_pair(query_from_client(clients[ids[a]]), query_from_client(clients[ids[b]]))[0]
        for a, b, _kind in population.pairs
    ]
    assert sum(score >= 10 for score in scores) > len(scores) * 0.8


def test_the_command_generates_clients_and_writes_the_truth_file(organisation, tmp_path):
    truth = tmp_path / "truth.csv"
    call_command("clients_generate", organisation=organisation.slug, count=60, duplicates=0.1, truth=str(truth))
    rows = list(csv.DictReader(truth.open(encoding="utf-8")))
    assert len(rows) == 6
    assert set(rows[0]) == {"client_id_a", "client_id_b", "kind_of_change"}
    assert Client.objects.filter(pk__in=[int(rows[0]["client_id_a"]), int(rows[0]["client_id_b"])]).count() == 2
