"""The reader in a real browser: htmx switches, tooltips, the overview strip, an editor's choice."""

import re

import pytest
from django.contrib.auth.models import User

from clauses.apparatus import apparatus_note
from clauses.models import Unit
from conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

READ = "/documents/2024-yijian/read/"


def zong_site():
    """c13: B reads 纵… where the canonical text reads 横…"""
    unit = Unit.objects.get(document__slug="2024-yijian", key="c13")
    return next(s for s in unit.sites.order_by("index") if "纵" in s.readings.get("B", ""))


def columns(page) -> list[str]:
    return page.locator("#r-c13 td.rd-src").evaluate_all("tds => tds.map(td => td.dataset.g)")


def in_viewport(page, selector: str) -> bool:
    return page.evaluate(
        """sel => { const r = document.querySelector(sel).getBoundingClientRect();
                    return r.top >= 0 && r.top < window.innerHeight; }""",
        selector,
    )


def test_switching_copies_swaps_the_columns_and_the_address(page, artifacts):
    page.goto(page.base + READ)
    assert columns(page) == ["A", "B", "C", "D"]
    page.screenshot(path=str(artifacts / "reader-light.png"))

    page.uncheck("#rd-s-B")
    page.locator('#r-c13 td[data-g="B"]').wait_for(state="detached")
    assert columns(page) == ["A", "C", "D"]
    page.wait_for_url(re.compile(r"s=A&s=C&s=D$"))
    assert page.locator("#rd-s-B").is_checked() is False
    # The swap was htmx's, not a navigation: the page's panel is still the same node.
    assert page.evaluate("document.querySelectorAll('#rd-panel').length") == 1

    page.check("#rd-s-B")
    page.locator('#r-c13 td[data-g="B"]').wait_for()
    assert columns(page) == ["A", "B", "C", "D"]
    page.wait_for_url(re.compile(r"s=A&s=B&s=C&s=D$"))

    page.go_back()  # history holds each state
    page.wait_for_url(re.compile(r"s=A&s=C&s=D$"))
    page.locator('#r-c13 td[data-g="B"]').wait_for(state="detached")


def test_hovering_a_mark_shows_its_apparatus_note(page, artifacts):
    site = zong_site()
    page.goto(page.base + READ)
    mark = page.locator(f'#r-c13 td[data-g="B"] button.mk[data-site="{site.pk}"]')
    tip = mark.locator(".tip")
    assert not tip.is_visible()
    mark.hover()
    tip.wait_for(state="visible")
    assert apparatus_note(site, site.canonical_reading) in tip.inner_text()
    assert "替换" in tip.inner_text()
    page.screenshot(path=str(artifacts / "reader-tooltip.png"))
    # Keyboard users get it too.
    page.mouse.move(0, 0)
    mark.focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    tip.wait_for(state="visible")


def test_punctuation_switch(page):
    page.goto(page.base + READ)
    marks = page.locator(".rd-table .mk-punctuation")
    assert marks.count() > 0
    page.check("#rd-punct")
    page.wait_for_url(re.compile(r"punct=0"))
    page.wait_for_function("document.querySelectorAll('.rd-table .mk-punctuation').length === 0")
    page.uncheck("#rd-punct")
    page.wait_for_function("document.querySelectorAll('.rd-table .mk-punctuation').length > 0")
    assert "punct=0" not in page.url


def test_overview_cell_scrolls_to_its_row(page):
    page.goto(page.base + READ)
    assert not in_viewport(page, "#r-c24")
    page.click('a.ov-c[data-key="c24"]')
    page.wait_for_function(
        """() => { const r = document.querySelector('#r-c24').getBoundingClientRect();
                   return r.top >= 0 && r.top < window.innerHeight / 2; }"""
    )
    assert in_viewport(page, "#r-c24")
    assert "rd-flash" in page.get_attribute("#r-c24", "class")
    assert page.url.endswith("#r-c24")


def test_an_editor_makes_a_reading_canonical_from_the_reader(page, artifacts):
    site = zong_site()
    chosen = site.readings["B"]
    assert chosen != site.canonical_reading
    User.objects.create_user("editor", password="secret-pw-1", is_staff=True)
    sign_in(page, "editor", "secret-pw-1")
    page.goto(page.base + READ + "?s=A&s=B")

    page.click(f'#r-c13 td[data-g="B"] button.mk[data-site="{site.pk}"]')
    panel = page.locator("#rd-panel")
    panel.wait_for(state="visible")
    assert apparatus_note(site, site.canonical_reading) in panel.inner_text()
    assert chosen in panel.locator(".rd-panel-reading").inner_text()
    # An editor is an annotator too: the flag button for this copy's reading.
    assert panel.locator(".rd-flag-link").get_attribute("href") == (
        f"/documents/2024-yijian/sites/{site.pk}/flag/?source=B"
    )
    page.fill("#rd-reason", "辽源日报 reads 纵向; the context wants it")
    page.screenshot(path=str(artifacts / "reader-panel.png"))
    panel.locator("button[type=submit].btn-primary").click()

    page.wait_for_url(re.compile(r"/read/\?s=A&s=B#r-c13$"))
    canon = page.locator("#r-c13 td.rd-canon")
    assert chosen in canon.inner_text()
    assert "已裁定" in canon.inner_text()
    assert Unit.objects.get(document__slug="2024-yijian", key="c13").canonical.count(chosen) >= 1
    assert in_viewport(page, "#r-c13")


