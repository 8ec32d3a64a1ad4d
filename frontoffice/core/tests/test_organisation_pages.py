"""Organisation settings, branches, opening hours, departments, audit log and history."""

from __future__ import annotations

from django.urls import reverse

from frontoffice.core.models import AuditEntry, Branch, OpeningHours, OutboundMessage
from frontoffice.core.services import branch_update
from tests.factories import BranchFactory


def _branch_form(**overrides):
    data = {
        "name": "Oddział Zachód",
        "code": "west",
        "street": "ul. Lipowa 5",
        "postal_code": "90-001",
        "city": "Łódź",
        "country": "PL",
        "phone": "",
        "email": "",
        "time_zone": "Europe/Warsaw",
        "is_active": "on",
    }
    data.update(overrides)
    return data


def test_an_admin_creates_a_branch_and_it_is_audited(login, admin, organisation):
    response = login(admin).post(reverse("core:branch_create"), _branch_form())
    branch = Branch.objects.get(code="west")
    assert response["Location"] == reverse("core:branch_detail", args=[branch.pk])
    assert branch.organisation == organisation
    assert AuditEntry.objects.filter(action="branch.create", target_id=str(branch.pk), actor=admin).exists()
    assert branch.history.count() == 1


def test_an_invalid_branch_keeps_what_was_typed_and_explains_each_field(login, admin):
    response = login(admin).post(
        reverse("core:branch_create"), _branch_form(code="", email="not-an-address", time_zone="Mars/Olympus")
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'value="Oddział Zachód"' in html and 'value="ul. Lipowa 5"' in html
    assert "This field is required." in html
    assert "Enter a valid email address." in html
    assert "Mars/Olympus is not a known time zone." in html
    assert not Branch.objects.filter(name="Oddział Zachód").exists()


def test_a_duplicate_branch_code_is_refused_with_a_message(login, admin, branch):
    response = login(admin).post(reverse("core:branch_create"), _branch_form(code=branch.code))
    assert response.status_code == 400
    assert "Another branch already uses this code." in response.content.decode()
    assert Branch.objects.filter(code=branch.code).count() == 1


def test_a_stale_branch_edit_is_refused_and_the_input_kept(login, admin, executive, branch):
    opened_version = branch.version
    branch_update(branch=branch, user=executive, expected_version=opened_version, phone="+48 42 111 22 33")
    response = login(admin).post(
        reverse("core:branch_edit", args=[branch.pk]),
        _branch_form(name="Nowa nazwa", code=branch.code, version=opened_version),
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "was changed by" in html and 'value="Nowa nazwa"' in html
    branch.refresh_from_db()
    assert branch.name != "Nowa nazwa" and branch.phone == "+48 42 111 22 33"


def test_opening_hours_are_parsed_and_bad_ones_explained(login, admin, branch):
    client = login(admin)
    url = reverse("core:branch_hours", args=[branch.pk])
    bad = client.post(url, {"day_0": "16:00-08:00", "day_1": "rano"})
    assert bad.status_code == 400
    assert "Closing time must be after opening time." in bad.content.decode()
    assert "Write hours as 08:00-16:00." in bad.content.decode()
    assert 'value="rano"' in bad.content.decode()
    good = client.post(url, {"day_0": "08:00-12:00, 13:00-17:00", "day_5": "09:00-13:00"})
    assert good.status_code == 302
    periods = [
        (p.weekday, p.opens_at.isoformat("minutes"), p.closes_at.isoformat("minutes"))
        for p in OpeningHours.objects.filter(branch=branch)
    ]
    assert periods == [(0, "08:00", "12:00"), (0, "13:00", "17:00"), (5, "09:00", "13:00")]


def test_a_department_is_added_to_a_branch(login, admin, branch):
    login(admin).post(
        reverse("core:department_create", args=[branch.pk]), {"name": "Rejestracja", "kind": "department"}
    )
    assert list(branch.departments.values_list("name", flat=True)) == ["Rejestracja"]


def test_organisation_settings_are_saved_with_history(login, admin, organisation):
    response = login(admin).post(
        reverse("core:organisation_detail"),
        {
            "name": "Przychodnia Testowa Plus",
            "default_language": "pl",
            "time_zone": "Europe/Warsaw",
            "currency": "PLN",
            "require_mfa": "on",
            "version": organisation.version,
        },
    )
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.name == "Przychodnia Testowa Plus" and organisation.require_mfa
    assert organisation.history.count() == 2


def test_a_bad_currency_is_explained(login, admin, organisation):
    response = login(admin).post(
        reverse("core:organisation_detail"),
        {
            "name": organisation.name,
            "default_language": "pl",
            "time_zone": "Europe/Warsaw",
            "currency": "zł",
            "version": organisation.version,
        },
    )
    assert response.status_code == 400
    assert "three-letter ISO 4217 code" in response.content.decode()


def test_a_clerk_sees_only_their_own_branch(login, clerk, branch, other_branch, foreign_branch):
    html = login(clerk).get(reverse("core:branch_list")).content.decode()
    assert branch.name in html
    assert other_branch.name not in html and foreign_branch.name not in html


def test_the_branch_table_sorts_filters_and_answers_htmx_with_the_rows_only(login, executive, organisation):
    for city in ("Gdańsk", "Białystok", "Opole"):
        BranchFactory(organisation=organisation, name=f"Oddział {city}", city=city)
    client = login(executive)
    page = client.get(reverse("core:branch_list"), {"sort": "-city"}).content.decode()
    assert page.index("Opole") < page.index("Gdańsk") < page.index("Białystok")
    fragment = client.get(reverse("core:branch_list"), {"q": "gdań"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment and "Oddział Gdańsk" in fragment and "Opole" not in fragment
    unknown_sort = client.get(reverse("core:branch_list"), {"sort": "password"})
    assert unknown_sort.status_code == 200


def _add_rows(organisation, actor, count, start=0):
    for n in range(start, start + count):
        BranchFactory(organisation=organisation, name=f"Filia {n}")
        AuditEntry.objects.create(
            organisation=organisation,
            action="test.entry",
            summary=f"wpis {n}",
            target_type_id=1,
            target_id=str(n),
            actor=actor,
        )
        OutboundMessage.objects.create(
            organisation=organisation, channel="sms", recipient="+48600000000", body=f"Wiadomość {n}"
        )


def test_list_pages_use_a_fixed_number_of_queries(login, admin, organisation, django_assert_max_num_queries):
    client = login(admin)
    pages = [reverse("core:branch_list"), reverse("core:audit_list"), reverse("core:message_list")]
    _add_rows(organisation, admin, 2)
    baseline = {}
    for url in pages:
        with django_assert_max_num_queries(20) as captured:
            client.get(url)
        baseline[url] = len(captured.captured_queries)
    _add_rows(organisation, admin, 20, start=2)
    for url in pages:
        with django_assert_max_num_queries(baseline[url]):
            client.get(url)


def test_the_history_panel_shows_who_changed_what(login, manager, admin, branch):
    branch_update(branch=branch, user=admin, expected_version=None, phone="+48 22 000 11 22")
    html = login(manager).get(reverse("core:record_history", args=["core.branch", branch.pk])).content.decode()
    assert "+48 22 000 11 22" in html and "branch.update" in html


def test_history_is_not_offered_for_records_outside_the_project(login, admin):
    assert login(admin).get(reverse("core:record_history", args=["auth.user", 1])).status_code == 404
    assert login(admin).get(reverse("core:record_history", args=["nonsense", 1])).status_code == 404
