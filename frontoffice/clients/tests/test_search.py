"""Search as you type: names folded, phones in any format, e-mails, identifiers, dates; ranked; scoped."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.urls import reverse

from frontoffice.clients.blocking import name_candidate_ids
from frontoffice.clients.choices import IdentifierKind
from frontoffice.clients.search import parse, search_clients
from frontoffice.clients.services import ClientData, IdentifierData, client_create


def _register(organisation, clerk, **fields):
    return client_create(organisation=organisation, actor=clerk, data=ClientData(**fields))


@pytest.fixture
def zofia(organisation, clerk):
    return _register(
        organisation,
        clerk,
        given_name="Zofia",
        family_name="Żółw",
        date_of_birth=date(1980, 3, 12),
        phones=["600 100 200"],
        emails=["zofia.zolw@example.invalid"],
        identifiers=[IdentifierData(kind=IdentifierKind.PESEL, value="80031201207")],
    )


@pytest.fixture
def others(organisation, clerk):
    return [
        _register(organisation, clerk, given_name="Jan", family_name="Kowalski", phones=["601 222 333"]),
        _register(organisation, clerk, given_name="Anna", family_name="Kowalska", date_of_birth=date(1980, 12, 3)),
        _register(organisation, clerk, given_name="Piotr", family_name="Nowakowski"),
        _register(organisation, clerk, given_name="Ewa", family_name="Nowak"),
    ]


def _names(results):
    return [client.display_name for client in results]


def test_zolw_without_diacritics_finds_zolw_with_them(clerk, zofia, others):
    assert _names(search_clients(user=clerk, query="zolw")) == ["Zofia Żółw"]
    assert _names(search_clients(user=clerk, query="ŻÓŁW")) == ["Zofia Żółw"]


@pytest.mark.parametrize("typed", ["600100200", "600-100-200", "+48 600 100 200", "0048 600 100 200", "100 200"])
def test_a_phone_in_any_format_finds_the_same_client(clerk, zofia, others, typed):
    assert search_clients(user=clerk, query=typed) == [zofia]


def test_an_email_finds_its_client(clerk, zofia, others):
    assert search_clients(user=clerk, query="Zofia.Zolw@example.invalid") == [zofia]
    assert search_clients(user=clerk, query="zofia.zolw@") == [zofia]


def test_a_pesel_and_its_prefix_find_the_client(clerk, zofia, others):
    assert search_clients(user=clerk, query="80031201207") == [zofia]
    assert search_clients(user=clerk, query="8003120") == [zofia]


def test_the_client_number_finds_the_client(clerk, zofia, others):
    assert search_clients(user=clerk, query=zofia.number.lower()) == [zofia]
    assert search_clients(user=clerk, query=zofia.number.replace("-", "")[1:]) == [zofia]


@pytest.mark.parametrize("typed", ["12.03.1980", "1980-03-12", "12.3.1980"])
def test_a_date_finds_the_birthday_first_and_the_swapped_one_after(clerk, zofia, others, typed):
    anna = others[1]  # born 3 December 1980: day and month swapped
    assert search_clients(user=clerk, query=typed) == [zofia, anna]


def test_a_name_and_a_date_together_narrow_the_search(clerk, zofia, others):
    assert _names(search_clients(user=clerk, query="kowalsk 3.12.1980")) == ["Anna Kowalska"]


def test_several_words_must_all_match_in_any_order(clerk, zofia, others):
    assert _names(search_clients(user=clerk, query="kowalski jan")) == ["Jan Kowalski"]
    assert _names(search_clients(user=clerk, query="ewa kowalski")) == []
    assert _names(search_clients(user=clerk, query="kowal a")) == ["Anna Kowalska"]


def test_a_whole_word_ranks_above_a_word_that_only_contains_it(clerk, zofia, others):
    assert _names(search_clients(user=clerk, query="nowak")) == ["Ewa Nowak", "Piotr Nowakowski"]


def test_one_or_two_letters_match_the_start_of_the_name(clerk, zofia, others):
    assert _names(search_clients(user=clerk, query="zo")) == ["Zofia Żółw"]
    assert _names(search_clients(user=clerk, query="j")) == ["Jan Kowalski"]


@pytest.mark.parametrize(
    "typed", ["", "   ", "\x00", "zo\x00lw", "%", "_", '"', "a" * 5000, "'; drop table x; --", "*"]
)
def test_odd_input_never_crashes(clerk, zofia, typed):
    assert isinstance(search_clients(user=clerk, query=typed), list)


def test_very_long_input_is_cut_to_100_characters():
    assert parse("kowalski " * 100).words == ("kowalski", "k")
    assert parse("x" * 500).words == ("x" * 100,)


def test_merged_and_erased_clients_are_not_found(clerk, zofia, others):
    jan, anna = others[0], others[1]
    jan.replaced_by = anna
    jan.save()
    from django.utils import timezone

    anna.erased_at = timezone.now()
    anna.save()
    assert search_clients(user=clerk, query="kowal") == []


def test_clients_of_another_organisation_are_never_found(other_organisation, clerk, zofia):
    _register(other_organisation, clerk, given_name="Zofia", family_name="Żółwińska", phones=["600 100 200"])
    assert search_clients(user=clerk, query="zolw") == [zofia]
    assert search_clients(user=clerk, query="600100200") == [zofia]


def test_a_typo_in_a_name_still_finds_the_person(clerk, zofia, others):
    assert _names(search_clients(user=clerk, query="nowakowsky"))[0] == "Piotr Nowakowski"
    assert _names(search_clients(user=clerk, query="kowalsku jan")) == ["Jan Kowalski"]
    assert _names(search_clients(user=clerk, query="nowakowki")) == ["Piotr Nowakowski"]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the fallback is how SQLite tolerates typos")
def test_on_sqlite_close_spellings_are_tried_only_when_nothing_matches_as_typed(organisation, clerk, others):
    _register(organisation, clerk, given_name="Adam", family_name="Kowalsky")
    assert _names(search_clients(user=clerk, query="kowalsky")) == ["Adam Kowalsky"]
    assert "Jan Kowalski" in _names(search_clients(user=clerk, query="kowalskx"))


def test_name_candidates_block_on_family_name_fragments(organisation, zofia, others):
    ids = name_candidate_ids(organisation_id=organisation.pk, family="kowalsky", limit=50)
    assert ids == {others[0].pk, others[1].pk}
    assert name_candidate_ids(organisation_id=organisation.pk, family="Kowalsky", given="Jan") == {others[0].pk}
    assert name_candidate_ids(organisation_id=organisation.pk, family="jan", given="kowalski") == {others[0].pk}
    assert name_candidate_ids(organisation_id=organisation.pk, family="", given="jan") == set()


# The client list page ---------------------------------------------------------------------------


def test_the_list_searches_as_you_type_and_answers_htmx_with_the_rows_only(login, clerk, zofia, others):
    page = login(clerk).get(reverse("clients:client_list"), {"q": "zolw"}, headers={"HX-Request": "true"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Zofia Żółw" in html and "Kowalski" not in html
    assert "<html" not in html


def test_the_list_ranks_whole_words_first(login, clerk, zofia, others):
    html = login(clerk).get(reverse("clients:client_list"), {"q": "nowak"}).content.decode()
    assert html.index("Ewa Nowak") < html.index("Piotr Nowakowski")


def test_the_list_says_when_nothing_matches(login, clerk, zofia):
    html = login(clerk).get(reverse("clients:client_list"), {"q": "xyzxyz"}).content.decode()
    assert "No clients match." in html


def test_the_list_needs_the_same_number_of_queries_for_more_rows(
    login, organisation, clerk, django_assert_max_num_queries
):
    signed_in = login(clerk)
    _register(organisation, clerk, given_name="Jan", family_name="Kowalski", phones=["601 222 333"])
    signed_in.get(reverse("clients:client_list"), {"q": "kowal"})
    from django.db import connection as conn
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(conn) as few:
        signed_in.get(reverse("clients:client_list"), {"q": "kowal"})
    for number in range(10):
        _register(
            organisation, clerk, given_name=f"Jan{number}", family_name="Kowalski", phones=[f"601 222 3{number}0"]
        )
    with CaptureQueriesContext(conn) as many:
        response = signed_in.get(reverse("clients:client_list"), {"q": "kowal"})
    assert response.content.decode().count("Kowalski") == 11
    assert len(many) == len(few)


def test_an_outsider_sees_none_of_the_organisations_clients(login, outsider_org, zofia):
    html = login(outsider_org).get(reverse("clients:client_list"), {"q": "zolw"}).content.decode()
    assert "Żółw" not in html


def test_security_staff_may_not_open_the_client_list(login, guard):
    assert login(guard).get(reverse("clients:client_list")).status_code == 403


# The API ----------------------------------------------------------------------------------------


def test_the_api_lists_clients_ranked_and_paginated(login, clerk, zofia, others):
    api = login(clerk)
    answer = api.get("/api/v1/clients", {"q": "nowak", "limit": 1})
    assert answer.status_code == 200
    body = answer.json()
    assert body["count"] == 2
    assert [item["display_name"] for item in body["items"]] == ["Ewa Nowak"]
    second = api.get("/api/v1/clients", {"q": "nowak", "limit": 1, "offset": 1}).json()
    assert [item["display_name"] for item in second["items"]] == ["Piotr Nowakowski"]


def test_the_api_finds_a_phone_in_any_format(login, clerk, zofia, others):
    body = login(clerk).get("/api/v1/clients", {"q": "+48 600-100-200"}).json()
    assert [item["id"] for item in body["items"]] == [zofia.pk]


def test_the_api_without_a_query_lists_every_client_by_name(login, clerk, zofia, others):
    body = login(clerk).get("/api/v1/clients").json()
    assert body["count"] == 5
    assert body["items"][0]["family_name"] == "Kowalska"


def test_the_api_refuses_security_staff(login, guard):
    assert login(guard).get("/api/v1/clients").status_code == 403


def test_word_similarity_counts_edits_against_the_closest_word():
    from frontoffice.clients.search import word_similarity

    assert word_similarity("kowalsky", "jan kowalski") == pytest.approx(1 - 1 / 8)
    assert word_similarity("kowlaski", "jan kowalski") == pytest.approx(1 - 1 / 8)  # neighbours swapped: one edit
    assert word_similarity("nowakowki", "ewa nowak") < 0.8
    assert word_similarity("", "jan") == 0.0 and word_similarity("jan", None) == 0.0


def test_search_follows_a_rename_and_a_deletion(organisation, clerk, others):
    from frontoffice.clients.services import client_update

    piotr = others[2]
    client_update(
        client=piotr,
        actor=clerk,
        data=ClientData(given_name="Piotr", family_name="Wiśniewski"),
        expected_version=piotr.version,
    )
    assert _names(search_clients(user=clerk, query="wisn")) == ["Piotr Wiśniewski"]
    assert "Piotr Nowakowski" not in _names(search_clients(user=clerk, query="nowak"))
    others[3].delete()
    assert _names(search_clients(user=clerk, query="nowak")) == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the words table is PostgreSQL's")
def test_a_common_word_ranks_the_first_candidates_whole_words_first(organisation, clerk, others, monkeypatch):
    from frontoffice.clients import search

    _register(organisation, clerk, given_name="Adam", family_name="Nowak")
    monkeypatch.setattr(search, "PREFIX_CANDIDATES", 2)
    assert sorted(_names(search_clients(user=clerk, query="nowak"))) == ["Adam Nowak", "Ewa Nowak"]
