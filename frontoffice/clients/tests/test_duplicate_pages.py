"""Managers review candidate pairs, tell people apart, merge and undo merges, on pages and over the API."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.urls import reverse

from frontoffice.clients.merging import client_merge
from frontoffice.clients.models import Client, Merge, NotDuplicate
from frontoffice.clients.services import ClientData, client_create


def _add(organisation, actor, **fields):
    return client_create(organisation=organisation, actor=actor, data=ClientData(**fields))


@pytest.fixture
def pair(organisation, manager):
    a = _add(organisation, manager, given_name="Jan", family_name="Kowalski", date_of_birth=date(1980, 3, 4), notes="A")
    b = _add(
        organisation,
        manager,
        given_name="Jan",
        family_name="Kowalsky",
        date_of_birth=date(1980, 3, 4),
        sex="male",
        phones=["600 100 200"],
    )
    return a, b


def _post_json(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


# --- The review page ---------------------------------------------------------------------


def test_the_manager_sees_candidate_pairs_side_by_side_with_reasons(login, manager, pair):
    a, b = pair
    response = login(manager).get(reverse("clients:duplicate_list"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Kowalski" in page and "Kowalsky" in page
    assert "same date of birth" in page
    assert reverse("clients:merge", args=[a.pk, b.pk]) in page
    assert "Not the same person" in page


def test_a_client_flagged_for_review_is_listed_with_its_best_match(login, manager, pair, monkeypatch):
    # Given an organisation too large for a full scan on the page
    from frontoffice.clients import finder

    monkeypatch.setattr(finder, "PAGE_SCAN_LIMIT", 0)
    a, b = pair
    Client.objects.filter(pk=b.pk).update(needs_review=True)

    response = login(manager).get(reverse("clients:duplicate_list"))

    assert reverse("clients:merge", args=[a.pk, b.pk]) in response.content.decode()


def test_the_review_page_makes_a_bounded_number_of_queries(
    login, manager, organisation, pair, django_assert_max_num_queries
):
    for index in range(6):
        _add(organisation, manager, given_name="Anna", family_name=f"Nowak{index}", date_of_birth=date(1990, 1, 1))
    browser = login(manager)
    with django_assert_max_num_queries(30):
        response = browser.get(reverse("clients:duplicate_list"))
    assert response.status_code == 200


def test_not_the_same_person_is_remembered_and_the_pair_leaves_the_list(login, manager, pair):
    a, b = pair
    browser = login(manager)

    question = browser.get(reverse("clients:duplicate_not_same"), {"a": a.pk, "b": b.pk})
    assert question.status_code == 200 and "Why are they different people?" in question.content.decode()

    response = browser.post(reverse("clients:duplicate_not_same"), {"a": b.pk, "b": a.pk, "reason": "Ojciec i syn"})

    assert response.status_code == 302
    record = NotDuplicate.objects.get()
    assert (record.client_a_id, record.client_b_id, record.reason) == (a.pk, b.pk, "Ojciec i syn")
    assert (
        reverse("clients:merge", args=[a.pk, b.pk])
        not in browser.get(reverse("clients:duplicate_list")).content.decode()
    )


def test_not_the_same_person_needs_two_different_clients(login, manager, pair):
    a, _b = pair
    response = login(manager).post(reverse("clients:duplicate_not_same"), {"a": a.pk, "b": a.pk, "reason": "x"})

    assert response.status_code == 400
    assert "Choose two different clients." in response.content.decode()
    assert not NotDuplicate.objects.exists()


# --- The merge page ----------------------------------------------------------------------


def test_the_merge_page_offers_a_choice_for_each_differing_field(login, manager, pair):
    a, b = pair
    page = login(manager).get(reverse("clients:merge", args=[b.pk, a.pk])).content.decode()

    assert 'name="field_family_name"' in page and 'name="field_sex"' in page and 'name="field_notes"' in page
    assert 'name="field_given_name"' not in page  # the same in both
    assert 'name="survivor"' in page


def test_the_manager_merges_choosing_values_and_lands_on_the_survivor(login, manager, pair):
    a, b = pair
    response = login(manager).post(
        reverse("clients:merge", args=[a.pk, b.pk]),
        {
            "survivor": a.pk,
            "field_family_name": b.pk,
            "field_sex": b.pk,
            "field_notes": a.pk,
            "reason": "Literówka",
            "version_a": a.version,
            "version_b": b.version,
        },
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("clients:client_detail", args=[a.pk])
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.family_name, a.sex, a.notes) == ("Kowalsky", "male", "A")
    assert b.replaced_by == a and a.contacts.count() == 1
    assert Merge.objects.get().reason == "Literówka"


def test_a_merge_of_records_changed_since_the_page_was_opened_is_refused(login, manager, pair):
    a, b = pair
    Client.objects.filter(pk=b.pk).update(version=b.version + 1, updated_by=manager)

    response = login(manager).post(
        reverse("clients:merge", args=[a.pk, b.pk]),
        {
            "survivor": a.pk,
            "version_a": a.version,
            "version_b": b.version,
            "field_family_name": a.pk,
            "field_sex": a.pk,
            "field_notes": a.pk,
        },
    )

    assert response.status_code == 400
    assert "changed by" in response.content.decode()
    assert not Merge.objects.exists()


def test_a_second_merge_of_the_same_pair_is_refused_on_the_page(login, manager, pair):
    a, b = pair
    client_merge(survivor=a, merged=b, actor=manager, field_choices={})

    response = login(manager).post(
        reverse("clients:merge", args=[a.pk, b.pk]), {"survivor": b.pk, "version_a": a.version, "version_b": b.version}
    )

    assert response.status_code == 400
    assert "already been merged" in response.content.decode()
    assert Merge.objects.count() == 1


def test_a_merge_form_without_a_survivor_keeps_the_input(login, manager, pair):
    a, b = pair
    response = login(manager).post(
        reverse("clients:merge", args=[a.pk, b.pk]), {"reason": "Ta sama osoba", "version_a": 1, "version_b": 1}
    )

    assert response.status_code == 400
    assert "Ta sama osoba" in response.content.decode()


# --- Merges and undo ---------------------------------------------------------------------


def test_the_merges_list_shows_merges_and_undo_restores_both_records(login, manager, pair):
    a, b = pair
    client_merge(survivor=a, merged=b, actor=manager, field_choices={"family_name": b.pk})
    browser = login(manager)

    listing = browser.get(reverse("clients:merge_list"), {"client": a.pk})
    merge = Merge.objects.get()
    assert listing.status_code == 200 and reverse("clients:merge_undo", args=[merge.pk]) in listing.content.decode()

    response = browser.post(reverse("clients:merge_undo", args=[merge.pk]))

    assert response.status_code == 302
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.family_name == "Kowalski" and b.replaced_by is None and b.contacts.count() == 1
    assert "In force" not in browser.get(reverse("clients:merge_list")).content.decode()


def test_undoing_an_undone_merge_says_why_it_cannot(login, manager, pair):
    a, b = pair
    merge = client_merge(survivor=a, merged=b, actor=manager, field_choices={})
    browser = login(manager)
    browser.post(reverse("clients:merge_undo", args=[merge.pk]))

    response = browser.post(reverse("clients:merge_undo", args=[merge.pk]), follow=True)

    assert "This merge has already been undone." in response.content.decode()


def test_the_merges_list_makes_a_bounded_number_of_queries(login, manager, organisation, django_assert_max_num_queries):
    for index in range(5):
        kept = _add(organisation, manager, family_name=f"Para{index}")
        gone = _add(organisation, manager, family_name=f"Para{index}")
        client_merge(survivor=kept, merged=gone, actor=manager, field_choices={})
    browser = login(manager)
    with django_assert_max_num_queries(15):
        assert browser.get(reverse("clients:merge_list")).status_code == 200


# --- The API -----------------------------------------------------------------------------


def test_api_merge_then_undo(login, manager, pair):
    a, b = pair
    browser = login(manager)

    merged = _post_json(
        browser,
        f"/api/v1/clients/{b.pk}/merge",
        {"other_id": a.pk, "survivor_id": a.pk, "field_choices": {"sex": b.pk}, "reason": "API"},
    )
    assert merged.status_code == 201, merged.content
    body = merged.json()
    assert (body["survivor_id"], body["merged_id"], body["undone_at"]) == (a.pk, b.pk, None)
    assert body["moved"] == 1
    a.refresh_from_db()
    assert a.sex == "male"

    undone = browser.post(f"/api/v1/clients/merges/{body['id']}/undo")
    assert undone.status_code == 200 and undone.json()["undone_at"]

    again = browser.post(f"/api/v1/clients/merges/{body['id']}/undo")
    assert again.status_code == 422 and again["Content-Type"] == "application/problem+json"


def test_api_merge_twice_is_refused(login, manager, pair):
    a, b = pair
    browser = login(manager)
    body = {"other_id": b.pk, "survivor_id": a.pk}
    assert _post_json(browser, f"/api/v1/clients/{a.pk}/merge", body).status_code == 201

    second = _post_json(browser, f"/api/v1/clients/{a.pk}/merge", body)

    assert second.status_code == 422
    assert "already been merged" in second.json()["detail"] + json.dumps(second.json().get("errors"))


def test_api_merge_refuses_itself_a_bad_survivor_and_a_stale_version(login, manager, pair):
    a, b = pair
    browser = login(manager)

    assert (
        _post_json(browser, f"/api/v1/clients/{a.pk}/merge", {"other_id": a.pk, "survivor_id": a.pk}).status_code == 422
    )
    assert (
        _post_json(browser, f"/api/v1/clients/{a.pk}/merge", {"other_id": b.pk, "survivor_id": 999}).status_code == 422
    )
    stale = _post_json(
        browser,
        f"/api/v1/clients/{a.pk}/merge",
        {"other_id": b.pk, "survivor_id": a.pk, "versions": {str(a.pk): a.version + 5}},
    )
    assert stale.status_code == 409
    assert not Merge.objects.exists()


def test_api_merge_with_a_client_of_another_organisation_is_not_found(login, manager, pair, other_organisation):
    a, _b = pair
    stranger = Client.objects.create(organisation=other_organisation, number="X-1", family_name="Obcy")

    response = _post_json(
        login(manager), f"/api/v1/clients/{a.pk}/merge", {"other_id": stranger.pk, "survivor_id": a.pk}
    )

    assert response.status_code == 404


def test_api_not_the_same_person(login, manager, pair):
    a, b = pair
    response = _post_json(
        login(manager),
        "/api/v1/clients/duplicates/not-same",
        {"client_id_a": b.pk, "client_id_b": a.pk, "reason": "Bliźnięta"},
    )

    assert response.status_code == 201
    assert response.json()["client_id_a"] == a.pk and NotDuplicate.objects.get().reason == "Bliźnięta"


def test_api_lists_candidate_pairs_with_pagination(login, manager, pair):
    a, b = pair
    response = login(manager).get("/api/v1/clients/duplicates", {"limit": 10})

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] >= 1
    first = body["items"][0]
    assert (first["client_id_a"], first["client_id_b"]) == (a.pk, b.pk)
    assert {"code": "birth_date", "text": "same date of birth", "weight": 8.0} in first["reasons"]


def test_api_merge_with_the_same_idempotency_key_merges_once(login, manager, pair):
    a, b = pair
    browser = login(manager)
    body = json.dumps({"other_id": b.pk, "survivor_id": a.pk})

    first = browser.post(
        f"/api/v1/clients/{a.pk}/merge", body, content_type="application/json", headers={"Idempotency-Key": "merge-1"}
    )
    again = browser.post(
        f"/api/v1/clients/{a.pk}/merge", body, content_type="application/json", headers={"Idempotency-Key": "merge-1"}
    )

    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true" and Merge.objects.count() == 1
