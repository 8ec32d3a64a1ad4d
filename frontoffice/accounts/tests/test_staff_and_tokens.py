"""Staff records, roles, qualifications and personal API tokens."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from frontoffice.accounts.models import ApiToken, StaffMember
from frontoffice.accounts.services import api_token_authenticate, api_token_create, api_token_revoke
from frontoffice.core.models import AuditEntry
from frontoffice.core.scoping import scope_for
from tests.factories import StaffFactory


def _staff_form(branch, **overrides):
    data = {
        "username": "ola.nowak",
        "first_name": "Ola",
        "last_name": "Nowak",
        "email": "ola.nowak@example.invalid",
        "roles": ["clerk"],
        "branches": [branch.pk],
        "job_title": "Rejestratorka",
        "phone": "",
        "employer_kind": "in_house",
        "contractor": "",
        "is_active": "on",
    }
    data.update(overrides)
    return data


def test_an_admin_adds_a_staff_member_who_gets_a_password_link(
    login, admin, branch, django_capture_on_commit_callbacks
):
    client = login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:staff_create"), _staff_form(branch))
    assert response.status_code == 302
    staff = StaffMember.objects.get(user__username="ola.nowak")
    assert staff.role_codes == ["clerk"]
    assert list(staff.branches.all()) == [branch]
    assert not staff.user.has_usable_password()
    assert AuditEntry.objects.filter(action="staff.create", target_id=str(staff.pk)).exists()
    from django.core import mail

    assert mail.outbox[-1].to == ["ola.nowak@example.invalid"]
    assert "ola.nowak" in mail.outbox[-1].body


def test_a_branch_bound_role_needs_a_branch_and_the_typed_values_stay(login, admin, branch):
    response = login(admin).post(reverse("accounts:staff_create"), _staff_form(branch, branches=[]))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Pick at least one branch for this role." in html
    assert 'value="ola.nowak"' in html and 'value="Nowak"' in html
    assert not StaffMember.objects.filter(user__username="ola.nowak").exists()


def test_a_contractor_employee_needs_the_company(login, admin, branch):
    response = login(admin).post(reverse("accounts:staff_create"), _staff_form(branch, employer_kind="contractor"))
    assert response.status_code == 400
    assert "Pick the contractor company." in response.content.decode()


def test_a_stale_edit_is_refused_with_who_changed_it(login, admin, clerk, branch, executive):
    staff = clerk.staff
    form = _staff_form(
        branch,
        username=clerk.username,
        email=clerk.email,
        first_name="Ala",
        last_name=clerk.last_name,
        version=staff.version,
    )
    # Someone else saves first.
    login(executive)
    from frontoffice.accounts.services import staff_member_update

    staff_member_update(
        staff=staff,
        actor=executive,
        expected_version=staff.version,
        email=clerk.email,
        first_name="Alicja",
        last_name=clerk.last_name,
        roles=["clerk"],
        branches=[branch],
        job_title="",
        phone="",
        employer_kind="in_house",
        contractor=None,
        is_active=True,
    )
    response = login(admin).post(reverse("accounts:staff_edit", args=[staff.pk]), form)
    assert response.status_code == 400
    html = response.content.decode()
    assert "was changed by" in html and "after you opened it" in html
    assert 'value="Ala"' in html  # the user's input is kept
    clerk.refresh_from_db()
    assert clerk.first_name == "Alicja"  # and the colleague's save is not overwritten


def test_roles_are_groups_and_grant_their_permissions(clerk, manager, admin):
    assert clerk.has_perm("core.view_organisation_settings")
    assert not clerk.has_perm("accounts.view_staff_directory")
    assert manager.has_perm("accounts.view_staff_directory")
    assert not manager.has_perm("accounts.manage_staff")
    assert admin.has_perm("accounts.manage_staff")


def test_scope_binds_roles_to_branches_and_opens_the_organisation_to_executives(
    clerk, executive, branch, other_branch, organisation
):
    assert scope_for(clerk).branch_ids == frozenset({branch.pk})
    assert scope_for(executive).branch_ids is None
    assert scope_for(executive).organisation_id == organisation.pk


def test_a_manager_sees_only_staff_of_their_branches(login, manager, clerk, outsider_branch):
    html = login(manager).get(reverse("accounts:staff_list")).content.decode()
    assert clerk.last_name in html
    assert "outsider_branch" not in html and outsider_branch.last_name not in html


def test_the_staff_list_query_count_does_not_grow_with_rows(login, admin, branch, django_assert_max_num_queries):
    client = login(admin)
    for _ in range(3):
        StaffFactory(organisation=branch.organisation, roles=["clerk"], branches=[branch])
    with django_assert_max_num_queries(14) as few:
        client.get(reverse("accounts:staff_list"))
    for _ in range(20):
        StaffFactory(organisation=branch.organisation, roles=["agent"], branches=[branch])
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("accounts:staff_list"))


def test_an_admin_adds_and_removes_a_licence(login, admin, guard):
    client = login(admin)
    client.post(
        reverse("accounts:qualification_add", args=[guard.staff.pk]),
        {"kind": "licence", "name": "Licencja pracownika ochrony", "valid_until": "2027-03-01"},
    )
    qualification = guard.staff.qualifications.get()
    assert qualification.valid_until.isoformat() == "2027-03-01"
    client.post(reverse("accounts:qualification_remove", args=[guard.staff.pk, qualification.pk]))
    assert not guard.staff.qualifications.exists()
    assert AuditEntry.objects.filter(action="staff.qualification_remove").exists()


def test_an_invalid_licence_date_is_explained(login, admin, guard):
    response = login(admin).post(
        reverse("accounts:qualification_add", args=[guard.staff.pk]),
        {"kind": "licence", "name": "Licencja", "valid_until": "31.02.2027"},
    )
    assert response.status_code == 400
    assert "Enter a valid date." in response.content.decode()


def test_tokens_are_stored_hashed_shown_once_and_revocable(login, clerk):
    response = login(clerk).post(reverse("accounts:token_list"), {"name": "Centrala telefoniczna"})
    html = response.content.decode()
    token = ApiToken.objects.get(user=clerk)
    raw = html.split('data-testid="new-token">')[1].split("<")[0]
    assert raw.startswith("fo_") and raw not in token.token_hash and token.prefix == raw[:9]
    assert api_token_authenticate(raw) == clerk
    assert raw not in login(clerk).get(reverse("accounts:token_list")).content.decode()
    login(clerk).post(reverse("accounts:token_revoke", args=[token.pk]))
    assert api_token_authenticate(raw) is None


def test_expired_tokens_and_tokens_of_inactive_users_do_not_authenticate(clerk):
    _token, raw = api_token_create(user=clerk, name="Stary", expires_at=timezone.now() - timedelta(minutes=1))
    assert api_token_authenticate(raw) is None
    _token, fresh = api_token_create(user=clerk, name="Nowy")
    clerk.is_active = False
    clerk.save()
    assert api_token_authenticate(fresh) is None


def test_a_user_cannot_revoke_someone_elses_token(login, clerk, agent):
    token, raw = api_token_create(user=clerk, name="Integracja")
    assert login(agent).post(reverse("accounts:token_revoke", args=[token.pk])).status_code == 404
    assert api_token_authenticate(raw) == clerk
    api_token_revoke(token=token, actor=clerk)


@pytest.mark.parametrize(
    "persona, heading, card",
    [
        ("clerk", "Front desk", "Your branches today"),
        ("agent", "Customer service", "Colleagues on your branches"),
        ("guard", "Security post", "My skills and licences"),
        ("manager", "Front office management", "Licences expiring within 30 days"),
        ("executive", "Management overview", "Staff on your branches"),
        ("admin", "Administration", "Privileged accounts without two-factor sign-in"),
    ],
)
def test_each_role_has_its_own_home_page(request, login, persona, heading, card):
    html = login(request.getfixturevalue(persona)).get("/").content.decode()
    assert f"<h1>{heading}</h1>" in html
    assert card in html


def test_the_manager_home_counts_licences_expiring_soon(login, manager, guard):
    guard.staff.qualifications.create(
        kind="licence", name="Kurs pierwszej pomocy", valid_until=timezone.localdate() + timedelta(days=10)
    )
    guard.staff.qualifications.create(
        kind="licence", name="Licencja na broń", valid_until=timezone.localdate() + timedelta(days=300)
    )
    html = login(manager).get("/").content.decode()
    section = html.split("Licences expiring within 30 days")[1].split("</section>")[0]
    assert "<strong>1</strong>" in section and "Kurs pierwszej pomocy" in section
    assert "Licencja na broń" not in section


def test_the_history_panel_shows_field_changes_and_actions(login, admin, manager, clerk, branch):
    from frontoffice.accounts.services import staff_member_update

    staff_member_update(
        staff=clerk.staff,
        actor=admin,
        expected_version=None,
        email=clerk.email,
        first_name=clerk.first_name,
        last_name=clerk.last_name,
        roles=["clerk"],
        branches=[branch],
        job_title="Starsza rejestratorka",
        phone="",
        employer_kind="in_house",
        contractor=None,
        is_active=True,
    )
    content_type = ContentType.objects.get_for_model(StaffMember)
    assert AuditEntry.objects.filter(target_type=content_type, target_id=str(clerk.staff.pk)).exists()
    html = (
        login(manager)
        .get(reverse("core:record_history", args=["accounts.staffmember", clerk.staff.pk]))
        .content.decode()
    )
    assert "Starsza rejestratorka" in html and "staff.update" in html


def test_reading_a_colleagues_record_is_in_the_access_log_and_the_history(login, manager, clerk):
    from frontoffice.core.models import AccessLogEntry

    login(manager).get(reverse("accounts:staff_detail", args=[clerk.staff.pk]))
    entry = AccessLogEntry.objects.get()
    assert (entry.user, entry.target_id) == (manager, str(clerk.staff.pk))
    html = login(manager).get(reverse("core:record_history", args=["accounts.staffmember", clerk.staff.pk]))
    assert "viewed" in html.content.decode()
