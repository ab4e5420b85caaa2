"""Citations that hold (issue 11): locators in the database and on the pages,
revisions made by editors' decisions, ``?rev=N``, the cite box and cite.json."""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.utils import timezone

from clauses.citation import refresh_locators
from clauses.ingest import SourceMeta, import_source
from clauses.models import CanonicalChange, Document, Unit, VariantSite
from clauses.text.pipeline import IngestError

pytestmark = pytest.mark.django_db

CORPUS = Path(__file__).parent / "fixtures" / "corpus"
PLAN, OPINION = "2017-fangan", "2024-yijian"


def located(slug: str) -> dict[str, str]:
    return dict(Unit.objects.filter(document__slug=slug).values_list("key", "locator"))


def assert_citable(document: Document) -> None:
    """Every unit has a locator, unique within its document, holding no key."""
    rows = list(document.units.values_list("key", "locator"))
    locs = [loc for _key, loc in rows]
    assert all(locs), document.slug
    assert len(set(locs)) == len(locs), (document.slug, sorted(locs))
    for loc in locs:
        assert not re.search(r"[A-Za-z]", loc), (document.slug, loc)


@pytest.fixture
def editor(client):
    user = User.objects.create_user("editor", password="pw", is_staff=True)
    client.force_login(user)
    return user


# --- Locators ----------------------------------------------------------------


def test_the_demo_documents_have_their_locators():
    plan, opinion = located(PLAN), located(OPINION)
    # The 2017 plan's clauses （一） of sections 一, 二 and 三 cite apart.
    assert (plan["s1.c1"], plan["s2.c1"], plan["s3.c1"]) == (
        "一、（一）",
        "二、（一）",
        "三、（一）",
    )
    assert plan["p1"] == "序言第1段" and plan["cover.p1"] == "通知第1段"
    assert plan["i7"] == "7."
    # The 2024 opinion numbers its clauses across the sections.
    assert opinion["c13"] == "（十三）" and opinion["s5"] == "五、"
    assert opinion["p1"] == "序言第1段" and opinion["s1.p2"] == "一、第2段"
    for document in Document.objects.all():
        assert_citable(document)


def test_every_corpus_file_imported_has_unique_locators():
    """The property over the real corpus: each file imported by the whole
    pipeline (new documents, or copies of one already there), then every
    document's locators checked."""
    imported = 0
    for path in sorted(p for p in CORPUS.rglob("*") if p.is_file()):
        if path.name in {"SOURCES.md", "README.md"} or path.suffix == ".json":
            continue
        try:
            import_source(
                path.read_bytes(), SourceMeta(filename=path.name, title=path.stem), accept_cuts=True
            )
            imported += 1
        except IngestError:
            continue  # a duplicate of a file already imported: nothing written
    assert imported >= 70
    assert Document.objects.count() >= 50
    for document in Document.objects.all():
        assert_citable(document)
    law = Document.objects.filter(title="中华人民共和国慈善法").first()
    assert law is not None
    assert law.units.filter(locator="第二十三条").count() == 1


def test_refresh_locators_and_the_migration_fill_what_is_missing():
    Unit.objects.filter(document__slug=PLAN).update(locator="")
    plan = Document.objects.get(slug=PLAN)
    assert refresh_locators(plan) == plan.units.count()
    assert refresh_locators(plan) == 0  # nothing changed: nothing written
    Unit.objects.update(locator="")
    migration = importlib.import_module("clauses.migrations.0007_cite")
    migration.fill_locators(apps, None)
    assert located(PLAN)["s2.c1"] == "二、（一）"
    assert located(OPINION)["c13"] == "（十三）"


# --- Pages show locators, not keys --------------------------------------------


def test_pages_name_units_by_their_locators(client, editor):
    html = client.get(f"/documents/{PLAN}/read/?view=columns").content.decode()
    assert ">二、（一）</a>" in html and ">s2.c1<" not in html
    html = client.get(f"/documents/{PLAN}/u/s2.c1/").content.decode()
    assert "<title>二、（一） · 新时期产业工人队伍建设改革方案" in html
    assert '<span class="unit-label">二、（一）</span>' in html
    assert "<code" not in html.split('<h1 class="doc-text">')[1].split("</h1>")[0]
    html = client.get(f"/documents/{OPINION}/queue/").content.decode()
    assert re.search(
        r'<th scope="row" class="where"><a href="[^"]+">（[一二三四五六七八九十]+）</a>', html
    )
    assert '<th scope="row" class="where"><a href="/documents/2024-yijian/u/c' not in re.sub(
        r'href="[^"]*"', "", html
    )
    html = client.get(f"/documents/{OPINION}/").content.decode()
    assert 'title="（十三）"' in html  # the coverage grid's column
    data = client.get(f"/documents/{PLAN}/export.json").json()
    unit = next(u for u in data["units"] if u["key"] == "s2.c1")
    assert unit["locator"] == "二、（一）" and unit["revision"] == 1


# --- Revisions ----------------------------------------------------------------


