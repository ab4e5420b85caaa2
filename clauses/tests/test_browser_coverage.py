"""The coverage grid of a long law in a real browser, at desktop and phone widths,
in Chinese and English: nothing in the page's main column is wider than the
column (no sideways scroll of the page); the grid scrolls inside its own box,
which stays in the column, keeps each copy's siglum and count in view at both
ends of the scroll, and says that it scrolls (and only when it does)."""

from pathlib import Path

import pytest

from clauses.ingest import SourceMeta, import_source

pytestmark = pytest.mark.django_db(transaction=True)

LAWS = Path(__file__).resolve().parent / "fixtures" / "corpus" / "laws"

#: Elements of <main> that stick out of its content box, leaving out those a
#: scroll box inside <main> clips and visually hidden text (clipped to 1 px).
OUTSIDE_MAIN = """() => {
    const main = document.querySelector('main');
    const box = main.getBoundingClientRect(), cs = getComputedStyle(main);
    const left = box.left + parseFloat(cs.paddingLeft);
    const right = box.right - parseFloat(cs.paddingRight);
    const clipped = (el) => {
        for (let p = el.parentElement; p && p !== main; p = p.parentElement) {
            if (getComputedStyle(p).overflowX !== 'visible') return true;
        }
        return false;
    };
    return [...main.querySelectorAll('*')]
        .filter((el) => !el.closest('.visually-hidden') && !clipped(el))
        .filter((el) => {
            const r = el.getBoundingClientRect();
            return r.width > 0 && (r.left < left - 1 || r.right > right + 1);
        })
        .map((el) => `${el.tagName}.${el.className} ${Math.round(el.getBoundingClientRect().right)} > ${Math.round(right)}`);
}"""

#: The grid's box and, in each row, where its siglum and count cells are.
GRID = """() => {
    const main = document.querySelector('main');
    const m = main.getBoundingClientRect(), cs = getComputedStyle(main);
    const table = document.querySelector('table.coverage-grid');
    // The box that scrolls: the table's container, or the table itself.
    const scroller = [table.parentElement, table].find((el) =>
        getComputedStyle(el).overflowX !== 'visible') || table.parentElement;
    const box = table.parentElement, b = scroller.getBoundingClientRect();
    const inside = (el) => {
        const r = el.getBoundingClientRect();
        return r.left >= b.left - 1 && r.right <= b.right + 1;
    };
    const hint = box.parentElement.querySelector('.scroll-hint');
    return {
        mainLeft: m.left + parseFloat(cs.paddingLeft),
        mainRight: m.right - parseFloat(cs.paddingRight),
        boxLeft: b.left, boxRight: b.right,
        tableWidth: table.scrollWidth,
        scrolls: scroller.scrollWidth > scroller.clientWidth,
        rows: [...table.rows].map((tr) =>
            [tr.cells[0].innerText.trim(), inside(tr.cells[0]), inside(tr.cells[tr.cells.length - 1])]),
        hint: hint !== null && hint.checkVisibility(),
    };
}"""


def _no_sideways_overflow(page) -> None:
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], widths
    assert page.evaluate(OUTSIDE_MAIN) == []


def _grid(page) -> dict:
    grid = page.evaluate(GRID)
    assert grid["mainLeft"] - 1 <= grid["boxLeft"] and grid["boxRight"] <= grid["mainRight"] + 1
    return grid


