"""In a real browser: notes written, edited and deleted in place; a flag from form to errata."""

import pytest
from playwright.sync_api import expect

from annotations.models import Flag, Note
from clauses.models import Unit
from conftest import select_in_canonical, sign_in

from .conftest import make_user

pytestmark = pytest.mark.django_db(transaction=True)

PANEL = "/documents/2024-yijian/u/c13/notes/"


def test_select_text_add_edit_and_delete_a_note_in_place(page, artifacts):
    owner = make_user("olga", "annotator")
    sign_in(page, "olga", "olga-secret-pw-1")
    page.goto(page.base + PANEL)
    page.evaluate("window.__marker = 'no reload'")

    canonical = Unit.objects.get(document__slug="2024-yijian", key="c13").canonical
    start = canonical.index("职业生涯指导计划")
    select_in_canonical(page, start, start + 8)
    page.click(".an-select-button")
    assert page.locator("[data-quote-text]").inner_text() == "职业生涯指导计划"
    page.fill(".an-new textarea[name=body]", "这是**重点**：见第三条。")
    page.fill(".an-new input[name=tags]", "职业发展, 待核")
    page.select_option(".an-new select[name=visibility]", "shared")
    page.click(".an-new button[type=submit]")
    page.locator(".an-list > li.an-note").first.wait_for()
    note = Note.objects.get(author=owner)
    assert (note.exact, note.start, note.end, note.visibility) == (
        "职业生涯指导计划",
        start,
        start + 8,
        "shared",
    )
    item = page.locator(f"#note-{note.pk}")
    assert "重点" in item.locator("strong").inner_text()
    assert item.locator(".an-quote").inner_text() == "职业生涯指导计划"
    assert page.locator("[data-panel-count]").inner_text() == "1"
    # The new span is highlighted in the text, without a reload.
    mark = page.locator(f'[data-canonical-unit] mark.an-span[data-notes="{note.pk}"]')
    expect(mark).to_have_text("职业生涯指导计划")
    assert page.locator("[data-canonical-unit]").inner_text() == canonical
    assert page.evaluate("window.__marker") == "no reload"
    page.screenshot(path=str(artifacts / "notes-panel-added.png"), full_page=True)

    # Edit in place.
    item.locator("text=编辑").or_(item.locator("text=Edit")).first.click()
    page.locator(f"#note-{note.pk}.is-editing textarea").fill("改过的笔记")
    page.locator(f"#note-{note.pk}.is-editing button[type=submit]").click()
    page.locator(f"#note-{note.pk}:not(.is-editing)").wait_for()
    assert "改过的笔记" in page.locator(f"#note-{note.pk} .an-body").inner_text()
    assert Note.objects.get(pk=note.pk).body == "改过的笔记"

    # Delete in place, after confirming.
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(f"#note-{note.pk} .an-delete").click()
    page.locator(f"#note-{note.pk}").wait_for(state="detached")
    assert not Note.objects.filter(pk=note.pk).exists()
    expect(page.locator("[data-panel-count]")).to_have_text("0")  # after htmx settles
    expect(page.locator("[data-canonical-unit] mark.an-span")).to_have_count(0)
    assert page.evaluate("window.__marker") == "no reload"


def test_flag_a_reading_confirm_it_and_see_it_in_the_errata(page, browser, live_server, artifacts):
    make_user("olga", "annotator")
    make_user("edna", "editor")
    sign_in(page, "olga", "olga-secret-pw-1")
    page.goto(page.base + PANEL + "#variants")
    first_site = page.locator(".an-sites > li").first
    first_site.locator(".an-site-readings li", has_text="B").locator(".an-flag-link").click()
    form = first_site.locator(".an-flag form")
    form.wait_for()
    form.locator("input[name=proposed]").fill("横向")
    form.locator("textarea[name=comment]").fill("报纸排印错误：应为“横向”。")
    form.locator("button[type=submit]").click()
    first_site.locator(".an-flag-done").wait_for()
    flag = Flag.objects.get()
    assert (flag.source.siglum, flag.reading, flag.proposed) == ("B", "纵向", "横向")

    editor = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    epage = editor.new_page()
    epage.base = live_server.url
    sign_in(epage, "edna", "edna-secret-pw-1")
    epage.goto(epage.base + "/flags/")
    row = epage.locator(f"#flag-{flag.pk}")
    assert "报纸排印错误" in row.inner_text()
    row.locator("input[value=confirm]").check()
    row.locator("textarea[name=reason]").fill("与人民日报原件核对。")
    row.locator("button[type=submit]").click()
    epage.locator(f"#flag-{flag.pk}.an-state-confirmed").wait_for()
    epage.screenshot(path=str(artifacts / "flags-queue-confirmed.png"), full_page=True)
    flag.refresh_from_db()
    assert flag.state == "confirmed" and flag.decision is not None

    epage.goto(epage.base + "/documents/2024-yijian/sources/B/errata/")
    table = epage.locator("table.an-errata")
    assert "纵向" in table.locator("del").first.inner_text()
    assert "横向" in table.locator("ins").first.inner_text()
    epage.screenshot(path=str(artifacts / "errata-B.png"), full_page=True)
    editor.close()
