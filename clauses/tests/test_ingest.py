"""Importing into PostgreSQL: the demo corpus, every refusal, the commands."""

import io
import json

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import translation

from clauses.ingest import SourceMeta, import_source
from clauses.models import Document, Reading, Source, Unit
from clauses.text.pipeline import IngestError

from .seeds import seed_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """The messages below are matched in English (test_import_preview checks Chinese)."""
    with translation.override("en"):
        yield


OPINION = "2024-yijian"
PLAN = "2017-fangan"


def covered(siglum, slug=OPINION):
    source = Source.objects.get(document__slug=slug, siglum=siglum)
    return list(source.readings.order_by("position").values_list("unit__key", flat=True))


def counts():
    return (
        Document.objects.count(),
        Source.objects.count(),
        Unit.objects.count(),
        Reading.objects.count(),
    )


def test_demo_corpus_documents_and_sources():
    assert list(Document.objects.order_by("slug").values_list("slug", flat=True)) == [PLAN, OPINION]
    assert sorted(
        Source.objects.filter(document__slug=OPINION).values_list("siglum", flat=True)
    ) == ["A", "B", "C", "D"]


def test_coverage_of_each_copy():
    clauses = [f"c{n}" for n in range(1, 28)]
    a = covered("A")  # 000
    assert [k for k in a if k.startswith("s")] == [f"s{n}" for n in range(2, 10)]
    assert [k for k in a if k.startswith("c")] == clauses
    b = covered("B")  # 001
    assert b[:4] == ["p1", "s1", "s1.p1", "s1.p2"]
    assert "s6" not in b and [k for k in b if k.startswith("c")] == clauses
    c = covered("C")  # 003: everything
    assert len(c) == 39
    d = covered("D")  # 004
    assert [k for k in d if k.startswith("c")] == [f"c{n}" for n in range(6, 28)]
    assert [k for k in d if k.startswith("s")] == [f"s{n}" for n in range(4, 10)]
    plan = Unit.objects.filter(document__slug=PLAN)
    assert plan.filter(kind="item").exclude(label="——").count() == 25


def test_canonical_structure_and_parents():
    units = list(Unit.objects.filter(document__slug=OPINION).order_by("order"))
    assert [u.key for u in units][:5] == ["p1", "s1", "s1.p1", "s1.p2", "s2"]
    by_key = {u.key: u for u in units}
    # 001 lacks heading 六, but the clauses are under it in the canonical structure.
    assert by_key["c14"].parent == by_key["s6"]
    assert by_key["c13"].parent == by_key["s5"]
    assert by_key["p1"].parent is None


def test_original_bytes_come_back_exactly(client):
    for source in Source.objects.all():
        response = client.get(f"/documents/{source.document.slug}/sources/{source.siglum}/original")
        assert response.content == seed_bytes(source.filename[:3])
        assert bytes(source.original) == seed_bytes(source.filename[:3])


def test_readings_point_at_their_raw_span():
    reading = Reading.objects.get(source__siglum="C", unit__key="c13")
    assert reading.raw.startswith("貫(guan)通產業(ye)工人橫向發展(zhan)機制。")
    assert reading.label_raw == "(十(shi)三)"
    assert reading.text.startswith("贯通产业工人横向发展机制。")


def test_import_order_does_not_change_the_structure():
    structure = list(
        Unit.objects.filter(document__slug=OPINION)
        .order_by("order")
        .values_list("key", "parent__key")
    )
    Document.objects.filter(slug=OPINION).delete()
    for name in ["004", "000", "003", "001"]:
        import_source(
            seed_bytes(name),
            SourceMeta(),
            document=Document.objects.filter(slug=OPINION).first(),
            accept_cuts=True,  # the newspaper copies carry unrelated articles
        )
        if name == "004":
            Document.objects.filter(pk=Source.objects.latest("pk").document_id).update(slug=OPINION)
    again = list(
        Unit.objects.filter(document__slug=OPINION)
        .order_by("order")
        .values_list("key", "parent__key")
    )
    assert again == structure


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200), "PNG image"),
        (
            "中国知识产权发展获国际点赞\n\n知识产权是创新的重要载体，保护知识产权就是保护创新。".encode(),
            "No document structure",
        ),
    ],
)
def test_bad_input_is_refused_and_writes_nothing(data, message):
    before = counts()
    with pytest.raises(IngestError, match=message):
        import_source(data, SourceMeta())
    assert counts() == before