@pytest.mark.parametrize("width", [1280, 400])
def test_a_long_laws_coverage_grid_stays_in_its_column(page, artifacts, width):
    law = import_source((LAWS / "lifa-2023.md").read_bytes(), SourceMeta()).source.document
    assert law.units.count() == 133
    page.set_viewport_size({"width": width, "height": 900})
    url = f"{page.base}/documents/{law.slug}/"
    for language in ("zh-hans", "en"):
        if language == "en":  # the footer's language switch, as a reader would
            page.click(".lang-switch button[value=en]")
            page.wait_for_load_state()
            assert page.evaluate("document.documentElement.lang") == "en"
        else:
            page.goto(url)
        _no_sideways_overflow(page)
        grid = _grid(page)
        # 133 columns are wider than any column of the page: the grid scrolls in its box,
        assert grid["scrolls"] and grid["tableWidth"] > grid["boxRight"] - grid["boxLeft"]
        # keeps the header's and each copy's first and last cells in view,
        assert grid["rows"][1][0] == "A"
        assert all(siglum and count for _, siglum, count in grid["rows"]), grid["rows"]
        # and says that it scrolls.
        assert grid["hint"]
        page.screenshot(path=str(artifacts / f"coverage-{width}-{language}.png"), full_page=False)
        # Scrolled to its end: the sigla are still there, the page still does not scroll.
        page.evaluate(
            "() => { const t = document.querySelector('table.coverage-grid');"
            " for (const b of [t, t.parentElement]) b.scrollLeft = b.scrollWidth; }"
        )
        grid = _grid(page)
        assert all(siglum and count for _, siglum, count in grid["rows"]), grid["rows"]
        _no_sideways_overflow(page)
    # The home page shows the same grid for the law.
    page.goto(page.base + "/")
    _no_sideways_overflow(page)


def test_a_grid_that_fits_does_not_say_it_scrolls(page):
    """A short document's grid at desktop width: all its columns show, no hint."""
    page.goto(page.base + "/documents/2024-yijian/")
    grid = _grid(page)
    assert not grid["scrolls"]
    assert not grid["hint"]
    _no_sideways_overflow(page)


def _chinese(n: int) -> str:
    """一 … 九百九十九: the numerals of article labels."""
    digits = "零一二三四五六七八九"
    out = ""
    for value, unit in ((100, "百"), (10, "十")):
        if n >= value:
            out += ("" if value == 10 and n < 20 and not out else digits[n // value]) + unit
            n %= value
        elif out and n:
            out += "零"
    return out + (digits[n] if n else "")


@pytest.mark.parametrize("width", [400, 320])
def test_the_reader_overview_fits_a_phone_however_long_the_document(page, artifacts, width):
    """The reader's overview strip at phone widths, for the 133-unit law and for
    a 300-article text: one column a unit, and no row wider than the strip (a
    bordered cell kept 2 px, and a fixed 2 px gap a unit took 600 px for 300)."""
    law = import_source((LAWS / "lifa-2023.md").read_bytes(), SourceMeta()).source.document
    text = "关于某某事项的管理条例\n" + "".join(
        f"第{_chinese(n)}条 本条例第{n}项规定的事项由有关部门依照职责负责办理。\n"
        for n in range(1, 301)
    )
    long = import_source(text.encode(), SourceMeta()).source.document
    assert long.units.count() == 300
    page.set_viewport_size({"width": width, "height": 900})
    for document, cells in ((law, 133), (long, 300)):
        page.goto(f"{page.base}/documents/{document.slug}/read/")
        rows = page.evaluate(
            "() => [...document.querySelectorAll('.ov-row')].map("
            "(r) => [r.querySelectorAll('.ov-c').length, r.scrollWidth, r.clientWidth])"
        )
        assert len(rows) == 2  # the differences and copy A
        for count, scroll_width, client_width in rows:
            assert count == cells
            assert scroll_width <= client_width, rows
        _no_sideways_overflow(page)
    page.screenshot(path=str(artifacts / f"reader-overview-{width}.png"), full_page=False)


def test_long_article_labels_stay_in_their_column(page):
    """第一百一十一条 is wider than the reader's label column at 1280 px: it
    wraps inside it instead of running over the canonical text."""
    law = import_source((LAWS / "lifa-2023.md").read_bytes(), SourceMeta()).source.document
    page.goto(f"{page.base}/documents/{law.slug}/read/?from=a110&to=a112")
    spill = page.evaluate(
        """() => [...document.querySelectorAll('th.rd-label')].map((th) => {
            const a = th.querySelector('a');
            return [a.textContent.trim(),
                    a.getBoundingClientRect().right - th.getBoundingClientRect().right];
        })"""
    )
    assert [label for label, _ in spill] == ["第一百一十条", "第一百一十一条", "第一百一十二条"]
    assert all(over <= 0 for _, over in spill), spill
