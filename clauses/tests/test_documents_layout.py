"""Issue 7 on the Django side: metadata, articles, regions, accounting, versions.

Most tests build the pipeline's output (``PreparedSource``) by hand, so they
pin the database, commands and pages to the contract of
``clauses.text.pipeline`` whatever the segmenter does today. The test of the two
慈善法 imports real files through the real pipeline: it passes once the
pipeline reads laws as articles and finds their 题注.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import translation

from clauses.ingest import (
    CutsError,
    SourceMeta,
    _doc_type,
    dates_in,
    import_source,
    propose,
)
from clauses.models import Document, DocumentRelation, Reading, Source, Unit
from clauses.text.pipeline import IngestError, PreparedSource, UnitReading

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "corpus" / "laws"
HAN = re.compile(r"[\u3400-\u9fff]")

LAW_2016 = """中华人民共和国测试法

（2016年3月16日第十二届全国人民代表大会第四次会议通过）

目录
第一章 总则
第二章 附则

第一章 总则

第一条 为了规范测试活动，保障软件质量，制定本法。

第二条 本法适用于在中华人民共和国境内开展的测试活动。
测试应当认真负责，如实记录结果。
（一）编写测试用例；
（二）运行全部测试。

第二章 附则

第三条 本法自2016年9月1日起施行。
"""

LAW_2023 = LAW_2016.replace(
    "（2016年3月16日第十二届全国人民代表大会第四次会议通过）",
    "（2016年3月16日第十二届全国人民代表大会第四次会议通过　"
    "根据2023年12月29日第十四届全国人民代表大会常务委员会第七次会议"
    "《关于修改〈中华人民共和国测试法〉的决定》修正）",
).replace("如实记录结果。", "如实记录并公开结果。")

# key, kind, label, level, parent, body as printed after the label
LAW_UNITS = [
    ("ch1", "heading", "第一章", 1, "", "总则"),
    ("ch1.a1", "article", "第一条", 3, "ch1", "为了规范测试活动，保障软件质量，制定本法。"),
    (
        "ch1.a2",
        "article",
        "第二条",
        3,
        "ch1",
        "本法适用于在中华人民共和国境内开展的测试活动。\n测试应当认真负责，如实记录结果。\n"
        "（一）编写测试用例；\n（二）运行全部测试。",
    ),
    ("ch2", "heading", "第二章", 1, "", "附则"),
    ("ch2.a3", "article", "第三条", 3, "ch2", "本法自2016年9月1日起施行。"),
]


def han(text: str) -> int:
    return len(HAN.findall(text))


def build(
    original: str,
    units=LAW_UNITS,
    *,
    title: str = "",
    metadata: dict | None = None,
    kept: float | None = None,
    extra_regions: list[dict] | None = None,
    body_start: str = "第一章 总则\n\n第一条",
) -> PreparedSource:
    """The pipeline's output for ``original``, as the contract describes it."""
    cursor = original.index(body_start) if body_start in original else 0
    readings, regions, path = [], list(extra_regions or []), {}
    for key, kind, label, level, parent, body in units:
        if body.startswith("本法适用于") and "如实记录并公开结果" in original:
            body = body.replace("如实记录结果", "如实记录并公开结果")
        label_at = original.index(label, cursor)
        start = original.index(body, label_at)
        end = start + len(body)
        cursor = end
        path[key] = (*path.get(parent, ()), label)
        readings.append(
            UnitReading(
                key=key,
                kind=kind,
                label=label,
                ordinal=None,
                level=level,
                text=body,
                raw_start=start,
                raw_end=end,
                label_raw=original[label_at:start].strip(),
                parent=parent,
                path=path[key],
            )
        )
        regions.append({"kind": "reading", "name": key, "start": start, "end": end})
    regions.sort(key=lambda r: r["start"])
    counts = {
        "reading": sum(
            han(original[r["start"] : r["end"]]) for r in regions if r["kind"] == "reading"
        )
    }
    for kind in ("metadata", "furniture", "toc", "cut"):
        counts[kind] = sum(
            han(original[r["start"] : r["end"]]) for r in regions if r["kind"] == kind
        )
    counts["total"] = han(original)
    accounting = {"han": counts}
    if kept is not None:
        accounting["kept"] = kept
    data = original.encode()
    metadata = metadata or {}
    return PreparedSource(
        original=original,
        encoding="utf-8",
        checksum=hashlib.sha256(data).hexdigest(),
        script="simplified",
        title=title,
        date=None,
        number=metadata.get("number", ""),
        issuers=metadata.get("issuers", ""),
        units=readings,
        report=[{"rule": "decode", "count": len(original), "examples": [], "detail": {}}],
        format="text",
        metadata=metadata,
        regions=regions,
        accounting=accounting,
        schemes={"": "law"},
    )


