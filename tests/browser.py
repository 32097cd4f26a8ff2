"""Fixtures for tests that drive a real browser: the test `app` served over HTTP from a
background thread, and headless Chromium from Debian's package (never a downloaded build).

A test module imports the fixtures it uses by name (`chromium`, `live_server`, `open_page`)
together with the `screenshot` helper.

On SQLite the test thread must not hold a transaction while the browser acts: outside a
request every transaction begins with BEGIN IMMEDIATE and would keep the write lock the
server needs. Read what the test needs from the factories first, then `db.session.close()`."""
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
# Quiet, offline Chromium: no sandbox (tests may run as root), no calls home.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
# A page that takes longer than this in a test is a bug, not something to wait out.
TIMEOUT_MS = 5000


@pytest.fixture
def live_server(app):
    """Serve the test app on 127.0.0.1 on a free port; yields the base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()


@pytest.fixture(scope="module")
def chromium():
    """One headless Chromium per test module (launching costs about a second)."""
    executable = shutil.which("chromium")
    if executable is None:
        pytest.skip("Debian's chromium package is not installed (make test installs it)")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True,
                                             args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def open_page(chromium, live_server):
    """Factory: a page in a fresh browser context (own cookies) aimed at the live server.
    `open_page(viewport=DESKTOP, cookies=[...])`; every context closes after the test."""
    contexts = []

    def open_(viewport=PHONE, cookies=None):
        context = chromium.new_context(base_url=live_server, viewport=viewport,
                                       locale="zh-CN", timezone_id="Asia/Shanghai")
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        if cookies:
            context.add_cookies(cookies)
        return context.new_page()

    yield open_
    for context in contexts:
        context.close()


def screenshot(page, name: str) -> Path:
    """Save a full-page PNG under test-artifacts/ for a person to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"browser-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
