"""Issue 10, the import path: options checked like the form, concurrent imports
of one new document, background imports, incremental collation = full collation."""

import io
import random
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client, override_settings
from django.utils import translation

from clauses import collation
from clauses.forms import ImportForm
from clauses.ingest import (
    SourceMeta,
    candidates,
    choose,
    import_source,
    preview_import,
    propose,
    read_prepared,
)
from clauses.models import Document, ImportJob, Source, Unit, UnitAlignment, VariantSite
from clauses.text import collate as engine
from clauses.text.fingerprint import title_variant
from clauses.text.pipeline import IngestError

from .seeds import seed_bytes

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("option", "value", "said"),
    [
        ("--url", "javascript:alert(1)", "--url"),
        ("--published", "2024-13-45", "--published"),
        ("--title", "题" * 301, "--title"),
        ("--publication", "报" * 201, "--publication"),
        ("--url", "https://example.org/" + "a" * 500, "--url"),
        ("--siglum", "A-1", "--siglum"),
    ],
)
def test_import_source_checks_every_option_in_one_line(tmp_path, option, value, said):
    path = tmp_path / "copy.txt"
    path.write_bytes(seed_bytes("001"))
    before = Source.objects.count()
    with pytest.raises(CommandError) as refused:
        call_command("import_source", str(path), option, value, stdout=io.StringIO())
    assert said in str(refused.value) and "\n" not in str(refused.value)
    assert Source.objects.count() == before


def test_the_form_refuses_a_javascript_url_and_too_long_a_paste(client, django_user_model):
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user("ed", password="pw")
    user.groups.add(Group.objects.get_or_create(name="editor")[0])
    client.force_login(user)
    response = client.post(
        "/import/", {"text": "第一条 试行。", "kind": "web", "url": "javascript:alert(1)"}
    )
    assert (
        response.status_code == 200 and Source.objects.filter(url__startswith="javas").count() == 0
    )
    assert len(response.context["form"].errors["url"]) == 1  # said once, not by two validators
    for good in ("https://www.gov.cn/a.htm", "http://example.org/", "www.gov.cn/x"):
        form = ImportForm({"text": "第一条 试行。", "kind": "web", "url": good})
        assert form.is_valid() and form.cleaned_data["url"].startswith("http"), form.errors
    with override_settings(MAX_SOURCE_BYTES=1000):
        response = client.post("/import/", {"text": "条" * 400, "kind": "web"})
    assert "limit" in str(response.context["form"].non_field_errors()) or "上限" in str(
        response.context["form"].non_field_errors()
    )


def test_a_duplicate_is_refused_before_the_pipeline_runs(monkeypatch):
    data = seed_bytes("001")
    existing = Source.objects.get(checksum=__import__("hashlib").sha256(data).hexdigest())

    def never(*args, **kwargs):
        raise AssertionError("the pipeline ran for a duplicate")

    monkeypatch.setattr("clauses.ingest.prepare", never)
    with pytest.raises(IngestError, match=existing.siglum):
        import_source(data, SourceMeta())


def test_the_document_is_found_by_its_fingerprint():
    prepared = read_prepared(seed_bytes("001").replace("产业".encode(), "产亚".encode(), 3))
    found = candidates(prepared)
    assert [d.slug for d in found][:1] == ["2024-yijian"]
    assert Document.objects.get(slug="2024-yijian").grams.exists()


def test_a_title_mistyped_as_ocr_does_is_the_same_documents():
    """Seed 002 with 产业工人 OCR'd as 产业工入 (人/入) in its three title
    lines: a copy of the 2017 plan (its title a variant reading), not a new
    document."""
    data = seed_bytes("002").replace("产业工人".encode(), "产业工入".encode(), 3)
    plan = Document.objects.get(title__contains="产业工人队伍建设改革方案")
    prepared = read_prepared(data)
    assert "产业工入" in prepared.title
    chosen = choose(propose(prepared))
    assert chosen is not None and chosen.document == plan and chosen.kind == "copy"
    result = import_source(data, SourceMeta(siglum="O"), accept_cuts=True)
    assert not result.created_document and result.source.document == plan