def law(original: str = LAW_2016, **kwargs) -> PreparedSource:
    history = re.search(r"（2016年.*?）\n", original).group(0).strip()
    title = "中华人民共和国测试法"
    regions = [
        {"kind": "metadata", "name": "title", "start": 0, "end": len(title)},
        {
            "kind": "metadata",
            "name": "history",
            "start": original.index(history),
            "end": original.index(history) + len(history),
        },
        {
            "kind": "toc",
            "name": "toc",
            "start": original.index("目录"),
            "end": original.index("第二章 附则\n") + 5,
        },
    ]
    kwargs.setdefault("title", title)
    kwargs.setdefault("metadata", {"title": title, "history": [history]})
    kwargs.setdefault("kept", 1.0)
    return build(original, extra_regions=regions, **kwargs)


def do_import(prepared: PreparedSource, **kwargs):
    return import_source(prepared.original.encode(), SourceMeta(), prepared=prepared, **kwargs)


def counts():
    return (
        Document.objects.count(),
        Source.objects.count(),
        Unit.objects.count(),
        Reading.objects.count(),
        DocumentRelation.objects.count(),
    )


# --- Writing the new fields ----------------------------------------------------


def test_law_is_written_with_articles_parents_metadata_regions_and_accounting():
    result = do_import(law())
    doc = result.source.document
    assert result.created_document and doc.title == "中华人民共和国测试法"
    assert doc.slug == "2016-fa"  # the year of its 题注, the type from 法
    assert doc.metadata["history"][0].startswith("（2016年3月16日")
    units = {u.key: u for u in doc.units.select_related("parent")}
    assert [u.key for u in doc.units.in_order()] == ["ch1", "ch1.a1", "ch1.a2", "ch2", "ch2.a3"]
    assert units["ch1.a2"].kind == Unit.Kind.ARTICLE and units["ch1.a2"].parent.key == "ch1"
    assert units["ch2.a3"].parent.key == "ch2" and units["ch1"].parent is None
    assert "\n（一）编写测试用例；" in units["ch1.a2"].canonical
    source = result.source
    assert source.format == "text"
    assert {r["kind"] for r in source.regions} == {"metadata", "toc", "reading"}
    assert source.accounting["kept"] == 1.0 and source.accounting["schemes"] == {"": "law"}


def test_reading_parents_win_over_levels():
    # The levels alone would put 第三条 under 第二章; the readings say 第一章.
    units = [list(u) for u in LAW_UNITS]
    units[4][4] = "ch1"
    doc = do_import(law(units=[tuple(u) for u in units])).source.document
    assert doc.units.get(key="ch2.a3").parent.key == "ch1"


def test_levels_still_give_parents_when_readings_give_none():
    units = [(*u[:4], "", u[5]) for u in LAW_UNITS]
    doc = do_import(law(units=units)).source.document
    assert doc.units.get(key="ch1.a2").parent.key == "ch1"  # level 3 under level 1


def test_title_comes_from_the_metadata_when_there_is_no_title_line():
    prepared = law(title="")
    assert do_import(prepared).source.document.title == "中华人民共和国测试法"


