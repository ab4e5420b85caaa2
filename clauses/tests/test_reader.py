"""The reader through the Django test client: columns, marks, switches, htmx, query counts.

Expected values come from the database (the collation engine's sites and the
readings), so the tests follow the engine rather than guessing its output.
"""

import html as htmllib
import re

import pytest
from django.contrib.auth.models import User

from clauses.apparatus import apparatus_note
from clauses.models import Document, Reading, Source, Unit, VariantSite

pytestmark = pytest.mark.django_db

SLUG = "2024-yijian"
READ = f"/documents/{SLUG}/read/"
PLAN_READ = "/documents/2017-fangan/read/"


def get(client, url, **kwargs):
    response = client.get(url, **kwargs)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def row_of(html: str, key: str) -> str:
    match = re.search(rf'<tr id="r-{re.escape(key)}".*?</tr>', html, re.S)
    assert match, f"no row {key}"
    return match.group(0)


def cells(html: str, key: str) -> dict[str, tuple[str, str]]:
    """The cells of a unit's row: {siglum or canonical label: (classes, inner html)}."""
    found = re.findall(r'<td class="([^"]*)" data-g="([^"]*)">(.*?)</td>', row_of(html, key), re.S)
    return {g: (classes, inner) for classes, g, inner in found}


def text_of(inner: str) -> str:
    """A cell's text as a reader sees it, without tooltips, gap glyphs and badges."""
    inner = re.sub(r'<span class="tip".*?</span></button>', "</button>", inner, flags=re.S)
    inner = re.sub(r'<span class="(gap|visually-hidden|decided)"[^>]*>.*?</span>', "", inner)
    inner = re.sub(r"<sup[^>]*>.*?</sup>", "", inner)
    return htmllib.unescape(re.sub(r"<[^>]+>", "", inner))


def shown_sigla(html: str, key: str = "c13") -> list[str]:
    return [g for g, (classes, _) in cells(html, key).items() if "rd-src" in classes]


def unit(key: str, slug: str = SLUG) -> Unit:
    return Unit.objects.get(document__slug=slug, key=key)


def site_where(key: str, test) -> VariantSite:
    sites = [s for s in unit(key).sites.order_by("index") if test(s)]
    assert len(sites) == 1, sites
    return sites[0]


def mark(site: VariantSite, kind: str) -> str:
    return f'class="mk mk-{kind}" data-site="{site.pk}" data-n="{site.index + 1}"'


@pytest.fixture
def staff(client):
    user = User.objects.create_user("editor", password="pw", is_staff=True)
    client.force_login(user)
    return user


# --- Columns ---------------------------------------------------------------------


def test_all_copies_by_default_in_priority_order_with_headers(client):
    html = get(client, READ)
    order = list(
        Source.objects.filter(document__slug=SLUG)
        .order_by("priority", "siglum")
        .values_list("siglum", flat=True)
    )
    assert shown_sigla(html) == order[:4]
    b = Source.objects.get(document__slug=SLUG, siglum="B")
    header = re.search(r"<thead>.*?</thead>", html, re.S).group(0)
    assert f'href="/documents/{SLUG}/sources/B/"' in header
    assert b.title in header and b.publication in header
    assert b.published.strftime("%Y-%m-%d") in header
    assert b.get_kind_display() in header and b.get_script_display() in header
    assert "规范文本" in header  # the canonical column comes first, in Chinese
    assert header.index("规范文本") < header.index(b.title)


def test_choosing_copies_with_s(client):
    html = get(client, READ + "?s=C&s=A")
    assert shown_sigla(html) == ["A", "C"]  # priority order, whatever the order asked
    assert re.search(r'id="rd-s-A" checked', html) and re.search(r'id="rd-s-C" checked', html)
    assert not re.search(r'id="rd-s-B" checked', html)
    assert shown_sigla(get(client, READ + "?s=D")) == ["D"]