def test_a_title_mistyped_otherwise_stays_another_document():
    """A difference OCR does not make (仁 for 人, a typing error) is no variant:
    at 100% similarity the text is still another document's, as any title
    difference but OCR's says (review 5: 湖北 → 河南 made a letter a copy)."""
    data = seed_bytes("002").replace("产业工人".encode(), "产业工仁".encode(), 3)
    plan = Document.objects.get(title__contains="产业工人队伍建设改革方案")
    proposals = {p.document: p for p in propose(read_prepared(data))}
    assert proposals[plan].kind == "other"


def test_another_provinces_letter_is_not_a_copy_of_the_first():
    """Review 5: the 湖北 letter (govcn g48) with 湖北 → 河南 and 鄂 → 豫 is
    99% alike and was taken as its copy, rewriting its canonical text."""
    from pathlib import Path

    g48 = (Path(__file__).parent / "fixtures" / "corpus" / "govcn" / "g48.html").read_text("utf-8")
    hubei = import_source(g48.encode(), SourceMeta(kind="web")).source.document
    henan = g48.replace("湖北", "河南").replace("鄂", "豫").encode()
    proposals = {p.document: p for p in propose(read_prepared(henan))}
    assert proposals[hubei].kind == "other" and choose(list(proposals.values())) is None


@pytest.mark.parametrize(
    "a, b, variant",
    [
        ("关于开展巾帼建功活动的通知", "关于开展中帼建功活动的通知", True),
        ("新时期产业工人队伍建设改革方案", "新时期产业工入队伍建设改革方案", True),
        ("关于加强自已管理的意见", "关于加强自己管理的意见", True),
        # Not OCR's confusions: other documents, however few characters apart.
        ("新时期产业工人队伍建设改革方案", "新时期产业工仁队伍建设改革方案", False),
        (
            "国务院办公厅关于湖北省调整部分行政区划的函",
            "国务院办公厅关于河南省调整部分行政区划的函",
            False,
        ),
        ("关于河北省工作的意见", "关于河南省工作的意见", False),
        ("关于上半年工作安排的通知", "关于下半年工作安排的通知", False),
        ("北京市关于推进工作的实施意见", "天津市关于推进工作的实施意见", False),
        (
            "国务院办公厅关于2014年部分节假日安排的通知",
            "国务院办公厅关于2019年部分节假日安排的通知",
            False,
        ),
        ("关于深化产业工人队伍建设改革的意见", "关于深化产业工人队伍建设改革意见", False),
        ("关于推进工作的意见", "关于推进工作的意见", False),
        # Two confusions in a short title: more than one per ten characters.
        ("巾帼建功人才", "中帼建功入才", False),
    ],
)
def test_title_variant(a, b, variant):
    assert title_variant(a, b) is variant and title_variant(b, a) is variant


def test_a_near_title_with_other_text_stays_another_document():
    """The title rule needs the text too: 2024-yijian's text under the 2017
    plan's title mistyped is not a copy of the plan."""
    plan = Document.objects.get(title__contains="产业工人队伍建设改革方案")
    text = seed_bytes("001").decode()
    first = text.index("关于")
    title_line = text[first : text.index("\n", first)]
    data = text.replace(title_line, "新时期产业工入队伍建设改革方案", 1).encode()
    proposals = {p.document: p for p in propose(read_prepared(data))}
    assert plan not in proposals or proposals[plan].kind == "other"


# --- Incremental collation ------------------------------------------------------


def _snapshot(document):
    units = list(Unit.objects.filter(document=document).order_by("order"))
    sites = list(
        VariantSite.objects.filter(unit__document=document)
        .order_by("unit__order", "index")
        .values_list("unit__key", "start", "end", "type", "tie", "readings", "canonical_reading")
    )
    return [(u.key, u.canonical) for u in units], sites


def test_incremental_collation_equals_the_full_collation_on_the_demo():
    document = Document.objects.get(slug="2024-yijian")
    assert UnitAlignment.objects.filter(unit__document=document).exists()
    incremental = _snapshot(document)
    stats = collation.recollate(Unit.objects.filter(document=document).in_order())
    assert stats.aligned > 0
    assert _snapshot(document) == incremental
    again = collation.recollate(Unit.objects.filter(document=document).in_order(), incremental=True)
    assert again.aligned == 0 and _snapshot(document) == incremental