def test_no_title_anywhere_is_refused_then_taken_from_the_user():
    text = LAW_2016.replace("中华人民共和国测试法\n", "")
    bare = law(text, title="", metadata={"history": ["（2016年3月16日通过）"]})
    before = counts()
    with translation.override("en"), pytest.raises(IngestError, match="gives no title"):
        do_import(bare)
    assert counts() == before
    named = import_source(
        text.encode(), SourceMeta(document_title="测试法（用户给的标题）"), prepared=bare
    )
    assert named.source.document.title == "测试法（用户给的标题）"
    assert named.source.document.units.count() == 5  # never a line of body text as title


def test_an_undated_document_never_takes_todays_year():
    text = "关于加强测试工作的意见\n一、总体要求\n（一）加强测试，提高质量。\n"
    first = import_source(text.encode(), SourceMeta())
    assert first.source.document.slug == "yijian"
    other = "关于改进样例工作的意见\n一、主要任务\n（一）改进样例，统一格式。\n（二）按期完成。\n"
    second = import_source(other.encode(), SourceMeta())
    assert second.source.document.slug == "yijian-2"


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("中华人民共和国慈善法", "fa"),
        ("国家突发公共事件总体应急预案", "yuan"),
        ("国务院办公厅关于同意建立部际联席会议制度的函", "han"),
        ("专利代理条例", "tiaoli"),
        ("生产安全事故应急预案管理办法", "banfa"),
        ("中华人民共和国国务院令", "ling"),
        ("关于授权国务院在部分地区开展试点的决定", "jueding"),
        ("国务院关于印发某方案的通知", "tongzhi"),
        ("某规定（试行）", "guiding"),
        ("无类型的标题", "wenjian"),
    ],
)
def test_document_types_in_slugs(title, slug):
    assert _doc_type(title) == slug


def test_dates_in_arabic_and_chinese_numerals():
    assert [d.isoformat() for d in dates_in("二〇二四年十月十二日；2016年3月16日通过")] == [
        "2016-03-16",
        "2024-10-12",
    ]
    assert dates_in("二〇二三年二月三十日") == []


# --- The accounting gate -------------------------------------------------------

UNRELATED = "\n本报讯 昨日，市里举行了一场与本法毫无关系的活动，参加活动的群众很多很多很多。\n"


def cut_law() -> PreparedSource:
    original = LAW_2016 + UNRELATED * 3
    start = len(LAW_2016)
    prepared = law(original, kept=0.55)
    prepared.regions.append(
        {"kind": "cut", "name": "unrelated_article", "start": start, "end": len(original)}
    )
    prepared.accounting["han"]["cut"] = han(original[start:])
    return prepared


def test_less_than_90_percent_kept_is_refused_with_the_figures():
    prepared = cut_law()
    before = counts()
    with pytest.raises(CutsError) as refused:
        do_import(prepared)
    assert counts() == before
    message = str(refused.value)
    figures = prepared.accounting["han"]
    for n in (figures["total"], figures["reading"], figures["metadata"], figures["cut"]):
        assert f"{n:,}" in message
    assert "55%" in message and "\n" not in message
    assert refused.value.cuts[0]["name"] == "unrelated_article"
    assert "毫无关系" in refused.value.cuts[0]["text"]

    source = do_import(prepared, accept_cuts=True).source
    assert source.accounting["kept"] == 0.55
    assert any(r["kind"] == "cut" for r in source.regions)


def test_import_source_command_refuses_then_accepts_cuts(tmp_path, monkeypatch):
    prepared = cut_law()
    monkeypatch.setattr("clauses.ingest.prepare", lambda data, filename="": prepared)
    path = tmp_path / "law.txt"
    path.write_bytes(prepared.original.encode())
    before = counts()
    with pytest.raises(CommandError) as refused:
        call_command("import_source", str(path), "--json")
    assert counts() == before
    assert "55%" in str(refused.value) and "\n" not in str(refused.value)

    out = io.StringIO()
    call_command("import_source", str(path), "--json", "--accept-cuts", stdout=out)
    result = json.loads(out.getvalue())
    assert result["accounting"]["kept"] == 0.55
    assert result["metadata"]["history"][0].startswith("（2016年")
    assert result["created"] is True and result["relation"] is None


# --- Versions ------------------------------------------------------------------


