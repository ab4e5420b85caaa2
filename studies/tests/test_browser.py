"""In a real browser: build a set from the reader, reorder it by drag and by
buttons, and open the print view."""

import time

import pytest
from playwright.sync_api import expect

from conftest import sign_in
from studies.models import StudySet

from .conftest import make_user

pytestmark = pytest.mark.django_db(transaction=True)


def item_keys(study_set):
    return list(study_set.items.order_by("position").values_list("unit__key", flat=True))


def wait_for(predicate, timeout=10.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()


def test_build_a_set_from_the_reader_reorder_and_print(page, artifacts):
    make_user("olga", "annotator")
    sign_in(page, "olga", "olga-secret-pw-1")
    page.goto(page.base + "/documents/2024-yijian/read/")
    page.evaluate("window.__marker = 'no reload'")

    # The first unit: "add to study set" opens the small form in place; a new set.
    page.click("tr[data-key=c1] .st-add-link")
    form = page.locator("[data-key=c1] form.st-add")
    expect(form).to_be_visible()
    form.locator("select[name=set]").select_option("new")
    form.locator("button[type=submit]").click()
    expect(page.locator("[data-key=c1] .st-added")).to_contain_text("已加入")
    study_set = StudySet.objects.get()
    assert item_keys(study_set) == ["c1"]

    # The second unit goes into the same set (offered first).
    page.click("tr[data-key=c2] .st-add-link")
    form = page.locator("[data-key=c2] form.st-add")
    expect(form.locator("select[name=set] option").first).to_have_attribute(
        "value", str(study_set.pk)
    )
    form.locator("button[type=submit]").click()
    expect(page.locator("[data-key=c2] .st-added")).to_be_visible()
    assert item_keys(study_set) == ["c1", "c2"]
    assert page.evaluate("window.__marker") == "no reload"

    # The set's page: drag the second item above the first.
    page.locator("[data-key=c2] .st-added a").click()
    page.wait_for_url(f"**/studies/{study_set.pk}/")
    first, second = study_set.items.order_by("position")
    page.locator(f"#item-{second.pk} .st-handle").drag_to(page.locator(f"#item-{first.pk}"))
    assert wait_for(lambda: item_keys(study_set) == ["c2", "c1"]), item_keys(study_set)
    expect(page.locator(".st-item .st-locator").first).to_have_text("（二）")

    # And back with the ↓ button of the (new) first item.
    page.locator(f"#item-{second.pk} button[value=down]").click()
    assert wait_for(lambda: item_keys(study_set) == ["c1", "c2"])
    expect(page.locator(".st-item .st-locator").first).to_have_text("（一）")
    page.screenshot(path=str(artifacts / "study-set.png"), full_page=True)

    # The print view, with the talking points and no quiz.
    page.click("text=打印版")
    page.wait_for_url(f"**/studies/{study_set.pk}/print/**")
    body = page.locator("body").inner_text()
    c1 = study_set.items.order_by("position").first().unit.canonical
    assert c1[:30] in body
    assert study_set.title in body
