"""TEI P5 and CSV exports of the collation, and the document page's downloads.

Every witness is rebuilt from the TEI file and compared with its readings
(``Reading.text``), on the demo corpus and on the demo document with many
damaged copies (clauses/tests/fixtures/corpus/wild/), a truncated one, a
derived one and an editor's emendation.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from urllib.parse import unquote

import pytest
from django.contrib.auth.models import User
from django.test import override_settings
from lxml import etree

from clauses.collation import decide
from clauses.export_tei import (
    CSV_COLUMNS,
    TEI_NS,
    TeiDocument,
    TeiSite,
    TeiUnit,
    TeiWitness,
    apparatus_csv,
    build_tei,
    csv_cell,
    csv_value,
    rebuild,
    unit_id,
    unit_problem,
    witness_id,
)
from clauses.ingest import SourceMeta, import_source
from clauses.models import Document, Reading, Source, Unit, VariantSite
from clauses.text.collate import consensus

from .seeds import seed_bytes

WILD = Path(__file__).parent / "fixtures" / "corpus" / "wild"
SLUG = "2024-yijian"
NS = {"t": TEI_NS}


# --- plain functions, no database ----------------------------------------------------------


def test_witness_ids_are_ncnames_and_never_collide():
    assert witness_id("A") == "A" and witness_id("B2") == "B2" and witness_id("ab") == "ab"
    assert witness_id("2B") == "_2B"
    assert witness_id("2") == "_2"
    assert witness_id("甲") == "__7532_"
    ids = {witness_id(s) for s in ("A", "B2", "2B", "_2B", "2", "A1", "1A", "甲", "a-b")}
    assert len(ids) == 9
    ncname = __import__("re").compile(r"[A-Za-z_][A-Za-z0-9_.-]*\Z")
    assert all(ncname.match(i) for i in ids)
    assert unit_id("s1.p2") == "u-s1_dp2"


def _unit(key, readings, edges=None, kind="clause", label="（一）", **kw):
    """A unit collated by the engine, as the database would hold it."""
    result = consensus(readings, sorted(readings), edges=edges)
    sites = [
        TeiSite(s.start, s.end, s.type, s.readings, result.text[s.start : s.end], s.tie)
        for s in result.sites
    ]
    return TeiUnit(key, kind, result.text, readings, sites, label=label, edges=edges or {}, **kw)


def _roundtrip(units, witnesses):
    doc = TeiDocument(slug="t", title="测试文件")
    data = build_tei(doc, witnesses, units)
    got = rebuild(data)
    for unit in units:
        assert got[unit.xml_id] == dict(unit.readings), unit.key
    return data


def test_rebuild_gives_every_witness_back_with_omissions_additions_and_lacunae():
    ws = [TeiWitness("A"), TeiWitness("B"), TeiWitness("2C", derived_from="A")]
    units = [
        _unit("h1", {"A": "总则", "B": "总则"}, kind="heading", label="一、", level=1),
        _unit("c1", {"A": "坚持多劳者多得。", "B": "坚持多劳多得，", "2C": "坚持劳者多得。"}),
        # B lacks c2 and c3 (a lacuna across two units); 2C lacks c3 only
        _unit("c2", {"A": "横向贯通，纵向衔接", "2C": "纵向贯通，横向衔接"}),
        _unit("c3", {"A": ""}),
        # a copy that ends inside the unit, another that begins inside it
        _unit(
            "c4",
            {
                "A": "完善制度。健全机制。建立规则。",
                "B": "完善制度。健全",
                "2C": "健全机制。建立规则。",
            },
            edges={"B": "end", "2C": "start"},
        ),
        _unit("c5", {"A": "form\x0cfeed & <tag> ]]>", "B": "form feed & <tag> ]]>"}),
    ]
    data = _roundtrip(units, ws)
    root = etree.fromstring(data)
    assert root.tag == f"{{{TEI_NS}}}TEI"
    _check_references(root)
    assert root.xpath("//*[@xml:id='u-c1']/@ana", namespaces=NS) == ["#kind-clause"]
    assert [w.get("n") for w in root.xpath("//t:listWit/t:witness", namespaces=NS)] == [
        "A",
        "B",
        "2C",
    ]
    assert root.xpath("//t:witness[@n='2C']/@xml:id", namespaces=NS) == ["_2C"]
    assert root.xpath("//t:witness[@n='2C']/@corresp", namespaces=NS) == ["#A"]
    assert root.xpath("//t:g[@type='codepoint']/@n", namespaces=NS) == ["U+000C"]
    assert root.xpath("count(//t:lacunaStart)", namespaces=NS) >= 2
    c4 = root.xpath("//*[@xml:id='u-c4']", namespaces=NS)[0]
    assert c4.xpath(".//t:rdg[@type='lacuna'][t:witEnd]/@wit", namespaces=NS) == ["#B"]
    assert c4.xpath(".//t:rdg[@type='lacuna'][t:witStart]/@wit", namespaces=NS) == ["#_2C"]
    # a heading opens a div, the clauses follow it there
    assert root.xpath("//t:body/t:div/t:head/@n", namespaces=NS) == ["一、"]
    assert len(root.xpath("//t:body/t:div/t:p", namespaces=NS)) == 5


def test_an_emendation_is_a_lem_without_witnesses_and_with_resp():
    site = TeiSite(2, 4, "substitution", {"A": "横向", "B": "纵向"}, "竖向", decision="emend")
    unit = TeiUnit(
        "c1", "clause", "推动竖向贯通", {"A": "推动横向贯通", "B": "推动纵向贯通"}, [site]
    )
    assert unit_problem(unit) == ""
    data = _roundtrip([unit], [TeiWitness("A"), TeiWitness("B")])
    lem = etree.fromstring(data).xpath("//t:lem", namespaces=NS)[0]
    assert lem.text == "竖向" and lem.get("wit") is None and lem.get("resp") == "#editors"


def test_sites_that_do_not_rebuild_the_readings_give_the_whole_unit_instead():
    """A collation older than its readings: the file must not give a wrong text."""
    site = TeiSite(2, 4, "substitution", {"A": "横向", "B": "纵向"}, "横向")
    # C was imported after the collation: no site lists it, and it differs
    readings = {"A": "推动横向贯通", "B": "推动纵向贯通", "C": "推进横向贯通"}
    unit = TeiUnit("c1", "clause", "推动横向贯通", readings, [site])
    assert "C" in unit_problem(unit)
    data = _roundtrip([unit], [TeiWitness("A"), TeiWitness("B"), TeiWitness("C")])
    apps = etree.fromstring(data).xpath("//t:app", namespaces=NS)
    assert [a.get("type") for a in apps] == ["unit"]
    # overlapping, out-of-range and wrong-lemma sites are caught too
    bad = TeiSite(3, 9, "substitution", {"A": "x"}, "")
    assert "outside" in unit_problem(TeiUnit("c", "clause", "推动横向", {"A": "x"}, [bad]))
    wrong = TeiSite(0, 2, "substitution", {"A": "推动"}, "推进")
    assert "canonical reading" in unit_problem(
        TeiUnit("c", "clause", "推动", {"A": "推动"}, [wrong])
    )


def test_csv_cells_never_run_as_formulas_and_read_back_exactly():
    for value in ("=SUM(A1)", "+1", "-5%", "@x", "'quoted", "普通", ""):
        assert csv_value(csv_cell(value)) == value
    assert csv_cell("=1")[0] == "'"


# --- the database --------------------------------------------------------------------------


def _check_document(client, document, django_assert_max_num_queries=None):
    """Rebuild every witness of every unit from the TEI download; compare with Reading.text."""
    url = f"/documents/{document.slug}/export.tei.xml"
    if django_assert_max_num_queries is not None:
        with django_assert_max_num_queries(6):
            response = client.get(url)
    else:
        response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/tei+xml")
    root = etree.fromstring(response.content)
    assert root.tag == f"{{{TEI_NS}}}TEI"
    assert root.xpath("string(//t:titleStmt/t:title)", namespaces=NS) == document.title
    sources = list(document.sources.order_by("siglum"))
    listed = root.xpath("//t:listWit/t:witness", namespaces=NS)
    assert [(w.get("n"), w.get("{http://www.w3.org/XML/1998/namespace}id")) for w in listed] == [
        (s.siglum, witness_id(s.siglum)) for s in sources
    ]
    _check_references(root)
    got = rebuild(response.content)
    units = list(Unit.objects.filter(document=document).in_order())
    assert list(got) == [unit_id(u.key) for u in units]
    expected = {unit_id(u.key): {} for u in units}
    for unit_key, siglum, text in Reading.objects.filter(unit__document=document).values_list(
        "unit__key", "source__siglum", "text"
    ):
        expected[unit_id(unit_key)][siglum] = text
    mismatches = [k for k in expected if got[k] != expected[k]]
    assert not mismatches, mismatches[:5]
    # the apparatus: one app per stored site (no unit had to be given whole)
    assert root.xpath("count(//t:app[@type='unit'])", namespaces=NS) == 0
    sites = VariantSite.objects.filter(unit__document=document).count()
    assert root.xpath("count(//t:app[@n])", namespaces=NS) == sites
    return root


def _check_references(root):
    """Every xml:id unique; every #pointer (wit, ana, resp, corresp, target) resolves."""
    ids = root.xpath("//@xml:id")
    assert len(ids) == len(set(ids))
    ids = set(ids)
    for attr in ("wit", "ana", "resp", "corresp", "target"):
        for value in root.xpath(f"//@{attr}"):
            for ref in value.split():
                if ref.startswith("#"):
                    assert ref[1:] in ids, (attr, ref)


