"""The hot-path query helpers write and find exactly the rows they are given."""

from __future__ import annotations

from frontoffice.core.models import Branch
from frontoffice.core.queries import single, update_rows


def test_update_rows_writes_the_named_fields_of_each_row_and_nothing_else(organisation, branch, other_branch):
    stored_phone = Branch.objects.get(pk=branch.pk).phone
    branch.name, branch.phone = "Filia Północ", stored_phone + "99"
    other_branch.name = "Filia Południe"

    update_rows(Branch, [branch, other_branch], ["name"])

    assert dict(Branch.objects.filter(organisation=organisation).values_list("pk", "name")) == {
        branch.pk: "Filia Północ",
        other_branch.pk: "Filia Południe",
    }
    assert Branch.objects.get(pk=branch.pk).phone == stored_phone  # not named, so not written


def test_update_rows_with_no_rows_runs_no_statement(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        update_rows(Branch, [], ["name"])


def test_single_finds_the_one_row_or_none(branch):
    assert single(Branch.objects.filter(pk=branch.pk)) == branch
    assert single(Branch.objects.filter(pk=-1)) is None
