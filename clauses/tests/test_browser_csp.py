"""The strict Content-Security-Policy holds in a real browser: every page sends
it, and no page breaks it (no inline script or style, no eval), with the
reader, the notes panel, the queue and the import form working."""

import io

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

PAGES = [
    "/",
    "/documents/2024-yijian/",
    "/documents/2024-yijian/read/",
    "/documents/2024-yijian/read/?view=apparatus",
    "/documents/2024-yijian/u/c13/",
    "/documents/2024-yijian/queue/",
    "/documents/2024-yijian/history/",
    "/documents/2024-yijian/sources/B/",
    "/documents/2017-fangan/read/",
    "/import/",
    "/notes/",
    "/flags/",
    "/tags/",
    "/accounts/me/",
]


def test_no_page_breaks_the_policy(browser, live_server):
    """In a context of its own: the shared ``page`` fixture bypasses the CSP."""
    call_command("load_demo", stdout=io.StringIO())
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.base = live_server.url
    User.objects.create_user("editor", password="secret-pw-1", is_staff=True)
    violations = []
    page.on(
        "console",
        lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    sign_in(page, "editor", "secret-pw-1")
    for path in PAGES:
        response = page.goto(page.base + path)
        assert response.status == 200, path
        policy = response.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy
        page.wait_for_load_state("networkidle")
        assert not violations, (path, violations)
    # Scripts run under the policy: htmx swaps the reader, reader.js opens a mark.
    page.goto(page.base + "/documents/2024-yijian/read/")
    page.click("text=Critical apparatus") if page.locator("text=Critical apparatus").count() else (
        page.click("text=校勘记")
    )
    page.wait_for_selector(".rd-apparatus")
    assert not violations, violations
    context.close()