def test_a_later_version_becomes_a_new_related_document():
    first = do_import(law()).source.document
    later = law(LAW_2023)
    proposals = propose(later)
    assert proposals[0].document == first and proposals[0].is_version and proposals[0].later
    result = do_import(later)
    second = result.source.document
    assert result.created_document and second != first
    assert second.slug == "2023-fa" and first.sources.count() == 1
    relation = result.relation
    assert (relation.from_document, relation.to_document, relation.kind) == (
        second,
        first,
        "later_version_of",
    )
    # A copy of the later version joins it as a witness.
    copy = law(LAW_2023 + "\n")
    assert do_import(copy).source.document == second
    assert DocumentRelation.objects.count() == 1


def test_an_earlier_version_imported_second_is_the_earlier_one():
    newer = do_import(law(LAW_2023)).source.document
    result = do_import(law())
    older = result.source.document
    assert older != newer
    assert (result.relation.from_document, result.relation.to_document) == (newer, older)


def test_choosing_the_document_of_another_version_is_refused():
    first = do_import(law()).source.document
    before = counts()
    with pytest.raises(IngestError):
        import_source(LAW_2023.encode(), SourceMeta(), document=first, prepared=law(LAW_2023))
    assert counts() == before


def test_the_two_cishan_laws_are_two_related_documents():
    """Through the real pipeline: the 2016 and 2023 慈善法 (needs the new segmenter)."""
    first = import_source((FIXTURES / "cishan-2016.md").read_bytes(), SourceMeta())
    second = import_source((FIXTURES / "cishan-2023.md").read_bytes(), SourceMeta())
    assert first.source.document.title == "中华人民共和国慈善法"
    assert second.source.document != first.source.document
    assert second.relation is not None
    assert second.relation.from_document == second.source.document
    assert first.source.document.slug == "2016-fa" and second.source.document.slug == "2023-fa"
    assert first.source.document.units.filter(kind="article").count() == 112
    assert second.source.document.units.filter(kind="article").count() == 125


def test_two_transcriptions_of_one_regulation_are_copies_not_versions():
    """d06 (gov.cn: decree + regulation, 题注 in parentheses) and d13 (LawRefBook:
    four 题注 lines, 公布 and 施行 among them) are the same 2018 wording."""
    pages = FIXTURES.parent / "pages"
    first = import_source((pages / "d06-zhuanli-daili-tiaoli-govcn.txt").read_bytes(), SourceMeta())
    second = import_source(
        (pages / "d13-zhuanli-daili-tiaoli-lawrefbook.txt").read_bytes(), SourceMeta()
    )
    assert second.relation is None
    assert second.source.document == first.source.document
    assert second.source.siglum == "B"


def test_alike_documents_with_other_titles_are_other_documents():
    """The 2014 holiday notice (no title in the file: the user gives it) and the
    2019 one (gov.cn page) are alike in every line; two template 复函 for two
    cities likewise. Different titles: different documents, never copies or
    versions of each other."""
    corpus = FIXTURES.parent
    first = import_source(
        (corpus / "pages" / "d11-jiejiari2014-trad-executivefront.txt").read_bytes(),
        SourceMeta(document_title="国务院办公厅关于2014年部分节假日安排的通知"),
    )
    assert first.source.document.metadata["title"] == "国务院办公厅关于2014年部分节假日安排的通知"
    second = import_source((corpus / "govcn" / "g38.html").read_bytes(), SourceMeta())
    assert second.created_document and second.relation is None
    assert second.source.document != first.source.document
    harbin = import_source((corpus / "govcn" / "g24.html").read_bytes(), SourceMeta())
    shenzhen = import_source((corpus / "govcn" / "g31.html").read_bytes(), SourceMeta())
    assert shenzhen.created_document and shenzhen.relation is None
    assert shenzhen.source.document != harbin.source.document


def test_a_reprint_of_the_issued_plan_alone_is_a_copy_of_the_circular_page():
    from clauses.ingest import _title_keys

    keys = _title_keys(
        "国务院关于印发国家职业教育改革实施方案的通知",
        {
            "part_titles": [
                "国务院关于印发国家职业教育改革实施方案的通知",
                "国家职业教育改革实施方案",
            ]
        },
    )
    assert "国家职业教育改革实施方案" in keys


