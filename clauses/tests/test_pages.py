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
