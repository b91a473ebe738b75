"""Browser fixtures: the real app under waitress on a free loopback port, and Debian's Chromium
driven by Playwright (`playwright install` cannot download browsers here, so we launch
/usr/bin/chromium through executable_path). Screenshots go to tests/output/screenshots/.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from browser_support import SCREENSHOTS, LiveServer  # shared with test modules

CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--autoplay-policy=no-user-gesture-required",
    "--font-render-hinting=none",
]


@pytest.fixture
def live_server(app):
    server = LiveServer(app)
    # QR codes point at the hall's configured address, never at the request's Host header:
    # here that is the test server's own address.
    app.config["PUBLIC_BASE_URL"] = server.url
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: scripts/test.py installs Debian's chromium")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def screenshot_dir() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


def new_page(
    browser,
    *,
    width: int = 1920,
    height: int = 1080,
    touch: bool = False,
    mobile: bool = False,
    locale: str = "zh-CN",
):
    """A page in a fresh context (own cookies) of the given viewport."""
    context = browser.new_context(
        viewport={"width": width, "height": height},
        has_touch=touch,
        is_mobile=mobile,
        locale=locale,
        device_scale_factor=1,
    )
    return context.new_page()


@pytest.fixture
def page_factory(browser):
    contexts = []

    def make(**kwargs):
        page = new_page(browser, **kwargs)
        contexts.append(page.context)
        return page

    yield make
    for context in contexts:
        context.close()