def test_the_engine_gives_the_same_result_with_a_cache_on_random_edits():
    rng = random.Random(10)
    han = "产业工人队伍建设改革意见技能劳动"
    base = "".join(rng.choice(han) for _ in range(120))
    cache = engine.AlignmentCache()
    readings = {}
    for n in range(12):
        text = list(base)
        for _ in range(rng.randint(0, 6)):
            i = rng.randrange(len(text))
            op = rng.random()
            if op < 0.5:
                text[i] = rng.choice(han)
            elif op < 0.75:
                text[i] = ""
            else:
                text[i] += rng.choice(han)
        readings[chr(65 + n)] = "".join(text)
        keys = {s: (i % 3,) for i, s in enumerate(readings)}
        edges = {"A": "start"} if n % 4 == 0 else {}
        cached = engine.consensus(readings, keys, edges=edges, cache=cache)
        kept = engine.AlignmentCache(cache.as_json())
        full = engine.consensus(readings, keys, edges=edges)
        assert (cached.text, cached.sites) == (full.text, full.sites)
        cache = kept


# --- Background imports --------------------------------------------------------------


def test_a_job_runs_with_the_immediate_backend_and_records_its_end():
    from clauses.tasks import enqueue

    data = seed_bytes("001").replace("劳动".encode(), "劳働".encode(), 1)
    job = ImportJob.objects.create(
        data=data,
        options={"mode": "import", "meta": {"siglum": "Q", "kind": "web"}, "accept_cuts": True},
        language="en",
    )
    job = enqueue(job)
    assert job.status == "done" and job.progress == 100 and job.source.siglum == "Q"
    assert job.source.document.slug == "2024-yijian"
    assert bytes(job.data) == b""
    failed = enqueue(
        ImportJob.objects.create(data=data, options={"mode": "import", "meta": {}}, language="en")
    )
    assert failed.status == "failed" and "already source Q" in failed.message


@pytest.mark.django_db(transaction=True)
def test_the_database_backend_enqueues_and_a_worker_completes_the_import():
    from clauses.tasks import enqueue

    call_command("load_demo", stdout=io.StringIO())
    data = seed_bytes("001").replace("劳动".encode(), "劳働".encode(), 1)
    backend = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with override_settings(TASKS=backend):
        job = ImportJob.objects.create(
            data=data,
            options={"mode": "import", "meta": {"kind": "web"}, "accept_cuts": True},
            language="zh-hans",
        )
        job = enqueue(job)
        assert job.status == "queued" and job.task_id
        call_command("db_worker", "--batch", "--no-startup-delay", stdout=io.StringIO())
    job.refresh_from_db()
    assert job.status == "done", job.message
    assert job.source.document.slug == "2024-yijian"
    assert "导入" in job.message or "来源" in job.message


# --- Concurrent imports of one new document ---------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_imports_of_one_new_document_at_once_never_clash():
    from .test_documents_layout import LAW_2016, law

    prepared = [law(LAW_2016), law(LAW_2016 + "\n")]
    barrier = threading.Barrier(2)
    outcomes = [None, None]

    def run(k):
        try:
            barrier.wait()
            result = import_source(
                prepared[k].original.encode(), SourceMeta(), prepared=prepared[k]
            )
            outcomes[k] = ("ok", result.source.document_id, result.created_document)
        except IngestError as exc:
            outcomes[k] = ("refused", str(exc))
        except Exception as exc:  # an IntegrityError would land here
            outcomes[k] = ("error", repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(k,)) for k in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(o and o[0] == "ok" for o in outcomes), outcomes
    assert outcomes[0][1] == outcomes[1][1]  # the second joined the first's document
    assert sorted(o[2] for o in outcomes) == [False, True]
    assert Document.objects.filter(pk=outcomes[0][1]).get().sources.count() == 2