def test_wording_dates_are_adoptions_and_amendments_only():
    from clauses.ingest import wording_dates

    line = (
        "（1991年3月4日中华人民共和国国务院令第76号发布　2018年9月6日国务院第23次常务会议修订通过）"
    )
    assert [str(d) for d in wording_dates(line)] == ["2018-09-06"]
    assert wording_dates("2019年3月1日 施行") == []
    assert [str(d) for d in wording_dates("二〇二三年十二月二十九日第十四届…第七次会议修正")] == [
        "2023-12-29"
    ]


# --- Export --------------------------------------------------------------------


def test_export_has_metadata_paths_parents_and_levels(client):
    doc = do_import(law()).source.document
    out = io.StringIO()
    call_command("export_document", doc.slug, stdout=out)
    data = json.loads(out.getvalue())
    assert data["document"]["metadata"]["history"][0].startswith("（2016年")
    units = {u["key"]: u for u in data["units"]}
    assert units["ch1.a2"]["path"] == ["第一章", "第二条"]
    assert units["ch1.a2"]["parent"] == "ch1" and units["ch1"]["parent"] is None
    assert units["ch1.a2"]["kind"] == "article" and "level" not in units["ch1.a2"]
    assert units["ch1"]["level"] == 1 and units["ch1"]["path"] == ["第一章"]
    assert client.get(f"/documents/{doc.slug}/export.json").json() == data


def test_export_of_the_demo_keeps_its_kinds():
    data = json.loads(_export("2024-yijian"))
    kinds = {u["kind"] for u in data["units"]}
    assert kinds <= {"heading", "paragraph", "clause", "item"}
    c13 = next(u for u in data["units"] if u["key"] == "c13")
    assert c13["path"] == ["五、", "（十三）"] and c13["parent"] == "s5"
    assert all("level" in u for u in data["units"] if u["kind"] == "heading")


def _export(slug: str) -> str:
    out = io.StringIO()
    call_command("export_document", slug, stdout=out)
    return out.getvalue()


# --- Pages ---------------------------------------------------------------------


@pytest.fixture
def editor(client):
    user = User.objects.create_user("editor", password="pw", is_staff=True)
    client.force_login(user)
    return user


def test_document_page_shows_metadata_articles_and_versions(client, django_assert_num_queries):
    first = do_import(law()).source.document
    Document.objects.filter(pk=first.pk).update(
        metadata={
            **first.metadata,
            "number": "主席令第四十三号",
            "issuers": "全国人民代表大会",
            "date": "2016-03-16",
            "addressees": "各省、自治区、直辖市人民政府：",
            "attachments": ["1. 测试目录", "2. 测试<表格>"],
        }
    )
    second = do_import(law(LAW_2023)).source.document
    # The document, the count of its units, its page of units, copies, coverage, relations.
    with django_assert_num_queries(6):
        html = client.get(f"/documents/{first.slug}/").content.decode()
    assert "发文字号" in html and "主席令第四十三号" in html and "主送机关" in html
    assert "测试&lt;表格&gt;" in html and "<表格>" not in html
    assert "题注" in html and "（2016年3月16日" in html
    assert '<h2 class="unit unit-heading level-1" id="u-ch1">' in html
    article = html[html.index('id="u-ch1.a2"') :]
    article = article[: article.index("</div>")]
    assert article.count("<p ") == 4  # one 款 …
    assert article.count('class="kuan para-xiang"') == 2  # … and its two 项
    assert "本法适用于" in article and "测试应当认真负责" in article
    # Every 款 and 项 has its own anchor and citation (第二条第一款第（一）项).
    assert 'id="u-ch1.a2-k2-x1"' in article and 'title="第二条第二款第（一）项"' in article
    assert f'href="/documents/{second.slug}/"' in html and "新版：" in html
    html = client.get(f"/documents/{second.slug}/").content.decode()
    assert "旧版：" in html and f'href="/documents/{first.slug}/"' in html