@pytest.mark.django_db
def test_every_demo_witness_is_rebuilt_from_the_tei_file(client, django_assert_max_num_queries):
    for document in Document.objects.all():
        _check_document(client, document, django_assert_max_num_queries)


@pytest.fixture
def damaged(db):
    """The demo opinion with five damaged copies of its seeds, one of them derived
    (and sigla starting with a digit), a copy ending inside c27, one beginning
    inside c2, and an editor's emendation."""
    doc = Document.objects.get(slug=SLUG)
    wild = [
        ("w04-kangxi-radicals-pdf-000.txt", "E", None),
        ("w05-emspace-indent-000.txt", "2F", "A"),
        ("w06-ocr-label-numerals-004.txt", "G", None),
        ("w07-running-header-000.txt", "H", None),
        ("w10-fullwidth-digits-000.txt", "9", None),
    ]
    for name, siglum, derived in wild:
        import_source(
            (WILD / name).read_bytes(),
            SourceMeta(siglum=siglum, filename=name),
            document=doc,
            accept_cuts=True,
            derived_from=derived,
        )
    text = seed_bytes("001").decode("utf-8")
    cut = text.index("营造浓厚社会氛围")
    import_source(text[:cut].encode(), SourceMeta(siglum="T"), document=doc, accept_cuts=True)
    start = text.index("加强企业党组织建设")
    import_source(text[start:].encode(), SourceMeta(siglum="U"), document=doc, accept_cuts=True)
    editor = User.objects.create_user("ed", password="pw", is_staff=True)
    site = VariantSite.objects.filter(unit__document=doc, type="substitution").first()
    decide(site, "emend", "〔校改〕", "none of the copies reads it right", editor)
    return doc


