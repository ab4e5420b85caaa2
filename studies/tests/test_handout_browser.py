"""The handout's print view printed by headless Chromium (Playwright's
``page.pdf()``, print media, the stylesheets served by the live server), the
PDF read back with pdfminer.six."""

import io
import re
import unicodedata

from django.utils import translation
from pdfminer.high_level import extract_pages, extract_text
from pdfminer.layout import LTTextContainer

from studies.handout import Options, render_html, render_signin_sheet_html
from studies.tests.test_handout_render import FIVE, ONE, THREE, sample


def squash(text: str) -> str:
    """Text without white space, NFKC-normalized: Chromium's PDF maps some
    glyphs Noto CJK shares between a Kangxi radical and an ideograph to the
    radical (⼯ U+2F2F for 工); NFKC maps those back (and full-width
    punctuation to ASCII, on both sides of each comparison)."""
    return unicodedata.normalize("NFKC", re.sub(r"\s+", "", text))


def has(text: str, flat: str) -> bool:
    """Whether ``text`` is in ``flat`` (both squashed), where any character of
    ``flat`` may instead be a CJK Radicals Supplement one (⺠ U+2EA0 for 民):
    those have no NFKC mapping, and Chromium's PDF text has them too."""
    pattern = "".join(f"(?:{re.escape(ch)}|[\u2e80-\u2eff])" for ch in squash(text))
    return re.search(pattern, flat) is not None


def open_page(browser, live_server, html: str):
    """A page showing ``html`` at a live-server URL (so /static/ resolves)."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    url = live_server.url + "/handout-under-test/"
    page.route(
        url,
        lambda route: route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html),
    )
    page.goto(url)
    page.wait_for_load_state("networkidle")
    return context, page, errors


def pages_text(data: bytes) -> list[str]:
    return [
        "".join(el.get_text() for el in page if isinstance(el, LTTextContainer))
        for page in extract_pages(io.BytesIO(data))
    ]


def test_print_view_prints_to_pdf_in_chromium(browser, live_server, artifacts):
    with translation.override("zh-hans"):
        html = render_html(sample(), Options())
    context, page, errors = open_page(browser, live_server, html)
    try:
        # On screen: the toolbar, its print button shown by handout.js.
        assert page.locator("[data-print]").is_visible()
        assert page.locator(".handout-toolbar").is_visible()
        # The print stylesheet applied: the clauses in large type.
        size = page.eval_on_selector(".clause-text", "el => getComputedStyle(el).fontSize")
        assert size == "20px"  # 15pt
        page.screenshot(path=str(artifacts / "handout-screen.png"), full_page=True)

        page.emulate_media(media="print")
        assert not page.locator(".handout-toolbar").is_visible()
        page.screenshot(path=str(artifacts / "handout-print.png"), full_page=True)
        data = page.pdf(prefer_css_page_size=True, print_background=True)
        (artifacts / "handout-chromium.pdf").write_bytes(data)
    finally:
        context.close()
    assert not errors, errors

    flat = squash(extract_text(io.BytesIO(data)))
    assert has("深化产业工人队伍建设改革·学习材料", flat)
    assert has("对象：基层工会主席、职工代表", flat)
    for clause in (ONE, THREE, FIVE):
        assert has(clause, flat)
    for text in (
        "讲解要点",
        "凝心铸魂是首要任务。",
        "讨论题",
        "4.哪些事项必须经职工代表大会审议通过？",
    ):
        assert has(text, flat)
    # No navigation or buttons in print.
    for toolbar_text in ("打印", "学员用", "拼音", "填空练习", "可用浏览器打印"):
        assert not has(toolbar_text, flat)
    # Page numbers from the @page margin box.
    pages = pages_text(data)
    assert len(pages) >= 2
    for number, text in enumerate(pages, start=1):
        assert f"{number}/{len(pages)}" in squash(text)


def test_quiz_answer_key_prints_on_its_own_page(browser, live_server):
    with translation.override("zh-hans"):
        html = render_html(sample(), Options(points=False, quiz=True))
    context, page, errors = open_page(browser, live_server, html)
    try:
        page.emulate_media(media="print")
        data = page.pdf(prefer_css_page_size=True)
    finally:
        context.close()
    assert not errors, errors
    pages = [squash(p) for p in pages_text(data)]
    key = squash("填空题·答案")
    assert pages[-1].startswith(key)
    assert has("(4)职工代表大会", pages[-1])
    assert all(not has(key, p) for p in pages[:-1])
    assert all(not has("讲解要点", p) for p in pages)


def test_signin_sheet_prints(browser, live_server):
    with translation.override("zh-hans"):
        html = render_signin_sheet_html(sample(), rows=40)
    context, page, errors = open_page(browser, live_server, html)
    try:
        page.emulate_media(media="print")
        data = page.pdf(prefer_css_page_size=True)
    finally:
        context.close()
    assert not errors, errors
    pages = [squash(p) for p in pages_text(data)]
    assert len(pages) == 2  # 40 rows of 10 mm: the table goes on to a second page
    for text in pages:
        # The header row repeats on each page.
        assert has("序号姓名单位联系电话签名", text)
    assert has("签到表", pages[0]) and has("市总工会三楼报告厅", pages[0])
    assert not has("打印", "".join(pages))
