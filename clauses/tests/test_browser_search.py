"""Search in a real browser, with the Content-Security-Policy on: type in the
header's box, see the hits highlighted; narrow them with the page's filters
(htmx); follow a copy's reading to the reader."""

import io

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db(transaction=True)


def test_header_search_shows_highlighted_hits_under_the_policy(browser, live_server, artifacts):
    call_command("load_demo", stdout=io.StringIO())
    # A context of its own: the shared ``page`` fixture bypasses the CSP.
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    violations, errors = [], []
    page.on(
        "console",
        lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    page.on("pageerror", lambda e: errors.append(str(e)))

    response = page.goto(live_server.url + "/documents/2024-yijian/")
    assert "unsafe-inline" not in response.headers["content-security-policy"]
    box = page.locator("header #site-q")
    box.fill("工匠培養")  # traditional: finds the simplified texts
    box.press("Enter")
    page.wait_for_url("**/search/?q=*")
    page.wait_for_selector(".sr-hit mark")
    marks = page.locator(".sr-hit mark").all_inner_texts()
    assert marks and set(marks) == {"工匠培养"}
    assert page.locator(".sr-canonical .sr-hit").count() == 1
    assert page.locator(".sr-reading .sr-copy").count() == 4
    assert page.locator("header #site-q").input_value() == "工匠培養"
    page.screenshot(path=str(artifacts / "search.png"), full_page=True)

    # The filters swap the results in place (htmx) and keep the address in step.
    page.select_option("#sr-kind", "reading")
    page.locator(".sr-canonical").wait_for(state="detached")
    assert "kind=reading" in page.url
    assert page.locator(".sr-reading .sr-copy").count() == 4

    # A copy's reading opens the reader with that copy, at the unit.
    page.locator(".sr-copy", has_text="D").first.click()
    page.wait_for_url("**/read/?s=D*")
    assert page.locator("tr.rd-row:target, section.rd-unit:target").count() == 1
    page.wait_for_load_state("networkidle")
    assert not violations, violations
    assert not errors, errors
    context.close()