def test_the_progress_page_polls_then_ends_on_the_source_or_the_error(client, django_user_model):
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user("ed2", password="pw")
    user.groups.add(Group.objects.get_or_create(name="editor")[0])
    client.force_login(user)
    job = ImportJob.objects.create(
        user=user, data=b"x", options={"mode": "import"}, progress=40, stage="align"
    )
    page = client.get(f"/import/jobs/{job.pk}/")
    html = page.content.decode()
    assert page.status_code == 200 and 'hx-trigger="every 1s"' in html
    assert 'value="40"' in html and f'href="/import/jobs/{job.pk}/"' in html
    fragment = client.get(f"/import/jobs/{job.pk}/", headers={"HX-Request": "true"})
    assert "<html" not in fragment.content.decode() and "40%" in fragment.content.decode()
    source = Source.objects.filter(document__slug="2024-yijian").first()
    ImportJob.objects.filter(pk=job.pk).update(status="done", source=source, message="ok")
    done = client.get(f"/import/jobs/{job.pk}/", headers={"HX-Request": "true"})
    assert done["HX-Redirect"] == source.get_absolute_url()
    assert client.get(f"/import/jobs/{job.pk}/").url == source.get_absolute_url()
    ImportJob.objects.filter(pk=job.pk).update(status="failed", source=None, message="无法导入")
    failed = client.get(f"/import/jobs/{job.pk}/")
    assert "无法导入" in failed.content.decode() and "every 1s" not in failed.content.decode()
    other = django_user_model.objects.create_user("ed3", password="pw")
    other.groups.add(Group.objects.get(name="editor"))
    client.force_login(other)
    assert client.get(f"/import/jobs/{job.pk}/").status_code == 404


def test_the_form_proposes_on_change_not_while_typing(admin_client):
    html = admin_client.get("/import/").content.decode()
    assert "change from:#id_text" in html and "delay:" not in html


@override_settings(IMPORT_INLINE_BYTES=100)
def test_a_large_paste_is_previewed_by_the_worker(admin_client):
    text = seed_bytes("001").replace("劳动".encode(), "劳働".encode(), 1).decode()
    response = admin_client.post("/import/", {"text": text, "kind": "web", "accept_cuts": "on"})
    html = response.content.decode()
    assert response.status_code == 200 and "import-preview" in html
    assert ImportJob.objects.filter(options__mode="preview", status="done").exists()
    assert Source.objects.filter(document__slug="2024-yijian").count() == 4


def test_a_jobs_file_travels_in_binary_both_ways():
    """Every byte value, a NUL and a backslash come back as they went; the job
    comes back without its file loaded; a missing job's file is empty."""
    data = bytes(range(256)) * 300 + b"\x00\\x00\\\\"
    job = ImportJob.objects.create_with_file(data, options={"mode": "import"}, language="en")
    assert "data" in job.get_deferred_fields()
    assert ImportJob.objects.file_of(job.pk) == data
    assert bytes(ImportJob.objects.values_list("data", flat=True).get(pk=job.pk)) == data
    assert ImportJob.objects.file_of(job.pk + 1000) == b""


def test_a_job_made_with_its_file_imports_it_and_empties_it():
    from clauses.tasks import enqueue

    data = seed_bytes("001").replace("劳动".encode(), "劳働".encode(), 1)
    job = ImportJob.objects.create_with_file(
        data,
        options={"mode": "import", "meta": {"siglum": "Q", "kind": "web"}, "accept_cuts": True},
        language="en",
    )
    job = enqueue(job)
    assert job.status == "done" and job.source.siglum == "Q"
    assert bytes(job.source.original) == data
    assert ImportJob.objects.file_of(job.pk) == b""


def test_an_import_never_stores_other_bytes_than_it_read(monkeypatch):
    """A job's import reads the file, lets it go, and copies the source's
    original from the job's row: should the row hold other bytes by then, the
    import stops with a message and writes nothing."""
    from clauses.ingest import IngestError, SourceMeta, import_source

    data = seed_bytes("001").replace("劳动".encode(), "劳働".encode(), 1)
    job = ImportJob.objects.create_with_file(data, options={"mode": "import"}, language="en")
    ImportJob.objects.filter(pk=job.pk).update(data=b"other bytes")
    monkeypatch.setattr(type(ImportJob.objects), "file_of", lambda self, pk: data)
    before = Source.objects.count()
    with translation.override("en"), pytest.raises(IngestError, match="no longer stored"):
        import_source(None, SourceMeta(kind="web"), accept_cuts=True, job_file=job.pk)
    assert Source.objects.count() == before


