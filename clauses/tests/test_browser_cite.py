"""The cite box in a real browser: copying a citation, and printing it whole
(issue 11; issue 12 asks that the printed citation URL is never cut off)."""

import io

import pytest
from pdfminer.high_level import extract_text
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)

UNIT = "/documents/2017-fangan/u/s2.c1/"


def test_copying_each_citation_format(page, artifacts):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=page.base)
    page.goto(page.base + UNIT)
    for format_id in ("cite-gbt7714", "cite-plain"):
        line = page.locator(f"#{format_id}").inner_text()
        assert "二、（一）" in line and "?rev=1" in line
        button = page.locator(f'[data-copy="#{format_id}"]')
        assert button.is_visible()  # revealed by static/js/editor.js
        button.click()
        status = button.locator("xpath=following-sibling::span[@class='copy-status']")
        expect(status).to_have_text("已复制。")
        assert page.evaluate("navigator.clipboard.readText()") == line
    page.locator(".cite-box").screenshot(path=str(artifacts / "cite-box.png"))


def test_the_printed_unit_page_keeps_the_whole_citation_url(page, artifacts):
    page.set_viewport_size({"width": 360, "height": 800})
    page.goto(page.base + UNIT + "?rev=1")
    url = page.locator(".cite-url a").first.inner_text()
    assert url == page.base + UNIT + "?rev=1"
    page.emulate_media(media="print")
    # On a narrow page every line box of the URL lies within the page.
    width = page.evaluate("document.documentElement.clientWidth")
    rights = page.evaluate(
        "[...document.querySelectorAll('.cite-url a, .cite-line')]"
        ".flatMap(el => [...el.getClientRects()].map(r => r.right))"
    )
    assert rights and max(rights) <= width + 0.5
    assert page.evaluate(
        "[...document.querySelectorAll('.cite-box')].every(b => b.scrollWidth <= b.clientWidth)"
    )
    # And in the PDF the browser prints (A6: narrower than the URL), the URL
    # is all there once the lines are joined again.
    pdf = page.pdf(format="A6", print_background=False)
    (artifacts / "unit-print.pdf").write_bytes(pdf)
    text = "".join(extract_text(io.BytesIO(pdf)).split())
    assert url in text
    assert "GB/T7714-2015" in text
