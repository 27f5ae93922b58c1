"""A visitor's flow in Chromium, with JavaScript and without: look at the map, filter by a
layer, search with a typo, open a project, go back and find the filter still applied.

Also: axe-core finds no accessibility violation on the map, list and project pages, the
map fits a 375 px phone, and no page breaks the Content-Security-Policy.
"""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

LAYER = "open-intelligence"
LAYER_LABEL = "Open-intelligence networks & models"
# PostgreSQL forgives the typo in "Bittensor"; SQLite's plain match has no typo tolerance
# (by design, projects/search.py), so there the search is for a team member's name.
QUERY = "bitensor" if connection.vendor == "postgresql" else "Steeves"


@pytest.fixture
def page_with_js(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.errors = []
    page.on("console", lambda m: m.type == "error" and page.errors.append(m.text))
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    yield page
    context.close()


@pytest.fixture
def page_without_js(browser):
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.errors = []
    page.on("console", lambda m: m.type == "error" and page.errors.append(m.text))
    yield page
    context.close()


def _query(page):
    return parse_qs(urlsplit(page.url).query)


def _band_names(page):
    return page.locator("#bands .band h2").all_inner_texts()


def _tile_names(page):
    return page.locator("#bands .tile-name").all_inner_texts()


def _count(page):
    return page.locator("#result-count .result-count").inner_text()


def _filter_by_layer(page):
    page.locator("details.facets > summary").click()
    page.get_by_role("checkbox", name=LAYER_LABEL).check()


def test_flow_with_javascript_updates_results_and_url_live(site, page_with_js, artifacts):
    page = page_with_js
    page.goto(site + "/")
    assert len(_band_names(page)) == 9
    page.screenshot(path=artifacts / "map-wide.png", full_page=True)

    _filter_by_layer(page)
    page.wait_for_url(re.compile(rf"layer={LAYER}"))
    expect(page.locator("#bands .band")).to_have_count(1)
    assert _band_names(page) == [LAYER_LABEL.upper()]
    assert _tile_names(page) == ["Bittensor", "Sentient", "Tensorplex Labs"]

    page.get_by_role("searchbox", name="Search").fill(QUERY)
    page.wait_for_url(re.compile(rf"q={QUERY}"))
    # Sentient leaves; Bittensor ranks first (PostgreSQL may keep a near miss after it).
    expect(page.locator("#bands .tile-name", has_text="Sentient")).to_have_count(0)
    assert _tile_names(page)[0] == "Bittensor"
    # Empty fields stay out of the shareable URL.
    assert _query(page) == {"layer": [LAYER], "q": [QUERY]}
    assert re.fullmatch(r"\d+ projects? match(es)? in 1 layer\. Clear all filters", _count(page))

    page.get_by_role("link", name=re.compile("^Bittensor")).click()
    page.wait_for_url(re.compile(r"/projects/bittensor/$"))
    assert page.locator("h1").inner_text() == "Bittensor"
    assert page.get_by_role("heading", name="Canonical Crypto's view").is_visible()
    page.screenshot(path=artifacts / "project.png", full_page=True)

    page.go_back()
    page.wait_for_url(re.compile(rf"q={QUERY}"))
    assert _query(page) == {"layer": [LAYER], "q": [QUERY]}
    assert page.get_by_role("checkbox", name=LAYER_LABEL).is_checked()
    assert page.get_by_role("searchbox", name="Search").input_value() == QUERY
    assert _tile_names(page)[0] == "Bittensor"
    assert "Sentient" not in _tile_names(page)
    assert page.errors == []


def test_flow_without_javascript_uses_plain_get_forms(site, page_without_js):
    page = page_without_js
    page.goto(site + "/")
    _filter_by_layer(page)
    page.get_by_role("searchbox", name="Search").fill(QUERY)
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url(re.compile(rf"q={QUERY}"))
    assert _query(page)["layer"] == [LAYER]
    assert _tile_names(page)[0] == "Bittensor"
    assert "Sentient" not in _tile_names(page)

    page.get_by_role("link", name=re.compile("^Bittensor")).click()
    page.wait_for_url(re.compile(r"/projects/bittensor/$"))
    assert page.locator("h1").inner_text() == "Bittensor"

    page.go_back()
    assert _query(page)["layer"] == [LAYER]
    assert page.get_by_role("checkbox", name=LAYER_LABEL).is_checked()
    assert page.get_by_role("searchbox", name="Search").input_value() == QUERY
    assert _tile_names(page)[0] == "Bittensor"
    assert page.errors == []


def test_project_list_filters_live(site, page_with_js):
    page = page_with_js
    page.goto(site + "/projects/")
    page.locator("details.facets > summary").click()
    page.get_by_label("Portfolio", exact=True).select_option("true")
    page.wait_for_url(re.compile(r"portfolio=true"))
    expect(page.locator("#results .tile:not(:has(.badge))")).to_have_count(0)
    names = page.locator("#results .tile-name").all_inner_texts()
    assert "Gensyn" in names
    assert "Bittensor" not in names
    assert page.errors == []


def test_map_fits_a_phone(site, browser, artifacts):
    context = browser.new_context(viewport={"width": 375, "height": 800}, is_mobile=True)
    page = context.new_page()
    page.goto(site + "/")

    width = page.evaluate("document.documentElement.scrollWidth")
    page.screenshot(path=artifacts / "map-phone.png", full_page=True)
    context.close()

    assert width <= 375


def test_keyboard_reaches_a_project_with_visible_focus(site, page_with_js):
    page = page_with_js
    page.goto(site + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Enter")
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('tile')"):
            break
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    name = page.evaluate("document.activeElement.querySelector('.tile-name').textContent")

    page.keyboard.press("Enter")
    page.wait_for_load_state()

    assert outline == "solid"
    assert page.locator("h1").inner_text() == name


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/?layer=compute&q=gpu",
        "/projects/",
        "/projects/bittensor/",
        "/maps/",
        "/embed/maps/decentralized-ai/",
    ],
)
def test_axe_finds_no_violation(site, browser, axe_source, path):
    # axe is injected as a script; this context alone lets it past the CSP.
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.goto(site + path)
    page.add_script_tag(path=str(axe_source))

    violations = page.evaluate(
        """async () => (await axe.run(document)).violations.map(
            v => `${v.id}: ${v.help} (${v.nodes.map(n => n.target.join(' ')).join(', ')})`)"""
    )
    context.close()

    assert violations == []
