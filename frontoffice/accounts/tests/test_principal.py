"""The signed-in user answered from the shared cache, and never after a change to who they are."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from frontoffice.accounts.models import StaffMember


@pytest.fixture(autouse=True)
def _principal_cache(settings):
    settings.PRINCIPAL_CACHE_SECONDS = 300
    cache.clear()
    yield
    cache.clear()


def _queries_of(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    return response, [query["sql"] for query in captured.captured_queries]


def _reads_of_who(queries):
    tables = ("accounts_user", "accounts_staffmember", "auth_group", "auth_permission", "core_organisation")
    return [sql for sql in queries if any(f'FROM "{table}"' in sql for table in tables)]


@pytest.mark.django_db(transaction=True)
def test_a_signed_in_clerk_is_read_from_the_database_once_then_from_the_cache(login, clerk):
    client = login(clerk)
    first, first_queries = _queries_of(client, reverse("desk:day"))
    second, second_queries = _queries_of(client, reverse("desk:day"))

    assert first.status_code == second.status_code == 200
    assert _reads_of_who(first_queries)
    assert _reads_of_who(second_queries) == []
    assert len(second_queries) < len(first_queries)


@pytest.mark.django_db(transaction=True)
def test_a_role_taken_away_applies_to_the_very_next_request(login, clerk):
    client = login(clerk)
    assert client.get(reverse("desk:day")).status_code == 200

    clerk.groups.remove(Group.objects.get(name="clerk"))

    assert client.get(reverse("desk:day")).status_code == 403


@pytest.mark.django_db(transaction=True)
def test_a_permission_taken_from_a_role_applies_to_everyone_at_once(login, clerk):
    client = login(clerk)
    assert client.get(reverse("desk:day")).status_code == 200

    Group.objects.get(name="clerk").permissions.remove(Permission.objects.get(codename="view_visits"))

    assert client.get(reverse("desk:day")).status_code == 403


@pytest.mark.django_db(transaction=True)
def test_a_deactivated_user_is_signed_out_at_once(login, clerk):
    client = login(clerk)
    assert client.get(reverse("desk:day")).status_code == 200

    clerk.is_active = False
    clerk.save()

    response = client.get(reverse("desk:day"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


@pytest.mark.django_db(transaction=True)
def test_a_branch_taken_away_is_out_of_scope_at_once(login, clerk, branch, other_branch):
    client = login(clerk)
    assert client.get(reverse("desk:day"), {"branch": branch.pk}).context["branch"] == branch
    staff = StaffMember.objects.get(user=clerk)

    staff.branches.set([other_branch])

    # The desk falls back to a branch the clerk still works in.
    assert client.get(reverse("desk:day"), {"branch": branch.pk}).context["branch"] == other_branch


@pytest.mark.django_db(transaction=True)
def test_a_change_inside_a_transaction_that_rolls_back_keeps_the_cached_user(login, clerk):
    from django.db import transaction

    client = login(clerk)
    client.get(reverse("desk:day"))
    with pytest.raises(RuntimeError), transaction.atomic():
        clerk.groups.remove(Group.objects.get(name="clerk"))
        raise RuntimeError("rolled back")

    response, queries = _queries_of(client, reverse("desk:day"))
    assert response.status_code == 200
    assert _reads_of_who(queries) == []


@pytest.mark.django_db(transaction=True)
def test_without_a_shared_cache_every_request_reads_the_user(settings, login, clerk):
    settings.PRINCIPAL_CACHE_SECONDS = 0
    client = login(clerk)
    client.get(reverse("desk:day"))

    _response, queries = _queries_of(client, reverse("desk:day"))

    assert _reads_of_who(queries)