def test_screenshots_dark_tablet_apparatus(page, artifacts):
    page.emulate_media(color_scheme="dark")
    page.goto(page.base + READ + "#r-c13")
    page.screenshot(path=str(artifacts / "reader-dark.png"))
    page.emulate_media(color_scheme="light")
    page.set_viewport_size({"width": 800, "height": 1100})
    page.goto(page.base + READ)
    # Tablet: no sideways scrolling of the page.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(artifacts / "reader-tablet.png"))
    page.goto(page.base + READ + "?view=apparatus#r-c13")
    page.screenshot(path=str(artifacts / "reader-apparatus.png"))
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(page.base + READ + "?orig=1&s=C&s=D#r-c13")
    page.screenshot(path=str(artifacts / "reader-orig.png"))


def _import_copies(n: int) -> list[str]:
    """``n`` more copies of the Opinion (1% of the Han characters changed)."""
    import random
    from pathlib import Path

    from clauses.ingest import SourceMeta, import_source
    from clauses.models import Document

    seed = next((Path(__file__).parents[1] / "demo").glob("001_*.txt")).read_text("utf-8")
    document = Document.objects.get(slug="2024-yijian")
    sigla = []
    for i in range(n):
        rng = random.Random(40 + i)
        text = list(seed)
        for _ in range(len(text) // 100):
            j = rng.randrange(len(text))
            if "\u4e00" <= text[j] <= "\u9fff":
                text[j] = rng.choice("产业工人队伍建设改革意见技能劳动")
        result = import_source(
            "".join(text).encode(), SourceMeta(kind="web"), document=document, accept_cuts=True
        )
        sigla.append(result.source.siglum)
    return sigla


def test_picking_six_copies_side_by_side(page, artifacts):
    extra = _import_copies(2)
    page.goto(page.base + READ)
    assert columns(page) == ["A", "B", "C", "D"]
    for g in extra:
        page.check(f"#rd-s-{g}")
        page.locator(f'#r-c13 td[data-g="{g}"]').wait_for()
    assert len(columns(page)) == 6
    assert all(f"s={g}" in page.url for g in [*"ABCD", *extra])
    page.screenshot(path=str(artifacts / "reader-six.png"), full_page=False)
    # The choice is in the address: a new visit shows the same six copies.
    page.goto(page.url)
    assert len(columns(page)) == 6
    # The notes panel lies over the columns instead of squeezing them.
    width = page.evaluate("document.querySelector('#r-c13 td.rd-src').offsetWidth")
    page.click("#r-c13 .rd-nb")
    page.locator("#rd-notes .notes-panel").wait_for()
    assert page.evaluate("document.querySelector('#r-c13 td.rd-src').offsetWidth") == width
    page.screenshot(path=str(artifacts / "reader-six-notes.png"))


def test_next_and_previous_difference_by_key(page):
    page.goto(page.base + READ)
    page.locator(".rd-diffnav").wait_for()  # shown by reader.js
    assert "j" in page.locator(".rd-keys").inner_text()
    page.keyboard.press("j")
    first = page.evaluate("document.querySelector('.cs.is-current').id")
    page.keyboard.press("j")
    second = page.evaluate("document.querySelector('.cs.is-current').id")
    assert first != second
    ids = page.evaluate("Array.from(document.querySelectorAll('.rd-ctext .cs')).map(e => e.id)")
    assert ids.index(second) == ids.index(first) + 1
    page.keyboard.press("k")
    assert page.evaluate("document.querySelector('.cs.is-current').id") == first
    page.keyboard.press("n")
    assert page.evaluate("document.querySelector('.cs.is-current').id") == second
    page.click('[data-diff-step="-1"]')
    assert page.evaluate("document.querySelector('.cs.is-current').id") == first
    # Typing in a field is not moving.
    page.focus("#rd-from")
    page.keyboard.press("j")
    assert page.evaluate("document.querySelector('.cs.is-current').id") == first
