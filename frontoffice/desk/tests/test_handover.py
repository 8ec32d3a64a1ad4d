"""The shift handover log: writing, acknowledging, open items carried over, scoped mentions, summary providers."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.urls import reverse

from frontoffice.accounts.models import User
from frontoffice.core.concurrency import StaleEdit
from frontoffice.core.models import AuditEntry
from frontoffice.desk import handover_summaries, services_handover
from frontoffice.desk.handover_summaries import HandoverSummaryProvider, SummaryBlock
from frontoffice.desk.models import Handover, HandoverItem
from frontoffice.desk.services_handover import ItemData
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def next_clerk(organisation, branch):
    return StaffFactory(organisation=organisation, roles=["clerk"], branches=[branch], user__username="clerk2").user


def _write(branch, actor, notes="", items=()):
    return services_handover.handover_create(branch=branch, actor=actor, notes=notes, items=list(items))


# --- writing and acknowledging ------------------------------------------------------------------


def test_the_next_clerk_acknowledges_a_handover_and_it_says_who_and_when(branch, clerk, next_clerk):
    # Given a handover written by the outgoing clerk
    handover = _write(branch, clerk, notes="Terminal kart restartować rano.")

    # When the incoming clerk acknowledges it
    services_handover.handover_acknowledge(handover=handover, actor=next_clerk)

    # Then it records who and when, and both steps are audited
    handover.refresh_from_db()
    assert handover.acknowledged_by == next_clerk and handover.acknowledged_at is not None
    actions = set(AuditEntry.objects.filter(target_id=str(handover.pk)).values_list("action", flat=True))
    assert actions == {"handover.create", "handover.acknowledge"}


def test_the_author_cannot_acknowledge_their_own_handover(branch, clerk):
    handover = _write(branch, clerk, notes="Koniec zmiany.")
    with pytest.raises(ValidationError, match="You wrote this handover"):
        services_handover.handover_acknowledge(handover=handover, actor=clerk)


def test_a_second_acknowledgement_names_the_first_and_a_repeat_is_harmless(branch, clerk, next_clerk, manager):
    handover = _write(branch, clerk, notes="Koniec zmiany.")
    services_handover.handover_acknowledge(handover=handover, actor=next_clerk)
    services_handover.handover_acknowledge(handover=handover, actor=next_clerk)  # a double click

    with pytest.raises(StaleEdit, match="already acknowledged by"):
        services_handover.handover_acknowledge(handover=handover, actor=manager)
    assert AuditEntry.objects.filter(action="handover.acknowledge").count() == 1


def test_an_empty_handover_is_refused(branch, clerk):
    with pytest.raises(ValidationError, match="Write a note or at least one open item"):
        _write(branch, clerk, notes="   ")
    assert not Handover.objects.exists()


def test_a_visit_of_another_branch_cannot_be_mentioned(branch, other_branch, clerk, clinic_visit):
    with pytest.raises(ValidationError, match="mention only visits of this branch"):
        _write(other_branch, clerk, items=[ItemData(text="Oddzwonić", visit=clinic_visit)])


# --- open items carry over ------------------------------------------------------------------------


def test_open_items_carry_over_until_someone_marks_them_done(branch, clerk, next_clerk, patient):
    # Given a handover with two open items, one of which gets done during the next shift
    first = _write(branch, clerk, items=[ItemData(text="Oddzwonić", client=patient), ItemData(text="Zamówić papier")])
    call, paper = first.items.order_by("position")
    services_handover.handover_item_set_done(item=paper, actor=next_clerk)

    # When the next shift hands over
    second = _write(branch, next_clerk, notes="Spokojnie.")

    # Then only the open item is carried over
    assert list(second.carried_items.all()) == [call]

    # And once it is done, the following handover carries nothing
    services_handover.handover_item_set_done(item=call, actor=clerk)
    third = _write(branch, clerk, notes="Nic nowego.")
    assert list(third.carried_items.all()) == []
    # An item opened again carries over again
    services_handover.handover_item_set_done(item=call, actor=clerk, done=False)
    assert list(_write(branch, next_clerk, notes="x").carried_items.all()) == [call]


def test_the_handover_page_lists_carried_items_and_ticks_one_off(login, branch, clerk, next_clerk):
    first = _write(branch, clerk, items=[ItemData(text="Oddzwonić do hurtowni")])
    second = _write(branch, next_clerk, notes="Druga zmiana.")
    browser = login(clerk)

    page = browser.get(reverse("desk:handover_detail", kwargs={"pk": second.pk})).content.decode()
    assert "Carried over from earlier shifts" in page and "Oddzwonić do hurtowni" in page

    item = first.items.get()
    response = browser.post(reverse("desk:handover_item_done", kwargs={"pk": item.pk}), {"done": "1"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.done_by == clerk


# --- pages -----------------------------------------------------------------------------------------


def test_a_clerk_writes_a_handover_with_a_picked_client_and_a_visit(login, clerk, branch, patient, clinic_visit):
    browser = login(clerk)
    form = browser.get(reverse("desk:handover_create")).content.decode()
    assert 'name="item1_client_search"' in form and clinic_visit.number in form

    response = browser.post(
        reverse("desk:handover_create"),
        {
            "branch": branch.pk,
            "notes": "Pacjent czeka na wynik.",
            "request_key": "k1",
            "item1_text": "Oddzwonić z wynikiem",
            "item1_client": patient.pk,
            "item1_visit": clinic_visit.pk,
        },
    )

    assert response.status_code == 302
    item = HandoverItem.objects.get()
    assert (item.client, item.visit, item.text) == (patient, clinic_visit, "Oddzwonić z wynikiem")
    page = browser.get(response["Location"]).content.decode()
    assert reverse("clients:client_detail", kwargs={"pk": patient.pk}) in page
    assert reverse("desk:visit_detail", kwargs={"pk": clinic_visit.pk}) in page


def test_a_double_submitted_handover_form_writes_one_handover(login, clerk, branch):
    browser = login(clerk)
    data = {"branch": branch.pk, "notes": "Kasa zamknięta.", "request_key": "same-token"}
    first = browser.post(reverse("desk:handover_create"), data)
    second = browser.post(reverse("desk:handover_create"), data)
    assert first["Location"] == second["Location"]
    assert Handover.objects.count() == 1


def test_an_invalid_handover_form_keeps_what_was_typed(login, clerk, branch):
    browser = login(clerk)
    response = browser.post(reverse("desk:handover_create"), {"branch": branch.pk, "notes": "", "item2_text": ""})
    assert response.status_code == 400
    assert "Write a note or at least one open item" in response.content.decode()

    response = browser.post(
        reverse("desk:handover_create"), {"branch": branch.pk, "notes": "Ważne: drukarka", "item1_text": "x" * 501}
    )
    html = response.content.decode()
    assert response.status_code == 400 and "Ważne: drukarka" in html


def test_the_day_page_shows_a_waiting_handover_until_it_is_acknowledged(login, branch, clerk, next_clerk):
    handover = _write(branch, clerk, notes="Klucz do magazynu u ochrony.", items=[ItemData(text="Zwrócić klucz")])
    browser = login(next_clerk)

    day = browser.get(reverse("desk:day")).content.decode()
    ack_url = reverse("desk:handover_acknowledge", kwargs={"pk": handover.pk})
    assert "Klucz do magazynu u ochrony." in day and ack_url in day and "1 open item" in day

    response = browser.post(ack_url, {"next": reverse("desk:day")})
    assert response["Location"] == reverse("desk:day")
    assert ack_url not in browser.get(reverse("desk:day")).content.decode()


def test_the_home_page_counts_handovers_waiting_for_the_user(login, branch, clerk, next_clerk):
    _write(branch, clerk, notes="Koniec zmiany.")
    assert "Shift handovers to acknowledge" in login(next_clerk).get(reverse("core:home")).content.decode()


# --- mentions never reveal what the reader may not see ---------------------------------------------


def test_a_mention_is_hidden_from_a_reader_who_may_not_see_the_client(login, branch, clerk, next_clerk, patient):
    # Given a handover mentioning a client, and a reader whose role lost the right to see clients
    handover = _write(branch, clerk, items=[ItemData(text="Oddzwonić", client=patient)])
    view_clients = Permission.objects.get(content_type__app_label="clients", codename="view_clients")
    Group.objects.get(name="clerk").permissions.remove(view_clients)
    reader = User.objects.get(pk=next_clerk.pk)  # fresh permission cache

    # When they open the handover, on a page and through the API
    browser = login(reader)
    page = browser.get(reverse("desk:handover_detail", kwargs={"pk": handover.pk})).content.decode()
    api = json.loads(browser.get(f"/api/v1/desk/handovers/{handover.pk}").content)

    # Then the item is there, the client is not
    assert "Oddzwonić" in page and patient.family_name not in page and "cannot open" in page
    assert api["items"][0]["client_id"] is None and api["items"][0]["client_name"] == ""
    assert api["items"][0]["mention_hidden"] is True


def test_a_mention_of_another_branchs_visit_is_hidden(login, branch, other_branch, clerk, manager, consultation):
    # Given an item (written before the same-branch rule) that mentions a visit at another branch
    from frontoffice.clients.services import ClientData, client_create
    from frontoffice.desk import services
    from frontoffice.desk.services import VisitData

    someone = client_create(organisation=branch.organisation, actor=manager, data=ClientData(family_name="Obcy"))
    elsewhere = services.visit_create(
        branch=other_branch,
        actor=manager,
        client=someone,
        visit_type=consultation,
        data=VisitData(scheduled_at=consultation.created_at),
    )
    handover = _write(branch, clerk, notes="Notatka")
    HandoverItem.objects.create(handover=handover, branch=branch, text="Sprawdzić", visit=elsewhere)

    # When a clerk of this branch reads the open items
    page = login(clerk).get(reverse("desk:handover_list")).content.decode()

    # Then the visit's number and link are not shown
    assert "Sprawdzić" in page and elsewhere.number not in page and "cannot open" in page


def test_a_handover_of_another_branch_is_not_found(login, branch, clerk, outsider_branch):
    handover = _write(branch, clerk, notes="Poufne")
    assert login(outsider_branch).get(reverse("desk:handover_detail", kwargs={"pk": handover.pk})).status_code == 404


# --- summary providers -----------------------------------------------------------------------------


def test_registered_summaries_are_stored_with_the_handover(login, branch, clerk, next_clerk):
    def drawer(context):
        return SummaryBlock(title="Cash drawer", lines=[("Counted", "1 250,00 zł")], tone="warn")

    def broken(context):
        raise RuntimeError("drawer service down")

    handover_summaries.register_handover_summary(HandoverSummaryProvider(key="test-drawer", build=drawer))
    handover_summaries.register_handover_summary(HandoverSummaryProvider(key="test-broken", build=broken, order=200))
    try:
        preview = login(clerk).get(reverse("desk:handover_create")).content.decode()
        handover = _write(branch, clerk, notes="Zamknięcie kasy.")
    finally:
        handover_summaries.unregister_handover_summary("test-drawer")
        handover_summaries.unregister_handover_summary("test-broken")

    assert "1 250,00 zł" in preview
    assert handover.summaries[0] == {
        "key": "test-drawer",
        "title": "Cash drawer",
        "text": "",
        "tone": "warn",
        "lines": [["Counted", "1 250,00 zł"]],
    }
    assert handover.summaries[1]["text"] == "This summary could not be made."
    page = login(next_clerk).get(reverse("desk:handover_detail", kwargs={"pk": handover.pk})).content.decode()
    assert "1 250,00 zł" in page


# --- API --------------------------------------------------------------------------------------------


def _post(browser, url, body, **headers):
    return browser.post(url, json.dumps(body), content_type="application/json", headers=headers)


def test_the_api_writes_once_per_idempotency_key_and_acknowledges(login, branch, clerk, next_clerk, patient):
    browser = login(clerk)
    body = {"branch_id": branch.pk, "notes": "Nocna zmiana", "items": [{"text": "Oddzwonić", "client_id": patient.pk}]}

    first = _post(browser, "/api/v1/desk/handovers", body, **{"Idempotency-Key": "h-1"})
    again = _post(browser, "/api/v1/desk/handovers", body, **{"Idempotency-Key": "h-1"})

    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert Handover.objects.count() == 1
    data = first.json()
    assert data["items"][0]["client_id"] == patient.pk and data["acknowledged_at"] is None

    own = _post(browser, f"/api/v1/desk/handovers/{data['id']}/acknowledge", {})
    assert own.status_code == 422

    other = login(next_clerk)
    listed = other.get("/api/v1/desk/handovers?unacknowledged=true").json()
    assert [row["id"] for row in listed["items"]] == [data["id"]]
    acknowledged = _post(other, f"/api/v1/desk/handovers/{data['id']}/acknowledge", {})
    assert acknowledged.status_code == 200 and acknowledged.json()["acknowledged_by_id"] == next_clerk.pk

    item_id = data["items"][0]["id"]
    done = _post(other, f"/api/v1/desk/handover-items/{item_id}/done", {"done": True})
    assert done.status_code == 200 and done.json()["done"] is True


def test_the_api_refuses_a_client_of_another_organisation(login, branch, clerk, other_organisation):
    from frontoffice.clients.services import ClientData, client_create

    stranger = client_create(organisation=other_organisation, actor=None, data=ClientData(family_name="Obca"))
    response = _post(
        login(clerk),
        "/api/v1/desk/handovers",
        {"branch_id": branch.pk, "items": [{"text": "x", "client_id": stranger.pk}]},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "items.0.client_id"
