"""The batch finder proposes likely pairs (never all pairs), explains them, and forgets pairs marked different."""

from __future__ import annotations

import csv
from datetime import date

import pytest

from frontoffice.cli import main
from frontoffice.clients import finder
from frontoffice.clients.finder import find_duplicate_pairs
from frontoffice.clients.merging import client_merge, not_duplicate_record
from frontoffice.clients.models import ClientSettings
from frontoffice.clients.services import ClientData, IdentifierData, client_create


def _add(organisation, actor, **fields):
    return client_create(organisation=organisation, actor=actor, data=ClientData(**fields))


@pytest.fixture
def population(organisation, manager):
    """Four duplicate pairs of different kinds, and people who merely look alike."""
    people = {
        "kowalski": _add(
            organisation, manager, given_name="Jan", family_name="Kowalski", date_of_birth=date(1980, 3, 4)
        ),
        "kowalsky": _add(
            organisation, manager, given_name="Jan", family_name="Kowalsky", date_of_birth=date(1980, 3, 4)
        ),
        "zolw": _add(organisation, manager, given_name="Zofia", family_name="Żółw", phones=["600 100 200"]),
        "zolw_phone": _add(organisation, manager, given_name="Zosia", family_name="Zolw", phones=["+48 600-100-200"]),
        "swapped": _add(organisation, manager, given_name="Nowak", family_name="Anna", date_of_birth=date(1990, 2, 7)),
        "nowak": _add(organisation, manager, given_name="Anna", family_name="Nowak", date_of_birth=date(1990, 7, 2)),
        "pesel": _add(
            organisation,
            manager,
            given_name="Piotr",
            family_name="Lis",
            identifiers=[IdentifierData(kind="other", other_kind="RNOKPP", value="3344556677")],
        ),
        "lis": _add(organisation, manager, given_name="Piotr", family_name="Lisowski", date_of_birth=date(1975, 1, 1)),
        "stranger": _add(
            organisation, manager, given_name="Marek", family_name="Kowalczyk", date_of_birth=date(1980, 3, 4)
        ),
        "other": _add(
            organisation, manager, given_name="Ewa", family_name="Wiśniewska", date_of_birth=date(2001, 5, 6)
        ),
    }
    return people


def _ids(pairs, people):
    names = {client.pk: name for name, client in people.items()}
    return {frozenset((names[pair.client_id_a], names[pair.client_id_b])) for pair in pairs}


def test_the_finder_proposes_typos_phone_formats_and_swapped_names_with_reasons(organisation, population):
    # When the finder runs over the organisation
    pairs = list(find_duplicate_pairs(organisation=organisation))

    # Then the duplicates are found, ordered a < b, with reasons; look-alikes are not
    found = _ids(pairs, population)
    assert frozenset({"kowalski", "kowalsky"}) in found
    assert frozenset({"zolw", "zolw_phone"}) in found
    assert frozenset({"swapped", "nowak"}) in found
    assert not any("stranger" in pair or "other" in pair for pair in found)
    assert all(pair.client_id_a < pair.client_id_b for pair in pairs)
    typo = next(
        pair
        for pair in pairs
        if {pair.client_id_a, pair.client_id_b} == {population["kowalski"].pk, population["kowalsky"].pk}
    )
    assert "same date of birth" in typo.reasons_text and "kowalski ≈ kowalsky" in typo.reasons_text


def test_pairs_marked_not_the_same_person_are_never_proposed_again(organisation, manager, population):
    not_duplicate_record(client_a=population["kowalski"], client_b=population["kowalsky"], actor=manager)

    assert frozenset({"kowalski", "kowalsky"}) not in _ids(find_duplicate_pairs(organisation=organisation), population)


def test_merged_away_clients_and_other_organisations_are_left_out(
    organisation, other_organisation, manager, population
):
    client_merge(survivor=population["zolw"], merged=population["zolw_phone"], actor=manager, field_choices={})
    _add(other_organisation, manager, given_name="Jan", family_name="Kowalski", date_of_birth=date(1980, 3, 4))

    found = _ids(find_duplicate_pairs(organisation=organisation), population)
    assert frozenset({"zolw", "zolw_phone"}) not in found
    assert frozenset({"kowalski", "kowalsky"}) in found


def test_only_pairs_at_or_above_the_organisations_possible_threshold_are_listed(organisation, population):
    ClientSettings.objects.create(organisation=organisation, possible_match_score=40, probable_match_score=45)

    assert list(find_duplicate_pairs(organisation=organisation)) == []


def test_a_huge_block_is_compared_by_neighbourhood_not_all_pairs(monkeypatch, organisation, manager):
    # Given a switchboard number shared by many different people
    monkeypatch.setattr(finder, "LARGE_BLOCK", 5)
    monkeypatch.setattr(finder, "WINDOW", 2)
    for index in range(12):
        _add(organisation, manager, given_name="Osoba", family_name=f"Firma{index:02d}x", phones=["221234567"])
    compared = []
    real_score = finder.score_pair

    def counting(a, b):
        compared.append(1)
        return real_score(a, b)

    monkeypatch.setattr(finder, "score_pair", counting)

    list(find_duplicate_pairs(organisation=organisation))

    # Then far fewer than 66 comparisons are made
    assert len(compared) < 40


def test_progress_is_reported(organisation, population):
    stages = []
    list(find_duplicate_pairs(organisation=organisation, progress=lambda stage, done, total: stages.append(stage)))
    assert {"read", "compare"} <= set(stages)


def test_the_command_writes_the_pairs_to_a_csv_file(organisation, population, tmp_path, capsys):
    out = tmp_path / "pairs.csv"

    code = main(["clients", "duplicates", "--organisation", "testowa", "--out", str(out)])

    assert code == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert rows and list(rows[0]) == ["client_id_a", "client_id_b", "score", "reasons"]
    scores = [float(row["score"]) for row in rows]
    assert scores == sorted(scores, reverse=True)
    assert any("same phone" in row["reasons"] for row in rows)
    printed = capsys.readouterr().out
    assert "candidate pair(s)" in printed and f"{len(rows)} pair(s) written" in printed


def test_the_command_prints_a_summary_without_out(organisation, population, capsys):
    assert main(["clients", "duplicates"]) == 0
    assert "testowa:" in capsys.readouterr().out


def test_an_unknown_organisation_is_bad_usage(db, capsys):
    assert main(["clients", "duplicates", "--organisation", "nie-ma"]) == 2
    assert "No organisation with the slug 'nie-ma'" in capsys.readouterr().err


def test_an_unwritable_file_fails(organisation, tmp_path, capsys):
    assert main(["clients", "duplicates", "--out", str(tmp_path / "missing" / "pairs.csv")]) == 1
    assert "Cannot write" in capsys.readouterr().err