def _decide_c13(client) -> tuple[Unit, str]:
    """An editor chooses B's 纵 at c13: the canonical text changes."""
    site = next(
        s
        for s in VariantSite.objects.filter(unit__document__slug=OPINION, unit__key="c13")
        if "纵" in s.readings.get("B", "") and s.canonical_reading != s.readings["B"]
    )
    unit = site.unit
    before = unit.canonical
    response = client.post(
        f"/documents/{OPINION}/sites/{site.pk}/decide/",
        {"action": "choose", "text": site.readings["B"], "reason": "据官方文本"},
    )
    assert response.status_code == 302
    unit.refresh_from_db()
    assert unit.canonical != before
    return unit, before


def test_a_decision_makes_a_revision_and_rev_shows_the_text_as_it_was(client, editor):
    unit = Unit.objects.get(document__slug=OPINION, key="c13")
    old = CanonicalChange.objects.filter(unit=unit).count()
    unit, before = _decide_c13(client)
    latest = CanonicalChange.objects.filter(unit=unit).count()
    assert latest == old + 1
    assert CanonicalChange.objects.filter(unit=unit).latest("pk").cause == "decision"
    url = f"/documents/{OPINION}/u/c13/"

    # The text as it was: the old revision, with the note and a link to the current one.
    html = client.get(f"{url}?rev={old}").content.decode()
    assert f'<p class="doc-text canonical is-revision">{before}</p>' in html
    assert "revision-note" in html and f'href="{url}"' in html
    assert f"?rev={old}" in html.split('class="cite-box"')[1]
    # The current revision: no note, and the citation names it.
    html = client.get(f"{url}?rev={latest}").content.decode()
    assert "revision-note" not in html
    html = client.get(url).content.decode()
    assert "revision-note" not in html and f"?rev={latest}" in html
    # The history links each change to its revision.
    assert f'class="revision-link" href="{url}?rev=1"' in html

    data = client.get(f"{url}cite.json?rev={old}").json()
    assert data["revision"] == old and data["text"] == before
    assert client.get(f"{url}cite.json").json()["text"] == unit.canonical


@pytest.mark.parametrize("rev", ["0", "999", "abc", "-1", "１", "2.5", ""])
def test_an_unknown_revision_is_a_clear_400(client, rev):
    client.cookies["django_language"] = "en"
    response = client.get(f"/documents/{OPINION}/u/c13/?rev={rev}")
    assert response.status_code == 400
    assert "This unit has no revision" in response.content.decode()
    response = client.get(f"/documents/{OPINION}/u/c13/cite.json?rev={rev}")
    assert response.status_code == 400
    assert "no revision" in response.json()["error"]


def test_the_400_is_in_chinese_by_default(client):
    response = client.get(f"/documents/{OPINION}/u/c13/cite.json?rev=99")
    assert response.status_code == 400 and "修订" in response.json()["error"]


def test_unknown_unit_or_document_is_404(client):
    assert client.get(f"/documents/{OPINION}/u/nope/cite.json").status_code == 404
    assert client.get("/documents/nope/u/c13/cite.json").status_code == 404


# --- cite.json and the cite box -------------------------------------------------


def test_cite_json_shape(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        response = client.get(f"/documents/{PLAN}/u/s2.c1/cite.json")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    data = json.loads(response.content)
    assert set(data) == {"locator", "revision", "text", "url", "formats"}
    assert set(data["formats"]) == {"gbt7714", "plain"}
    assert data["locator"] == "二、（一）"
    assert data["revision"] == 1
    assert data["text"] == Unit.objects.get(document__slug=PLAN, key="s2.c1").canonical
    assert data["url"] == "http://testserver/documents/2017-fangan/u/s2.c1/?rev=1"
    today = timezone.localdate().isoformat()
    assert data["formats"]["gbt7714"] == (
        "中共中央, 国务院. 新时期产业工人队伍建设改革方案: 中发〔2017〕14号[EB/OL]. "
        f"2017: 二、（一）(2017-04-14)[{today}]. {data['url']}."
    )
    plain = data["formats"]["plain"]
    assert plain.startswith("中共中央、国务院《新时期产业工人队伍建设改革方案》（中发〔2017〕14号")
    assert "二、（一）" in plain and data["url"] in plain and "访问" in plain


def test_the_unit_page_cite_box(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(9):
        response = client.get(f"/documents/{PLAN}/u/s2.c1/")
    html = response.content.decode()
    box = html.split('class="cite-box"')[1].split("</section>")[0]
    assert 'id="cite-gbt7714"' in box and 'id="cite-plain"' in box
    assert "中发〔2017〕14号[EB/OL]" in box
    # The whole URL, as the link's text, and the JSON beside it.
    url = "http://testserver/documents/2017-fangan/u/s2.c1/?rev=1"
    assert f'<a href="{url}">{url}</a>' in box
    assert 'href="/documents/2017-fangan/u/s2.c1/cite.json?rev=1"' in box
    # Copy buttons: static JS reveals them; no inline script or handler.
    assert box.count('data-copy="#cite-') == 2 and " hidden>" in box
    assert "<script>" not in html and "onclick" not in html
