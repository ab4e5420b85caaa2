"""Notes and flags in the reader, in a real browser: select text in the canonical
column and note it, edit and delete the note in the side panel; flag a copy's
reading from its mark, have an editor confirm it, find it in the copy's errata."""

import re

import pytest
from django.contrib.auth.models import Group, User
from playwright.sync_api import expect

from annotations.anchoring import anchor_at
from annotations.models import Flag, Note, Visibility
from clauses.models import Unit, VariantSite
from conftest import select_in_canonical, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

SLUG = "2024-yijian"
READ = f"/documents/{SLUG}/read/"


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def make_user(name: str, role: str) -> User:
    user = User.objects.create_user(name, password=f"{name}-secret-pw-1")
    # get_or_create: a transactional test flushes the groups of the data migration.
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user


def c13() -> Unit:
    return Unit.objects.get(document__slug=SLUG, key="c13")


def zong_site() -> VariantSite:
    """c13: B reads 纵向 where A, C, D and the canonical text read 横向."""
    return next(s for s in c13().sites.order_by("index") if "纵" in s.readings.get("B", ""))


def test_select_text_in_the_reader_add_edit_and_delete_a_note(page, artifacts):
    olga = make_user("olga", "annotator")
    sign_in(page, "olga", "olga-secret-pw-1")
    page.goto(page.base + READ + "#r-c13")
    page.evaluate("window.__marker = 'no reload'")

    canonical = c13().canonical
    text = page.locator('#r-c13 [data-canonical-unit="c13"]')
    # The site numbers are CSS: the element's text is exactly the canonical text.
    assert text.inner_text() == canonical
    count = page.locator('#r-c13 [data-note-count="c13"]')
    expect(count).to_have_text("0")
    assert page.locator("#rd-notes").is_hidden()

    # 横向发展 runs over the end of the first variant site (横向, B: 纵向).
    start = canonical.index("横向发展")
    select_in_canonical(page, start, start + 4, key="c13")
    button = page.locator(".an-select-button")
    expect(button).to_have_text("添加笔记")
    button.click()
    # The unit's panel opens beside the table with the selection in its form.
    panel = page.locator("#rd-notes #notes-panel-c13")
    panel.wait_for()
    expect(panel.locator("[data-quote-text]")).to_have_text("横向发展")
    expect(page.locator("#rd-notes .rd-notes-where")).to_have_text("（十三）")
    assert page.evaluate("document.activeElement.name") == "body"  # the note's textarea
    panel.locator(".an-new textarea[name=body]").fill("**横向**：与 B 本“纵向”对校。")
    panel.locator(".an-new select[name=visibility]").select_option("shared")
    panel.locator(".an-new button[type=submit]").click()
    panel.locator(".an-list > li.an-note").first.wait_for()

    note = Note.objects.get(author=olga)
    assert (note.exact, note.start, note.end, note.visibility) == (
        "横向发展",
        start,
        start + 4,
        "shared",
    )
    expect(count).to_have_text("1")
    # Highlighted, cut in two at the site span's end; the text is unchanged.
    marks = text.locator(f'mark.an-span[data-notes="{note.pk}"]')
    expect(marks).to_have_count(2)
    assert "".join(marks.all_inner_texts()) == "横向发展"
    assert text.inner_text() == canonical
    assert page.evaluate("window.__marker") == "no reload"
    page.screenshot(path=str(artifacts / "reader-note-added.png"))

    # Edit in place.
    item = panel.locator(f"#note-{note.pk}")
    item.locator(".an-actions a").first.click()
    page.locator(f"#note-{note.pk}.is-editing textarea").fill("改过的笔记")
    page.locator(f"#note-{note.pk}.is-editing button[type=submit]").click()
    page.locator(f"#note-{note.pk}:not(.is-editing)").wait_for()
    expect(page.locator(f"#note-{note.pk} .an-body")).to_contain_text("改过的笔记")
    assert Note.objects.get(pk=note.pk).body == "改过的笔记"
    expect(count).to_have_text("1")
    expect(marks).to_have_count(2)

    # Delete in place, after confirming.
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(f"#note-{note.pk} .an-delete").click()
    page.locator(f"#note-{note.pk}").wait_for(state="detached")
    assert not Note.objects.filter(pk=note.pk).exists()
    expect(count).to_have_text("0")
    expect(text.locator("mark.an-span")).to_have_count(0)
    assert page.evaluate("window.__marker") == "no reload"

    # The panel closes; the unit's count button opens it again.
    page.click("#rd-notes .rd-notes-close")
    expect(page.locator("#rd-notes")).to_be_hidden()
    page.click("#r-c13 .rd-nb")
    expect(page.locator("#rd-notes #notes-panel-c13 .an-empty")).to_be_visible()


