"""Pages of bounded size: the home page's document list and the reader, page by page."""

import random
import re

import pytest

from clauses.apparatus import dom_id
from clauses.models import Document, Reading, Source, Unit

from .test_reader import QUERIES, READ, get, row_of

pytestmark = pytest.mark.django_db

LONG_READ = "/documents/long/read/"
HAN = "的一是在不了有人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严"


def long_document(units: int, sigla=("A", "B"), slug="long", seed=1) -> Document:
    """A document of ``units`` units (a heading every 300), each copy reading every
    unit as the canonical text does, made directly in the database."""
    rng = random.Random(seed)
    doc = Document.objects.create(slug=slug, title="关于长文献分页的若干意见")
    texts, objs = [], []
    for i in range(units):
        heading = i % 300 == 0
        text = "".join(rng.choice(HAN) for _ in range(8 if heading else rng.randint(60, 140)))
        texts.append(text)
        objs.append(
            Unit(
                document=doc,
                key=f"p{i}",
                kind=Unit.Kind.HEADING if heading else Unit.Kind.PARAGRAPH,
                level=1 if heading else 3,
                label="",
                order=i,
                canonical=text,
            )
        )
    made = Unit.objects.bulk_create(objs)
    full = "\n".join(texts)
    for g in sigla:
        source = Source.objects.create(
            document=doc,
            siglum=g,
            title=f"{g} 本",
            script="simplified",
            original=full.encode(),
            encoding="utf-8",
            checksum=g * 64,
            text=full,
        )
        readings, pos = [], 0
        for i, (unit, text) in enumerate(zip(made, texts, strict=True)):
            readings.append(
                Reading(
                    unit=unit,
                    source=source,
                    text=text,
                    raw_start=pos,
                    raw_end=pos + len(text),
                    position=i,
                )
            )
            pos += len(text) + 1
        Reading.objects.bulk_create(readings)
    return doc


def rows_in(html: str) -> list[str]:
    return re.findall(r'<tr id="r-([^"]+)" data-key', html)


# --- Home page -----------------------------------------------------------------------


def test_home_is_paginated_and_keeps_the_query(client, settings):
    settings.HOME_DOCUMENTS_PER_PAGE = 1
    html = get(client, "/?lang=x")
    assert html.count('class="doc-card"') == 1
    assert 'href="?lang=x&amp;page=2"' in html and 'rel="next"' in html
    second = get(client, "/?lang=x&page=2")
    assert second.count('class="doc-card"') == 1 and 'href="?lang=x&amp;page=1"' in second
    # Beyond the last page: the last; not a number: the first. Never a 500.
    titles = re.compile(r'<h2 id="doc-([^"]+)"')
    assert titles.findall(get(client, "/?page=99")) == titles.findall(second)
    assert get(client, "/?page=abc").count('class="doc-card"') == 1
    assert get(client, "/?page=-1").count('class="doc-card"') == 1


def test_home_shows_one_page_without_a_pager(client):
    html = get(client, "/")
    assert html.count('class="doc-card"') == 2 and 'class="pager"' not in html


def test_home_gives_unit_counts_for_a_long_document(client, django_assert_num_queries):
    long_document(2_000)
    with django_assert_num_queries(6):  # one more: the long document's copies' unit counts
        response = client.get("/")
    html = response.content.decode()
    assert "2000/2000" in html and html.count('class="doc-card"') == 3
    assert len(response.content) < 200_000
    assert html.count('class="has') > 100  # the demo documents keep their grids


# --- The reader, page by page ---------------------------------------------------------


def test_short_document_is_one_page_without_a_pager(client):
    html = get(client, READ)
    assert "rd-pager" not in html and len(rows_in(html)) == 39


