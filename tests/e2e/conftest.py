"""Browser tests: Debian's Chromium driven by Playwright, against pytest-django's live server.

Without /usr/bin/chromium (or axe-core in node_modules) they skip with the reason,
except when REQUIRE_E2E=1 (CI), where a missing tool is a failure.
"""

import os
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Port 0: the OS picks a free port, so parallel runs on one machine never collide.
os.environ.setdefault("DJANGO_LIVE_TEST_SERVER_ADDRESS", "127.0.0.1:0")


def require(path, why):
    if path.exists():
        return
    message = f"{path} is missing: {why}"
    if os.environ.get("REQUIRE_E2E") == "1":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="module")
def browser():
    require(CHROMIUM, "apt-get install chromium")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread while the browser
    # is open; the ORM calls made here meanwhile are plain test set-up and teardown, so
    # Django's guard against async callers is lifted until the browser closes.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def site(live_server, transactional_db):
    """The real maps, served by the live server; returns its base URL."""
    call_command("loaddata", "decentralized-ai", "companion-maps", verbosity=0)
    return live_server.url


@pytest.fixture
def axe_source():
    require(AXE, "run `npm ci` (package.json pins axe-core)")
    return AXE


@pytest.fixture
def artifacts():
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
