"""Pages through the Django test client: content, permissions, query counts."""

import re

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile

from clauses.models import Document, Source

from .seeds import seed_bytes

pytestmark = pytest.mark.django_db

OPINION = "/documents/2024-yijian/"


@pytest.fixture
def staff(client):
    user = User.objects.create_user("editor", password="pw", is_staff=True)
    client.force_login(user)
    return user


def test_home_lists_documents_with_sources_and_coverage(client, django_assert_num_queries):
    # Five queries (the count of documents for the pager, the page's documents,
    # units, sources, coverage), whatever the number of documents: a third
    # document costs none.
    Document.objects.create(slug="empty", title="还没有版本的文献")
    with django_assert_num_queries(5):
        response = client.get("/")
    html = response.content.decode()
    assert "中共中央 国务院关于深化产业工人队伍建设改革的意见" in html
    assert "新时期产业工人队伍建设改革方案" in html
    assert html.count('class="has') > 100 and 'class="missing' in html
    assert "辽源日报" in html


def test_document_page_shows_structure_and_permalinks(client, django_assert_num_queries):
    # Six: the document, the count of its units, its page of units, sources,
    # coverage, relations to other versions.
    with django_assert_num_queries(6):
        response = client.get(OPINION)
    html = response.content.decode()
    assert 'id="u-c13"' in html and 'href="/documents/2024-yijian/u/c13/"' in html
    assert '<span class="unit-label">六、</span>维护劳动经济权益' in html
    assert '<span class="unit-label">（十三）</span>' in html
    assert html.index('id="u-p1"') < html.index('id="u-s1"') < html.index('id="u-c1"')


def test_unit_page_has_every_reading_and_a_citation(client):
    html = client.get(OPINION + "u/c13/").content.decode()
    for siglum in "ABCD":
        assert f'<strong class="siglum">{siglum}</strong>' in html
    assert "http://testserver/documents/2024-yijian/u/c13/" in html
    assert "貫(guan)通" in html  # the reading as printed


def test_source_page_shows_original_and_report(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):
        html = client.get(OPINION + "sources/C/").content.decode()
    original = html[html.index('<pre class="original marked">') :]
    original = re.sub(r"<[^>]+>", "", original[: original.index("</pre>")])
    assert "產業工人是(shi)工人階級的(de)" in original  # the original, exactly, its regions marked
    assert "remove_pinyin_glosses" in html
    assert "2,296" in html  # glosses removed, counted


def test_unknown_pages_are_404(client):
    assert client.get("/documents/nope/").status_code == 404
    assert client.get(OPINION + "u/zz/").status_code == 404
    assert client.get(OPINION + "sources/Q/").status_code == 404


def test_export_json_endpoint(client):
    data = client.get(OPINION + "export.json").json()
    assert [s["siglum"] for s in data["sources"]] == ["A", "B", "C", "D"]
    assert len(data["units"]) == 39