def test_long_document_reader_pages(client, settings, django_assert_max_num_queries):
    long_document(15_000)
    with django_assert_max_num_queries(QUERIES):
        response = client.get(LONG_READ + "?s=A&s=B&punct=0")
    assert response.status_code == 200
    html = response.content.decode()
    assert len(response.content) < 2_000_000, len(response.content)
    rows = rows_in(html)
    assert len(rows) == settings.READER_UNITS_PER_PAGE and rows[0] == "p0"
    # The pager keeps the copies and the options, as a link and for htmx.
    nxt = f"{LONG_READ}?s=A&amp;s=B&amp;punct=0&amp;page=2"
    assert f'href="{nxt}" hx-get="{nxt}"' in html
    assert html.count('class="pager rd-pager"') == 2  # above and below the rows
    # The overview has a bounded number of cells, each a run of units.
    assert html.count('<a class="ov-c') <= 500
    # The range's lists: the headings and the first unit of each page.
    assert html.count("<option") < 2 * 1000
    second = get(client, LONG_READ + "?s=A&s=B&punct=0&page=2")
    assert rows_in(second)[0] == f"p{settings.READER_UNITS_PER_PAGE}"
    assert f'href="{LONG_READ}?s=A&amp;s=B&amp;punct=0"' in second  # page 1: no page=
    # Other options keep the page.
    assert "?s=A&amp;s=B&amp;view=apparatus&amp;punct=0&amp;page=2" in second


@pytest.mark.parametrize("page", ["999", "abc", "0", "-3", "1.5"])
def test_bad_reader_page_numbers(client, settings, page):
    settings.READER_UNITS_PER_PAGE = 100
    long_document(450)
    html = get(client, LONG_READ + "?page=" + page)
    rows = rows_in(html)
    # Beyond the pages (or below the first): the last page; not a number: the first.
    assert rows[0] == ("p0" if page in ("abc", "1.5") else "p400")


def test_unit_parameter_and_overview_reach_a_unit_on_another_page(client, settings):
    settings.READER_UNITS_PER_PAGE = 100
    long_document(2_000)
    # ?unit= shows the unit's page, whatever page= says.
    html = get(client, LONG_READ + "?s=B&unit=p1234&page=3")
    assert "p1234" in rows_in(html) and rows_in(html)[0] == "p1200"
    assert "?s=B&amp;page=12" in html and "?s=B&amp;page=14" in html
    row_of(html, "p1234")
    # The overview's link to a unit on another page carries that page and the anchor.
    first = get(client, LONG_READ + "?s=B")
    rid = dom_id("p1240", "r")
    cells = re.findall(r'<a class="ov-c[^"]*" href="([^"]+)" data-key="([^"]+)"', first)
    assert len(cells) <= 500
    href = next(h for h, key in cells if key == "p1240")  # cells of 4 units
    assert href == f"?s=B&amp;page=13#{rid}"
    target = get(client, LONG_READ + href.replace("&amp;", "&").split("#")[0])
    row_of(target, "p1240")
    # A unit on this page: a plain fragment.
    assert next(h for h, key in cells if key == "p8") == f"#{dom_id('p8', 'r')}"
    # An unknown key: said, and the first page.
    html = get(client, LONG_READ + "?unit=nope")
    assert rows_in(html)[0] == "p0" and "nope" in html


def test_only_differing_units_page_over_the_rows_shown(client, settings):
    settings.READER_UNITS_PER_PAGE = 100
    long_document(450)
    html = get(client, LONG_READ + "?diff=1")
    assert rows_in(html) == [] and "rd-pager" not in html
    # A range is paged within itself, and the pager keeps it.
    html = get(client, LONG_READ + "?from=p50&to=p300")
    assert rows_in(html)[0] == "p50" and len(rows_in(html)) == 100
    assert "?from=p50&amp;to=p300&amp;page=2" in html
    last = get(client, LONG_READ + "?from=p50&to=p300&page=3")
    assert rows_in(last)[0] == "p250" and rows_in(last)[-1] == "p300"


def test_htmx_fragment_of_a_page(client, settings):
    settings.READER_UNITS_PER_PAGE = 100
    long_document(450)
    html = get(client, LONG_READ + "?page=2", headers={"HX-Request": "true"})
    assert "<html" not in html and rows_in(html)[0] == "p100"


# --- The document page, page by page -------------------------------------------------

DOC = "/documents/long/"


def units_in(html: str) -> list[str]:
    return re.findall(r'<p class="unit unit-paragraph" id="u-([^"]+)"', html)


def queries_of(client, url: str, **kwargs) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as context:
        assert client.get(url, **kwargs).status_code == 200
    return len(context)


