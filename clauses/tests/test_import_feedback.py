"""What the import path tells a person, in their language (issue 10, review).

The form's proposal (htmx, on choosing a file) shows the form's own errors and
the duplicate check before any proposal; a background preview or a failed
import comes back to the form without a false "choose a file"; a job no worker
takes says how to start the worker; a damaged PDF, an unreadable path and a
wrong ``--kind`` are refused in the user's language; the import report of a
source names its numbering scheme in the user's language.
"""

import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from django.utils import timezone, translation

from clauses.ingest import SourceMeta, import_source
from clauses.models import Document, ImportJob, Source
from clauses.tasks import WORKER_COMMAND, WORKER_HINT_SECONDS

from .seeds import seed_bytes

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
LAWS = Path(__file__).parent / "fixtures" / "corpus" / "laws"
# Demo seed 001 is source B of the demo Opinion.
DUPLICATE = seed_bytes("001")
DEMO_TITLE = "中共中央 国务院关于深化产业工人队伍建设改革的意见"


@pytest.fixture
def editor():
    user = User.objects.create_user("ed", password="pw")
    user.groups.add(Group.objects.get(name="editor"))
    client = Client()
    client.force_login(user)
    client.user = user
    return client


def propose(client, upload=None, language="zh-hans", **fields):
    data = {"kind": "web", "propose": "1", **fields}
    if upload is not None:
        data["file"] = upload
    return client.post(
        "/import/", data, headers={"HX-Request": "true"}, HTTP_ACCEPT_LANGUAGE=language
    ).content.decode()


