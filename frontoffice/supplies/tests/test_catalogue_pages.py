"""The catalogue pages: items, suppliers, storage locations with their levels, the approval ladder and the
consumption per visit type."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from frontoffice.desk import services as desk
from frontoffice.supplies import services
from frontoffice.supplies.models import ApprovalStep, Item, StockLevel, StorageLocation, Supplier, VisitConsumption

from .conftest import make_item

ITEM_FORM = {
    "name": "Maseczki chirurgiczne",
    "code": "MS-50",
    "category": "medical",
    "unit": "box",
    "whole_units_only": "on",
    "pack_size": "50",
    "preferred_supplier": "",
    "last_price": "18.90",
    "vat_rate": "8",
    "is_critical": "on",
    "is_active": "on",
}


# --- items ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 12])
def test_the_item_list_needs_the_same_few_queries_at_any_size(
    login, manager, organisation, supplier, count, django_assert_max_num_queries
):
    for number in range(count):
        other = services.supplier_save(
            organisation=organisation,
            actor=manager,
            data=services.SupplierData(name=f"Hurtownia {number}", order_email=f"h{number}@example.com"),
        )
        make_item(organisation, manager, f"Bandaż {number}", supplier=other)
    browser = login(manager)
    with django_assert_max_num_queries(12):
        page = browser.get(reverse("supplies:item_list"))
    assert page.status_code == 200
    assert page.text.count(">Bandaż") == count


def test_the_item_list_filters_by_category_supplier_activity_and_name(login, clerk, organisation, manager, supplier):
    make_item(organisation, manager, "Rękawiczki M", supplier=supplier)
    make_item(organisation, manager, "Papier A4", category="office", unit="pack")
    old = make_item(organisation, manager, "Rękawiczki lateksowe", supplier=supplier)
    services.item_save(
        organisation=organisation,
        actor=manager,
        item=old,
        data=services.ItemData(name=old.name, category="medical", unit="pair", is_active=False),
    )
    browser = login(clerk)
    url = reverse("supplies:item_list")

    def names(**query):
        page = browser.get(url, query)
        assert page.status_code == 200
        return [name for name in ("Rękawiczki M", "Papier A4", "Rękawiczki lateksowe") if name in page.text]

    assert names() == ["Rękawiczki M", "Papier A4"]
    assert names(category="office") == ["Papier A4"]
    assert names(supplier=supplier.pk) == ["Rękawiczki M"]
    assert names(active="no") == ["Rękawiczki lateksowe"]
    assert names(active="all", q="rękawiczki") == ["Rękawiczki M", "Rękawiczki lateksowe"]


def test_the_item_list_keeps_its_filters_in_the_page_links(login, manager, organisation):
    for number in range(51):
        make_item(organisation, manager, f"Strzykawka {number:02}")
    page = login(manager).get(reverse("supplies:item_list"), {"category": "medical", "q": "Strzykawka"})
    assert "category=medical&amp;q=Strzykawka&amp;page=2" in page.text
    second = login(manager).get(reverse("supplies:item_list"), {"category": "medical", "q": "Strzykawka", "page": 2})
    assert second.text.count(">Strzykawka 50<") == 1


def test_a_manager_adds_an_item_with_everything_the_catalogue_needs(login, manager, organisation, supplier):
    response = login(manager).post(reverse("supplies:item_create"), {**ITEM_FORM, "preferred_supplier": supplier.pk})
    assert response.status_code == 302
    item = Item.objects.get(name="Maseczki chirurgiczne")
    assert (item.organisation, item.unit, item.pack_size, item.preferred_supplier) == (
        organisation,
        "box",
        Decimal(50),
        supplier,
    )
    assert (item.last_price, item.vat_rate, item.is_critical, item.whole_units_only) == (
        Decimal("18.90"),
        Decimal(8),
        True,
        True,
    )


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("pack_size", "0", "greater than or equal to 0.001"),
        ("vat_rate", "123", "less than or equal to 100"),
        ("last_price", "-1", "greater than or equal to 0"),
        ("name", "", "This field is required"),
    ],
)
def test_a_bad_item_comes_back_with_a_message_and_what_was_typed(login, manager, field, typed, message):
    page = login(manager).post(reverse("supplies:item_create"), {**ITEM_FORM, field: typed})
    assert page.status_code == 400
    assert message in page.text and 'value="MS-50"' in page.text
    assert not Item.objects.exists()


def test_a_second_item_of_the_same_name_is_refused(login, manager, organisation, gloves):
    page = login(manager).post(reverse("supplies:item_create"), {**ITEM_FORM, "name": gloves.name})
    assert page.status_code == 400
    assert "Another item already has this name." in page.text
    assert Item.objects.count() == 1


def test_an_edit_made_by_someone_else_meanwhile_is_refused(login, manager, admin, organisation, gloves):
    form = {**ITEM_FORM, "name": gloves.name, "version": gloves.version, "last_price": "0.70"}
    services.item_save(
        organisation=organisation,
        actor=admin,
        item=gloves,
        data=services.ItemData(name=gloves.name, category="medical", unit="pair", last_price=Decimal("0.60")),
    )
    page = login(manager).post(reverse("supplies:item_edit", args=[gloves.pk]), form)
    assert page.status_code == 400
    assert "changed by" in page.text and 'value="0.70"' in page.text
    gloves.refresh_from_db()
    assert gloves.last_price == Decimal("0.60")


def test_an_item_is_deactivated_and_leaves_the_default_list(login, manager, gloves):
    browser = login(manager)
    assert browser.post(reverse("supplies:item_deactivate", args=[gloves.pk])).status_code == 302
    gloves.refresh_from_db()
    assert not gloves.is_active
    assert f">{gloves.name}<" not in browser.get(reverse("supplies:item_list")).text


def test_a_clerk_reads_the_catalogue_but_cannot_change_it(login, clerk, gloves):
    browser = login(clerk)
    assert browser.get(reverse("supplies:item_list")).status_code == 200
    assert browser.get(reverse("supplies:item_create")).status_code == 403
    assert browser.get(reverse("supplies:item_edit", args=[gloves.pk])).status_code == 403
    assert browser.post(reverse("supplies:item_deactivate", args=[gloves.pk])).status_code == 403


def test_another_organisations_item_and_supplier_are_not_found(login, outsider_org, gloves, supplier):
    browser = login(outsider_org)
    assert browser.get(reverse("supplies:item_edit", args=[gloves.pk])).status_code == 404
    assert browser.post(reverse("supplies:item_deactivate", args=[gloves.pk])).status_code == 404
    assert browser.get(reverse("supplies:supplier_edit", args=[supplier.pk])).status_code == 404
    assert gloves.name not in browser.get(reverse("supplies:item_list")).text


# --- suppliers -----------------------------------------------------------------------------------------------

SUPPLIER_FORM = {"name": "Papiernik", "order_email": "zamowienia@papiernik.example", "is_active": "on"}


def test_a_supplier_is_saved_with_the_nip_as_digits(login, manager, organisation):
    response = login(manager).post(reverse("supplies:supplier_create"), {**SUPPLIER_FORM, "nip": "526-025-09-95"})
    assert response.status_code == 302
    assert Supplier.objects.get(organisation=organisation).nip == "5260250995"


@pytest.mark.parametrize("typed", ["5260250994", "12345"])
def test_a_wrong_nip_is_refused_with_a_clear_message(login, manager, typed):
    page = login(manager).post(reverse("supplies:supplier_create"), {**SUPPLIER_FORM, "nip": typed})
    assert page.status_code == 400
    assert "This is not a valid NIP (10 digits with a correct check digit)." in page.text
    assert f'value="{typed}"' in page.text and 'value="Papiernik"' in page.text
    assert not Supplier.objects.exists()


def test_a_supplier_without_an_order_address_is_refused(login, manager):
    page = login(manager).post(reverse("supplies:supplier_create"), {**SUPPLIER_FORM, "order_email": "nie-adres"})
    assert page.status_code == 400 and "Enter a valid email address." in page.text


def test_a_supplier_is_edited(login, manager, supplier):
    data = {**SUPPLIER_FORM, "name": supplier.name, "nip": supplier.nip, "version": supplier.version}
    response = login(manager).post(reverse("supplies:supplier_edit", args=[supplier.pk]), data)
    assert response.status_code == 302
    supplier.refresh_from_db()
    assert supplier.order_email == "zamowienia@papiernik.example" and supplier.version == 2


@pytest.mark.parametrize("count", [1, 12])
def test_the_supplier_and_location_lists_need_the_same_few_queries_at_any_size(
    login, manager, organisation, branch, count, django_assert_max_num_queries
):
    for number in range(count):
        services.supplier_save(
            organisation=organisation,
            actor=manager,
            data=services.SupplierData(name=f"Hurtownia {number}", order_email=f"h{number}@example.com"),
        )
        services.location_save(branch=branch, actor=manager, name=f"Szafka {number}", owner=manager)
    browser = login(manager)
    with django_assert_max_num_queries(10):
        suppliers = browser.get(reverse("supplies:supplier_list"))
    with django_assert_max_num_queries(10):
        locations = browser.get(reverse("supplies:location_list"))
    assert suppliers.text.count("Hurtownia") == count and locations.text.count("Szafka") == count


# --- storage locations and levels -----------------------------------------------------------------------


def test_a_manager_creates_a_location_with_department_and_owner(login, manager, branch, department, clerk):
    response = login(manager).post(
        reverse("supplies:location_create"),
        {"branch": branch.pk, "name": "Szafka w gabinecie", "department": department.pk, "owner": clerk.pk},
    )
    assert response.status_code == 302
    location = StorageLocation.objects.get(name="Szafka w gabinecie")
    assert (location.branch, location.department, location.owner) == (branch, department, clerk)


def test_a_department_of_another_branch_is_refused(login, admin, branch, other_branch):
    from tests.factories import DepartmentFactory

    elsewhere = DepartmentFactory(branch=other_branch, name="Recepcja Południe")
    page = login(admin).post(
        reverse("supplies:location_create"), {"branch": branch.pk, "name": "Szafka", "department": elsewhere.pk}
    )
    assert page.status_code == 400
    assert "Choose a department of this branch." in page.text and 'value="Szafka"' in page.text
    assert not StorageLocation.objects.exists()


def test_a_manager_cannot_create_a_location_in_a_branch_not_theirs(login, manager, other_branch):
    page = login(manager).post(reverse("supplies:location_create"), {"branch": other_branch.pk, "name": "Obca"})
    assert page.status_code == 400
    assert not StorageLocation.objects.exists()


def test_a_location_is_renamed(login, manager, storeroom, department):
    response = login(manager).post(
        reverse("supplies:location_edit", args=[storeroom.pk]), {"name": "Magazyn główny", "department": department.pk}
    )
    assert response.status_code == 302
    storeroom.refresh_from_db()
    assert storeroom.name == "Magazyn główny" and storeroom.owner is None


def test_the_location_page_sets_reorder_point_and_target(login, manager, stocked, gloves, gel):
    browser = login(manager)
    page = browser.get(reverse("supplies:location_detail", args=[stocked.pk]))
    assert page.status_code == 200 and "Reorder point of Rękawiczki nitrylowe M" in page.text
    response = browser.post(
        reverse("supplies:level_set", args=[stocked.pk]), {"item": gel.pk, "reorder_point": "1", "target_level": "5"}
    )
    assert response.status_code == 302
    level = StockLevel.objects.get(location=stocked, item=gel)
    assert (level.reorder_point, level.target_level) == (Decimal(1), Decimal(5))


def test_a_target_below_the_reorder_point_comes_back_on_its_row(login, manager, stocked, gloves):
    page = login(manager).post(
        reverse("supplies:level_set", args=[stocked.pk]),
        {"item": gloves.pk, "reorder_point": "30", "target_level": "25"},
    )
    assert page.status_code == 400
    assert "The target level cannot be below the reorder point." in page.text
    assert 'value="30"' in page.text and 'value="25"' in page.text
    level = StockLevel.objects.get(location=stocked, item=gloves)
    assert (level.reorder_point, level.target_level) == (Decimal(10), Decimal(50))


def test_a_new_item_is_kept_at_a_location_from_its_page(login, manager, storeroom, organisation):
    paper = make_item(organisation, manager, "Papier A4", category="office", unit="pack")
    browser = login(manager)
    assert "Papier A4" in browser.get(reverse("supplies:location_detail", args=[storeroom.pk])).text
    browser.post(
        reverse("supplies:level_set", args=[storeroom.pk]),
        {"item": paper.pk, "reorder_point": "2", "target_level": "10"},
    )
    assert StockLevel.objects.get(location=storeroom, item=paper).on_hand == 0


def test_a_clerk_sees_levels_but_cannot_set_them(login, clerk, stocked, gloves):
    browser = login(clerk)
    page = browser.get(reverse("supplies:location_detail", args=[stocked.pk]))
    assert page.status_code == 200 and "Reorder point of" not in page.text
    response = browser.post(
        reverse("supplies:level_set", args=[stocked.pk]), {"item": gloves.pk, "reorder_point": "1", "target_level": "2"}
    )
    assert response.status_code == 403


def test_another_branchs_location_is_not_found(login, outsider_branch, outsider_org, stocked, gloves):
    for persona in (outsider_branch, outsider_org):
        browser = login(persona)
        assert browser.get(reverse("supplies:location_detail", args=[stocked.pk])).status_code == 404
        assert browser.get(reverse("supplies:location_edit", args=[stocked.pk])).status_code == 404
        response = browser.post(
            reverse("supplies:level_set", args=[stocked.pk]),
            {"item": gloves.pk, "reorder_point": "1", "target_level": "2"},
        )
        assert response.status_code == 404


# --- approval ladder -------------------------------------------------------------------------------------


def _ladder(*rows):
    data = {"steps-TOTAL_FORMS": str(len(rows)), "steps-INITIAL_FORMS": "0"}
    for index, (up_to, role) in enumerate(rows):
        data[f"steps-{index}-up_to"] = up_to
        data[f"steps-{index}-role"] = role
    return data


def test_the_ladder_page_starts_from_the_default_ladder(login, manager):
    page = login(manager).get(reverse("supplies:ladder"))
    assert page.status_code == 200
    assert 'name="steps-0-up_to" value="500"' in page.text and 'name="steps-1-up_to" value="5000"' in page.text


def test_a_manager_sets_the_organisations_ladder(login, manager, organisation):
    response = login(manager).post(
        reverse("supplies:ladder"), _ladder(("200", "clerk"), ("2000", "manager"), ("", "executive"), ("", ""))
    )
    assert response.status_code == 302
    assert services.ladder_of(organisation) == [
        (Decimal(200), "clerk"),
        (Decimal(2000), "manager"),
        (None, "executive"),
    ]


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ((("2000", "clerk"), ("1000", "manager"), ("", "executive")), "above the step before it"),
        ((("500", "clerk"), ("5000", "manager")), "Only the last step may have no limit"),
        ((("500", ""), ("", "executive")), "Choose a role for every step."),
        ((("", ""),), "The ladder needs at least one step."),
    ],
)
def test_a_bad_ladder_is_refused_with_the_rows_kept(login, manager, organisation, rows, message):
    page = login(manager).post(reverse("supplies:ladder"), _ladder(*rows))
    assert page.status_code == 400
    assert message in page.text
    assert f'value="{rows[0][0]}"' in page.text or rows[0][0] == ""
    assert not ApprovalStep.objects.filter(organisation=organisation).exists()


def test_only_approving_roles_are_offered(login, manager):
    page = login(manager).get(reverse("supplies:ladder"))
    assert 'value="executive"' in page.text and 'value="security"' not in page.text


# --- consumption per visit type --------------------------------------------------------------------------


@pytest.fixture
def consultation(organisation, manager):
    return desk.visit_type_create(
        organisation=organisation, actor=manager, name="Konsultacja", vertical="clinic", price=Decimal(0)
    )


def test_a_rule_is_added_changed_and_removed(login, manager, stocked, gloves, consultation):
    browser = login(manager)
    url = reverse("supplies:visit_rule_list")
    form = {"location": stocked.pk, "visit_type": consultation.pk, "item": gloves.pk, "quantity": "2"}
    assert browser.post(url, form).status_code == 302
    assert browser.post(url, {**form, "quantity": "3"}).status_code == 302
    rule = VisitConsumption.objects.get()
    assert rule.quantity == Decimal(3)
    page = browser.get(url)
    assert "Konsultacja" in page.text and "Rękawiczki nitrylowe M" in page.text
    assert browser.post(reverse("supplies:visit_rule_delete", args=[rule.pk])).status_code == 302
    assert not VisitConsumption.objects.exists()


def test_a_fractional_rule_for_a_whole_unit_item_is_refused(login, manager, stocked, gloves, consultation):
    form = {"location": stocked.pk, "visit_type": consultation.pk, "item": gloves.pk, "quantity": "1.5"}
    page = login(manager).post(reverse("supplies:visit_rule_list"), form)
    assert page.status_code == 400 and "whole number" in page.text and 'value="1.5"' in page.text
    assert not VisitConsumption.objects.exists()


def test_another_branchs_rule_cannot_be_removed(login, outsider_branch, stocked, gloves, consultation, manager):
    rule = services.visit_rule_save(
        location=stocked, visit_type_id=consultation.pk, item=gloves, quantity=Decimal(1), actor=manager
    )
    browser = login(outsider_branch)
    assert browser.post(reverse("supplies:visit_rule_delete", args=[rule.pk])).status_code == 404
    assert "Remove the rule for" not in browser.get(reverse("supplies:visit_rule_list")).text
    assert VisitConsumption.objects.exists()


def test_a_clerk_cannot_change_the_ladder_or_the_rules(login, clerk):
    browser = login(clerk)
    assert browser.get(reverse("supplies:ladder")).status_code == 403
    assert browser.get(reverse("supplies:visit_rule_list")).status_code == 403


def test_a_second_location_of_the_same_name_in_a_branch_is_refused(login, manager, branch, storeroom):
    page = login(manager).post(reverse("supplies:location_create"), {"branch": branch.pk, "name": storeroom.name})
    assert page.status_code == 400
    assert "This branch already has a storage location with this name." in page.text
    assert StorageLocation.objects.count() == 1


def test_a_second_supplier_of_the_same_name_is_refused(login, manager, supplier):
    page = login(manager).post(reverse("supplies:supplier_create"), {**SUPPLIER_FORM, "name": supplier.name})
    assert page.status_code == 400 and "Another supplier already has this name." in page.text
