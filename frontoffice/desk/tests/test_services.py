"""Services of the desk: creating visits, moving them through their states, stays, lines, concurrency."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from frontoffice.clients.merging import client_merge, client_unmerge
from frontoffice.core.concurrency import StaleEdit
from frontoffice.core.models import AuditEntry
from frontoffice.desk import services, workflow
from frontoffice.desk.choices import VisitStatus as S
from frontoffice.desk.models import Visit, VisitGuest, VisitStatusChange
from frontoffice.desk.pricing import line_totals
from frontoffice.desk.services import VisitData
from frontoffice.desk.tests.cards import sign_cards

pytestmark = pytest.mark.django_db


def _settle(visit, actor):
    """Check-out and a paid sale need the balance settled (desk.money): pay what is due by card."""
    from frontoffice.desk.money import selectors as money
    from frontoffice.desk.money import services as money_services

    if visit.has_lines and not visit.lines.exists():
        services.visit_line_add(
            visit=visit, actor=actor, description="Towar", quantity=Decimal(1), unit_price=Decimal("10.00")
        )
    due = money.folio(visit).outstanding
    if due > 0:
        money_services.payment_take(visit=visit, actor=actor, method="card", amount=due, terminal_receipt="T-1")


def _go(visit, *statuses, actor, reason="done"):
    for status in statuses:
        if status in (S.CHECKED_OUT, S.PAID):
            _settle(visit, actor)
        visit = services.visit_transition(visit=visit, to_status=status, actor=actor, reason=reason)
    return visit


# --- creating -----------------------------------------------------------------------------------


def test_a_visit_gets_a_gap_free_number_its_first_status_and_an_audit_entry(
    clinic_visit, clerk, consultation, patient, branch
):
    year = timezone.localdate().year
    assert re.fullmatch(rf"V-{year}-000001", clinic_visit.number)
    assert clinic_visit.status == S.PLANNED
    assert clinic_visit.vertical == "clinic"
    assert list(clinic_visit.status_changes.values_list("from_status", "to_status")) == [("", S.PLANNED)]
    second = services.visit_create(
        branch=branch,
        actor=clerk,
        client=patient,
        visit_type=consultation,
        data=VisitData(scheduled_at=timezone.now()),
    )
    assert second.number == f"V-{year}-000002"
    assert AuditEntry.objects.filter(action="visit.create").count() == 2


def test_a_clinic_visit_needs_a_time(branch, clerk, patient, consultation):
    with pytest.raises(ValidationError) as caught:
        services.visit_create(branch=branch, actor=clerk, client=patient, visit_type=consultation)
    assert "scheduled_at" in caught.value.error_dict
    assert not Visit.objects.exists()


def test_a_client_of_another_organisation_is_refused(foreign_branch, outsider_org, branch, clerk, consultation):
    from frontoffice.clients.services import ClientData, client_create

    stranger = client_create(
        organisation=foreign_branch.organisation, actor=outsider_org, data=ClientData(family_name="Obcy")
    )
    with pytest.raises(ValidationError) as caught:
        services.visit_create(
            branch=branch,
            actor=clerk,
            client=stranger,
            visit_type=consultation,
            data=VisitData(scheduled_at=timezone.now()),
        )
    assert "client" in caught.value.error_dict


def test_an_inactive_visit_type_cannot_be_used(branch, clerk, manager, patient, consultation):
    services.visit_type_deactivate(visit_type=consultation, actor=manager)
    consultation.refresh_from_db()
    with pytest.raises(ValidationError):
        services.visit_create(
            branch=branch,
            actor=clerk,
            client=patient,
            visit_type=consultation,
            data=VisitData(scheduled_at=timezone.now()),
        )


def test_hotel_details_on_a_clinic_visit_are_refused_not_dropped(branch, clerk, patient, consultation, room):
    with pytest.raises(ValidationError) as caught:
        services.visit_create(
            branch=branch,
            actor=clerk,
            client=patient,
            visit_type=consultation,
            data=VisitData(scheduled_at=timezone.now(), room=room),
        )
    assert "room" in caught.value.error_dict


def test_a_practitioner_must_hold_a_performing_role(branch, clerk, manager, patient, consultation):
    services.visit_type_update(
        visit_type=consultation, actor=manager, expected_version=consultation.version, performed_by_roles=["manager"]
    )
    consultation.refresh_from_db()
    with pytest.raises(ValidationError) as caught:
        services.visit_create(
            branch=branch,
            actor=clerk,
            client=patient,
            visit_type=consultation,
            data=VisitData(scheduled_at=timezone.now(), practitioner=clerk.staff),
        )
    assert "practitioner" in caught.value.error_dict
    visit = services.visit_create(
        branch=branch,
        actor=clerk,
        client=patient,
        visit_type=consultation,
        data=VisitData(scheduled_at=timezone.now(), practitioner=manager.staff),
    )
    assert visit.practitioner == manager.staff


def test_unknown_roles_are_refused_on_a_visit_type(organisation, manager):
    with pytest.raises(ValidationError) as caught:
        services.visit_type_create(
            organisation=organisation, actor=manager, name="X", vertical="clinic", performed_by_roles=["surgeon"]
        )
    assert "performed_by_roles" in caught.value.error_dict


def test_a_visit_types_kind_of_business_is_fixed_once_it_has_visits(clinic_visit, consultation, manager):
    with pytest.raises(ValidationError) as caught:
        services.visit_type_update(
            visit_type=consultation, actor=manager, expected_version=consultation.version, vertical="hotel"
        )
    assert "vertical" in caught.value.error_dict


# --- clinic ---------------------------------------------------------------------------------------


def test_clinic_patient_arrives_is_seen_and_finishes(clinic_visit, clerk):
    visit = _go(clinic_visit, S.ARRIVED, S.IN_PROGRESS, S.FINISHED, actor=clerk)
    assert visit.status == S.FINISHED
    changes = list(VisitStatusChange.objects.filter(visit=visit).values_list("from_status", "to_status", "by"))
    assert changes == [
        ("", S.PLANNED, clerk.pk),
        (S.PLANNED, S.ARRIVED, clerk.pk),
        (S.ARRIVED, S.IN_PROGRESS, clerk.pk),
        (S.IN_PROGRESS, S.FINISHED, clerk.pk),
    ]
    assert visit.status_changed_at == VisitStatusChange.objects.filter(visit=visit).last().at


@pytest.mark.parametrize("path", [[S.CANCELLED], [S.NO_SHOW], [S.ARRIVED, S.CANCELLED]])
def test_clinic_side_exits(clinic_visit, clerk, path):
    visit = _go(clinic_visit, *path, actor=clerk)
    assert visit.status == path[-1]


def test_clinic_invalid_transition_is_refused_with_both_statuses_and_changes_nothing(clinic_visit, clerk):
    with pytest.raises(ValidationError) as caught:
        services.visit_transition(visit=clinic_visit, to_status=S.FINISHED, actor=clerk)
    assert caught.value.messages == ["A visit cannot go from “Planned” to “Finished”."]
    clinic_visit.refresh_from_db()
    assert clinic_visit.status == S.PLANNED
    assert clinic_visit.status_changes.count() == 1


def test_a_status_of_another_vertical_is_refused(clinic_visit, clerk):
    with pytest.raises(ValidationError):
        services.visit_transition(visit=clinic_visit, to_status=S.CHECKED_IN, actor=clerk)


def test_cancelling_needs_a_reason(clinic_visit, clerk):
    with pytest.raises(ValidationError) as caught:
        services.visit_transition(visit=clinic_visit, to_status=S.CANCELLED, actor=clerk, reason="  ")
    assert "reason" in caught.value.error_dict
    visit = services.visit_transition(visit=clinic_visit, to_status=S.CANCELLED, actor=clerk, reason="Patient called")
    assert visit.status_changes.last().reason == "Patient called"


def test_a_double_clicked_arrival_records_one_transition(clinic_visit, clerk):
    services.visit_transition(visit=clinic_visit, to_status=S.ARRIVED, actor=clerk)
    with pytest.raises(ValidationError):
        services.visit_transition(visit=clinic_visit, to_status=S.ARRIVED, actor=clerk)
    assert clinic_visit.status_changes.filter(to_status=S.ARRIVED).count() == 1


# --- hooks ----------------------------------------------------------------------------------------


def test_a_registered_guard_refuses_and_nothing_is_written(clinic_visit, clerk):
    def coverage_required(visit, to_status, actor):
        raise ValidationError("Coverage is required for this visit type.")

    workflow.register_guard(coverage_required, to_status=S.ARRIVED, vertical="clinic")
    try:
        with pytest.raises(ValidationError) as caught:
            services.visit_transition(visit=clinic_visit, to_status=S.ARRIVED, actor=clerk)
    finally:
        workflow.unregister(coverage_required)
    assert caught.value.messages == ["Coverage is required for this visit type."]
    clinic_visit.refresh_from_db()
    assert clinic_visit.status == S.PLANNED


def test_after_callbacks_run_in_the_transaction_and_their_failure_undoes_it(clinic_visit, clerk):
    seen = []

    def record(visit, to_status, actor):
        seen.append((visit.number, to_status, actor))

    def explode(visit, to_status, actor):
        raise RuntimeError("supplies are out")

    workflow.register_after(record, to_status=S.ARRIVED)
    try:
        services.visit_transition(visit=clinic_visit, to_status=S.ARRIVED, actor=clerk)
    finally:
        workflow.unregister(record)
    assert seen == [(clinic_visit.number, S.ARRIVED, clerk)]

    workflow.register_after(explode, to_status=S.IN_PROGRESS)
    try:
        with pytest.raises(RuntimeError):
            services.visit_transition(visit=clinic_visit, to_status=S.IN_PROGRESS, actor=clerk)
    finally:
        workflow.unregister(explode)
    clinic_visit.refresh_from_db()
    assert clinic_visit.status == S.ARRIVED
    assert not clinic_visit.status_changes.filter(to_status=S.IN_PROGRESS).exists()


# --- hotel ----------------------------------------------------------------------------------------


def test_a_stay_starts_booked_with_its_client_as_primary_guest(stay, patient):
    assert stay.status == S.BOOKED
    assert list(stay.guests.values_list("client", "is_primary")) == [(patient.pk, True)]
    assert timezone.localtime(stay.scheduled_at).date() == stay.arrival_date


def test_a_stay_needs_dates_in_order(branch, clerk, patient, room_night):
    today = services.branch_today(branch)
    with pytest.raises(ValidationError) as caught:
        services.visit_create(
            branch=branch,
            actor=clerk,
            client=patient,
            visit_type=room_night,
            data=VisitData(arrival_date=today, departure_date=today),
        )
    assert "departure_date" in caught.value.error_dict


def test_a_room_cannot_be_double_booked(stay, branch, clerk, second_guest, room_night, room):
    with pytest.raises(ValidationError) as caught:
        services.visit_create(
            branch=branch,
            actor=clerk,
            client=second_guest,
            visit_type=room_night,
            data=VisitData(
                arrival_date=stay.arrival_date + timedelta(days=1), departure_date=stay.departure_date, room=room
            ),
        )
    assert "room" in caught.value.error_dict
    # the day the first guest leaves, the room is free again
    follow_on = services.visit_create(
        branch=branch,
        actor=clerk,
        client=second_guest,
        visit_type=room_night,
        data=VisitData(
            arrival_date=stay.departure_date, departure_date=stay.departure_date + timedelta(days=2), room=room
        ),
    )
    assert follow_on.room == room


def test_hotel_guests_check_in_and_out_on_the_departure_day(stay, clerk, second_guest):
    services.visit_guest_add(visit=stay, client=second_guest, actor=clerk)
    sign_cards(stay, clerk)
    visit = _go(stay, S.CHECKED_IN, actor=clerk)
    Visit.objects.filter(pk=visit.pk).update(
        arrival_date=visit.arrival_date - timedelta(days=3), departure_date=services.branch_today(visit.branch)
    )
    visit = _go(visit, S.CHECKED_OUT, actor=clerk)
    assert visit.status == S.CHECKED_OUT
    assert visit.early_departure is False
    assert visit.guests.count() == 2


def test_an_early_departure_is_recorded(stay, clerk):
    visit = _go(stay, S.CHECKED_IN, S.CHECKED_OUT, actor=clerk)
    assert visit.early_departure is True
    entry = AuditEntry.objects.get(action="visit.checked_out")
    assert entry.data["early_departure"] is True


def test_check_in_needs_a_room(branch, clerk, patient, room_night):
    today = services.branch_today(branch)
    stay = services.visit_create(
        branch=branch,
        actor=clerk,
        client=patient,
        visit_type=room_night,
        data=VisitData(arrival_date=today, departure_date=today + timedelta(days=1)),
    )
    sign_cards(stay, clerk)
    with pytest.raises(ValidationError) as caught:
        services.visit_transition(visit=stay, to_status=S.CHECKED_IN, actor=clerk)
    assert caught.value.messages == ["Assign a room before check-in."]


@pytest.mark.parametrize("status", [S.NO_SHOW, S.CANCELLED])
def test_a_booking_can_end_without_arrival(stay, clerk, status):
    assert _go(stay, status, actor=clerk).status == status


def test_a_checked_out_stay_cannot_check_in_again(stay, clerk):
    visit = _go(stay, S.CHECKED_IN, S.CHECKED_OUT, actor=clerk)
    with pytest.raises(ValidationError) as caught:
        services.visit_transition(visit=visit, to_status=S.CHECKED_IN, actor=clerk)
    assert "Checked out" in caught.value.messages[0] and "Checked in" in caught.value.messages[0]


def test_a_room_change_while_checked_in_is_recorded(stay, clerk, manager, branch):
    bigger = services.room_create(branch=branch, actor=manager, number="201", capacity=3)
    visit = _go(stay, S.CHECKED_IN, actor=clerk)
    visit = services.visit_room_change(visit=visit, room=bigger, actor=clerk, reason="Noisy neighbours")
    assert visit.room == bigger
    change = visit.room_changes.get()
    assert (change.from_room.number, change.to_room.number, change.reason) == ("101", "201", "Noisy neighbours")


def test_a_room_change_before_check_in_is_refused(stay, clerk, other_room):
    with pytest.raises(ValidationError):
        services.visit_room_change(visit=stay, room=other_room, actor=clerk)


def test_a_room_change_respects_beds(stay, clerk, second_guest, other_room):
    services.visit_guest_add(visit=stay, client=second_guest, actor=clerk)
    sign_cards(stay, clerk)
    visit = _go(stay, S.CHECKED_IN, actor=clerk)
    with pytest.raises(ValidationError) as caught:
        services.visit_room_change(visit=visit, room=other_room, actor=clerk)
    assert "room" in caught.value.error_dict


def test_editing_a_checked_in_stay_cannot_move_rooms_silently(stay, clerk, other_room):
    visit = _go(stay, S.CHECKED_IN, actor=clerk)
    data = VisitData(arrival_date=visit.arrival_date, departure_date=visit.departure_date, room=other_room)
    with pytest.raises(ValidationError) as caught:
        services.visit_update(visit=visit, actor=clerk, data=data, expected_version=visit.version)
    assert "room" in caught.value.error_dict


def test_guests_are_added_once_up_to_the_beds_and_the_primary_stays(stay, clerk, second_guest, patient, organisation):
    from frontoffice.clients.services import ClientData, client_create

    guest = services.visit_guest_add(visit=stay, client=second_guest, actor=clerk)
    with pytest.raises(ValidationError):
        services.visit_guest_add(visit=stay, client=second_guest, actor=clerk)
    third = client_create(organisation=organisation, actor=clerk, data=ClientData(family_name="Trzecia"))
    with pytest.raises(ValidationError) as caught:
        services.visit_guest_add(visit=stay, client=third, actor=clerk)
    assert "sleeps only 2" in caught.value.messages[0]
    with pytest.raises(ValidationError):
        services.visit_guest_remove(guest=stay.guests.get(is_primary=True), actor=clerk)
    services.visit_guest_remove(guest=guest, actor=clerk)
    assert list(stay.guests.values_list("client", flat=True)) == [patient.pk]


def test_a_clinic_visit_has_no_guests(clinic_visit, clerk, second_guest):
    with pytest.raises(ValidationError):
        services.visit_guest_add(visit=clinic_visit, client=second_guest, actor=clerk)


# --- retail ---------------------------------------------------------------------------------------


def test_line_totals_take_vat_out_of_the_gross_and_round_half_up():
    totals = line_totals(quantity=Decimal("3"), unit_price=Decimal("19.99"), vat_rate="23")
    assert (totals.gross, totals.vat, totals.net) == (Decimal("59.97"), Decimal("11.21"), Decimal("48.76"))
    half = line_totals(quantity=Decimal("0.5"), unit_price=Decimal("0.05"), vat_rate="0")
    assert half.gross == Decimal("0.03")  # 0.025 rounds up
    exempt = line_totals(quantity=Decimal("1"), unit_price=Decimal("150"), vat_rate="zw")
    assert (exempt.vat, exempt.net) == (Decimal("0.00"), Decimal("150.00"))


def test_shop_sale_is_paid_fulfilled_and_returned(shop_sale, clerk):
    line = services.visit_line_add(
        visit=shop_sale,
        actor=clerk,
        description="Farba biała 10 l",
        quantity=Decimal("2"),
        unit_price=Decimal("189.99"),
    )
    assert (line.position, line.total_gross, line.total_vat) == (1, Decimal("379.98"), Decimal("71.05"))
    visit = _go(shop_sale, S.PAID, S.FULFILLED, actor=clerk)
    visit = services.visit_transition(visit=visit, to_status=S.RETURNED, actor=clerk, reason="Wrong shade")
    assert visit.status == S.RETURNED


def test_a_paid_sale_can_be_returned_before_it_is_handed_over(shop_sale, clerk):
    visit = _go(shop_sale, S.PAID, actor=clerk)
    assert (
        services.visit_transition(visit=visit, to_status=S.RETURNED, actor=clerk, reason="Changed mind").status
        == S.RETURNED
    )


def test_an_open_sale_cannot_be_returned(shop_sale, clerk):
    with pytest.raises(ValidationError) as caught:
        services.visit_transition(visit=shop_sale, to_status=S.RETURNED, actor=clerk, reason="x")
    assert caught.value.messages == ["A visit cannot go from “Open” to “Returned”."]


def test_lines_change_only_while_the_sale_is_open(shop_sale, clerk):
    line = services.visit_line_add(
        visit=shop_sale, actor=clerk, description="Pędzel", quantity=Decimal("1"), unit_price=Decimal("12.50")
    )
    line = services.visit_line_update(
        line=line,
        actor=clerk,
        description="Pędzel 50 mm",
        quantity=Decimal("3"),
        unit_price=Decimal("12.50"),
        vat_rate="23",
    )
    assert line.total_gross == Decimal("37.50")
    _go(shop_sale, S.PAID, actor=clerk)
    with pytest.raises(ValidationError):
        services.visit_line_add(
            visit=shop_sale, actor=clerk, description="Taśma", quantity=Decimal("1"), unit_price=Decimal("5")
        )
    with pytest.raises(ValidationError):
        services.visit_line_remove(line=line, actor=clerk)


def test_a_negative_quantity_or_price_is_refused(shop_sale, clerk):
    with pytest.raises(ValidationError) as caught:
        services.visit_line_add(
            visit=shop_sale, actor=clerk, description="Zwrot?", quantity=Decimal("-1"), unit_price=Decimal("-5")
        )
    assert {"quantity", "unit_price"} <= set(caught.value.error_dict)
    assert not shop_sale.lines.exists()


# --- concurrency and edits -----------------------------------------------------------------------


def test_a_stale_edit_is_refused_naming_who_changed_it(clinic_visit, clerk, manager):
    opened_version = clinic_visit.version
    services.visit_update(
        visit=clinic_visit,
        actor=manager,
        data=VisitData(scheduled_at=clinic_visit.scheduled_at, reason="Ból gardła"),
        expected_version=opened_version,
    )
    with pytest.raises(StaleEdit) as caught:
        services.visit_update(
            visit=clinic_visit,
            actor=clerk,
            data=VisitData(scheduled_at=clinic_visit.scheduled_at, reason="Kaszel i gorączka"),
            expected_version=opened_version,
        )
    assert manager.get_full_name() in caught.value.messages[0]
    clinic_visit.refresh_from_db()
    assert clinic_visit.reason == "Ból gardła"


def test_a_transition_makes_an_open_edit_stale(clinic_visit, clerk, manager):
    opened_version = clinic_visit.version
    services.visit_transition(visit=clinic_visit, to_status=S.ARRIVED, actor=manager)
    with pytest.raises(StaleEdit):
        services.visit_update(
            visit=clinic_visit,
            actor=clerk,
            data=VisitData(scheduled_at=clinic_visit.scheduled_at),
            expected_version=opened_version,
        )


def test_a_closed_visit_cannot_be_edited(clinic_visit, clerk):
    visit = _go(clinic_visit, S.NO_SHOW, actor=clerk)
    with pytest.raises(ValidationError):
        services.visit_update(
            visit=visit, actor=clerk, data=VisitData(scheduled_at=visit.scheduled_at), expected_version=visit.version
        )


# --- rooms and merges ----------------------------------------------------------------------------


def test_room_numbers_are_unique_per_branch(room, branch, other_branch, manager):
    with pytest.raises(ValidationError) as caught:
        services.room_create(branch=branch, actor=manager, number="101")
    assert caught.value.messages == ["This branch already has a room with this number."]
    assert services.room_create(branch=other_branch, actor=manager, number="101").number == "101"


def test_merging_clients_moves_their_visits_and_stays_and_unmerge_moves_them_back(
    stay, clinic_visit, patient, second_guest, manager, clerk
):
    services.visit_guest_add(visit=stay, client=second_guest, actor=clerk)
    merge = client_merge(survivor=second_guest, merged=patient, actor=manager, field_choices={})
    assert set(Visit.objects.values_list("client", flat=True)) == {second_guest.pk}
    assert set(VisitGuest.objects.values_list("client", flat=True)) == {second_guest.pk}
    client_unmerge(merge=merge, actor=manager)
    assert set(Visit.objects.values_list("client", flat=True)) == {patient.pk}
    assert VisitGuest.objects.get(is_primary=True).client == patient
