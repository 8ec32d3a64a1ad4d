"""The menu: items filtered by permission, one current item, URLs that follow the script prefix."""

from __future__ import annotations

import pytest
from django.urls import clear_script_prefix, reverse, set_script_prefix

from frontoffice.core.navigation import menu_for


@pytest.fixture
def under_a_prefix():
    set_script_prefix("/frontoffice/")
    yield
    clear_script_prefix()


def test_the_current_item_is_the_page_or_the_longest_prefix(admin_user):
    clients = reverse("clients:client_list")
    current = [item["url"] for item in menu_for(admin_user, clients) if item["current"]]
    assert current == [clients]
    deeper = [item["url"] for item in menu_for(admin_user, f"{clients}123/") if item["current"]]
    assert deeper == [clients]
    new = reverse("clients:client_create")  # "/clients/new/" beats "/clients/"
    assert [item["url"] for item in menu_for(admin_user, new) if item["current"]] == [new]


def test_menu_urls_follow_the_script_prefix(admin_user, under_a_prefix):
    urls = [item["url"] for item in menu_for(admin_user)]
    assert urls and all(url.startswith("/frontoffice/") for url in urls)
    clear_script_prefix()
    assert not any(item["url"].startswith("/frontoffice/") for item in menu_for(admin_user))


def test_a_user_without_permissions_sees_no_guarded_items(django_user_model):
    plain = django_user_model.objects.create_user(username="plain", password="x-long-password-1")
    assert all(item["url"] != reverse("clients:client_list") for item in menu_for(plain))
