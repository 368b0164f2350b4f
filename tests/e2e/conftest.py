"""Browser fixtures: the app served by a real HTTP server in a thread, driven by Playwright with
Debian's Chromium (/usr/bin/chromium; never a downloaded browser). Screenshots of every step go
to test-artifacts/e2e/ for people to look at."""
from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "e2e"
# Flags that keep Chromium off the network and quiet in a sandbox (machine notes).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture
def live_server(app):
    """Serve `app` on 127.0.0.1 at a free port for the duration of a test; yields the base URL."""
    yield from serve(app)


def serve(app):
    """Serve `app` on 127.0.0.1 at a free port until the generator is closed; yields the base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture
def browser():
    """A headless Chromium; the test is skipped where the system browser is missing."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed (.ci/run installs Debian's chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield instance
        instance.close()


class Actor:
    """One person in their own browser context (own cookies), taking screenshots as they go."""

    def __init__(self, browser, base_url: str, name: str):
        self.context = browser.new_context(locale="ja-JP", viewport={"width": 1280, "height": 900})
        self.page = self.context.new_page()
        self.base_url, self.name, self.shots = base_url, name, 0
        ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def go(self, path: str):
        self.page.goto(self.base_url + path)
        return self.page

    def login(self, email: str, password: str, slug: str = "fukushima"):
        self.go(f"/t/{slug}/login")
        self.page.get_by_label("メールアドレス").fill(email)
        self.page.get_by_label("パスワード").fill(password)
        self.page.get_by_role("button", name="ログイン").click()
        self.page.wait_for_load_state()
        return self.page

    def shot(self, label: str) -> Path:
        self.shots += 1
        path = ARTIFACTS / f"{self.name}-{self.shots:02d}-{label}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path
