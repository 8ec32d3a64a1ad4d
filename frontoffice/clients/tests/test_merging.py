"""Merging two clients moves every linked record to the survivor; unmerging restores the full state exactly."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms.models import model_to_dict
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from frontoffice.clients.matching import EXACT, MatchQuery, find_matches, query_from_client
from frontoffice.clients.merging import client_merge, client_unmerge, not_duplicate_record
from frontoffice.clients.models import Client, ClientAddress, ClientRelationship, Consent, Merge, NotDuplicate
from frontoffice.clients.registry import client_links
from frontoffice.clients.selectors import client_get
from frontoffice.clients.services import AddressData, ClientData, IdentifierData, client_create
from frontoffice.core.models import AuditEntry

BOOKKEEPING = {"version", "updated_at", "updated_by"}


def _client(organisation, actor, **fields):
    return client_create(organisation=organisation, actor=actor, data=ClientData(**fields))


def full_state(*clients: Client) -> dict:
    """Every field of the clients (bar version bookkeeping) and every row that points at them."""
    state: dict = {}
    pks = [client.pk for client in clients]
    for client in Client.objects.filter(pk__in=pks):
        values = {
            field.attname: getattr(client, field.attname)
            for field in Client._meta.concrete_fields
            if field.name not in BOOKKEEPING
        }
        state[("client", client.pk)] = values
    for link in client_links():
        for row in link.model._default_manager.filter(**{f"{link.field_name}__in": pks}):
            state[(link.model_label, row.pk)] = {
                field.attname: getattr(row, field.attname) for field in row._meta.concrete_fields
            }
    return state


@pytest.fixture
def twins(organisation, manager):
    survivor = client_create(
        organisation=organisation,
        actor=manager,
        data=ClientData(
            given_name="Jan",
            family_name="Kowalski",
            date_of_birth=date(1980, 3, 4),
            phones=["600 100 200"],
            identifiers=[IdentifierData(kind="passport", value="AB1234567")],
            addresses=[AddressData(street="Długa 1", city="Łódź")],
            notes="Stały klient",
        ),
    )
    merged = client_create(
        organisation=organisation,
        actor=manager,
        data=ClientData(
            given_name="Jan",
            family_name="Kowalsky",
            date_of_birth=date(1980, 3, 4),
            sex="male",
            phones=["601 200 300"],
            emails=["jan@example.invalid"],
            identifiers=[IdentifierData(kind="other", other_kind="RNOKPP", value="1234567890")],
            addresses=[AddressData(street="Krótka 2", city="Kraków")],
        ),
    )
    return survivor, merged


def _link_everything(survivor, merged, manager):
    now = timezone.now()
    Consent.objects.create(client=survivor, purpose="processing", method="paper", given_at=now)
    Consent.objects.create(client=merged, purpose="processing", method="verbal", given_at=now - timedelta(days=3))
    Consent.objects.create(
        client=merged, purpose="marketing", method="paper", given_at=now - timedelta(days=9), withdrawn_at=now
    )
    Consent.objects.create(client=merged, purpose="sms_reminders", method="electronic", given_at=now)
    guardian = Client.objects.create(organisation=survivor.organisation, number="G-1", family_name="Opiekun")
    ClientRelationship.objects.create(client=merged, kind="guardian", related_client=guardian)
    ClientRelationship.objects.create(client=guardian, kind="emergency", related_client=merged)
    ClientRelationship.objects.create(client=merged, kind="emergency", name="Sąsiadka", phone="+48600000000")
    return guardian


def test_merge_moves_every_linked_record_and_unmerge_restores_the_full_state(twins, manager):
    # Given two records of one person, each with identifiers, contacts, addresses, consents and relationships
    survivor, merged = twins
    guardian = _link_everything(survivor, merged, manager)
    before = full_state(survivor, merged, guardian)

    # When the manager merges them, taking the family name and sex of the merged record
    merge = client_merge(
        survivor=survivor,
        merged=merged,
        actor=manager,
        field_choices={"family_name": merged.pk, "sex": merged.pk, "notes": survivor.pk},
        reason="Ta sama osoba",
    )

    # Then everything points at the survivor, which carries the chosen values
    survivor.refresh_from_db()
    merged.refresh_from_db()
    assert (survivor.family_name, survivor.sex, survivor.notes) == ("Kowalsky", "male", "Stały klient")
    assert merged.replaced_by == survivor
    assert not merged.contacts.exists() and not merged.identifiers.exists() and not merged.addresses.exists()
    assert set(survivor.contacts.values_list("value", flat=True)) == {
        "+48600100200",
        "+48601200300",
        "jan@example.invalid",
    }
    assert survivor.identifiers.count() == 2 and survivor.addresses.count() == 2
    assert survivor.consents.filter(withdrawn_at__isnull=True, purpose="processing").count() == 1
    assert survivor.consents.filter(purpose="sms_reminders").exists()
    assert guardian.relationships.get().related_client == survivor
    assert "48601200300" in survivor.search_phones and merged.search_phones == ""
    assert AuditEntry.objects.filter(action="client.merge", target_id=str(survivor.pk)).exists()

    # When the merge is undone
    client_unmerge(merge=merge, actor=manager)

    # Then both clients and every linked row are exactly as before
    assert full_state(survivor, merged, guardian) == before
    merge.refresh_from_db()
    assert merge.undone_at is not None and merge.undone_by == manager
    assert AuditEntry.objects.filter(action="client.unmerge").exists()


def test_unmerge_moves_back_only_what_was_moved(twins, manager):
    # Given a merge, after which a new address is added to the survivor
    survivor, merged = twins
    merge = client_merge(survivor=survivor, merged=merged, actor=manager, field_choices={})
    later = ClientAddress.objects.create(client=survivor, street="Nowa 5", city="Gdańsk")

    # When the merge is undone
    client_unmerge(merge=merge, actor=manager)

    # Then the new address stays with the survivor
    later.refresh_from_db()
    assert later.client == survivor
    assert list(merged.addresses.values_list("city", flat=True)) == ["Kraków"]


def test_an_old_identifier_or_url_leads_to_the_survivor(twins, manager):
    survivor, merged = twins
    client_merge(survivor=survivor, merged=merged, actor=manager, field_choices={})

    assert client_get(user=manager, pk=merged.pk) == survivor
    assert client_get(user=manager, pk=merged.pk, follow_merges=False) == merged
    matches = find_matches(organisation=survivor.organisation, query=query_from_client(survivor))
    assert merged not in [match.client for match in matches]
    # The merged record's identifier now finds the survivor, as an exact match.
    by_identifier = find_matches(
        organisation=survivor.organisation, query=MatchQuery(identifiers=(("other", "1234567890"),))
    )
    assert [(match.client, match.level) for match in by_identifier] == [(survivor, EXACT)]


def test_merging_the_same_pair_twice_is_refused(twins, manager):
    # Given two managers who both opened the merge page for the same pair
    survivor, merged = twins
    stale_survivor, stale_merged = Client.objects.get(pk=survivor.pk), Client.objects.get(pk=merged.pk)
    client_merge(survivor=survivor, merged=merged, actor=manager, field_choices={})

    # When the second one submits, then it is refused and nothing changes
    with pytest.raises(ValidationError, match="already been merged"):
        client_merge(survivor=stale_survivor, merged=stale_merged, actor=manager, field_choices={})
    with pytest.raises(ValidationError, match="already been merged"):
        client_merge(survivor=stale_merged, merged=stale_survivor, actor=manager, field_choices={})
    assert Merge.objects.count() == 1


def test_a_client_cannot_be_merged_into_itself_or_across_organisations(twins, manager, other_organisation):
    survivor, _merged = twins
    stranger = Client.objects.create(organisation=other_organisation, number="X-1", family_name="Obcy")

    with pytest.raises(ValidationError, match="into itself"):
        client_merge(survivor=survivor, merged=survivor, actor=manager, field_choices={})
    with pytest.raises(ValidationError, match="different organisations"):
        client_merge(survivor=survivor, merged=stranger, actor=manager, field_choices={})


def test_a_field_choice_must_name_one_of_the_two_clients(twins, manager):
    survivor, merged = twins
    with pytest.raises(ValidationError) as refused:
        client_merge(survivor=survivor, merged=merged, actor=manager, field_choices={"family_name": 999_999})
    assert "field_choices" in refused.value.message_dict
    with pytest.raises(ValidationError):
        client_merge(survivor=survivor, merged=merged, actor=manager, field_choices={"organisation": merged.pk})
    assert Merge.objects.count() == 0


def test_unmerge_is_refused_while_a_later_merge_depends_on_it(twins, manager, organisation):
    # Given A ← B, then a third record C merged into A
    survivor, merged = twins
    first = client_merge(survivor=survivor, merged=merged, actor=manager, field_choices={})
    third = _client(organisation, manager, given_name="Jan", family_name="Kowalski")
    second = client_merge(survivor=survivor, merged=third, actor=manager, field_choices={})

    # When the first merge is undone first, then it is refused with the reason
    with pytest.raises(ValidationError, match="Undo the later merge first"):
        client_unmerge(merge=first, actor=manager)

    # And undoing in reverse order works; undoing twice does not
    client_unmerge(merge=second, actor=manager)
    client_unmerge(merge=first, actor=manager)
    with pytest.raises(ValidationError, match="already been undone"):
        client_unmerge(merge=first, actor=manager)


def test_not_the_same_person_is_remembered_once(twins, manager):
    survivor, merged = twins
    first = not_duplicate_record(client_a=merged, client_b=survivor, actor=manager, reason="Bliźniacy")
    again = not_duplicate_record(client_a=survivor, client_b=merged, actor=manager, reason="")

    assert first == again and NotDuplicate.objects.count() == 1
    assert (first.client_a_id, first.client_b_id) == tuple(sorted((survivor.pk, merged.pk)))
    assert first.reason == "Bliźniacy"


PURPOSES = ["processing", "marketing", "sms_reminders", "email_reminders"]
people = st.fixed_dictionaries(
    {
        "given_name": st.sampled_from(["Anna", "Jan", "Zofia", ""]),
        "family_name": st.sampled_from(["Nowak", "Żółw", "Kowalski"]),
        "sex": st.sampled_from(["", "male", "female"]),
        "date_of_birth": st.one_of(st.none(), st.dates(min_value=date(1920, 1, 1), max_value=date(2020, 1, 1))),
        "is_vip": st.booleans(),
        "notes": st.text(alphabet="abcżółw ", max_size=10),
    }
)
links = st.fixed_dictionaries(
    {
        "phones": st.lists(st.sampled_from(["600100200", "601100200", "602100200"]), unique=True, max_size=2),
        "cities": st.lists(st.sampled_from(["Łódź", "Kraków"]), max_size=2),
        "consents": st.lists(st.tuples(st.sampled_from(PURPOSES), st.booleans()), max_size=4),
        "relations": st.lists(st.sampled_from(["to", "from", "named"]), max_size=3),
    }
)


def _build(organisation, actor, person, extra, suffix):
    client = client_create(
        organisation=organisation,
        actor=actor,
        data=ClientData(
            **person,
            phones=extra["phones"],
            addresses=[AddressData(city=city) for city in extra["cities"]],
            identifiers=[IdentifierData(kind="other", other_kind="test", value=f"ID{suffix}")],
        ),
    )
    now = timezone.now()
    for purpose, withdrawn in extra["consents"]:
        if not withdrawn and client.consents.filter(purpose=purpose, withdrawn_at__isnull=True).exists():
            continue
        Consent.objects.create(
            client=client, purpose=purpose, method="paper", given_at=now, withdrawn_at=now if withdrawn else None
        )
    for index, relation in enumerate(extra["relations"]):
        other = Client.objects.create(organisation=organisation, number=f"R{suffix}{index}", family_name="Inny")
        if relation == "to":
            ClientRelationship.objects.create(client=client, kind="guardian", related_client=other)
        elif relation == "from":
            ClientRelationship.objects.create(client=other, kind="emergency", related_client=client)
        else:
            ClientRelationship.objects.create(client=client, kind="emergency", name="Ktoś")
    return client


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    person_a=people,
    person_b=people,
    links_a=links,
    links_b=links,
    choose=st.sets(st.sampled_from(["given_name", "family_name", "sex", "date_of_birth", "is_vip", "notes"])),
)
def test_any_merge_then_unmerge_is_the_identity(organisation, manager, person_a, person_b, links_a, links_b, choose):
    with transaction.atomic():
        survivor = _build(organisation, manager, person_a, links_a, "a")
        merged = _build(organisation, manager, person_b, links_b, "b")
        everyone = list(Client.objects.filter(organisation=organisation))
        before = full_state(*everyone)
        before_models = {key: model_to_dict(Client.objects.get(pk=c.pk)) for key, c in [(0, survivor), (1, merged)]}

        merge = client_merge(
            survivor=survivor, merged=merged, actor=manager, field_choices=dict.fromkeys(choose, merged.pk)
        )
        survivor.refresh_from_db()
        for name in choose:
            assert getattr(survivor, name) == person_b[name]
        client_unmerge(merge=merge, actor=manager)

        assert full_state(*everyone) == before
        assert before_models[0]["family_name"] == Client.objects.get(pk=survivor.pk).family_name
        transaction.set_rollback(True)