@pytest.mark.django_db
def test_every_damaged_copy_is_rebuilt_from_the_tei_file(
    client, damaged, django_assert_max_num_queries
):
    assert damaged.sources.count() == 11
    root = _check_document(client, damaged, django_assert_max_num_queries)
    assert root.xpath("//t:witness[@n='2F']/@corresp", namespaces=NS) == ["#A"]
    assert root.xpath("//t:witness[@n='9']/@xml:id", namespaces=NS) == ["_9"]
    emended = root.xpath("//t:lem[@resp='#editors'][not(@wit)]", namespaces=NS)
    assert [e.text for e in emended] == ["〔校改〕"]
    assert root.xpath("//t:app[t:lem[@resp]]/t:note[@type='decision']/@subtype", namespaces=NS) == [
        "emend"
    ]
    # the truncated copies: T ends inside c27, U begins inside c2; each lacks the rest
    assert root.xpath("//*[@xml:id='u-c27']//t:rdg[t:witEnd]/@wit", namespaces=NS)
    assert "#U" in " ".join(
        root.xpath("//*[@xml:id='u-c2']//t:rdg[t:witStart]/@wit", namespaces=NS)
    )
    assert root.xpath("//t:rdg[contains(@wit, '#T')]/t:lacunaStart", namespaces=NS)


@pytest.mark.django_db
def test_the_apparatus_csv_has_one_row_per_site_and_copy(client, damaged):
    with_bom = client.get(f"/documents/{SLUG}/apparatus.csv")
    assert with_bom.status_code == 200
    assert with_bom["Content-Type"] == "text/csv; charset=utf-8"
    assert with_bom.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(with_bom.content.decode("utf-8-sig"))))
    assert tuple(rows[0]) == CSV_COLUMNS
    rows = [dict(zip(CSV_COLUMNS, map(csv_value, r), strict=True)) for r in rows[1:]]
    sites = list(
        VariantSite.objects.filter(unit__document=damaged).select_related("unit", "decision")
    )
    assert len(rows) == sum(len(s.readings) for s in sites)
    by_key = {}
    for row in rows:
        by_key.setdefault((row["unit"], int(row["site"])), []).append(row)
    assert len(by_key) == len(sites)
    for site in sites:
        found = by_key[(site.unit.key, site.index + 1)]
        assert {r["siglum"]: r["reading"] for r in found} == site.readings
        for r in found:
            assert (int(r["start"]), int(r["end"]), r["type"]) == (site.start, site.end, site.type)
            assert site.unit.canonical[int(r["start"]) : int(r["end"])] == site.canonical_reading
            assert r["is_canonical"] == ("yes" if r["reading"] == site.canonical_reading else "no")
            assert r["decision"] == (site.decision.action if site.decision else "")
            assert r["locator"] == (getattr(site.unit, "locator", "") or site.unit.label)
    assert any(r["derived_from"] == "A" for r in rows if r["siglum"] == "2F")
    assert any(r["decision"] == "emend" for r in rows)