def test_unit_page_of_an_article_cites_its_paragraphs_and_items(client):
    doc = do_import(law()).source.document
    html = client.get(f"/documents/{doc.slug}/u/ch1.a2/").content.decode()
    assert 'class="doc-text canonical is-article"' in html
    # The document page's link carries the unit (its page of a long text) and the 款's anchor.
    assert f'href="/documents/{doc.slug}/?unit=ch1.a2#u-ch1.a2-k2-x2"' in html
    assert "第二条第二款第（二）项" in html


def test_unit_page_links_the_same_unit_in_the_other_version(client, django_assert_num_queries):
    first = do_import(law()).source.document
    second = do_import(law(LAW_2023)).source.document
    with django_assert_num_queries(8):
        html = client.get(f"/documents/{first.slug}/u/ch1.a2/").content.decode()
    assert f'href="/documents/{second.slug}/u/ch1.a2/"' in html


def test_source_page_marks_every_region_and_shows_the_accounting(
    client, django_assert_max_num_queries
):
    prepared = cut_law()
    prepared.original = prepared.original.replace("本报讯", "<b>本报讯</b>")
    prepared.regions[-1]["end"] = len(prepared.original)
    prepared.checksum = hashlib.sha256(prepared.original.encode()).hexdigest()
    source = do_import(prepared, accept_cuts=True).source
    url = f"/documents/{source.document.slug}/sources/{source.siglum}/"
    with django_assert_max_num_queries(5):
        html = client.get(url).content.decode()
    assert 'class="region region-metadata"' in html and 'data-name="history"' in html
    assert 'class="region region-toc"' in html and 'class="region region-cut"' in html
    assert f'href="/documents/{source.document.slug}/u/ch1.a2/"' in html  # a reading
    assert "&lt;b&gt;本报讯&lt;/b&gt;" in html and "<b>本报讯" not in html
    assert "region-legend" in html and "目录" in html
    assert "unrelated_article" in html  # the cut, with its reason
    assert '<tr class="kept">' in html and "55%" in html


def test_source_page_of_a_demo_copy_marks_its_readings(client):
    html = client.get("/documents/2024-yijian/sources/A/").content.decode()
    assert 'class="region region-reading"' in html
    assert 'href="/documents/2024-yijian/u/c13/"' in html


def test_import_form_asks_before_saving_cuts_from_an_upload(client, editor, monkeypatch):
    prepared = cut_law()
    monkeypatch.setattr("clauses.ingest.prepare", lambda data, filename="": prepared)
    before = counts()
    upload = SimpleUploadedFile("law.txt", prepared.original.encode())
    response = client.post("/import/", {"file": upload, "kind": "other"})
    html = response.content.decode()
    assert response.status_code == 200 and counts() == before
    assert 'class="figures"' in html and "55%" in html
    assert "无关文章" in html and "毫无关系" in html  # the reason in words
    assert 'name="accept_cuts"' in html
    checksum = re.search(r'name="pending" value="([0-9a-f]{64})"', html).group(1)

    response = client.post("/import/", {"pending": checksum, "kind": "other", "accept_cuts": "on"})
    html = response.content.decode()
    assert response.status_code == 200 and counts() == before  # the preview, not saved yet
    assert 'class="import-preview' in html and 'name="confirm"' in html
    assert 'name="accept_cuts" value="on"' in html
    checksum = re.search(r'name="pending" value="([0-9a-f]{64})"', html).group(1)
    response = client.post(
        "/import/", {"pending": checksum, "kind": "other", "accept_cuts": "on", "confirm": "1"}
    )
    source = Source.objects.get(checksum=prepared.checksum)
    assert response.status_code == 302 and response.url == source.get_absolute_url()
    assert source.filename == "law.txt" and bytes(source.original) == prepared.original.encode()
    assert source.accounting["kept"] == 0.55
    assert "import_pending" not in client.session


