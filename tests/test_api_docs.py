"""The API docs page works under the project's CSP: no CDN, no inline script."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.test_api_support import API, assert_problem

CHROMIUM = "/usr/bin/chromium"


def test_openapi_document_is_public(client, db):
    # when
    response = client.get(f"{API}/openapi.json")
    # then
    assert response.status_code == 200
    assert response.json()["info"]["title"] == "Front Office API"


def test_docs_page_loads_only_local_files(client, db):
    # when
    response = client.get(f"{API}/docs")
    # then
    assert response.status_code == 200
    html = response.content.decode()
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert not re.search(r"(src|href)=\"(https?:)?//", html), "the page must not load from another host"
    # every script is either a file or a JSON data block, which browsers do not execute
    for attributes, content in re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.S):
        assert "src=" in attributes or 'type="application/json"' in attributes, attributes
        if "src=" in attributes:
            assert not content.strip()


def test_docs_assets_are_served_with_their_types(client, db):
    # given
    html = client.get(f"{API}/docs").content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    # then
    assert len(assets) == 4
    for url in assets:
        response = client.get(url)
        assert response.status_code == 200, url
        expected = {".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml"}[
            Path(urlsplit(url).path).suffix
        ]
        assert response["Content-Type"].startswith(expected)
        assert "max-age" in response["Cache-Control"]


@pytest.mark.parametrize("name", ["../../__init__.py", "swagger-ui-bundle.js.map", "nope.js"])
def test_only_known_docs_assets_are_served(client, db, name):
    # when
    response = client.get(f"{API}/docs/assets/{name}")
    # then
    assert_problem(response, 404)


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Chromium is not installed")
def test_docs_render_in_a_browser_without_csp_violations(live_server, monkeypatch):
    # given a real browser, which reports CSP violations on its console
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright runs an event loop here
    problems: list[str] = []
    requests: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        try:
            page = browser.new_page()
            page.on("console", lambda message: message.type in {"error", "warning"} and problems.append(message.text))
            page.on("pageerror", lambda error: problems.append(str(error)))
            page.on("request", lambda request: requests.append(request.url))
            # when
            page.goto(f"{live_server.url}{API}/docs")
            page.locator(".opblock").first.wait_for(timeout=15_000)
            page.locator(".opblock-summary").first.click()
            page.get_by_role("button", name="Try it out").wait_for(timeout=5_000)
            operations = page.locator(".opblock").count()
        finally:
            browser.close()
    # then
    assert operations >= 10
    assert problems == []
    assert {urlsplit(url).netloc for url in requests} == {urlsplit(live_server.url).netloc}
