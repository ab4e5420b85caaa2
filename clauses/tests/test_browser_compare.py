"""The comparison of two documents in a real browser: from the document page to
the comparison, the “changes only” filter (htmx, and without JavaScript), an
editor's correction of the pairing."""

import pytest
from django.contrib.auth.models import User

from clauses.models import ComparisonCorrection, DocumentRelation
from conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

PLAN, OPINION = "2017-fangan", "2024-yijian"


def test_relate_compare_filter_and_correct(page, artifacts):
    User.objects.create_user("editor", password="secret-pw-1", is_staff=True)
    sign_in(page, "editor", "secret-pw-1")
    # The editor says the Opinion builds on the Plan, on the Opinion's page.
    page.goto(page.base + f"/documents/{OPINION}/")
    page.locator("details.relations-box summary").click()
    page.select_option("select[name=kind]", "builds_on")
    page.select_option("select[name=other]", PLAN)
    page.locator(".relation-form button[type=submit]").click()
    page.wait_for_selector("a.compare-link")
    assert DocumentRelation.objects.filter(kind="builds_on").count() == 1
    # The relation links the comparison.
    page.locator(f'a.compare-link[href="/compare/{PLAN}/{OPINION}/"]').click()
    page.wait_for_url(f"**/compare/{PLAN}/{OPINION}/")
    rows = page.locator("#compare-rows section.compare-row")
    total = rows.count()
    assert total > 40
    assert page.locator(".compare-summary li").count() == 7
    page.screenshot(path=str(artifacts / "compare-plan-opinion.png"), full_page=True)

    # Changes only: htmx swaps the rows, the address keeps the filter.
    page.locator(".compare-filter input[name=changes]").check()
    page.wait_for_url("**?changes=1")
    page.wait_for_function(
        f"document.querySelectorAll('#compare-rows section.compare-row').length < {total}"
    )
    assert page.locator("#compare-rows section.rel-same").count() == 0

    # An editor pairs two units the threshold kept apart; the pairing is kept.
    page.select_option("#id_old", "i1")
    page.select_option("#id_new", "c2")
    page.locator(".compare-pair-form button[type=submit]").click()
    page.wait_for_selector("section.compare-row.is-fixed")
    assert ComparisonCorrection.objects.get().new_keys == ["c2"]
    fixed = page.locator("section.compare-row.is-fixed")
    assert "强化和创新产业工人队伍党建工作" in fixed.inner_text()
    assert fixed.locator("del").count() > 0 and fixed.locator("ins").count() > 0


def test_changes_only_without_javascript(browser, live_server, page):
    context = browser.new_context(locale="zh-CN", java_script_enabled=False)
    nojs = context.new_page()
    nojs.goto(live_server.url + f"/compare/{PLAN}/{OPINION}/")
    total = nojs.locator("#compare-rows section.compare-row").count()
    nojs.locator(".compare-filter input[name=changes]").check()
    nojs.locator(".compare-filter button[type=submit]").click()
    nojs.wait_for_url("**?changes=1")
    assert nojs.locator("#compare-rows section.compare-row").count() < total
    assert nojs.locator("#compare-rows section.rel-same").count() == 0
    context.close()
