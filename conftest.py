"""Test set-up shared by every app.

- The demo corpus is loaded once per run into the test database; tests run in
  transactions that roll back, so each sees the five demo sources. Browser
  tests (transactional, run last by pytest-django) load it again themselves.
- ``browser``: headless Debian Chromium driven by Playwright. A missing browser
  fails the run: it never skips.
"""

import io
import os
from pathlib import Path

import pytest
from django.core.management import call_command

ARTIFACTS = Path(__file__).resolve().parent / "var" / "test-artifacts"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("load_demo", stdout=io.StringIO())


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is missing at {CHROMIUM}: browser tests cannot run (see .ci/run).")
    # Playwright's sync API runs an event loop; the ORM calls the tests make
    # between browser steps are still plain synchronous calls.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser, live_server):
    """A fresh page (Chinese locale) on the live server, demo corpus loaded."""
    call_command("load_demo", stdout=io.StringIO())
    # Playwright's wait_for_function polls string predicates with eval, which
    # the app's strict CSP forbids: tests bypass it here, and
    # clauses/tests/test_browser_csp.py checks the policy in a context of its own.
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 1280, "height": 900}, bypass_csp=True
    )
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.base = live_server.url
    yield page
    context.close()
    assert not errors, errors


@pytest.fixture
def artifacts():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


def sign_in(page, username: str, password: str) -> None:
    page.goto(page.base + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("[type=submit]")
    page.wait_for_load_state()


def select_in_canonical(page, start: int, end: int, key: str | None = None) -> None:
    """Select characters [start, end) of a unit's canonical text, as a mouse
    would (the first ``[data-canonical-unit]`` element when no key is given)."""
    page.evaluate(
        """([key, start, end]) => {
            const el = document.querySelector(
                key ? `[data-canonical-unit="${key}"]` : '[data-canonical-unit]');
            const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
            let pos = 0, node, range = document.createRange(), begun = false;
            while ((node = walker.nextNode())) {
                const len = node.textContent.length;
                if (!begun && start < pos + len) {
                    range.setStart(node, start - pos);
                    begun = true;
                }
                if (begun && end <= pos + len) { range.setEnd(node, end - pos); break; }
                pos += len;
            }
            const sel = window.getSelection();
            sel.removeAllRanges();
            sel.addRange(range);
            document.dispatchEvent(new MouseEvent('mouseup', {bubbles: true}));
        }""",
        [key, start, end],
    )
