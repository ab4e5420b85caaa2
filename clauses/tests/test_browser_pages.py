"""Pages of bounded size in a real browser: the pagers of the document page, the
source page and the comparison swap their part with htmx, push the address
(so a reload or a shared link shows the same page) and keep the filter."""

import pytest

from .test_pages import long_document

pytestmark = pytest.mark.django_db(transaction=True)


def test_comparison_pages_with_htmx_and_keeps_the_filter(page, artifacts):
    long_document(1_500, slug="old", seed=1)
    long_document(1_000, slug="new", seed=1)
    page.goto(page.base + "/compare/old/new/")
    summary = page.locator(".compare-summary").inner_text()
    assert page.locator("#compare-rows section.compare-row").count() == 100
    page.locator(".compare-pager a[rel=next]").first.click()
    page.wait_for_url("**/compare/old/new/?page=2")
    page.wait_for_selector("#new-p100")
    assert page.locator("#new-p0").count() == 0
    assert page.locator(".compare-summary").inner_text() == summary  # the whole, unchanged
    # Changes only: the first page of the changed rows; the pager keeps the filter.
    page.locator(".compare-filter input[name=changes]").check()
    page.wait_for_url("**/compare/old/new/?changes=1")
    page.wait_for_function(
        "[...document.querySelectorAll('#compare-rows section.compare-row')]"
        ".every(r => r.classList.contains('rel-removed'))"
    )
    page.locator(".compare-pager a[rel=next]").first.click()
    page.wait_for_url("**/compare/old/new/?changes=1&page=2")
    page.screenshot(path=str(artifacts / "compare-pages.png"), full_page=False)
    # The address pushed is a real page: a reload shows the same rows.
    first_row = page.locator("#compare-rows section.compare-row .compare-text").first.inner_text()
    page.reload()
    assert (
        page.locator("#compare-rows section.compare-row .compare-text").first.inner_text()
        == first_row
    )


def test_document_and_source_pages_page_with_htmx(page, artifacts):
    long_document(1_000)
    page.goto(page.base + "/documents/long/")
    assert page.locator("#u-p200").count() == 0
    page.locator(".doc-pager a[rel=next]").first.click()
    page.wait_for_url("**/documents/long/?page=2")
    page.wait_for_selector("#u-p200")
    assert page.locator("#u-p1").count() == 0
    assert "1000/1000" in page.locator(".sources-box").inner_text()  # whole-document counts
    page.screenshot(path=str(artifacts / "document-pages.png"), full_page=False)
    # The source page: the original text, a page at a time.
    page.goto(page.base + "/documents/long/sources/B/")
    first = page.locator("pre.original.marked").inner_text()
    page.locator(".source-pager a[rel=next]").first.click()
    page.wait_for_url("**/documents/long/sources/B/?page=2")
    page.wait_for_function(
        "(t) => document.querySelector('pre.original.marked').innerText !== t", arg=first
    )
    assert "第 2 页" in page.locator(".source-pager").first.inner_text()
    page.screenshot(path=str(artifacts / "source-pages.png"), full_page=False)
