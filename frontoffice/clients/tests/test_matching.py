"""The matcher finds the same person despite typos, swaps and missing fields, and says why."""

from __future__ import annotations

from datetime import date

from frontoffice.clients.matching import (
    EXACT,
    POSSIBLE,
    PROBABLE,
    MatchQuery,
    candidate_ids,
    find_matches,
    score_pair,
)
from frontoffice.clients.services import ClientData, IdentifierData, client_create


def _codes(reasons):
    return {reason.code: reason.weight > 0 for reason in reasons}


def test_a_family_name_typo_with_the_same_birth_date_is_probable_and_explained():
    score, reasons = score_pair(
        MatchQuery(given_name="Jan", family_name="Kowalski", date_of_birth=date(1980, 3, 4)),
        MatchQuery(given_name="Jan", family_name="Kowalsky", date_of_birth=date(1980, 3, 4)),
    )
    texts = [reason.text for reason in reasons]
    assert "same date of birth" in texts and "family name kowalski ≈ kowalsky" in texts
    assert score >= 16


def test_diacritics_case_spacing_and_nicknames_do_not_matter():
    _score, reasons = score_pair(
        MatchQuery(given_name="Kasia", family_name="ŻÓŁW  "),
        MatchQuery(given_name="Katarzyna", family_name="zolw"),
    )
    assert _codes(reasons) == {"family_name": True, "given_name": True}


def test_swapped_given_and_family_names_are_recognised():
    _score, reasons = score_pair(
        MatchQuery(given_name="Nowak", family_name="Anna"), MatchQuery(given_name="Anna", family_name="Nowak")
    )
    assert reasons[0].text == "given and family names swapped"


def test_day_and_month_swapped_counts_as_near_agreement():
    _score, reasons = score_pair(
        MatchQuery(family_name="Lis", date_of_birth=date(1990, 2, 7)),
        MatchQuery(family_name="Lis", date_of_birth=date(1990, 7, 2)),
    )
    assert "date of birth with day and month swapped" in [reason.text for reason in reasons]


def test_a_married_name_in_the_second_family_name_still_matches():
    _score, reasons = score_pair(
        MatchQuery(given_name="Ewa", family_name="Nowak", second_family_name="Kowalska"),
        MatchQuery(given_name="Ewa", family_name="Kowalska"),
    )
    assert _codes(reasons)["family_name"]


def test_phones_in_any_format_agree():
    _score, reasons = score_pair(
        MatchQuery(family_name="Lis", phones=("600-100-200",)),
        MatchQuery(family_name="Lis", phones=("+48 600 100 200",)),
    )
    assert _codes(reasons)["phone"]


def test_different_people_with_a_common_name_score_low():
    score, _reasons = score_pair(
        MatchQuery(given_name="Anna", family_name="Nowak", date_of_birth=date(1970, 1, 1), phones=("600100200",)),
        MatchQuery(given_name="Anna", family_name="Nowak", date_of_birth=date(1995, 6, 30), phones=("700100200",)),
    )
    assert score < 10


def test_find_matches_ranks_an_identifier_match_first(organisation, clerk):
    pesel = IdentifierData(kind="pesel", value="44051401359")
    same = client_create(
        organisation=organisation,
        actor=clerk,
        data=ClientData(given_name="Jan", family_name="Kowalski", identifiers=[pesel]),
    )
    similar = client_create(
        organisation=organisation,
        actor=clerk,
        data=ClientData(given_name="Jan", family_name="Kowalsky", date_of_birth=date(1944, 5, 14)),
    )
    matches = find_matches(
        organisation=organisation,
        query=MatchQuery(
            given_name="Jan",
            family_name="Kowalski",
            date_of_birth=date(1944, 5, 14),
            identifiers=(("pesel", "440514 01359"),),
        ),
    )
    assert [m.client for m in matches] == [same, similar]
    assert matches[0].level == EXACT and matches[1].level in (PROBABLE, POSSIBLE)


def test_find_matches_stays_inside_the_organisation(organisation, other_organisation, clerk):
    client_create(
        organisation=other_organisation,
        actor=clerk,
        data=ClientData(given_name="Jan", family_name="Lis", date_of_birth=date(1980, 1, 1)),
    )
    query = MatchQuery(given_name="Jan", family_name="Lis", date_of_birth=date(1980, 1, 1))
    assert find_matches(organisation=organisation, query=query) == []


def test_name_blocking_leaves_out_only_what_could_not_reach_the_threshold(organisation, clerk):
    def person(family, birth, phone=""):
        return client_create(
            organisation=organisation,
            actor=clerk,
            data=ClientData(
                given_name="Anna", family_name=family, date_of_birth=birth, phones=[phone] if phone else []
            ),
        )

    one_digit_off = person("Nowakowska", date(1981, 3, 4))  # the year, one digit apart
    month_typo = person("Nowakowska", date(1980, 8, 4))  # the month, one digit apart
    unknown_birth = person("Nowakowska", None)
    other_birth = person("Nowakowska", date(1955, 11, 23))  # names agree, nothing else: scores 5
    same_phone = person("Nowakowska", date(1962, 7, 9), phone="+48600111222")  # found through the phone
    query = MatchQuery(
        given_name="Anna", family_name="Nowakowska", date_of_birth=date(1980, 3, 4), phones=("600 111 222",)
    )

    found = {match.client for match in find_matches(organisation=organisation, query=query, limit=10)}

    assert found == {one_digit_off, month_typo, unknown_birth, same_phone}
    assert other_birth not in found

    # With a threshold an organisation set so low that names alone pass, nothing is left out.
    from frontoffice.clients.models import ClientSettings

    ClientSettings.objects.update_or_create(
        organisation=organisation, defaults={"possible_match_score": 4.0, "probable_match_score": 16.0}
    )
    found = {match.client for match in find_matches(organisation=organisation, query=query, limit=10)}
    assert other_birth in found


def test_a_typo_in_the_first_four_letters_is_found_with_or_without_a_date_of_birth(organisation, clerk):
    stored = client_create(
        organisation=organisation,
        actor=clerk,
        data=ClientData(given_name="Marianna", family_name="Hrynkiewicz", date_of_birth=date(1950, 3, 15)),
    )
    client_create(  # shares the common ending "wicz" only, which is not looked for alone any more
        organisation=organisation,
        actor=clerk,
        data=ClientData(given_name="Marianna", family_name="Jankowicz", date_of_birth=date(1971, 9, 2)),
    )
    # The date of birth is known: the birth block finds the person, the common ending is not looked for.
    typed = MatchQuery(given_name="Marianna", family_name="Hyrnkiewicz", date_of_birth=date(1950, 3, 15))
    assert [match.client for match in find_matches(organisation=organisation, query=typed)] == [stored]
    # Without it, the letters after the first four ("kiewicz") block it for scoring, and not Jankowicz.
    typed = MatchQuery(given_name="Marianna", family_name="Hyrnkiewicz")
    assert candidate_ids(organisation=organisation, query=typed) == {stored.pk}


def test_the_rest_of_a_long_family_name_is_the_fragment_after_the_first_four_letters():
    from frontoffice.clients.blocking import _rest

    assert _rest("hrynkiewicz") == "kiewicz"
    assert _rest("kowalski") == "lski"  # eight letters: the last four
    assert _rest("nowak7") == "wak7"