def test_others_notes_in_the_reader_shared_yes_private_never(page, artifacts):
    make_user("olga", "annotator")
    otto = make_user("otto", "annotator")
    unit = c13()

    def note(visibility, body, quote):
        start = unit.canonical.index(quote)
        fields = anchor_at(unit.canonical, start, start + len(quote)).as_fields()
        return Note.objects.create(
            author=otto, unit=unit, visibility=visibility, body=body, **fields
        )

    shared = note(Visibility.SHARED, "otto 的共享笔记", "职业技能等级")
    private = note(Visibility.PRIVATE, "otto 的私人笔记", "学历教育")
    sign_in(page, "olga", "olga-secret-pw-1")
    page.goto(page.base + READ + "#r-c13")
    text = page.locator('[data-canonical-unit="c13"]')
    expect(page.locator('#r-c13 [data-note-count="c13"]')).to_have_text("1")
    expect(text.locator("mark.an-span")).to_have_count(1)
    assert page.locator(f'[data-notes="{private.pk}"]').count() == 0

    # A click on the highlight opens the unit's notes at that note.
    text.locator(f'mark.an-span[data-notes="{shared.pk}"]').click()
    item = page.locator(f"#rd-notes #note-{shared.pk}")
    expect(item).to_contain_text("otto 的共享笔记")
    assert "otto 的私人笔记" not in page.content()
    page.screenshot(path=str(artifacts / "reader-notes-panel.png"))

    # Her filter "mine": none of hers, so nothing counted or marked.
    page.click(".rd-notefilter a:has-text('我的')")
    page.wait_for_url(re.compile(r"notes=mine"))
    expect(page.locator('#r-c13 [data-note-count="c13"]')).to_have_text("0")
    expect(page.locator('[data-canonical-unit="c13"] mark.an-span')).to_have_count(0)


def test_flag_a_reading_from_its_mark_confirm_it_and_see_it_in_the_errata(
    page, browser, live_server, artifacts
):
    make_user("olga", "annotator")
    make_user("edna", "editor")
    site = zong_site()
    sign_in(page, "olga", "olga-secret-pw-1")
    page.goto(page.base + READ + "?s=A&s=B#r-c13")

    page.click(f'#r-c13 td[data-g="B"] button.mk[data-site="{site.pk}"]')
    dialog = page.locator("#rd-panel")
    dialog.wait_for(state="visible")
    link = dialog.locator(".rd-flag-link")
    expect(link).to_have_text("报告录入错误")
    assert link.get_attribute("href") == f"/documents/{SLUG}/sites/{site.pk}/flag/?source=B"
    link.click()
    form = dialog.locator("#rd-flag-box .an-flag form")
    form.wait_for()
    expect(dialog.locator(".an-printed")).to_have_text("纵向")
    form.locator("input[name=proposed]").fill("横向")
    form.locator("textarea[name=comment]").fill("辽源日报排印错误：应为“横向”。")
    page.screenshot(path=str(artifacts / "reader-flag-form.png"))
    form.locator("button[type=submit]").click()
    expect(dialog.locator(".an-flag-done")).to_contain_text("横向")
    flag = Flag.objects.get()
    assert (flag.source.siglum, flag.reading, flag.proposed, flag.state) == (
        "B",
        "纵向",
        "横向",
        "open",
    )
    assert "排印错误" in flag.comment

    editor = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    epage = editor.new_page()
    epage.base = live_server.url
    sign_in(epage, "edna", "edna-secret-pw-1")
    epage.goto(epage.base + "/flags/")
    row = epage.locator(f"#flag-{flag.pk}")
    expect(row).to_contain_text("辽源日报排印错误")
    row.locator("input[value=confirm]").check()
    row.locator("textarea[name=reason]").fill("与辽源日报原版核对。")
    row.locator("button[type=submit]").click()
    epage.locator(f"#flag-{flag.pk}.an-state-confirmed").wait_for()
    flag.refresh_from_db()
    assert flag.state == "confirmed"

    # B's column header in the reader links to B's errata, which list it.
    epage.goto(epage.base + READ + "?s=A&s=B")
    epage.click("#h-B .rd-h-errata")
    epage.wait_for_url(re.compile(rf"/documents/{SLUG}/sources/B/errata/$"))
    table = epage.locator("table.an-errata")
    expect(table.locator("del").first).to_contain_text("纵向")
    expect(table.locator("ins").first).to_contain_text("横向")
    epage.screenshot(path=str(artifacts / "reader-errata-B.png"), full_page=True)
    editor.close()


def test_a_stale_site_says_so(page):
    make_user("olga", "annotator")
    site = zong_site()
    sign_in(page, "olga", "olga-secret-pw-1")
    page.goto(page.base + READ + "#r-c13")
    page.click(f'#r-c13 td[data-g="B"] button.mk[data-site="{site.pk}"]')
    VariantSite.objects.filter(pk=site.pk).delete()  # as a re-collation would
    page.locator("#rd-panel .rd-flag-link").click()
    expect(page.locator("#rd-panel .rd-flag .an-error")).to_contain_text("请重新加载页面")
    assert page.locator("#rd-flag-box .an-flag").count() == 0
