"""The reader through the Django test client: columns, marks, switches, htmx, query counts.

Expected values come from the database (the collation engine's sites and the
readings), so the tests follow the engine rather than guessing its output.
"""

import html as htmllib
import re
from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import Group, User

from annotations.anchoring import anchor_at
from annotations.models import Note, Visibility
from clauses.apparatus import apparatus_note, dom_id
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
    match = re.search(rf'<tr id="{dom_id(key, "r")}".*?</tr>', html, re.S)
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


def test_unknown_sigla_are_refused_politely_and_any_number_of_copies_shown(client):
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
    assert shown_sigla(html) == ["A", "B", "C", "D", "E"]
    assert "flash-warning" not in html
    assert 'id="rd-s-E" checked' in html
    # By default the first four; the fifth is offered, unchecked.
    html = get(client, READ)
    assert shown_sigla(html) == ["A", "B", "C", "D"]
    assert re.search(r'id="rd-s-E">', html)


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
    # The canonical column numbers the site (a CSS number: not part of the
    # text a selection anchors a note in) and decorates its span.
    canon = row["规范"][1]
    number = hutong.index + 1
    assert (
        f'<span class="cs" id="s-c13-{number}" title="{apparatus_note(hutong, hutong.canonical_reading)}">'
        f'{hutong.canonical_reading}<sup class="sn" data-n="{number}"></sup></span>'
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
    rows = set(re.findall(r'<tr id="r-[^"]+" data-key="([^"]+)"', html))
    assert rows == keys_with_sites
    # The overview still has every unit; those not shown link to the full list.
    assert html.count('<a class="ov-c d') == len(all_keys)
    equal = sorted(all_keys - keys_with_sites)[0]
    assert re.search(rf'href="\?[^"#]*#{dom_id(equal, "r")}"', html)

    # Without punctuation, units whose only differences are punctuation drop out too.
    not_punct = set(
        VariantSite.objects.filter(unit__document__slug=SLUG)
        .exclude(type="punctuation")
        .values_list("unit__key", flat=True)
    )
    html = get(client, READ + "?diff=1&punct=0")
    assert set(re.findall(r'<tr id="r-[^"]+" data-key="([^"]+)"', html)) == not_punct

    # Only B and C: the units where B or C differs.
    b_or_c = {
        s.unit.key
        for s in VariantSite.objects.filter(unit__document__slug=SLUG).select_related("unit")
        if any(g in s.readings and s.readings[g] != s.canonical_reading for g in "BC")
    }
    html = get(client, READ + "?diff=1&s=B&s=C")
    assert set(re.findall(r'<tr id="r-[^"]+" data-key="([^"]+)"', html)) == b_or_c


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
    section = re.search(r'<section class="rd-unit[^"]*" id="r-c13"[^>]*>.*?</section>', html, re.S)
    assert section
    n = zong.index + 1
    assert f'<li value="{n}" id="n-c13-{n}">' in section.group(0)
    assert note in section.group(0)
    # Every note of the unit, in order, numbered as in the canonical text.
    sites = list(unit("c13").sites.order_by("index"))
    numbers = [int(v) for v in re.findall(r'<li value="(\d+)"', section.group(0))]
    assert numbers == [s.index + 1 for s in sites]
    assert "<table" not in html.split('id="rd-body"')[1]

    # The apparatus lists every copy's reading, whichever copies are picked.
    html = get(client, READ + "?view=apparatus&s=A&s=B")
    assert note in html and note.endswith(" A C D")


# --- Page furniture --------------------------------------------------------------------


def test_overview_strip_labels_anchors_and_coverage(client):
    html = get(client, READ)
    strip = re.search(r'<nav class="ov".*?</nav>', html, re.S).group(0)
    units = list(Unit.objects.filter(document__slug=SLUG).order_by("order"))
    hrefs = re.findall(r'<a class="ov-c d\d[^"]*" href="([^"]+)"', strip)
    assert hrefs == [f"#{dom_id(u.key, 'r')}" for u in units]
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
    assert "报告录入错误" in html  # an editor is an annotator too: the flag button
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


# --- Notes and flags ------------------------------------------------------------------------


def user_with(name: str, role: str | None) -> User:
    user = User.objects.create_user(name, password="pw")
    if role:
        user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user


def add_note(author, key, visibility, body, quote=None) -> Note:
    u = unit(key)
    fields = {}
    if quote:
        start = u.canonical.index(quote)
        fields = anchor_at(u.canonical, start, start + len(quote)).as_fields()
    return Note.objects.create(author=author, unit=u, visibility=visibility, body=body, **fields)


def canon_cell(html: str, key: str) -> str:
    return cells(html, key)["规范"][1]


def marked(html: str, key: str) -> dict[str, str]:
    """{note ids: text} of the highlighted pieces in a unit's canonical text, in order."""
    found: dict[str, str] = {}
    for ids, text in re.findall(
        r'<mark class="an-span" data-notes="([^"]+)">(.*?)</mark>', canon_cell(html, key)
    ):
        found[ids] = found.get(ids, "") + htmllib.unescape(text)
    return found


def count_of(html: str, key: str) -> int:
    match = re.search(rf'data-note-count="{re.escape(key)}"[^>]*>(\d+)<', html)
    assert match, f"no note count for {key}"
    return int(match.group(1))


class Nesting(HTMLParser):
    """Fails on markup whose elements do not nest."""

    VOID = {"br", "img", "input", "meta", "link", "hr", "wbr"}

    def __init__(self):
        super().__init__()
        self.stack: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, (tag, self.stack)
        self.stack.pop()


@pytest.fixture
def olga(db):
    return user_with("olga", "annotator")


@pytest.fixture
def otto(db):
    return user_with("otto", "annotator")


@pytest.fixture
def some_notes(olga, otto):
    return {
        "olga_private": add_note(olga, "c13", Visibility.PRIVATE, "olga 私人", "职业生涯指导计划"),
        # Over the first site (横向, where B reads 纵向) and beyond it.
        "olga_shared": add_note(olga, "c13", Visibility.SHARED, "olga 共享", "横向发展"),
        "otto_private": add_note(otto, "c13", Visibility.PRIVATE, "otto secret", "学历教育"),
        "otto_public": add_note(otto, "c13", Visibility.PUBLIC, "otto 公开"),
        "otto_private_c14": add_note(otto, "c14", Visibility.PRIVATE, "otto secret 2"),
        "otto_shared_c14": add_note(otto, "c14", Visibility.SHARED, "otto 共享", "经济收入"),
    }


def test_note_counts_and_highlights_only_of_notes_the_user_may_read(client, olga, some_notes):
    n = some_notes
    client.force_login(olga)
    for html in (
        get(client, READ),
        get(client, READ + "?s=A&s=B", headers={"HX-Request": "true"}),  # the htmx fragment
    ):
        # Her own three-of-four on c13 (not otto's private one), otto's shared one on c14.
        assert count_of(html, "c13") == 3 and count_of(html, "c14") == 1
        assert count_of(html, "c15") == 0
        assert marked(html, "c13") == {
            str(n["olga_shared"].pk): "横向发展",
            str(n["olga_private"].pk): "职业生涯指导计划",
        }
        assert marked(html, "c14") == {str(n["otto_shared_c14"].pk): "经济收入"}
        for secret in ("otto_private", "otto_private_c14"):
            assert f'data-notes="{n[secret].pk}"' not in html
        assert "otto secret" not in html and "olga 私人" not in html  # bodies live in the panel
        # Marks do not change the text: it is still exactly the canonical text.
        assert text_of(canon_cell(html, "c13")) == unit("c13").canonical

    # The filter: her notes; shared (and public) ones.
    html = get(client, READ + "?notes=mine")
    assert count_of(html, "c13") == 2 and count_of(html, "c14") == 0
    assert 'data-note-filter="mine"' in html and 'name="notes" value="mine"' in html
    assert set(marked(html, "c13")) == {str(n["olga_shared"].pk), str(n["olga_private"].pk)}
    html = get(client, READ + "?notes=shared")
    assert count_of(html, "c13") == 2 and count_of(html, "c14") == 1
    assert set(marked(html, "c13")) == {str(n["olga_shared"].pk)}
    assert count_of(get(client, READ + "?notes=nonsense"), "c13") == 3

    # Otto sees his own private notes, not hers.
    client.force_login(User.objects.get(username="otto"))
    html = get(client, READ)
    assert count_of(html, "c13") == 3 and count_of(html, "c14") == 2
    assert set(marked(html, "c13")) == {str(n["olga_shared"].pk), str(n["otto_private"].pk)}

    # Nobody signed in: public notes only, and no filter.
    client.logout()
    html = get(client, READ)
    assert count_of(html, "c13") == 1 and count_of(html, "c14") == 0
    assert marked(html, "c13") == {} and "rd-notefilter" not in html
    assert count_of(get(client, READ + "?notes=mine"), "c13") == 1


def test_a_highlight_nests_inside_the_site_spans(client, olga, some_notes):
    client.force_login(olga)
    html = get(client, READ)
    canon = canon_cell(html, "c13")
    pk = some_notes["olga_shared"].pk
    # 横向发展 runs over the end of the site span 横向: cut in two, each piece inside one parent.
    assert re.search(
        rf'<span class="cs" id="s-c13-1"[^>]*><mark class="an-span" data-notes="{pk}">横向</mark>'
        rf'<sup class="sn" data-n="1"></sup></span><mark class="an-span" data-notes="{pk}">发展</mark>',
        canon,
    )
    # The whole body, in both views, nests (the htmx fragment is one element).
    for view in ("", "?view=apparatus"):
        parser = Nesting()
        parser.feed(get(client, READ + view, headers={"HX-Request": "true"}))
        parser.close()
        assert parser.stack == []


def test_each_row_has_its_notes_link_and_the_canonical_text_the_selection_hooks(client, olga):
    html = get(client, READ)  # nobody signed in: counts and links, no "add" on selection
    row = row_of(html, "c13")
    panel = f"/documents/{SLUG}/u/c13/notes/?filter=all"
    assert f'href="{panel}" hx-get="{panel}" hx-target="#rd-notes-body"' in row
    assert 'hx-push-url="false"' in row
    canon = re.search(r'<span class="rd-ctext"[^>]*>', row).group(0)
    assert 'data-canonical-unit="c13"' in canon and "data-note-highlights" in canon
    assert 'data-select-label="添加笔记"' in canon and "data-notes-open" not in canon
    assert '<aside id="rd-notes"' in html and 'id="rd-notes-body"' in html
    assert 'href="/static/js/annotations.js"' in html or "js/annotations" in html
    assert "css/annotations" in html

    client.force_login(olga)
    html = get(client, READ + "?notes=shared")
    row = row_of(html, "c13")
    assert f"/documents/{SLUG}/u/c13/notes/?filter=shared" in row
    assert "data-notes-open" in row
    # The apparatus view has the same hooks.
    html = get(client, READ + "?view=apparatus")
    section = re.search(r'<section class="rd-unit[^"]*" id="r-c13"[^>]*>.*?</section>', html, re.S)
    assert 'data-canonical-unit="c13"' in section.group(0)
    assert f"/documents/{SLUG}/u/c13/notes/?filter=all" in section.group(0)


@pytest.mark.parametrize("role", [None, "reader", "annotator", "editor"])
def test_the_flag_button_is_for_annotators(client, role):
    if role:
        client.force_login(user_with(f"u-{role}", role))
    html = get(client, READ)
    flag = f'data-url="/documents/{SLUG}/sites/{{id}}/flag/"'
    if role in ("annotator", "editor"):
        assert flag in html and 'class="btn rd-flag-link"' in html and "报告录入错误" in html
        assert 'id="rd-flag-box"' in html
    else:
        assert flag not in html and "rd-flag-link" not in html and "报告录入错误" not in html


def test_errata_links_on_the_column_headers_the_source_page_and_notes_on_the_unit_page(client):
    header = re.search(r"<thead>.*?</thead>", get(client, READ), re.S).group(0)
    for g in "ABCD":
        assert f'href="/documents/{SLUG}/sources/{g}/errata/"' in header
    source_page = get(client, f"/documents/{SLUG}/sources/B/")
    assert f'href="/documents/{SLUG}/sources/B/errata/"' in source_page
    assert client.get(f"/documents/{SLUG}/sources/B/errata/").status_code == 200
    assert f'href="/documents/{SLUG}/u/c13/notes/"' in get(client, f"/documents/{SLUG}/u/c13/")


# --- Performance ------------------------------------------------------------------------

# document, sources, units, readings, sites, the notes the user may read, confirmed flags
QUERIES = 7


# Signed in: the session, the user and the user's roles too.
QUERIES_SIGNED_IN = QUERIES + 3


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


def _many_notes(authors, n: int) -> None:
    """``n`` notes spread over the units, authors and visibilities, half of them on spans."""
    units = list(Unit.objects.filter(document__slug=SLUG).order_by("order"))
    visibilities = list(Visibility)
    for i in range(n):
        u = units[(i * 7) % len(units)]
        fields = {}
        if i % 2 and len(u.canonical) > 4:
            start = i % (len(u.canonical) - 4)
            fields = anchor_at(u.canonical, start, start + 3).as_fields()
        Note.objects.create(
            author=authors[i % len(authors)],
            unit=u,
            visibility=visibilities[i % len(visibilities)],
            body=f"note {i}",
            **fields,
        )


@pytest.mark.parametrize("role", [None, "reader", "annotator", "editor"])
@pytest.mark.parametrize(
    "url,headers",
    [
        (READ, {}),
        (READ + "?notes=mine", {}),
        (READ + "?notes=shared&s=A&s=B&diff=1", {}),
        (READ + "?view=apparatus", {}),
        (READ, {"HX-Request": "true"}),
    ],
)
def test_fixed_number_of_queries_with_notes(
    client, django_assert_num_queries, role, url, headers, olga, otto
):
    if role:
        client.force_login(user_with(f"u-{role}", role))
    queries = QUERIES_SIGNED_IN if role else QUERIES
    with django_assert_num_queries(queries):
        html = get(client, url, headers=headers)
    assert "data-notes=" not in html
    _many_notes([olga, otto, *User.objects.filter(username=f"u-{role}")], 30)
    with django_assert_num_queries(queries):
        html = get(client, url, headers=headers)
    assert "data-notes=" in html  # the notes are there, at no extra query
    counts = [int(n) for n in re.findall(r"data-note-count=\"[^\"]+\"[^>]*>(\d+)<", html)]
    assert sum(counts) > 0


# --- Issue 9: ids from keys, ranges, derived copies, confirmed errors ------------------


def test_dom_ids_are_valid_and_unique_for_any_key():
    keys = ["s1.p2", "s1_dp2", "att1.r21", "d1.2.1", "cover.p1", "c13", "1?", "第一条", "a_b"]
    ids = [dom_id(k, "q") for k in keys]
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]*", i) for i in ids)
    assert dom_id("s1.p2", "q") == "q-s1_dp2" and dom_id("c13", "r") == "r-c13"


