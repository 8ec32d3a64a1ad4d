"""Sign-in, lockout, password reset, two-factor sign-in and the language switch."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from frontoffice.core.models import OutboundMessage

LOGIN = "/accounts/login/"


def _current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_a_wrong_password_and_an_unknown_user_get_the_same_generic_message(client, clerk):
    wrong_password = client.post(LOGIN, {"username": "clerk", "password": "nope"})
    unknown_user = client.post(LOGIN, {"username": "nobody-here", "password": "nope"})
    assert wrong_password.status_code == unknown_user.status_code == 200
    generic = "Please enter a correct username and password"
    assert generic in wrong_password.content.decode()
    assert generic in unknown_user.content.decode()
    assert 'value="clerk"' in wrong_password.content.decode()  # the typed login stays


def test_the_right_password_signs_in(client, clerk, password):
    response = client.post(LOGIN, {"username": "clerk", "password": password})
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_five_failures_lock_the_account_even_for_the_right_password(client, clerk, password, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    for _ in range(5):
        client.post(LOGIN, {"username": "clerk", "password": "wrong"})
    locked = client.post(LOGIN, {"username": "clerk", "password": password})
    assert locked.status_code == 429
    assert "Sign-in locked" in locked.content.decode()
    assert "15 minutes" in locked.content.decode()


def test_password_reset_does_not_reveal_whether_an_address_is_known(client, clerk, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post(reverse("accounts:password_reset"), {"email": clerk.email})
        unknown = client.post(reverse("accounts:password_reset"), {"email": "stranger@example.invalid"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    # Only the known address gets mail, and it goes through the outgoing-message queue.
    assert OutboundMessage.objects.filter(recipient=clerk.email).count() == 1
    assert OutboundMessage.objects.count() == 1
    assert len(mail.outbox) == 1 and "/accounts/reset/" in mail.outbox[0].body


def test_a_reset_link_sets_a_new_password(client, clerk, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:password_reset"), {"email": clerk.email})
    link = next(line for line in mail.outbox[0].body.splitlines() if "/accounts/reset/" in line)
    path = link.split("testserver", 1)[1]
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200
    new_password = "nowe-haslo-do-systemu-2026"
    done = client.post(form_page.redirect_chain[-1][0], {"new_password1": new_password, "new_password2": new_password})
    assert done.status_code == 302
    clerk.refresh_from_db()
    assert clerk.check_password(new_password)


@pytest.fixture
def mfa_organisation(organisation):
    organisation.require_mfa = True
    organisation.save()
    return organisation


def test_a_manager_without_an_authenticator_is_sent_to_set_one_up(client, manager, mfa_organisation):
    client.force_login(manager)
    response = client.get("/staff/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:mfa_setup"))


def test_enrolment_confirms_the_device_and_lets_the_manager_in(client, manager, mfa_organisation):
    client.force_login(manager)
    page = client.get(reverse("accounts:mfa_setup"))
    assert page.status_code == 200 and "data:image/svg+xml" in page.content.decode()
    device = TOTPDevice.objects.get(user=manager, confirmed=False)
    wrong = client.post(reverse("accounts:mfa_setup"), {"code": "000000"})
    assert wrong.status_code == 400 and "not valid" in wrong.content.decode()
    device.refresh_from_db()
    device.throttle_reset()  # a failed code throttles the device briefly; the user waits
    right = client.post(reverse("accounts:mfa_setup"), {"code": _current_code(device), "next": "/staff/"})
    assert right.status_code == 302 and right["Location"] == "/staff/"
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/staff/").status_code == 200


def test_an_enrolled_manager_must_enter_a_code_after_the_password(client, manager, mfa_organisation, password):
    device = TOTPDevice.objects.create(user=manager, name="Telefon", confirmed=True)
    client.post(LOGIN, {"username": "manager", "password": password})
    blocked = client.get("/")
    assert blocked.status_code == 302 and blocked["Location"].startswith(reverse("accounts:mfa_verify"))
    api = client.get("/api/v1/me")
    assert api.status_code == 403 and api["Content-Type"] == "application/problem+json"
    client.post(reverse("accounts:mfa_verify"), {"code": _current_code(device)})
    assert client.get("/").status_code == 200


def test_a_clerk_is_not_asked_for_a_second_factor(client, clerk, mfa_organisation):
    client.force_login(clerk)
    assert client.get("/").status_code == 200


def test_the_organisation_can_turn_mfa_off(client, manager, organisation):
    assert organisation.require_mfa is False
    client.force_login(manager)
    assert client.get("/staff/").status_code == 200


def test_polish_is_the_default_language(client, clerk, settings):
    settings.LANGUAGE_CODE = "pl"
    page = client.get(LOGIN)
    assert '<html lang="pl">' in page.content.decode()


def test_switching_language_is_remembered_for_the_user(client, clerk, settings):
    settings.LANGUAGE_CODE = "pl"
    client.force_login(clerk)
    client.post(reverse("accounts:set_language"), {"language": "en", "next": "/"})
    clerk.refresh_from_db()
    assert clerk.language == "en"
    client.cookies.clear()
    client.force_login(clerk)  # a new session on another computer
    assert '<html lang="en">' in client.get("/").content.decode()


def test_the_language_switch_does_not_redirect_off_site(client, db):
    response = client.post(reverse("accounts:set_language"), {"language": "en", "next": "https://evil.example/"})
    assert response["Location"] == "/"
