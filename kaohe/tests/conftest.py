"""A real headless Chromium (Debian's package) driven by Playwright against the live test server."""

import os
import shutil

import pytest

CHROMIUM = os.environ.get("KAOHE_CHROMIUM", "/usr/bin/chromium")
# Flags that keep Chromium off the network: the intranet has none and the sandbox runs as root.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser():
    if os.environ.get("KAOHE_SKIP_BROWSER") == "1":
        pytest.skip("KAOHE_SKIP_BROWSER=1")
    if not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} not found: `apt-get install chromium` (or set KAOHE_SKIP_BROWSER=1)")
    # Playwright's sync API runs an event loop in this thread; the ORM calls made by fixtures are safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800})
    p = context.new_page()
    p.set_default_timeout(10_000)
    yield p
    context.close()