def test_the_csv_builder_counts_rows_from_plain_data():
    site = TeiSite(0, 2, "substitution", {"A": "横向", "B": "纵向", "C": "横向"}, "横向")
    unit = TeiUnit("c1", "clause", "横向贯通", {"A": "横向贯通", "B": "纵向贯通"}, [site])
    text = apparatus_csv(TeiDocument("d", "文件"), [TeiWitness("A")], [unit])
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert len(rows) == 1 + 3
    assert rows[1][CSV_COLUMNS.index("start")] == "0" and rows[1][CSV_COLUMNS.index("end")] == "2"


# --- the page, the headers, permissions ----------------------------------------------------

DOWNLOADS = (
    ("export.json", ".json"),
    ("export.tei.xml", ".tei.xml"),
    ("apparatus.csv", ".apparatus.csv"),
    ("annotations.jsonld", ".annotations.jsonld"),
    ("annotations.csv", ".annotations.csv"),
)


@pytest.mark.django_db
def test_the_document_page_links_every_download(client):
    html = client.get(f"/documents/{SLUG}/").content.decode()
    section = html[html.index('id="downloads"') :]
    section = section[: section.index("</section>")]
    assert "下载" in section
    for path, _suffix in DOWNLOADS:
        assert f'href="/documents/{SLUG}/{path}"' in section, path


@pytest.mark.django_db
def test_every_download_is_an_attachment_named_after_the_title(client):
    document = Document.objects.get(slug=SLUG)
    for path, suffix in DOWNLOADS:
        response = client.get(f"/documents/{SLUG}/{path}")
        assert response.status_code == 200, path
        header = response["Content-Disposition"]
        assert header.startswith("attachment; filename*=utf-8''"), (path, header)
        assert unquote(header.split("''", 1)[1]) == document.title + suffix


@pytest.mark.django_db
def test_a_title_with_slashes_and_quotes_still_gives_a_file_name(client):
    Document.objects.filter(slug=SLUG).update(title='关于"试点"的意见/通知')
    header = client.get(f"/documents/{SLUG}/export.tei.xml")["Content-Disposition"]
    assert unquote(header.split("''", 1)[1]) == "关于_试点_的意见_通知.tei.xml"


@pytest.mark.django_db
def test_unknown_documents_are_404(client):
    for path, _suffix in DOWNLOADS:
        assert client.get(f"/documents/no-such-document/{path}").status_code == 404, path


@pytest.mark.django_db
@override_settings(ANONYMOUS_READ=False)
def test_downloads_follow_the_reading_rule(client):
    for path, _suffix in DOWNLOADS:
        response = client.get(f"/documents/{SLUG}/{path}")
        assert response.status_code == 302, path
        assert response.url.startswith("/accounts/login/?next="), path
    client.force_login(User.objects.create_user("reader", password="pw"))
    for path, _suffix in DOWNLOADS:
        assert client.get(f"/documents/{SLUG}/{path}").status_code == 200, path
    assert client.post(f"/documents/{SLUG}/export.tei.xml").status_code == 405


@pytest.mark.django_db
def test_a_stale_collation_is_given_whole_not_wrong(client):
    """A reading changed behind the collation's back: the unit becomes one app."""
    reading = Reading.objects.get(unit__document__slug=SLUG, unit__key="c1", source__siglum="B")
    Reading.objects.filter(pk=reading.pk).update(text=reading.text + "（补）")
    root = _check_document_stale(client)
    app = root.xpath("//*[@xml:id='u-c1']/t:app", namespaces=NS)
    assert [a.get("type") for a in app] == ["unit"]


def _check_document_stale(client):
    response = client.get(f"/documents/{SLUG}/export.tei.xml")
    got = rebuild(response.content)
    for unit_key, siglum, text in Reading.objects.filter(unit__document__slug=SLUG).values_list(
        "unit__key", "source__siglum", "text"
    ):
        assert got[unit_id(unit_key)][siglum] == text
    return etree.fromstring(response.content)


@pytest.mark.django_db
def test_the_source_list_matches_even_a_copy_without_readings(client):
    """A source every unit lacks is still a witness, in a lacuna throughout."""
    doc = Document.objects.get(slug=SLUG)
    source = Source.objects.get(document=doc, siglum="D")
    Reading.objects.filter(source=source).delete()
    VariantSite.objects.filter(unit__document=doc).update(readings={})  # made stale on purpose
    root = etree.fromstring(client.get(f"/documents/{SLUG}/export.tei.xml").content)
    assert "D" in root.xpath("//t:listWit/t:witness/@n", namespaces=NS)
    got = rebuild(etree.tostring(root))
    assert all("D" not in readings for readings in got.values())
