"""Browser journeys: Playwright driving Debian's chromium against a live server.

`make test` installs chromium (scripts/install-system-deps.sh --test); browser downloads
are not possible here, so Playwright is pointed at /usr/bin/chromium.
"""
from __future__ import annotations

import os
import shutil
import threading

import pytest
from werkzeug.serving import make_server

from trainings.extensions import db

CHROMIUM = os.environ.get("ANYAM_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture
def live_server(app_factory):
    """The app with CSRF on, served on a free local port in a thread. Yields its base URL."""
    app = app_factory(WTF_CSRF_ENABLED=True)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    with app.app_context():
        app.live_url = f"http://127.0.0.1:{server.server_port}"
        yield app
        db.session.remove()
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        pytest.fail(f"chromium not found at {CHROMIUM}: run `make test` (it installs it)")
    from playwright.sync_api import sync_playwright
    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="en-GB", timezone_id="Asia/Jakarta")
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def log_in(page, base_url: str, email: str, password: str) -> None:
    page.goto(base_url + "/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    with page.expect_navigation():
        page.locator("main button[type=submit]").click()


def axe_violations(page) -> list:
    """Serious and critical WCAG 2.1 A/AA violations found by axe-core on the current page."""
    from axe_playwright_python.sync_playwright import Axe
    results = Axe().run(page, options={"runOnly": {"type": "tag",
                                                   "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}})
    return [v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]
