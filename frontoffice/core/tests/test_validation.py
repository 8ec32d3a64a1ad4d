"""``full_clean_held``: the model's rules still run, without re-reading the rows the caller holds."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError

from frontoffice.core.models import AuditEntry, Branch
from frontoffice.core.validation import full_clean_held, loaded_relations


def _entry(organisation, branch, clerk, **fields):
    return AuditEntry(
        organisation=organisation,
        branch=branch,
        actor=clerk,
        target_type=ContentType.objects.get_for_model(Branch),
        target_id=str(branch.pk),
        **{"action": "branch.check", "summary": "Checked", **fields},
    )


@pytest.mark.django_db
def test_relations_the_caller_attached_are_not_read_again(organisation, branch, clerk, django_assert_num_queries):
    entry = _entry(organisation, branch, clerk)

    assert set(loaded_relations(entry)) == {"organisation", "branch", "actor", "target_type"}
    with django_assert_num_queries(0):
        full_clean_held(entry)


@pytest.mark.django_db
def test_plain_full_clean_reads_each_relation(organisation, branch, clerk, django_assert_num_queries):
    # The cost full_clean_held avoids: one existence check per foreign key.
    entry = _entry(organisation, branch, clerk)

    with django_assert_num_queries(4):
        entry.full_clean()


@pytest.mark.django_db
def test_a_relation_given_only_by_id_is_still_checked(organisation, branch, clerk):
    entry = _entry(organisation, branch, clerk)
    entry.branch = None
    entry.branch_id = 987654

    with pytest.raises(ValidationError) as caught:
        full_clean_held(entry)

    assert "branch" in caught.value.message_dict


@pytest.mark.django_db
def test_the_field_rules_still_run(organisation, branch, clerk):
    entry = _entry(organisation, branch, clerk, action="")

    with pytest.raises(ValidationError) as caught:
        full_clean_held(entry, exclude=["summary"])

    assert "action" in caught.value.message_dict
