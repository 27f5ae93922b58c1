"""The interactive API docs work in Chromium under the site's CSP, from our own assets: the
page lists every endpoint and a call made from it answers."""

import pytest

pytestmark = pytest.mark.e2e


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.errors, page.requested = [], []
    page.on("console", lambda m: m.type == "error" and page.errors.append(m.text))
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.on("request", lambda request: page.requested.append(request.url))
    yield page
    context.close()


def test_api_docs_render_under_the_csp_from_local_assets(site, page, artifacts):
    page.goto(f"{site}/api/docs/")
    page.wait_for_selector(".opblock-summary-path", timeout=15000)
    paths = [
        p.replace("\u200b", "") for p in page.locator(".opblock-summary-path").all_inner_texts()
    ]

    page.locator(".opblock-summary-path", has_text="/api/v1/maps/").first.click()
    page.get_by_role("button", name="Try it out").click()
    page.get_by_role("button", name="Execute").click()
    live_answer = page.locator(".live-responses-table .response .response-col_status").first
    live_answer.wait_for(timeout=15000)
    page.screenshot(path=artifacts / "api-docs.png", full_page=True)

    assert "/api/v1/projects/" in paths
    assert "/api/v1/changes/" in paths
    assert live_answer.inner_text().strip() == "200"
    assert "decentralized-ai" in page.locator(".live-responses-table").inner_text()
    assert page.errors == []
    assert all(url.startswith((site, "data:")) for url in page.requested), page.requested