def test_long_document_page_is_bounded_and_pages(client, settings):
    long_document(15_000)
    response = client.get(DOC)
    assert response.status_code == 200
    assert len(response.content) < 1_500_000, len(response.content)
    html = response.content.decode()
    per_page = settings.DOCUMENT_UNITS_PER_PAGE
    shown = units_in(html)
    assert 0 < len(shown) < per_page and shown[0] == "p1"  # p0 is a heading
    assert 'id="u-p0"' in html and f'id="u-p{per_page}"' not in html
    # The copies' coverage is for the whole document: counts, not a 15,000-column grid.
    assert html.count("15000/15000") == 2 and "coverage-grid" not in html
    # The pager: a link that works without JavaScript, and the same for htmx.
    assert f'href="{DOC}?page=2" hx-get="{DOC}?page=2"' in html
    assert html.count('class="pager doc-pager"') == 2
    second = get(client, DOC + "?page=2")
    assert f'id="u-p{per_page}"' in second and 'id="u-p1"' not in second
    assert f'href="{DOC}?page=1"' in second
    # htmx: the text alone.
    fragment = get(client, DOC + "?page=3", headers={"HX-Request": "true"})
    assert "<html" not in fragment and fragment.lstrip().startswith('<div id="doc-text"')
    assert f'id="u-p{2 * per_page}"' in fragment


def test_document_page_queries_do_not_grow_with_the_units(client):
    long_document(500, slug="short", seed=2)
    long_document(10_000)
    assert queries_of(client, "/documents/short/") == queries_of(client, DOC)
    assert queries_of(client, DOC + "?page=40") == queries_of(client, DOC)
    assert queries_of(client, DOC + "?unit=p9000") == queries_of(client, DOC) + 2


def test_document_page_unit_parameter_shows_its_page(client, settings):
    settings.DOCUMENT_UNITS_PER_PAGE = 100
    long_document(2_000)
    html = get(client, DOC + "?unit=p1234&page=3")
    assert "p1234" in units_in(html) and 'id="u-p1200"' in html
    # Links to a unit on the document page carry it (the unit page's breadcrumbs).
    unit_page = get(client, DOC + "u/p1234/")
    assert f'href="{DOC}?unit=p1234#u-p1234"' in unit_page
    # An unknown key: said, and the first page.
    html = get(client, DOC + "?unit=nope")
    assert 'id="u-p1"' in html and "nope" in html


@pytest.mark.parametrize("page", ["999", "abc", "0", "-3"])
def test_bad_document_page_numbers(client, settings, page):
    settings.DOCUMENT_UNITS_PER_PAGE = 100
    long_document(450)
    html = get(client, DOC + "?page=" + page)
    assert ('id="u-p1"' if page == "abc" else 'id="u-p400"') in html


# --- The source page, page by page --------------------------------------------------------

SRC = "/documents/long/sources/B/"


def original_of(html: str) -> str:
    """The text of the page's marked original, tags removed, entities read."""
    from html import unescape

    pre = html[html.index('<pre class="original marked">') :]
    pre = pre[len('<pre class="original marked">') : pre.index("</pre>")]
    return unescape(re.sub(r"<[^>]+>", "", pre))


def test_long_source_page_is_bounded_and_its_pages_give_the_whole_text(client, settings):
    doc = long_document(15_000)
    text = doc.sources.get(siglum="B").text
    response = client.get(SRC)
    assert len(response.content) < 1_500_000, len(response.content)
    html = response.content.decode()
    assert "共 15000 个单元" in html  # every unit of the copy, counted
    pages = int(re.search(r"第 1 页，共 (\d+) 页", html).group(1))
    assert pages > 1 and f'href="{SRC}?page=2#original-h" hx-get="{SRC}?page=2"' in html
    joined = "".join(original_of(get(client, f"{SRC}?page={n}")) for n in range(1, pages + 1))
    assert joined == text  # not a character lost or added
    # The unit links of a page are those of its text; each reading a link to its unit.
    second = get(client, f"{SRC}?page=2")
    assert 'href="/documents/long/u/p0/"' not in second
    fragment = get(client, f"{SRC}?page=2", headers={"HX-Request": "true"})
    assert fragment.lstrip().startswith('<div id="source-original"') and "<html" not in fragment