def test_unknown_sigla_and_more_than_four_are_refused_politely(client):
    html = get(client, READ + "?s=A&s=Z&s=A")
    assert shown_sigla(html) == ["A"]
    assert "Z" in re.search(r'<p class="flash flash-warning".*?</p>', html, re.S).group(0)
    # Nothing known: the default copies, and the message.
    html = get(client, READ + "?s=nope")
    assert shown_sigla(html) == ["A", "B", "C", "D"] and "nope" in html

    doc = Document.objects.get(slug=SLUG)
    Source.objects.create(
        document=doc,
        siglum="E",
        title="E",
        script="simplified",
        original=b"",
        encoding="utf-8",
        checksum="e" * 64,
        text="",
        priority=100,
    )
    html = get(client, READ + "?s=A&s=B&s=C&s=D&s=E")
    assert shown_sigla(html) == ["A", "B", "C", "D"]
    assert "flash-warning" in html and "4" in html
    assert re.search(r'id="rd-s-E" disabled', html)  # four shown: the fifth waits
    assert shown_sigla(get(client, READ)) == ["A", "B", "C", "D"]


def test_unknown_document_is_404(client):
    assert client.get("/documents/nope/read/").status_code == 404


def test_every_copy_reads_its_own_text_and_the_canonical_column_the_canonical(client):
    """The marks are placed in the text, not around it: strip them, and each
    column reads exactly the copy's normalized text."""
    html = get(client, READ)
    readings = {
        (r.unit.key, r.source.siglum): r.text
        for r in Reading.objects.filter(unit__document__slug=SLUG).select_related("unit", "source")
    }
    for u in Unit.objects.filter(document__slug=SLUG):
        row = cells(html, u.key)
        assert text_of(row["规范"][1]) == u.canonical, u.key
        for g in "ABCD":
            classes, inner = row[g]
            if (u.key, g) in readings:
                assert text_of(inner) == readings[(u.key, g)], (u.key, g)
            else:
                assert "rd-absent" in classes and "此本无此单元" in inner


# --- Marks ---------------------------------------------------------------------------


def test_substitutions_at_c13_are_marked_with_their_note(client):
    html = get(client, READ)
    row = cells(html, "c13")
    zong = site_where("c13", lambda s: "纵" in s.readings.get("B", ""))
    assert zong.type == "substitution" and "横" in zong.canonical_reading
    b_cell = row["B"][1]
    assert mark(zong, "substitution") + f' data-r="{zong.readings["B"]}"' in b_cell
    assert apparatus_note(zong, zong.canonical_reading) in b_cell  # the tooltip
    assert mark(zong, "substitution") not in row["A"][1]  # A agrees with the canonical

    hutong = site_where("c13", lambda s: "互相贯通" in s.canonical_reading)
    assert "互通" in hutong.readings["D"] and hutong.readings["D"] != hutong.canonical_reading
    assert mark(hutong, "substitution") + f' data-r="{hutong.readings["D"]}"' in row["D"][1]
    # The canonical column numbers the site and decorates its span.
    canon = row["规范"][1]
    number = hutong.index + 1
    assert (
        f'<span class="cs" id="s-c13-{number}" title="{apparatus_note(hutong, hutong.canonical_reading)}">'
        f'{hutong.canonical_reading}<sup class="sn">{number}</sup></span>'
    ) in canon


def test_omission_is_a_visible_gap(client):
    row = cells(get(client, READ), "c13")
    site = site_where("c13", lambda s: "职业资格" in s.canonical_reading)
    assert "职业资格" not in site.readings["B"]
    b_cell = row["B"][1]
    gap = re.search(
        rf'<button type="button" {mark(site, "omission")}[^>]*>(.*?)</button>', b_cell, re.S
    )
    assert gap and '<span class="gap"' in gap.group(1)
    assert "职业资格" not in text_of(b_cell) and "职业资格" in text_of(row["A"][1])


def test_transposition_at_c16(client):
    row = cells(get(client, READ), "c16")
    site = site_where("c16", lambda s: "安全健康" in s.canonical_reading)
    assert site.type == "transposition" and "健康安全" in site.readings["D"]
    assert mark(site, "transposition") in row["D"][1]
    assert 'class="mk' not in row["A"][1].split("安全生产")[0]


def test_likely_ocr_errors_say_so(client):
    site = VariantSite.objects.filter(unit__document__slug=SLUG, likely_ocr=True).first()
    assert site is not None
    html = get(client, READ)
    for g, reading in site.readings.items():
        if reading != site.canonical_reading:
            button = re.search(
                rf'<button type="button" class="mk mk-\w+" data-site="{site.pk}"[^>]*>.*?</button>',
                cells(html, site.unit.key)[g][1],
                re.S,
            )
            assert button and "可能是 OCR 识别错误" in button.group(0)


