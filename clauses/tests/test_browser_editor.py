"""The editors' pages in a real browser: deciding in the queue (htmx and without
JavaScript), emending on the unit page, copying the citation."""

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from clauses.models import SiteDecision, Unit
from conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

QUEUE = "/documents/2024-yijian/queue/"


@pytest.fixture(autouse=True)
def whole_queue(settings):
    """These tests find their units on one page of the queue (paging: test_editor)."""
    settings.QUEUE_UNITS_PER_PAGE = 1000


@pytest.fixture
def editor():
    return User.objects.create_user("editor", password="secret-pw-1", is_staff=True)


def test_deciding_in_the_queue_swaps_the_units_rows(page, artifacts, editor):
    sign_in(page, "editor", "secret-pw-1")
    page.goto(page.base + QUEUE + "?state=open")
    rows = page.locator("#q-c13 tr.queue-row")
    count = rows.count()
    assert count >= 3
    first = rows.first
    first.locator(".decide-choose input[name=reason]").fill("辽源日报为正式转载")
    first.locator("button.btn-reading:not(.is-canonical)").first.click()
    notice = page.locator("#q-c13 .notice-row")
    notice.wait_for()
    assert "纵" in notice.inner_text()
    # The decided site left the "open" list; the counts were redrawn.
    assert page.locator("#q-c13 tr.queue-row").count() == count - 1
    assert "1" in page.locator('#queue-facets a[href*="state=decided"] .count').inner_text()
    page.screenshot(path=str(artifacts / "editor-queue-decided.png"))
    decision = SiteDecision.objects.get()
    assert decision.reason == "辽源日报为正式转载" and decision.decided_by == editor
    assert "纵" in Unit.objects.get(key="c13", document__slug="2024-yijian").canonical[:10]

    # Another site of the same unit right away: its row was redrawn with its new id.
    page.locator("#q-c13 tr.queue-row").first.locator("button.btn-reading.is-canonical").click()
    page.wait_for_function(
        f"document.querySelectorAll('#q-c13 tr.queue-row').length === {count - 2}"
    )
    assert SiteDecision.objects.filter(active=True).count() == 2


def test_deciding_without_javascript_posts_and_comes_back(browser, live_server, editor, page):
    context = browser.new_context(locale="zh-CN", java_script_enabled=False)
    nojs = context.new_page()
    nojs.base = live_server.url
    sign_in(nojs, "editor", "secret-pw-1")
    nojs.goto(nojs.base + QUEUE + "?type=substitution")
    nojs.locator("#q-c22 tr.queue-row").first.locator(
        "button.btn-reading:not(.is-canonical)"
    ).first.click()
    nojs.wait_for_load_state()
    assert nojs.url.endswith(QUEUE + "?type=substitution#q-c22")
    assert "已记录裁定" in nojs.locator(".messages").inner_text()
    assert nojs.locator("#q-c22 tr.is-decided").count() == 1
    # The citation is there to select, without the copy button.
    nojs.goto(nojs.base + "/documents/2024-yijian/u/c22/")
    assert nojs.locator("#cite-gbt7714").inner_text().startswith("中共中央")
    assert nojs.locator(".copy-btn").count() == 2
    assert nojs.locator(".copy-btn:visible").count() == 0
    context.close()


def test_emending_on_the_unit_page_and_copying_the_citation(page, artifacts, editor):
    sign_in(page, "editor", "secret-pw-1")
    page.goto(page.base + "/documents/2024-yijian/u/c22/")
    copy = page.locator(".copy-btn").first
    assert copy.is_visible()
    copy.click()
    # The status is written when the clipboard promise settles: wait for it.
    expect(page.locator(".copy-status").first).not_to_have_text("")
    note = page.locator(".app-note").filter(has_text="OCR").first
    note.locator("details.emend summary").click()
    note.locator("details.emend input[name=text]").fill("巾帼")
    note.locator("details.emend input[name=reason]").fill("OCR 误识，据文意改")
    note.locator("details.emend button[type=submit]").click()
    page.locator("#unit-body .flash").wait_for()
    assert "巾帼" in page.locator(".canonical").inner_text()
    assert "OCR 误识" in page.locator(".history").inner_text()
    page.screenshot(path=str(artifacts / "editor-unit-emended.png"), full_page=True)
    assert SiteDecision.objects.get().action == "emend"


def test_deciding_a_site_in_a_unit_whose_key_has_a_dot(page, artifacts, editor):
    """s1.p2: the rows' id is made by the one helper (q-s1_dp2), so htmx finds its target."""
    sign_in(page, "editor", "secret-pw-1")
    unit = Unit.objects.get(document__slug="2024-yijian", key="s1.p2")
    assert unit.sites.exists()
    page.goto(page.base + QUEUE)
    rows = page.locator("#q-s1_dp2 tr.queue-row")
    count = rows.count()
    assert count >= 1
    rows.first.locator("button.btn-reading").first.click()
    page.locator("#q-s1_dp2 .notice-row").wait_for()
    assert SiteDecision.objects.filter(unit=unit, active=True).count() == 1
    expect(page.locator("#q-s1_dp2 tr.is-decided")).to_have_count(1)
    page.screenshot(path=str(artifacts / "editor-queue-s1p2.png"))
