"""The interactive API docs work in a real Chromium under the site's CSP, from our own assets."""

import os
from pathlib import Path

import pytest
from django.core.management import call_command

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]  # fmt: skip

pytestmark = pytest.mark.e2e


@pytest.fixture
def browser_page(monkeypatch):
    if not Path(CHROMIUM).exists():
        if os.environ.get("REQUIRE_E2E") == "1":
            pytest.fail(f"{CHROMIUM} is missing and REQUIRE_E2E=1: install Debian's chromium")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test's ORM calls are sync.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser.new_page(viewport={"width": 1280, "height": 900})
        browser.close()


def test_api_docs_render_under_the_csp_from_local_assets(
    transactional_db, live_server, browser_page, tmp_path
):
    call_command("loaddata", "decentralized-ai", verbosity=0)
    page = browser_page
    console_errors, requested = [], []
    page.on("console", lambda m: m.type == "error" and console_errors.append(m.text))
    page.on("request", lambda request: requested.append(request.url))

    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".opblock-summary-path", timeout=15000)
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    # Try a call from the page: the schema's examples and a live answer, under the CSP too.
    page.locator(".opblock-summary-path", has_text="/api/v1/maps/").first.click()
    page.get_by_role("button", name="Try it out").click()
    page.get_by_role("button", name="Execute").click()
    live_answer = page.locator(".live-responses-table .response .response-col_status").first
    live_answer.wait_for(timeout=15000)
    page.screenshot(path=tmp_path / "api-docs.png", full_page=True)

    assert "/api/v1/projects/" in [p.replace("\u200b", "") for p in paths]
    assert live_answer.inner_text().strip() == "200"
    assert "decentralized-ai" in page.locator(".live-responses-table").inner_text()
    assert console_errors == []
    assert all(url.startswith((live_server.url, "data:")) for url in requested), requested