def text_of(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


# --- 8 (a): the proposal shows the form's own errors -----------------------------------


def test_the_proposal_shows_a_fields_error_not_a_proposal(editor):
    html = propose(
        editor, SimpleUploadedFile("new.txt", "第一条 试行。".encode()), url="javascript:alert(1)"
    )
    assert "网址：" in html and "form-errors" in html
    assert "将新建一篇文献" not in html  # no proposal beside an error
    english = propose(
        editor,
        SimpleUploadedFile("new.txt", "第一条 试行。".encode()),
        language="en",
        url="javascript:alert(1)",
    )
    assert "URL:" in english and "Enter a valid URL." in english
    assert "No existing document matches" not in english


def test_the_proposal_without_a_file_or_text_says_so(editor):
    html = propose(editor)
    assert "请选择文件，或粘贴该版本的文本。" in html
    assert "将新建一篇文献" not in html


# --- 8 (b), (c): the duplicate check comes first ---------------------------------------


def test_the_proposal_for_a_file_already_imported_names_its_source(editor):
    html = propose(editor, SimpleUploadedFile("b.txt", DUPLICATE))
    assert f"此文件已经是“{DEMO_TITLE}”的版本 B" in html
    assert "相似度" not in html and "✓" not in html
    english = propose(editor, SimpleUploadedFile("b.txt", DUPLICATE), language="en")
    assert f"This file is already source B of “{DEMO_TITLE}”" in english


@override_settings(IMPORT_INLINE_BYTES=100)
def test_the_proposal_for_a_large_duplicate_names_its_source_at_once(editor):
    html = propose(editor, SimpleUploadedFile("b.txt", DUPLICATE))
    assert "此文件已经是" in html and "版本 B" in html
    assert "较大的文件" not in text_of(html) and "后台" not in text_of(html)


@override_settings(IMPORT_INLINE_BYTES=100)
def test_a_large_duplicate_sent_is_refused_with_one_true_message(editor):
    response = editor.post(
        "/import/", {"file": SimpleUploadedFile("b.txt", DUPLICATE), "kind": "web"}
    )
    html = response.content.decode()
    errors = re.search(r'<div class="form-errors" role="alert">(.*?)</div>', html, re.S).group(1)
    assert "此文件已经是" in errors and "版本 B" in errors
    assert "请选择文件" not in html  # the false first line the review saw
    assert Source.objects.filter(document__slug="2024-yijian").count() == 4


@override_settings(IMPORT_INLINE_BYTES=100)
def test_a_large_paste_previewed_in_the_background_comes_back_and_saves(editor):
    text = seed_bytes("001").replace("劳动".encode(), "劳働".encode(), 1).decode()
    response = editor.post("/import/", {"text": text, "kind": "web", "accept_cuts": "on"})
    html = response.content.decode()
    assert "import-preview" in html
    assert "请选择文件" not in html
    form = response.context["form"]
    assert form["text"].value() == text  # back in its box, character for character
    saved = editor.post(
        "/import/", {"text": text, "kind": "web", "accept_cuts": "on", "confirm": "1"}
    )
    assert saved.status_code == 302
    assert Source.objects.filter(document__slug="2024-yijian").count() == 5


# --- 7: no worker -----------------------------------------------------------------------


def _job(user, age_seconds: float, **fields) -> ImportJob:
    job = ImportJob.objects.create(user=user, data=b"x", options={"mode": "import"}, **fields)
    ImportJob.objects.filter(pk=job.pk).update(
        created=timezone.now() - timedelta(seconds=age_seconds)
    )
    return job


def test_a_job_no_worker_takes_says_how_to_start_the_worker(editor):
    old = _job(editor.user, WORKER_HINT_SECONDS + 5)
    html = editor.get(f"/import/jobs/{old.pk}/").content.decode()
    assert "worker-missing" in html
    assert "后台任务进程可能没有运行" in html
    assert f"<code>{WORKER_COMMAND}</code>" in html
    fragment = editor.get(f"/import/jobs/{old.pk}/", headers={"HX-Request": "true"})
    assert WORKER_COMMAND in fragment.content.decode()  # the polled fragment says it too
    english = editor.get(f"/import/jobs/{old.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "the worker may not be running" in english


def test_a_fresh_or_running_job_shows_no_hint(editor):
    fresh = _job(editor.user, 1)
    assert "worker-missing" not in editor.get(f"/import/jobs/{fresh.pk}/").content.decode()
    running = _job(editor.user, 600, status="running", progress=40, stage="align")
    assert "worker-missing" not in editor.get(f"/import/jobs/{running.pk}/").content.decode()


def test_the_command_shown_is_the_makefiles():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    variables = dict(re.findall(r"^(\w+) := (.*)$", makefile, re.M))
    assert "$(MANAGE) db_worker" in makefile
    manage = (
        variables["MANAGE"].replace("$(PY)", variables["PY"]).replace("$(VENV)", variables["VENV"])
    )
    assert f"{manage} db_worker" == WORKER_COMMAND


# --- 4: a damaged PDF, an unreadable path, a wrong --kind -----------------------------

BROKEN_PDF = b"%PDF-1.7\nnot really a pdf"


def test_a_damaged_pdf_is_refused_in_our_words(editor):
    html = editor.post(
        "/import/", {"file": SimpleUploadedFile("x.pdf", BROKEN_PDF), "kind": "web"}
    ).content.decode()
    assert "PDF 文件已损坏或不是 PDF" in html
    assert "Root" not in html and "Is this really" not in html
    english = editor.post(
        "/import/",
        {"file": SimpleUploadedFile("x.pdf", BROKEN_PDF), "kind": "web"},
        HTTP_ACCEPT_LANGUAGE="en",
    ).content.decode()
    assert "The PDF file is damaged or is not a PDF" in english


def _refusal(*args) -> str:
    with pytest.raises(CommandError) as refused:
        call_command("import_source", *args, stdout=io.StringIO())
    message = str(refused.value)
    assert "\n" not in message
    return message


def test_the_command_says_why_a_file_cannot_be_read_in_the_users_language(tmp_path):
    missing = str(tmp_path / "nonexistent")
    with translation.override("zh-hans"):
        assert _refusal(missing) == f"无法读取 {missing}：没有这个文件"
        assert _refusal(str(tmp_path)) == f"无法读取 {tmp_path}：这是一个目录，不是文件"
    with translation.override("en"):
        assert _refusal(missing) == f"cannot read {missing}: there is no such file"


def test_the_command_refuses_a_wrong_kind_in_one_translated_line(tmp_path):
    path = tmp_path / "copy.txt"
    path.write_bytes(seed_bytes("000"))
    with translation.override("zh-hans"):
        message = _refusal(str(path), "--kind", "blog")
    assert message == "--kind 'blog' 不是以下之一：newspaper, web, official, other"
    with translation.override("en"):
        message = _refusal(str(path), "--kind", "blog")
    assert message == "--kind 'blog' is not one of: newspaper, web, official, other"
    path.write_bytes(BROKEN_PDF)
    with translation.override("zh-hans"):
        assert "PDF 文件已损坏或不是 PDF" in _refusal(str(path), "--kind", "web")


# --- 4: the numbering scheme in the user's language ----------------------------------


def test_the_source_page_names_the_scheme_in_the_users_language(client):
    law = import_source((LAWS / "jiuye-cujin-2015.md").read_bytes(), SourceMeta(siglum="A"))
    url = f"/documents/{law.source.document.slug}/sources/A/"
    html = client.get(url).content.decode()
    assert "法律法规：编／分编／章／节标题" in html
    assert "law or regulation" not in html
    assert "正文部分：" in html  # the part, not the pipeline's key "main"
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "law or regulation: 编 / 分编 / 章 / 节 headings" in english
    assert Document.objects.filter(pk=law.source.document_id).exists()


@override_settings(IMPORT_INLINE_BYTES=100)
def test_a_large_file_previewed_in_the_background_waits_in_its_job_not_the_session(editor):
    """The session names the preview job, which keeps the file (no copy of it
    in the session, read on every page); Save imports it byte for byte, and
    the preview job's file is emptied then, as it is on Cancel."""
    data = seed_bytes("001").replace("劳动".encode(), "劳働".encode(), 1)
    response = editor.post(
        "/import/",
        {"file": SimpleUploadedFile("b.txt", data), "kind": "web", "accept_cuts": "on"},
    )
    assert "import-preview" in response.content.decode()
    job = ImportJob.objects.get(options__mode="preview")
    held = editor.session["import_pending"]
    assert held["job"] == job.pk and "data" not in held
    assert job.status == "done" and ImportJob.objects.file_of(job.pk) == data
    saved = editor.post(
        "/import/",
        {"pending": held["checksum"], "kind": "web", "accept_cuts": "on", "confirm": "1"},
    )
    assert saved.status_code == 302
    source = Source.objects.get(document__slug="2024-yijian", filename="b.txt")
    assert bytes(source.original) == data
    assert ImportJob.objects.file_of(job.pk) == b"" and "import_pending" not in editor.session
    # Cancel after another background preview empties its job's file too.
    other = data.replace("劳働".encode(), "劳仂".encode(), 1)
    editor.post(
        "/import/",
        {"file": SimpleUploadedFile("c.txt", other), "kind": "web", "accept_cuts": "on"},
    )
    second = ImportJob.objects.filter(options__mode="preview").exclude(pk=job.pk).get()
    assert ImportJob.objects.file_of(second.pk) == other
    checksum = editor.session["import_pending"]["checksum"]
    editor.post("/import/", {"pending": checksum, "cancel": "1", "kind": "web"})
    assert ImportJob.objects.file_of(second.pk) == b"" and "import_pending" not in editor.session


def test_ended_jobs_forget_their_files_after_a_day():
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    old = ImportJob.objects.create_with_file(b"old", options={}, status="done")
    recent = ImportJob.objects.create_with_file(b"recent", options={}, status="done")
    running = ImportJob.objects.create_with_file(b"running", options={}, status="running")
    ImportJob.objects.filter(pk__in=[old.pk, running.pk]).update(updated=now - timedelta(days=2))
    assert ImportJob.objects.forget_files(now - timedelta(days=1)) == 1
    assert ImportJob.objects.file_of(old.pk) == b""
    assert ImportJob.objects.file_of(recent.pk) == b"recent"
    assert ImportJob.objects.file_of(running.pk) == b"running"


def test_a_preview_stored_before_the_counts_shows_counts_and_the_first_of_each(editor):
    """A job's preview stored by the release before the lists were cut (whole
    lists, no counts) is shown cut, with its counts."""
    from clauses.ingest import PREVIEW_SHOWN

    lacking = [{"unit": f"u{i}", "label": "", "locator": f"第{i}条"} for i in range(150)]
    job = ImportJob.objects.create_with_file(
        b"",
        user=editor.user,
        status="done",
        options={
            "mode": "preview",
            "pasted": True,
            "form": {"kind": "web"},
            "result": {
                "preview": {
                    "created": False,
                    "document_title": "某文件",
                    "siglum": "Q",
                    "units": 150,
                    "similarity": 0.95,
                    "changes": [],
                    "added": [],
                    "lacking": lacking,
                    "derived_proposal": None,
                }
            },
        },
    )
    html = editor.get(f"/import/?job={job.pk}").content.decode()
    part = html.split('class="preview-lacking"')[1].split("</details>")[0]
    assert "缺少 150 个单元" in part and part.count("<code>") == PREVIEW_SHOWN
    assert "preview-cut" in part


def test_a_job_records_when_it_ended():
    """``updated`` is when the job ended (what forget_files counts from)."""
    from clauses.tasks import enqueue

    data = seed_bytes("001").replace("劳动".encode(), "劳働".encode(), 1)
    job = ImportJob.objects.create_with_file(
        data, options={"mode": "preview", "meta": {}, "accept_cuts": True}, language="en"
    )
    created = ImportJob.objects.get(pk=job.pk).updated
    job = enqueue(job)
    assert job.status == "done" and job.updated > created


@override_settings(IMPORT_INLINE_BYTES=100)
def test_a_preview_replaced_in_another_tab_says_so_and_lets_its_file_go(editor):
    """Two previews of two files in one session: the first one's job lets its
    file go at once, and Save on the first says why it cannot (review 5: it
    said 'choose a file' and the file stayed held for a day)."""
    first = seed_bytes("001").replace("劳动".encode(), "劳働".encode(), 1)
    second = seed_bytes("001").replace("劳动".encode(), "劳仂".encode(), 1)
    fields = {"kind": "web", "accept_cuts": "on"}
    editor.post("/import/", {**fields, "file": SimpleUploadedFile("a.txt", first)})
    job_a = ImportJob.objects.get(options__mode="preview")
    checksum_a = editor.session["import_pending"]["checksum"]
    editor.post("/import/", {**fields, "file": SimpleUploadedFile("b.txt", second)})
    job_b = ImportJob.objects.filter(options__mode="preview").exclude(pk=job_a.pk).get()
    assert ImportJob.objects.file_of(job_a.pk) == b""
    assert ImportJob.objects.file_of(job_b.pk) == second
    before = Source.objects.count()
    response = editor.post("/import/", {**fields, "pending": checksum_a, "confirm": "1"})
    assert response.status_code == 200 and Source.objects.count() == before
    assert "不再保留" in str(response.context["form"].non_field_errors())