def test_punctuation_only_differences_and_their_switch(client):
    site = VariantSite.objects.filter(unit__document__slug=SLUG, type="punctuation").first()
    assert site is not None
    differing = next(g for g, r in sorted(site.readings.items()) if r != site.canonical_reading)
    key = site.unit.key
    html = get(client, READ)
    assert mark(site, "punctuation") in cells(html, key)[differing][1]

    html = get(client, READ + "?punct=0")
    assert "mk-punctuation" not in html
    assert f'data-site="{site.pk}"' not in html
    reading = Reading.objects.get(unit=site.unit, source__siglum=differing)
    assert text_of(cells(html, key)[differing][1]) == reading.text  # still its own text
    assert re.search(r'id="rd-punct" checked', html)


def test_only_units_that_differ(client):
    keys_with_sites = set(
        VariantSite.objects.filter(unit__document__slug=SLUG).values_list("unit__key", flat=True)
    )
    all_keys = set(Unit.objects.filter(document__slug=SLUG).values_list("key", flat=True))
    assert keys_with_sites and keys_with_sites != all_keys
    html = get(client, READ + "?diff=1")
    rows = set(re.findall(r'<tr id="r-([^"]+)"', html))
    assert rows == keys_with_sites
    # The overview still has every unit; those not shown link to the full list.
    assert html.count('<a class="ov-c d') == len(all_keys)
    equal = sorted(all_keys - keys_with_sites)[0]
    assert re.search(rf'href="\?[^"#]*#r-{re.escape(equal)}"', html)

    # Without punctuation, units whose only differences are punctuation drop out too.
    not_punct = set(
        VariantSite.objects.filter(unit__document__slug=SLUG)
        .exclude(type="punctuation")
        .values_list("unit__key", flat=True)
    )
    html = get(client, READ + "?diff=1&punct=0")
    assert set(re.findall(r'<tr id="r-([^"]+)"', html)) == not_punct

    # Only B and C: the units where B or C differs.
    b_or_c = {
        s.unit.key
        for s in VariantSite.objects.filter(unit__document__slug=SLUG).select_related("unit")
        if any(g in s.readings and s.readings[g] != s.canonical_reading for g in "BC")
    }
    html = get(client, READ + "?diff=1&s=B&s=C")
    assert set(re.findall(r'<tr id="r-([^"]+)"', html)) == b_or_c


def test_original_text_as_printed(client):
    html = get(client, READ + "?orig=1&s=C&s=B")
    row = cells(html, "c13")
    c = Reading.objects.select_related("source").get(unit=unit("c13"), source__siglum="C")
    assert "貫(guan)通" in row["C"][1]
    assert htmllib.unescape(row["C"][1]) == c.label_raw + c.raw
    assert "<button" not in row["C"][1] and "<button" not in row["B"][1]
    assert 'class="notice rd-orig-note"' in html  # and it says why there are no marks
    assert re.search(r'id="rd-orig" checked', html)


def test_apparatus_view(client):
    html = get(client, READ + "?view=apparatus")
    zong = site_where("c13", lambda s: "纵" in s.readings.get("B", ""))
    note = apparatus_note(zong, zong.canonical_reading, ["A", "B", "C", "D"])
    assert note == apparatus_note(zong, zong.canonical_reading)  # all four copies shown
    assert note.startswith(f"{zong.canonical_reading}] {zong.readings['B']} B; ")
    section = re.search(r'<section class="rd-unit[^"]*" id="r-c13">.*?</section>', html, re.S)
    assert section
    n = zong.index + 1
    assert f'<li value="{n}" id="n-c13-{n}">' in section.group(0)
    assert note in section.group(0)
    # Every note of the unit, in order, numbered as in the canonical text.
    sites = list(unit("c13").sites.order_by("index"))
    numbers = [int(v) for v in re.findall(r'<li value="(\d+)"', section.group(0))]
    assert numbers == [s.index + 1 for s in sites]
    assert "<table" not in html.split('id="rd-body"')[1]

    # The apparatus of chosen copies names only them.
    html = get(client, READ + "?view=apparatus&s=A&s=B")
    assert apparatus_note(zong, zong.canonical_reading, ["A", "B"]) in html