def test_interface_is_chinese_by_default_and_english_on_request(client):
    assert "文献" in client.get("/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Documents" in client.get("/").content.decode()


def test_import_is_for_staff_only(client):
    assert client.get("/import/").status_code == 302
    client.force_login(User.objects.create_user("reader", password="pw"))
    response = client.get("/import/")  # signed in without the role: the 403 page, not sign-in
    assert response.status_code == 403 and "编辑" in response.content.decode()
    before = Source.objects.count()
    client.post("/import/", {"text": "（一）加强党建。", "kind": "other"})
    assert Source.objects.count() == before


def test_staff_import_by_upload_into_the_proposed_document(client, staff):
    data = seed_bytes("004").replace("中帼".encode(), "巾帼".encode())
    upload = SimpleUploadedFile("copy.txt", data, content_type="text/plain")
    # 004 ends with unrelated articles: its cuts are accepted up front.
    response = client.post(
        "/import/",
        {"file": upload, "kind": "newspaper", "siglum": "E", "accept_cuts": "on", "confirm": "1"},
    )
    source = Source.objects.get(siglum="E")
    assert response.status_code == 302 and response.url == source.get_absolute_url()
    assert source.document.slug == "2024-yijian"
    assert source.imported_by == staff


def test_staff_import_by_pasting_text_creates_a_new_document(client, staff):
    text = "关于加强测试工作的意见\n（2025年1月2日）\n一、总体要求\n（一）加强测试。\n（二）完善测试。\n"
    response = client.post("/import/", {"text": text, "kind": "other", "confirm": "1"})
    assert response.status_code == 302
    doc = Document.objects.get(title="关于加强测试工作的意见")
    assert doc.slug == "2025-yijian"
    assert doc.units.count() == 3


def test_import_refusal_is_shown_and_writes_nothing(client, staff):
    opinion = Document.objects.get(slug="2024-yijian")
    before = Source.objects.count()
    upload = SimpleUploadedFile("plan.txt", seed_bytes("002") + b"\n")
    response = client.post("/import/", {"file": upload, "document": opinion.pk, "kind": "other"})
    assert response.status_code == 200
    assert "50%" in response.content.decode()
    assert Source.objects.count() == before
    response = client.post("/import/", {"kind": "other"})
    assert Source.objects.count() == before
    assert response.status_code == 200


def test_htmx_proposal_fragment_names_the_document_and_similarity(client, staff):
    upload = SimpleUploadedFile("copy.txt", seed_bytes("000") + b"\n")
    response = client.post(
        "/import/", {"file": upload, "propose": "1", "kind": "other"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="proposal"')
    assert "中共中央 国务院关于深化产业工人队伍建设改革的意见" in html
    best = re.search(r"意见 — \S+ (\d+)% ✓", html)
    assert best and int(best.group(1)) >= 90
    assert re.search(r"方案 — \S+ \d% ✗", html)  # the 2017 Plan, far below the threshold
    assert "<html" not in html


def test_post_without_csrf_token_is_refused(staff):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(staff)
    assert strict.post("/import/", {"text": "x"}).status_code == 403


def test_editor_role_not_staff_may_import_and_annotator_may_not(client):
    from django.contrib.auth.models import Group

    annotator = User.objects.create_user("ann", password="pw")
    annotator.groups.add(Group.objects.get(name="annotator"))
    client.force_login(annotator)
    assert client.get("/import/").status_code == 403
    assert client.get(OPINION + "queue/").status_code == 403

    editor = User.objects.create_user("ed", password="pw")
    editor.groups.add(Group.objects.get(name="editor"))
    client.force_login(editor)
    assert client.get("/import/").status_code == 200
    assert client.get(OPINION + "queue/").status_code == 200
    assert 'href="/import/"' in client.get("/").content.decode()


def test_original_download_keeps_a_chinese_file_name(client):
    source = Source.objects.get(document__slug="2024-yijian", siglum="B")
    Source.objects.filter(pk=source.pk).update(filename='辽源日报 "转载".txt')
    response = client.get(OPINION + "sources/B/original")
    header = response["Content-Disposition"]
    assert header.startswith("attachment;")
    assert "filename*=utf-8''" in header and "%E8%BE%BD" in header


def test_units_with_damaged_labels_have_working_links(client):
    from clauses.ingest import SourceMeta, import_source

    text = "关于加强测试工作的意见\n伍、总体要求\n（一）加强测试工作，提高质量。\n（二）完善测试制度。\n"
    doc = import_source(text.encode(), SourceMeta()).source.document
    html = client.get(f"/documents/{doc.slug}/read/").content.decode()
    assert f"/documents/{doc.slug}/u/s%3F/" in html
    assert client.get(f"/documents/{doc.slug}/u/s%3F/").status_code == 200


@pytest.mark.django_db
def test_source_page_names_units_by_locator_never_by_key(client):
    from clauses.ingest import SourceMeta, import_source
    from clauses.models import Document

    document = Document.objects.get(slug="2024-yijian")
    text = document.sources.order_by("siglum").first().text
    partial = text[: len(text) // 2]  # a partial reprint: it lacks the second half
    result = import_source(
        partial.encode(), SourceMeta(title="partial"), document=document, accept_cuts=True
    )
    html = client.get(result.source.get_absolute_url()).content.decode()
    report = html.split('id="original-h"')[0]
    assert "（二十五）" in report.split("缺少的单元")[1]  # named by its locator
    assert "<code>c2" not in report and "<code>outline</code>" not in report