def test_the_preview_lists_the_first_of_many_and_counts_them_all(admin_client, monkeypatch):
    """A preview lists at most PREVIEW_SHOWN lacking units (and changes, and
    added units), says so, and counts them all."""
    import clauses.ingest

    whole = preview_import(seed_bytes("004") + b"\n", SourceMeta(), accept_cuts=True)
    assert len(whole.lacking) > 3
    monkeypatch.setattr(clauses.ingest, "PREVIEW_SHOWN", 3)
    response = admin_client.post(
        "/import/",
        {"text": (seed_bytes("004") + b"\n").decode(), "kind": "other", "accept_cuts": "on"},
    )
    html = response.content.decode()
    assert response.status_code == 200 and "import-preview" in html
    lacking = html.split('class="preview-lacking"')[1].split("</details>")[0]
    assert f"缺少 {len(whole.lacking)} 个单元" in lacking
    assert lacking.count("<code>") == 3 and "preview-cut" in lacking
    shown = whole.shown(limit=3)
    assert shown["lacking"] == whole.lacking[:3] and shown["lacking_count"] == len(whole.lacking)


def test_two_clauses_printed_the_other_way_round_are_read_as_themselves():
    """Seed 001 with （六） and （七） swapped: both are read as the units they are
    (no duplicate （六）, nothing lacking), the canonical order stays, the copy
    keeps its own order, and the report says one unit was printed out of order."""
    lines = seed_bytes("001").decode().split("\n")
    six = next(i for i, line in enumerate(lines) if line.startswith("(六)"))
    seven = next(i for i, line in enumerate(lines) if line.startswith("(七)"))
    lines[six], lines[seven] = lines[seven], lines[six]
    document = Document.objects.get(slug="2024-yijian")
    before = list(document.units.order_by("order").values_list("key", flat=True))
    # What the copy lacks unswapped (seed 001 lacks a heading): the same swapped.
    plain = preview_import(seed_bytes("001") + b"\n", SourceMeta(), accept_cuts=True)
    result = import_source("\n".join(lines).encode(), SourceMeta(siglum="E"), accept_cuts=True)
    assert result.source.document == document and result.added == []
    assert result.lacking == plain.lacking and plain.added == []
    assert list(document.units.order_by("order").values_list("key", flat=True)) == before
    assert document.units.filter(label="（六）").count() == 1
    keys = list(result.source.readings.order_by("position").values_list("unit__key", flat=True))
    assert keys.index("c7") < keys.index("c6")
    detail = next(e for e in result.source.report if e["rule"] == "align_units")["detail"]
    assert detail["moved"] == 1 and detail["new"] == 0
    page = Client().get(result.source.get_absolute_url()).content.decode()
    assert "其中 1 个已匹配单元的位置与文献顺序不同" in page


def test_a_moved_unit_is_matched_only_to_a_unit_left_over_with_its_label():
    from clauses.text.align import AlignUnit, align

    canonical = [
        AlignUnit("c1", False, "坚持党的全面领导，确保改革正确方向。"),
        AlignUnit("c2", False, "健全劳动关系协商协调机制，全面落实劳动合同制度。"),
        AlignUnit("c3", False, "加强对产业工人主人翁地位的宣传引导工作。"),
    ]
    swapped = [canonical[0], canonical[2], canonical[1]]
    result = align(swapped, canonical)
    assert result.matches == [0, 2, 1] and len(result.moved) == 1
    # A unit of another label, or too unlike, stays new.
    other = [canonical[0], canonical[2], AlignUnit("c9", False, canonical[1].text)]
    assert align(other, canonical).matches[2] is None
    unlike = [canonical[0], canonical[2], AlignUnit("c2", False, "完全不同的另一段文字内容。")]
    assert align(unlike, canonical).matches[2] is None
