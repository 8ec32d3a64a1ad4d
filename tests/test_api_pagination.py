"""limit/offset pagination: {"count": N, "items": [...]}, default 50, at most 200."""

from __future__ import annotations

import pytest

from frontoffice.core.apikit import DEFAULT_LIMIT, MAX_LIMIT
from tests.factories import BranchFactory
from tests.test_api_support import API, assert_problem, bearer_client


@pytest.fixture
def branches(organisation):
    return BranchFactory.create_batch(MAX_LIMIT + 5, organisation=organisation)


@pytest.fixture
def executive_api(executive):
    return bearer_client(executive)


def test_list_answers_count_and_first_page(executive_api, branches):
    # when
    page = executive_api.get(f"{API}/branches").json()
    # then
    assert list(page) == ["count", "items"]
    assert page["count"] == MAX_LIMIT + 5
    assert len(page["items"]) == DEFAULT_LIMIT == 50


def test_largest_page_is_200(executive_api, branches):
    # when
    page = executive_api.get(f"{API}/branches?limit={MAX_LIMIT}").json()
    # then
    assert len(page["items"]) == MAX_LIMIT == 200


def test_last_page_holds_the_rest(executive_api, branches):
    # when
    page = executive_api.get(f"{API}/branches?limit=10&offset={MAX_LIMIT}").json()
    # then
    assert len(page["items"]) == 5
    assert page["count"] == MAX_LIMIT + 5


def test_offset_past_the_end_is_an_empty_page(executive_api, branches):
    # when
    page = executive_api.get(f"{API}/branches?offset=100000").json()
    # then
    assert page == {"count": MAX_LIMIT + 5, "items": []}


def test_pages_neither_repeat_nor_skip(executive_api, organisation):
    # given branches that share a name: the default order alone would not be stable
    created = {branch.pk for branch in BranchFactory.create_batch(23, organisation=organisation, name="Filia")}
    # when
    seen = []
    for offset in range(0, 23, 5):
        seen += [item["id"] for item in executive_api.get(f"{API}/branches?limit=5&offset={offset}").json()["items"]]
    # then
    assert len(seen) == len(set(seen))
    assert set(seen) == created


@pytest.mark.parametrize(
    "query",
    [
        f"limit={MAX_LIMIT + 1}",
        "limit=0",
        "limit=-1",
        "offset=-1",
        "limit=abc",
        "offset=1.5",
        "offset=99999999999999999999999999",
        "limit=",
        "limit=%00",
    ],
)
def test_out_of_bounds_pagination_is_422(executive_api, db, query):
    # when
    response = executive_api.get(f"{API}/branches?{query}")
    # then
    body = assert_problem(response, 422)
    assert {error["field"] for error in body["errors"]} <= {"limit", "offset"}


@pytest.mark.parametrize("path", ["/branches", "/staff", "/tokens"])
def test_every_list_is_paginated(admin, path):
    # when
    page = bearer_client(admin).get(f"{API}{path}?limit=1").json()
    # then
    assert set(page) == {"count", "items"}
    assert len(page["items"]) <= 1