def test_source_page_queries_do_not_grow_with_the_text(client):
    long_document(500, slug="short", seed=2)
    long_document(10_000)
    short = queries_of(client, "/documents/short/sources/B/")
    assert queries_of(client, SRC) == short
    assert queries_of(client, SRC + "?page=30") == short


def test_a_real_sources_pages_keep_its_regions_and_text(client, settings):
    settings.SOURCE_CHARS_PER_PAGE = 1000
    source = Source.objects.get(document__slug="2024-yijian", siglum="C")
    html = get(client, "/documents/2024-yijian/sources/C/")
    pages = int(re.search(r"第 1 页，共 (\d+) 页", html).group(1))
    assert pages >= 3
    texts = [
        original_of(get(client, f"/documents/2024-yijian/sources/C/?page={n}"))
        for n in range(1, pages + 1)
    ]
    assert "".join(texts) == source.text
    # Pages end at line ends, unless a line runs on for another page.
    assert all(t.endswith("\n") or len(t) == 1000 for t in texts[:-1])
    assert any(t.endswith("\n") for t in texts[:-1])
    # The report's figures are the whole file's on every page.
    assert "2,296" in html and "2,296" in get(client, "/documents/2024-yijian/sources/C/?page=3")


def test_the_changed_readings_are_counted_in_all_and_listed_a_page_at_a_time(client):
    doc = long_document(300)
    source = doc.sources.get(siglum="B")
    changes = [{"unit": f"p{i}", "before": f"旧{i}", "after": f"新{i}"} for i in range(250)]
    source.report = [
        {
            "rule": "canonical_changes",
            "count": 250,
            "detail": {"changes": changes, "added": [], "lacking": []},
        }
    ]
    source.save()
    html = get(client, SRC)
    heading = re.search(r"<h3>([^<]*250[^<]*)</h3>", html)
    assert heading, "the heading counts every change, not the page's"
    assert html.count('<td class="after">') == 100 and "新0<" in html and "新100<" not in html
    last = get(client, SRC + "?changes=3")
    assert last.count('<td class="after">') == 50 and "新249<" in last
    assert f'href="{SRC}?changes=2#report-h"' in last
    fragment = get(
        client, SRC + "?changes=2", headers={"HX-Request": "true", "HX-Target": "source-changes"}
    )
    assert fragment.lstrip().startswith('<div id="source-changes"') and "新100<" in fragment


def test_a_stored_non_web_url_is_shown_as_text_never_as_a_link(client):
    source = Source.objects.get(document__slug="2024-yijian", siglum="A")
    for url, linked in (
        ("javascript:alert(1)", False),
        (" JavaScript:alert(document.cookie)", False),
        ("java\tscript:alert(1)", False),
        ("data:text/html,<script>alert(1)</script>", False),
        ("//evil.example/x", False),
        ("https://www.gov.cn/zhengce/2024.htm", True),
        ("HTTP://example.org/a?b=1&c=2", True),
    ):
        Source.objects.filter(pk=source.pk).update(url=url)
        html = get(client, "/documents/2024-yijian/sources/A/")
        dd = html[html.index('<dd class="source-url">') :]
        dd = dd[: dd.index("</dd>")]
        assert ("<a " in dd) is linked, (url, dd)
        assert "javascript:" not in dd.lower().replace("java\tscript", "") or not linked
        if linked:
            assert 'href="' + url.replace("&", "&amp;") + '"' in dd
        else:
            assert "href" not in dd


# --- The comparison, page by page ---------------------------------------------------------

CMP = "/compare/old/new/"


@pytest.fixture
def two_versions(db):
    # The same first 1,000 units (same seed), and 500 more in the old one: removed.
    return long_document(1_500, slug="old", seed=1), long_document(1_000, slug="new", seed=1)


def summary_of(html: str) -> dict[str, str]:
    return dict(re.findall(r'<li class="rel-(\w+)">.*?<strong>(\d+)</strong>', html))


def compare_rows(html: str) -> list[str]:
    return re.findall(r'<section class="compare-row rel-(\w+)', html)


