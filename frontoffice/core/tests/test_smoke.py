from django.conf import settings


def test_settings_are_in_test_mode():
    assert settings.TESTING
    assert settings.MAILERS["default"]["BACKEND"].endswith("locmem.EmailBackend")


def test_clerk_sees_home(login, clerk):
    response = login(clerk).get("/")
    assert response.status_code == 200