def test_a_range_of_units_to_read_alone(client):
    html = get(client, READ + "?from=c12&to=c17")
    keys = re.findall(r'<tr id="r-[^"]+" data-key="([^"]+)"', html)
    units = list(Unit.objects.filter(document__slug=SLUG).order_by("order"))
    order = [u.key for u in units]
    assert keys == order[order.index("c12") : order.index("c17") + 1]
    assert "s6" in keys  # a heading between them is read too
    assert re.search(r'<option value="c12" selected>', html)
    assert re.search(r'<option value="c17" selected>', html)
    assert "（十二）–（十七）" in html
    # Unknown keys are said and ignored; the range form works without JavaScript.
    html = get(client, READ + "?from=nope&to=c2")
    assert "nope" in re.search(r'<p class="flash flash-warning".*?</p>', html, re.S).group(0)
    assert re.search(r'<form class="rd-range" method="get"', html)


def test_a_derived_copy_is_marked_in_the_sigla(client):
    doc = Document.objects.get(slug=SLUG)
    doc.sources.filter(siglum="C").update(derived_from=doc.sources.get(siglum="B"))
    html = get(client, READ)
    header = re.search(r'<th scope="col" class="rd-h" id="h-C".*?</th>', html, re.S).group(0)
    assert "′" in header and "转自 B 本" in header