# --- Page furniture --------------------------------------------------------------------


def test_overview_strip_labels_anchors_and_coverage(client):
    html = get(client, READ)
    strip = re.search(r'<nav class="ov".*?</nav>', html, re.S).group(0)
    units = list(Unit.objects.filter(document__slug=SLUG).order_by("order"))
    hrefs = re.findall(r'<a class="ov-c d\d[^"]*" href="([^"]+)"', strip)
    assert hrefs == [f"#r-{u.key}" for u in units]
    assert 'title="（十三） · ' in strip and "处差异" in strip
    missing_d = Unit.objects.filter(document__slug=SLUG).exclude(readings__source__siglum="D")
    assert strip.count('class="ov-c miss" title="D ') == missing_d.count()


def test_row_label_unit_link_and_permalink(client):
    row = row_of(get(client, READ), "c13")
    assert f'<a href="/documents/{SLUG}/u/c13/"' in row and "（十三）" in row
    assert 'href="#r-c13"' in row


def test_switches_work_without_javascript(client):
    html = get(client, READ)
    form = re.search(r'<form class="rd-switches".*?</form>', html, re.S).group(0)
    assert 'method="get"' in form and f'action="{READ}"' in form and f'hx-get="{READ}"' in form
    for name in ('name="s" value="A"', 'name="orig" value="1"', 'name="punct" value="0"'):
        assert name in form
    assert 'name="diff" value="1"' in form and "<noscript>" in form
    assert f'href="{READ}?view=apparatus" hx-get="{READ}?view=apparatus"' in html
    assert 'hx-push-url="true"' in html


def test_interface_is_chinese(client):
    html = get(client, READ)
    assert "并排对读" in html and "校勘记" in html and "替换" in html and "脱漏" in html


def test_htmx_gets_only_the_body(client):
    response = client.get(READ + "?s=A&s=B", headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="rd-body"')
    assert "<html" not in html and "site-header" not in html and "rd-panel" not in html
    assert shown_sigla(html) == ["A", "B"]
    assert "HX-Request" in response["Vary"]
    # A history restore needs the whole page.
    restore = get(
        client, READ, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assert "<html" in restore


def test_editors_get_the_decision_form_readers_do_not(client, staff):
    html = get(client, READ)
    form = re.search(r'<form class="rd-decide.*?</form>', html, re.S).group(0)
    assert 'method="post"' in form and 'name="csrfmiddlewaretoken"' in form
    assert 'name="action" value="choose"' in form and 'name="text"' in form
    assert 'name="reason"' in form and 'name="next"' in form and 'name="unit"' in form
    assert f'data-action="/documents/{SLUG}/sites/{{id}}/decide/"' in form
    assert "transcription error" not in html and "转录错误" not in html
    client.logout()
    assert "rd-decide" not in get(client, READ)


def test_decided_units_show_a_cue(client, staff):
    from clauses.collation import decide

    zong = site_where("c13", lambda s: "纵" in s.readings.get("B", ""))
    assert "✓ 已裁定" not in row_of(get(client, READ), "c13")
    decide(zong, "choose", zong.readings["B"], "", staff)
    html = get(client, READ)
    row = cells(html, "c13")
    assert "✓ 已裁定" in row["规范"][1]
    assert zong.readings["B"] in text_of(row["规范"][1])
    assert "cs cs-decided" in row["规范"][1]


def test_document_page_links_to_the_reader(client):
    assert f'href="{READ}"' in get(client, f"/documents/{SLUG}/")


# --- Performance ------------------------------------------------------------------------

QUERIES = 5  # document, sources, units, readings, sites


@pytest.mark.parametrize(
    "url",
    [
        READ + "?s=B",
        READ + "?s=A&s=C",
        READ,
        READ + "?s=A&s=B&s=C&s=D&diff=1&punct=0",
        READ + "?orig=1",
        READ + "?view=apparatus",
        PLAN_READ,
        PLAN_READ + "?s=P&orig=1",
    ],
)
def test_fixed_number_of_queries(client, django_assert_num_queries, url):
    with django_assert_num_queries(QUERIES):
        get(client, url)
