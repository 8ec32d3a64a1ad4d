"""A client's relationships (guardian, emergency contact, employer, company contact): added with the
picker or by name on the client's page, removed there, audited, and kept within the organisation."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.urls import reverse

from frontoffice.clients.merging import client_merge
from frontoffice.clients.models import Client, ClientRelationship
from frontoffice.clients.privacy import client_erase
from frontoffice.clients.services import ClientData, client_create, relationship_add, relationship_remove
from frontoffice.core.models import AuditEntry


def _person(organisation, actor, given, family, **fields):
    return client_create(
        organisation=organisation, actor=actor, data=ClientData(given_name=given, family_name=family, **fields)
    )


@pytest.fixture
def ola(organisation, clerk):
    """A child whose guardian is to be recorded."""
    return _person(organisation, clerk, "Ola", "Wiśniewska")


@pytest.fixture
def mother(organisation, clerk):
    return _person(organisation, clerk, "Małgorzata", "Wiśniewska", phones=["600 100 200"])


@pytest.fixture
def stranger(other_organisation, outsider_org):
    """A client of another organisation."""
    return _person(other_organisation, outsider_org, "Obca", "Osoba")


def actions_on(client):
    entries = AuditEntry.objects.filter(
        target_type=ContentType.objects.get_for_model(Client), target_id=str(client.pk)
    ).order_by("created_at", "pk")
    return [entry.action for entry in entries]


def add_url(client):
    return reverse("clients:relationship_add", args=[client.pk])


def remove_url(relationship):
    return reverse("clients:relationship_remove", args=[relationship.client_id, relationship.pk])


# --- the services ------------------------------------------------------------------------------


def test_a_guardian_is_recorded_and_audited_without_naming_them_in_the_summary(ola, mother, clerk):
    relationship = relationship_add(client=ola, actor=clerk, kind="guardian", related_client=mother, note="matka")
    assert (relationship.related_client, relationship.note) == (mother, "matka")
    entry = AuditEntry.objects.get(action="client.relationship_add")
    assert entry.data == {"relationship": relationship.pk, "kind": "guardian", "related_client": mother.pk}
    assert "Małgorzata" not in entry.summary  # her name would outlive her erasure in Ola's log


def test_a_person_who_is_not_a_client_is_recorded_by_name_with_a_cleaned_phone(ola, clerk):
    relationship = relationship_add(client=ola, actor=clerk, kind="emergency", name=" Jan Sąsiad ", phone="601 200 300")
    assert (relationship.name, relationship.phone, relationship.related_client) == ("Jan Sąsiad", "+48601200300", None)


def test_a_client_of_another_organisation_is_refused(ola, stranger, clerk):
    with pytest.raises(ValidationError) as caught:
        relationship_add(client=ola, actor=clerk, kind="guardian", related_client=stranger)
    assert caught.value.message_dict == {"related_client": ["Choose a client of your organisation."]}
    assert not ClientRelationship.objects.exists()
    assert "client.relationship_add" not in actions_on(ola)


def test_the_client_itself_nobody_a_bad_phone_and_a_repeat_are_refused(ola, mother, clerk):
    with pytest.raises(ValidationError, match="related to themselves"):
        relationship_add(client=ola, actor=clerk, kind="guardian", related_client=ola)
    with pytest.raises(ValidationError, match="Choose a client, or write"):
        relationship_add(client=ola, actor=clerk, kind="guardian", note="someone")
    with pytest.raises(ValidationError) as caught:
        relationship_add(client=ola, actor=clerk, kind="emergency", name="Jan", phone="12")
    assert set(caught.value.message_dict) == {"phone"}
    with pytest.raises(ValidationError, match="not both"):
        relationship_add(client=ola, actor=clerk, kind="guardian", related_client=mother, name="Małgorzata")
    relationship_add(client=ola, actor=clerk, kind="guardian", related_client=mother)
    with pytest.raises(ValidationError, match="already listed"):
        relationship_add(client=ola, actor=clerk, kind="guardian", related_client=mother)
    relationship_add(client=ola, actor=clerk, kind="emergency", name="Jan Sąsiad")
    with pytest.raises(ValidationError, match="already listed"):
        relationship_add(client=ola, actor=clerk, kind="emergency", name="jan sasiad")
    assert ola.relationships.count() == 2


def test_merged_or_erased_clients_cannot_be_related_nor_change(organisation, ola, mother, clerk, manager):
    twin = _person(organisation, clerk, "Małgorzata", "Wisniewska")
    client_merge(survivor=mother, merged=twin, actor=manager, field_choices={})
    twin.refresh_from_db()
    with pytest.raises(ValidationError, match="merged or erased; choose another"):
        relationship_add(client=ola, actor=clerk, kind="guardian", related_client=twin)
    with pytest.raises(ValidationError, match="its relationships cannot change"):
        relationship_add(client=twin, actor=clerk, kind="guardian", related_client=ola)
    client_erase(client=ola, actor=manager, reason="The person asked.")
    with pytest.raises(ValidationError, match="its relationships cannot change"):
        relationship_add(client=ola, actor=clerk, kind="emergency", name="Jan")


def test_removing_a_relationship_is_audited_and_leaves_the_related_client(ola, mother, clerk):
    relationship = relationship_add(client=ola, actor=clerk, kind="guardian", related_client=mother)
    relationship_remove(relationship=relationship, actor=clerk)
    assert not ola.relationships.exists()
    assert Client.objects.filter(pk=mother.pk).exists()
    assert actions_on(ola)[-2:] == ["client.relationship_add", "client.relationship_remove"]
    assert AuditEntry.objects.get(action="client.relationship_remove").data["related_client"] == mother.pk


# --- the client's page -------------------------------------------------------------------------


def test_clerk_adds_a_guardian_chosen_with_the_picker_from_the_clients_page(login, clerk, ola, mother):
    browser = login(clerk)
    # Given the client's page offers the form, with the read-back picker
    page = browser.get(reverse("clients:client_detail", args=[ola.pk])).content.decode()
    assert f'action="{add_url(ola)}"' in page
    assert '<label for="picker-related_client-search">Related client</label>' in page
    # When the clerk picks the mother and submits
    response = browser.post(add_url(ola), {"kind": "guardian", "related_client": mother.pk, "note": "matka"})
    # Then the relationship is stored and shown, linking to her record
    assert response.status_code == 302 and response["Location"] == reverse("clients:client_detail", args=[ola.pk])
    relationship = ola.relationships.get()
    assert (relationship.kind, relationship.related_client) == ("guardian", mother)
    page = browser.get(reverse("clients:client_detail", args=[ola.pk])).content.decode()
    assert "Relationship added." in page
    assert reverse("clients:client_detail", args=[mother.pk]) in page
    assert f'action="{remove_url(relationship)}"' in page
    assert "Remove: Guardian Małgorzata Wiśniewska" in page


def test_a_form_with_nobody_chosen_comes_back_with_the_typed_values(login, clerk, ola):
    response = login(clerk).post(add_url(ola), {"kind": "emergency", "phone": "601 200 300", "note": "po 18"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Choose a client, or write the person&#x27;s name." in html
    assert 'value="601 200 300"' in html and 'value="po 18"' in html
    assert not ClientRelationship.objects.exists()


def test_a_refused_choice_shows_the_chosen_client_again(login, clerk, ola, mother):
    ClientRelationship.objects.create(client=ola, kind="guardian", related_client=mother)
    response = login(clerk).post(add_url(ola), {"kind": "guardian", "related_client": mother.pk})
    html = response.content.decode()
    assert response.status_code == 400
    assert "This relationship is already listed." in html
    assert f'<input type="hidden" name="related_client" value="{mother.pk}">' in html


def test_a_client_of_another_organisation_cannot_be_posted_as_the_related_client(login, clerk, ola, stranger):
    # The picker never offers her; a hand-made request with her id is refused like a missing choice
    response = login(clerk).post(add_url(ola), {"kind": "guardian", "related_client": stranger.pk})
    assert response.status_code == 400
    assert "Choose a client of your organisation." in response.content.decode()
    assert stranger.display_name not in response.content.decode()
    assert not ClientRelationship.objects.exists()


def test_clerk_removes_a_relationship(login, clerk, ola, mother):
    relationship = relationship_add(client=ola, actor=clerk, kind="guardian", related_client=mother)
    response = login(clerk).post(remove_url(relationship))
    assert response.status_code == 302
    assert not ClientRelationship.objects.exists()
    assert actions_on(ola)[-1] == "client.relationship_remove"


def test_a_relationship_cannot_be_removed_through_another_clients_address(login, clerk, ola, mother):
    relationship = relationship_add(client=ola, actor=clerk, kind="guardian", related_client=mother)
    url = reverse("clients:relationship_remove", args=[mother.pk, relationship.pk])
    assert login(clerk).post(url).status_code == 404
    assert ClientRelationship.objects.filter(pk=relationship.pk).exists()


def test_executive_sees_relationships_without_the_forms_and_cannot_post(login, clerk, executive, ola, mother):
    relationship = relationship_add(client=ola, actor=clerk, kind="guardian", related_client=mother)
    browser = login(executive)
    page = browser.get(reverse("clients:client_detail", args=[ola.pk])).content.decode()
    assert "Małgorzata Wiśniewska" in page
    assert add_url(ola) not in page and remove_url(relationship) not in page
    assert browser.post(add_url(ola), {"kind": "emergency", "name": "Jan"}).status_code == 403
    assert browser.post(remove_url(relationship)).status_code == 403
    assert ola.relationships.count() == 1


def test_another_organisation_gets_404_and_changes_nothing(login, outsider_org, clerk, ola, mother):
    relationship = relationship_add(client=ola, actor=clerk, kind="guardian", related_client=mother)
    browser = login(outsider_org)
    assert browser.get(add_url(ola)).status_code == 404
    assert browser.post(add_url(ola), {"kind": "emergency", "name": "Jan"}).status_code == 404
    assert browser.post(remove_url(relationship)).status_code == 404
    assert ola.relationships.count() == 1


def test_a_merged_away_client_sends_the_clerk_back_with_a_message(login, organisation, clerk, manager, ola, mother):
    twin = _person(organisation, clerk, "Ola", "Wisniewska")
    client_merge(survivor=ola, merged=twin, actor=manager, field_choices={})
    response = login(clerk).post(add_url(twin), {"kind": "emergency", "name": "Jan"}, follow=True)
    assert "its relationships cannot change" in response.content.decode()
    assert not ClientRelationship.objects.exists()