def test_import_form_asks_before_saving_cuts_from_pasted_text(client, editor, monkeypatch):
    prepared = cut_law()
    monkeypatch.setattr("clauses.ingest.prepare", lambda data, filename="": prepared)
    before = counts()
    response = client.post("/import/", {"text": prepared.original, "kind": "other"})
    assert response.status_code == 200 and counts() == before
    assert "毫无关系" in response.content.decode()
    response = client.post(
        "/import/", {"text": prepared.original, "kind": "other", "accept_cuts": "on"}
    )
    assert response.status_code == 200 and counts() == before  # the preview
    response = client.post(
        "/import/",
        {"text": prepared.original, "kind": "other", "accept_cuts": "on", "confirm": "1"},
    )
    assert response.status_code == 302 and counts()[1] == before[1] + 1


def test_the_proposal_warns_of_cuts_and_offers_to_accept_them(client, editor, monkeypatch):
    prepared = cut_law()
    monkeypatch.setattr("clauses.ingest.prepare", lambda data, filename="": prepared)
    upload = SimpleUploadedFile("law.txt", prepared.original.encode())
    response = client.post(
        "/import/", {"file": upload, "propose": "1", "kind": "other"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert 'class="figures"' in html and "55%" in html
    assert 'name="accept_cuts"' in html and "<html" not in html


def test_a_stale_pending_upload_is_a_clear_message(client, editor):
    response = client.post("/import/", {"pending": "0" * 64, "kind": "other", "accept_cuts": "on"})
    assert response.status_code == 200
    assert 'class="form-errors"' in response.content.decode()


def test_import_form_takes_a_document_title_when_the_file_gives_none(client, editor, monkeypatch):
    text = LAW_2016.replace("中华人民共和国测试法\n", "")
    prepared = law(text, title="", metadata={"history": ["（2016年3月16日通过）"]})
    monkeypatch.setattr("clauses.ingest.prepare", lambda data, filename="": prepared)
    response = client.post("/import/", {"text": text, "kind": "other"})
    assert response.status_code == 200 and 'class="form-errors"' in response.content.decode()
    response = client.post(
        "/import/",
        {"text": text, "kind": "other", "document_title": "测试法（汇编本）", "confirm": "1"},
    )
    assert response.status_code == 302
    assert Document.objects.filter(title="测试法（汇编本）").exists()


def test_import_form_proposes_and_makes_a_later_version(client, editor, monkeypatch):
    first = do_import(law()).source.document
    later = law(LAW_2023)
    monkeypatch.setattr("clauses.ingest.prepare", lambda data, filename="": later)
    response = client.post(
        "/import/", {"text": LAW_2023, "propose": "1", "kind": "other"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert "version-proposal" in html and first.title in html
    response = client.post("/import/", {"text": LAW_2023, "kind": "other", "confirm": "1"})
    assert response.status_code == 302
    new = Source.objects.get(checksum=later.checksum).document
    assert new != first
    assert DocumentRelation.objects.filter(from_document=new, to_document=first).exists()
    page = client.get(response.url).content.decode()
    assert "新版" in page


def test_import_form_has_csrf_and_editor_role(client):
    assert client.get("/import/").status_code == 302
    client.force_login(User.objects.create_user("reader", password="pw"))
    assert client.get("/import/").status_code == 403  # signed in without the role


def test_a_later_copy_fills_in_what_the_first_did_not_say():
    """003 (no title line, no date) first: the document learns its date and
    issuers from 000 when it comes, and keeps what it knew."""
    from .seeds import seed_bytes

    Document.objects.all().delete()  # the demo is loaded: start from nothing
    first = import_source(
        seed_bytes("003"),
        SourceMeta(document_title="中共中央 国务院关于深化产业工人队伍建设改革的意见"),
    )
    doc = first.source.document
    assert doc.date is None and doc.slug == "yijian"
    import_source(seed_bytes("000"), SourceMeta(), accept_cuts=True)
    doc.refresh_from_db()
    assert str(doc.date) == "2024-10-12"
    assert doc.issuers == "中共中央、国务院"
    assert doc.title == "中共中央 国务院关于深化产业工人队伍建设改革的意见"
    assert doc.slug == "yijian"  # permalinks do not change
