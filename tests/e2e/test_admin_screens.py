"""The editorial admin in a real Chromium, on the real maps; takes the guide's screenshots.

Screenshots go to a temporary folder, or to docs/img/ with SAVE_SCREENSHOTS=1:

    SAVE_SCREENSHOTS=1 make test PYTEST_ARGS="tests/e2e/test_admin_screens.py"
"""

import datetime
import os
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from dealmap.editorial import Status
from projects import workflow
from projects.models import Project
from tests.editorial import make_staff

# serialized_rollback: the flush after each browser test would otherwise also remove
# what migrations put in the database (the Editor and Publisher groups) for later tests.
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img"


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        reason = f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("REQUIRE_E2E") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test's own ORM
    # calls are still plain synchronous code.
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def shots(tmp_path):
    folder = DOCS_IMG if os.environ.get("SAVE_SCREENSHOTS") == "1" else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class Session:
    """One signed-in person in their own browser context, collecting CSP complaints."""

    def __init__(self, browser, live_server, username):
        self.base = live_server.url
        self.context = browser.new_context(viewport={"width": 1360, "height": 900})
        self.page = self.context.new_page()
        self.console_problems = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.console_problems.append(str(error)))
        self.page.on("response", self._response)
        self.page.goto(f"{self.base}/admin/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", "pw")
        self.page.click("input[type=submit]")
        self.page.wait_for_selector("#user-tools")

    def _console(self, message):
        # A failed load is reported by _response with its URL; the rest are real errors.
        text = message.text
        failed_load = text.startswith("Failed to load resource")
        if (message.type == "error" and not failed_load) or "Content Security Policy" in text:
            self.console_problems.append(text)

    def _response(self, response):
        # The site has no favicon yet (the public pages will bring one).
        if response.status >= 400 and not response.url.endswith("/favicon.ico"):
            self.console_problems.append(f"{response.status} {response.url}")

    def go(self, path):
        self.page.goto(f"{self.base}{path}")


@pytest.fixture
def scene():
    """The real maps, two people, and a morning's state of work."""
    call_command("loaddata", "decentralized-ai", "companion-maps", verbosity=0)
    pat = make_staff("Publisher", "pat", first_name="Pat", last_name="Lee")
    make_staff("Editor", "ana", first_name="Ana", last_name="Lima")
    # Most of the map was reviewed last week; a few projects still need a look.
    Project.objects.exclude(slug__in=["aethir", "io-net", "vana", "grass"]).update(
        last_reviewed_at=timezone.now() - datetime.timedelta(days=7)
    )
    for slug in ["render-network", "sahara-ai"]:
        project = Project.objects.get(slug=slug)
        workflow.project_transition(project=project, to_status=Status.DRAFT, user=pat)
        workflow.project_transition(
            project=project, to_status=Status.IN_REVIEW, user=pat, comment="Figures updated"
        )
    return pat


def test_dashboard_and_list_show_what_needs_review(browser, live_server, scene, shots):
    pat = Session(browser, live_server, "pat")

    pat.go("/admin/")
    panel = pat.page.locator("#editorial-dashboard")
    needs = Project.objects.needs_review().count()
    assert panel.locator(".needs-review-link").inner_text() == f"Needs review ({needs})"
    assert panel.locator(".awaiting-link").inner_text() == "Awaiting approval (2)"
    pat.page.screenshot(path=shots / "admin-dashboard.png")

    pat.page.click(".needs-review-link")
    pat.page.wait_for_selector("#result_list")
    assert pat.page.locator("#result_list tbody tr").count() == needs
    pat.go("/admin/projects/project/?o=-6")
    assert pat.page.locator(".freshness-stale").count() == needs
    pat.page.screenshot(path=shots / "admin-project-list.png")

    assert pat.console_problems == []


def test_change_page_preview_history_and_compare(browser, live_server, scene, shots):
    pat = Session(browser, live_server, "pat")
    project = Project.objects.get(slug="sahara-ai")

    pat.go(f"/admin/projects/project/{project.pk}/change/")
    assert pat.page.locator("a.previewlink").get_attribute("href") == (
        "/projects/sahara-ai/preview/"
    )
    description = pat.page.locator("#id_description")
    description.fill(
        "Sahara AI builds an **open marketplace** for data and models.\n\n"
        "- contributors are paid\n- provenance is on-chain\n\n"
        '<script>alert("not run")</script>'
    )
    field = pat.page.locator(".field-description")
    field.get_by_role("button", name="Preview").click()
    preview = field.locator(".markdown-preview")
    preview.locator("strong").wait_for()
    assert preview.locator("strong").inner_text() == "open marketplace"
    assert preview.locator("script").count() == 0
    field.scroll_into_view_if_needed()
    pat.page.screenshot(path=shots / "admin-markdown-preview.png")
    pat.page.screenshot(path=shots / "admin-change-page.png", full_page=True)

    pat.page.fill("#id_comment", "Clearer description")
    pat.page.click("input[name=_continue]")
    pat.page.wait_for_selector(".messagelist .success")

    pat.go(f"/admin/projects/project/{project.pk}/history/")
    pat.page.screenshot(path=shots / "admin-history.png")
    pat.page.click("text=Compare selected revisions")
    pat.page.wait_for_selector(".diff-table")
    assert (
        "open marketplace" in pat.page.locator(".diff-changed .diff-words ins").first.inner_text()
    )
    pat.page.screenshot(path=shots / "admin-compare.png", full_page=True)

    assert pat.console_problems == []


def test_second_save_shows_the_conflict_message(browser, live_server, scene, shots):
    project = Project.objects.get(slug="render-network")
    project_url = f"/admin/projects/project/{project.pk}/change/"
    workflow.project_transition(project=project, to_status=Status.DRAFT, user=scene)
    ana = Session(browser, live_server, "ana")
    pat = Session(browser, live_server, "pat")
    ana.go(project_url)
    pat.go(project_url)

    pat.page.fill("#id_one_liner", "Distributed GPU rendering, now for AI too")
    pat.page.click("input[name=_continue]")
    pat.page.wait_for_selector(".messagelist .success")
    ana.page.fill("#id_headquarters", "Zug, Switzerland")
    ana.page.click("input[name=_continue]")

    error = ana.page.locator(".errorlist.nonfield li")
    assert error.inner_text().startswith("Pat Lee saved this project at ")
    assert "after you opened it and changed: One liner." in error.inner_text()
    assert ana.page.locator("#id_headquarters").input_value() == "Zug, Switzerland"
    error.scroll_into_view_if_needed()
    ana.page.screenshot(path=shots / "admin-conflict.png")
    project.refresh_from_db()
    assert project.headquarters != "Zug, Switzerland"

    assert ana.console_problems == pat.console_problems == []