def test_a_confirmed_transcription_error_is_marked_on_its_reading(client):
    from annotations.models import Flag

    zong = site_where("c13", lambda s: "纵" in s.readings.get("B", ""))
    b = Source.objects.get(document__slug=SLUG, siglum="B")
    flag = Flag.objects.create(
        unit=zong.unit,
        source=b,
        reading=zong.readings["B"],
        proposed=zong.canonical_reading,
        correction=zong.canonical_reading,
        state=Flag.State.CONFIRMED,
    )
    html = get(client, READ + "?s=B")
    button = re.search(rf'<button[^>]*data-site="{zong.pk}"[^>]*>', cells(html, "c13")["B"][1])
    assert "is-error" in button.group(0) and f'data-flag="/flags/{flag.pk}/"' in button.group(0)
    apparatus = get(client, READ + "?view=apparatus")
    assert f'href="/flags/{flag.pk}/"' in apparatus


def test_queries_stay_bounded_with_more_copies(client, django_assert_max_num_queries):
    doc = Document.objects.get(slug=SLUG)
    for g in "EFGHIJ":
        Source.objects.create(
            document=doc,
            siglum=g,
            title=g,
            script="simplified",
            original=b"",
            encoding="utf-8",
            checksum=g * 64,
            text="",
        )
    every = "&".join(f"s={g}" for g in "ABCDEFGHIJ")
    with django_assert_max_num_queries(QUERIES):
        html = get(client, READ + "?" + every)
    assert len(shown_sigla(html)) == 10