def test_comparison_pages_and_summarises_the_whole(client, settings, two_versions):
    per_page = settings.COMPARE_ROWS_PER_PAGE
    first = get(client, CMP)
    assert len(compare_rows(first)) == per_page
    assert summary_of(first)["same"] == "1000" and summary_of(first)["removed"] == "500"
    second = get(client, CMP + "?page=2")
    assert second != first and len(compare_rows(second)) == per_page
    assert 'id="new-p0"' in first and 'id="new-p0"' not in second
    assert f'id="new-p{per_page}"' in second
    assert summary_of(second) == summary_of(first)  # the whole comparison, on every page
    assert f'href="{CMP}?page=2" hx-get="{CMP}?page=2"' in first
    # Changes only: the removed units, paged; the filter kept by the pager.
    changes = get(client, CMP + "?changes=1")
    assert set(compare_rows(changes)) == {"removed"} and len(compare_rows(changes)) == per_page
    assert f'href="{CMP}?changes=1&amp;page=2"' in changes
    assert summary_of(changes) == summary_of(first)
    last = get(client, CMP + "?changes=1&page=5")
    assert len(compare_rows(last)) == 500 - 4 * per_page
    assert len(compare_rows(get(client, CMP + "?changes=1&page=99"))) == len(compare_rows(last))
    # htmx: the rows and their pager alone.
    fragment = get(client, CMP + "?changes=1&page=2", headers={"HX-Request": "true"})
    assert fragment.lstrip().startswith('<div id="compare-rows"') and "<html" not in fragment


def test_long_comparison_is_bounded_for_an_editor(client, two_versions):
    from django.contrib.auth.models import User

    client.force_login(User.objects.create_user("ed-pages", password="x", is_staff=True))
    response = client.get(CMP)
    assert len(response.content) < 1_500_000
    html = response.content.decode()
    # The pairing form offers the units of the rows shown, not the 2,500 units.
    assert html.count("<option") <= 2 * 100 + 10


def test_comparison_queries_do_not_grow_with_the_units(client, two_versions):
    long_document(150, slug="old-short", seed=1)
    long_document(100, slug="new-short", seed=1)
    get(client, CMP)  # the pairings made, and kept
    get(client, "/compare/old-short/new-short/")
    short = queries_of(client, "/compare/old-short/new-short/")
    assert queries_of(client, CMP) == short
    assert queries_of(client, CMP + "?page=7") == short
    # Rows of removed units only: no query for the new document's units.
    assert queries_of(client, CMP + "?changes=1&page=3") <= short


def test_a_correction_from_a_later_page_comes_back_to_it_and_applies(client, two_versions):
    from django.contrib.auth.models import User

    client.force_login(User.objects.create_user("ed-pages", password="x", is_staff=True))
    before = get(client, CMP + "?page=3")
    assert 'class="compare-row rel-same"' in before and 'id="new-p250"' in before
    response = client.post(
        CMP + "corrections/", {"kind": "unpair", "old": "p250", "new": "p250", "page": "3"}
    )
    assert response.status_code == 302 and response["Location"] == CMP + "?page=3"
    after = get(client, CMP + "?page=3")
    assert summary_of(after)["same"] == "999" and summary_of(after)["added"] == "1"
    assert summary_of(after)["removed"] == "501"
    assert "is-fixed" in after  # the new unit, without counterpart, by an editor
    # With the filter on: the filter and the page come back.
    response = client.post(
        CMP + "corrections/",
        {"kind": "pair", "old": "p250", "new": "p250", "changes": "1", "page": "2"},
    )
    assert response["Location"] == CMP + "?changes=1&page=2"
    assert summary_of(get(client, CMP))["same"] == "1000"


@pytest.mark.parametrize(
    "text",
    ["", "一行\n", "甲乙丙丁\n" * 500, "无换行" * 3000, "短\n" + "很长的一行" * 2000 + "\n尾"],
)
def test_text_pages_cover_the_text_exactly_in_bounded_pages(text):
    from clauses.views import text_pages

    pages = text_pages(text, 1000)
    assert "".join(text[a:b] for a, b in pages) == text
    assert all(b - a <= 2000 for a, b in pages)
    assert all(a == b0 for (a, _b), (_a0, b0) in zip(pages[1:], pages, strict=False))
    for a, b in pages[:-1]:  # a line end, unless the line runs on for another page
        assert text[b - 1] == "\n" or b - a == 1000