def test_the_2017_plan_is_refused_by_the_2024_opinion_saying_its_similarity():
    before = counts()
    opinion = Document.objects.get(slug=OPINION)
    with pytest.raises(IngestError, match=r"reaches a similarity of \d+%, and 50% is needed"):
        import_source(
            seed_bytes("002").replace(b"004233", b"004234"), SourceMeta(), document=opinion
        )
    assert counts() == before


def test_gbk_bytes_are_accepted_and_decoded_right():
    gbk = seed_bytes("000").decode("utf-8").replace("据新华社", "据新华社\n").encode("gbk")
    result = import_source(gbk, SourceMeta(siglum="G"), accept_cuts=True)
    assert result.source.document.slug == OPINION
    assert result.source.encoding == "gb18030"
    assert bytes(result.source.original) == gbk
    assert (
        result.source.readings.get(unit__key="c13").text
        == Reading.objects.get(source__siglum="A", unit__key="c13").text
    )


@override_settings(MAX_SOURCE_BYTES=5 * 1024 * 1024)
def test_a_50_mb_file_is_refused_above_the_limit():
    before = counts()
    with pytest.raises(IngestError, match=r"bytes; the limit for one source is 5,242,880 bytes"):
        import_source(seed_bytes("000") * (50 * 1024 * 1024 // 14307 + 1), SourceMeta())
    assert counts() == before


def test_pipeline_refusals_are_shown_in_the_users_language():
    from django.utils import translation

    with translation.override("zh-hans"), pytest.raises(IngestError) as info:
        import_source(b"\x89PNG\r\n\x1a\n....", SourceMeta())
    assert "PNG" in str(info.value) and "not a text file" not in str(info.value)


def test_the_same_file_twice_is_a_duplicate():
    with pytest.raises(IngestError, match="already source A"):
        import_source(seed_bytes("000"), SourceMeta())


def test_sigla_are_validated_and_unique():
    data = seed_bytes("000") + b"\n"
    with pytest.raises(IngestError, match="not a siglum"):
        import_source(data, SourceMeta(siglum="TOO-LONG"))
    with pytest.raises(IngestError, match="already used"):
        import_source(data, SourceMeta(siglum="A"))
    assert import_source(data, SourceMeta(), accept_cuts=True).source.siglum == "E"


def test_load_demo_twice_changes_nothing():
    before = counts()
    call_command("load_demo", stdout=io.StringIO())
    assert counts() == before


def test_import_source_command_json_and_failure(tmp_path):
    path = tmp_path / "copy.txt"
    path.write_bytes(seed_bytes("004").replace(b"\xe4\xb8\xad\xe5\xb8\xbc", "巾帼".encode()))
    out = io.StringIO()
    call_command(
        "import_source",
        *(str(path), "--json", "--siglum", "X", "--kind", "newspaper", "--accept-cuts"),
        stdout=out,
    )
    result = json.loads(out.getvalue())
    assert (result["document"], result["siglum"], result["units"]) == (OPINION, "X", 28)
    assert any(r["rule"] == "align_units" for r in result["report"]["rules"])

    before = counts()
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    with pytest.raises(CommandError, match="The file is empty"):
        call_command("import_source", str(empty))
    with pytest.raises(CommandError, match="no document with slug"):
        call_command("import_source", str(path), "--document", "nope")
    assert counts() == before


def test_list_documents_and_export_command():
    out = io.StringIO()
    call_command("list_documents", stdout=out)
    assert out.getvalue().splitlines() == [
        f"{PLAN}\t新时期产业工人队伍建设改革方案\tP",
        f"{OPINION}\t中共中央 国务院关于深化产业工人队伍建设改革的意见\tA,B,C,D",
    ]
    out = io.StringIO()
    call_command("export_document", OPINION, "--format", "json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["document"]["slug"] == OPINION
    c13 = next(u for u in data["units"] if u["key"] == "c13")
    assert c13["label"] == "（十三）"
    assert set(c13["readings"]) == {"A", "B", "C", "D"}
    assert not c13["canonical"].startswith("（")
    assert c13["readings"]["C"]["raw"].startswith("貫(guan)通")
    c_source = next(s for s in data["sources"] if s["siglum"] == "C")
    assert c_source["script"] == "traditional" and len(c_source["units"]) == 39


def test_apart_counts_the_multiset_difference():
    """The derived-copy bound counts only the middles of two texts (their
    common prefix and suffix cancel out): the same figure as whole Counters."""
    import random
    from collections import Counter

    from clauses.ingest import _apart

    rng = random.Random(3)
    for _ in range(5000):
        a = "".join(rng.choice("甲乙丙丁戊") for _ in range(rng.randint(0, 14)))
        b = list(a)
        for _ in range(rng.randint(0, 3)):
            k = rng.random()
            if b and k < 0.4:
                b[rng.randrange(len(b))] = rng.choice("甲乙丙丁戊")
            elif k < 0.7:
                b.insert(rng.randrange(len(b) + 1), rng.choice("甲乙"))
            elif b:
                del b[rng.randrange(len(b))]
        b = "".join(b)
        x, y = Counter(a), Counter(b)
        assert _apart(a, b) == (x - y).total() + (y - x).total(), (a, b)


def test_a_new_document_with_the_text_of_another_says_so(tmp_path, client):
    """Review 8: the Opinion's text under a title with one character changed
    (产叶 for 产业, not a look-alike an OCR makes) is another document by the
    title rule -- created, never joined on a guess -- and the command, its
    JSON, the dry run and the form's preview name the stored document whose
    text it has."""
    data = seed_bytes("000").replace("深化产业工人".encode(), "深化产叶工人".encode(), 1)
    path = tmp_path / "title.txt"
    path.write_bytes(data)
    opinion = Document.objects.get(slug=OPINION)

    out = io.StringIO()
    call_command("import_source", str(path), "--dry-run", "--accept-cuts", stdout=out)
    dry = json.loads(out.getvalue())
    assert dry["created"] is True
    assert dry["similar_document"]["slug"] == OPINION

    # The form's preview (an editor, in English), before anything is saved.
    editor = User.objects.create_user("ed-title", password="pw")
    editor.groups.add(Group.objects.get(name="editor"))
    client.force_login(editor)
    before = counts()
    html = client.post(
        "/import/",
        {"text": data.decode(), "kind": "other", "accept_cuts": "1"},
        HTTP_ACCEPT_LANGUAGE="en",
    ).content.decode()
    assert counts() == before
    assert 'class="flash flash-warning similar-hint"' in html
    assert f"“{opinion.title}” has nearly the same text under another title" in html

    out = io.StringIO()
    call_command("import_source", str(path), "--accept-cuts", stdout=out)
    said = out.getvalue()
    assert "created" in said
    assert f"“{opinion.title}” ({OPINION}) has nearly the same text (similarity 100%)" in said
    assert f"--document {OPINION}" in said

    # A copy of a stored document, alike in title and text, says nothing of the kind.
    again = tmp_path / "copy.txt"
    again.write_bytes(seed_bytes("004").replace("中帼".encode(), "巾帼".encode()))
    result = import_source(again.read_bytes(), SourceMeta(), accept_cuts=True)
    assert not result.created_document and result.similar is None
