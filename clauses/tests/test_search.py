"""Search of the texts, in the database: correctness against a plain scan, ranking,
freshness after every write path, who sees which notes, the pages and their errors."""

import json
import random
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client

from annotations.models import Note, Visibility
from annotations.services import create_note, update_note
from clauses.collation import decide
from clauses.ingest import SourceMeta, import_source
from clauses.models import Document, Reading, Source, Unit, VariantSite
from clauses.search import CANONICAL, NOTE, READING, Hits, SearchRequest
from clauses.search_index import reindex
from clauses.text.cleanup import _converter
from clauses.text.search import fold
from policyreader.roles import assign_role

pytestmark = pytest.mark.django_db

CORPUS = Path(__file__).parent / "fixtures" / "corpus"
DEMO = Path(__file__).resolve().parent.parent / "demo"
OPINION = "2024-yijian"
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
# Session, user, roles, the document list; three counts, the documents' order, three
# fetches; two transactions that set the planner's page cost (four statements in tests).
QUERIES = 17


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def user(name: str, role: str = "annotator") -> User:
    u = User.objects.create_user(name, password="pw-secret-1")
    assign_role(u, role)
    return u


def run(q: str, user=None, **filters) -> list:
    """Every hit of a search, in rank order."""
    params = {"q": q, **filters}
    from django.http import QueryDict

    query = QueryDict(mutable=True)
    query.update(params)
    hits = Hits(SearchRequest.parse(query), user)
    return hits[0 : hits.count()]


def found(q: str, user=None, **filters) -> set:
    return {
        (h.kind, h.document.slug, h.unit.key, h.siglum if h.kind != NOTE else h.note.pk)
        for h in run(q, user, **filters)
    }


def scanned(q: str) -> set:
    """The plain answer: every canonical text and reading whose fold contains the query's."""
    phrase = fold(q)
    out = {
        (CANONICAL, slug, key, None)
        for slug, key, text in Unit.objects.values_list("document__slug", "key", "canonical")
        if phrase in fold(text)
    }
    out |= {
        (READING, slug, key, siglum)
        for slug, key, siglum, text in Reading.objects.values_list(
            "unit__document__slug", "unit__key", "source__siglum", "text"
        )
        if phrase in fold(text)
    }
    return out


def queries_from_texts(n: int, seed: int) -> list[str]:
    """Queries cut from the texts' folds (so across punctuation), 1–8 characters,
    some in traditional script, some with punctuation and spaces typed in."""
    rng = random.Random(seed)
    texts = [fold(t) for t in Reading.objects.values_list("text", flat=True)]
    texts = [t for t in texts if len(t) > 10]
    s2t = _converter("s2t")
    out = []
    for i in range(n):
        text = rng.choice(texts)
        size = rng.randint(1, 8)
        start = rng.randrange(len(text) - size)
        q = text[start : start + size]
        if i % 3 == 1:
            q = s2t.convert(q)
        if i % 4 == 2 and len(q) > 2:
            q = q[:1] + "，" + q[1:2] + " " + q[2:] + "。"
        out.append(q)
    return out


FIXED = [
    "工匠培養",  # traditional, found in simplified texts
    "工匠 培养",
    "工匠，培养。",
    "产业工人",
    "產業工人隊伍建設改革",
    "纵向",
    "中帼",  # an OCR error: one copy only
    "工",
    "的",
    "第",
    "（十三）",  # a label: labels are not in the text
    "量子纠缠",  # nowhere
    "劳动者",
    "工会",
]


def test_search_finds_exactly_what_a_plain_scan_finds():
    for path, kind in (
        (CORPUS / "laws" / "jiuye-cujin-2015.md", "official"),
        (CORPUS / "pages" / "d02-gonghuifa-lawrefbook.txt", "web"),
    ):
        import_source(path.read_bytes(), SourceMeta(kind=kind, filename=path.name))
    assert Document.objects.count() == 4
    queries = FIXED + queries_from_texts(60, seed=11)
    for q in queries:
        expected = scanned(q)
        assert found(q) == expected, q
    assert len(scanned("工")) > 100 and scanned("量子纠缠") == set()
    assert {k for k, *_ in scanned("中帼")} == {READING}


def test_json_total_and_pages_agree_with_the_scan(client):
    expected = scanned("工人")
    seen = []
    page = 1
    while True:
        data = client.get("/search.json", {"q": "工人", "limit": 50, "page": page}).json()
        assert data["total"] == len(expected)
        if not data["hits"]:
            break
        seen += [(h["kind"], h["document"], h["unit"], h["siglum"]) for h in data["hits"]]
        page += 1
    assert len(seen) == len(expected) and set(seen) == expected


def test_one_character_and_traditional_queries():
    assert found("養") == found("养") and found("养")
    hit = run("養")[0]
    assert any(p.mark and p.text == "养" for p in hit.pieces)


def test_ranking_canonical_then_readings_then_notes_in_document_order():
    owner = user("olga")
    unit = Unit.objects.get(document__slug=OPINION, key="c13")
    create_note(owner, unit, body="产业工人的一条笔记", visibility=Visibility.PUBLIC)
    hits = run("产业工人", owner)
    kinds = [h.kind for h in hits]
    assert kinds == sorted(kinds, key=[CANONICAL, READING, NOTE].index)
    assert kinds[0] == CANONICAL and kinds[-1] == NOTE and READING in kinds
    documents = list(Document.objects.all())  # the home page's order
    rank = {d.pk: i for i, d in enumerate(documents)}
    for kind in (CANONICAL, READING):
        keys = [(rank[h.document.pk], h.unit.order) for h in hits if h.kind == kind]
        assert keys == sorted(keys)
    readings = [h for h in hits if h.kind == READING and h.unit.key == "c13"]
    assert [h.siglum for h in readings] == sorted(
        [h.siglum for h in readings],
        key=lambda g: (Source.objects.get(document__slug=OPINION, siglum=g).priority, g),
    )


def test_filters_document_kind_and_source_kind():
    both = found("产业工人")
    assert {d for _, d, *_ in both} == {OPINION, "2017-fangan"}
    assert {d for _, d, *_ in found("产业工人", document="2017-fangan")} == {"2017-fangan"}
    assert {k for k, *_ in found("产业工人", kind="reading")} == {READING}
    web = found("产业工人", source_kind="web")
    assert web and {(k, g) for k, _, _, g in web} == {(READING, "C")}
    assert found("产业工人", kind="canonical", source_kind="web") == set()


def test_reading_hits_link_to_the_reader_with_that_copy(client):
    hit = next(h for h in run("中帼") if h.siglum == "D")
    assert hit.url.startswith(f"/documents/{OPINION}/read/?s=D&unit=")
    page = client.get(hit.url)
    assert page.status_code == 200
    assert f'id="{hit.url.split("#")[1]}"' in page.content.decode()
    assert hit.urls["unit"] == f"/documents/{OPINION}/u/{hit.unit.key}/"


# --- Freshness: every write path updates the index ---------------------------------


PHRASE_H, PHRASE_Z = "产业工人横向发展", "产业工人纵向发展"  # c13: A C D read 横向, B 纵向


def canonical_units(q: str) -> set:
    return {key for kind, _, key, _ in found(q) if kind == CANONICAL}


def test_after_an_import_search_finds_the_new_canonical_text_not_the_old():
    assert canonical_units(PHRASE_H) == {"c13"} and canonical_units(PHRASE_Z) == set()
    document = Document.objects.get(slug=OPINION)
    b = (DEMO / "001_a95954def5aa8b4a.txt").read_bytes()
    for i in range(3):  # three more copies reading as B: 纵向 wins 4 to 3
        import_source(
            b + b"\n" * (i + 1), SourceMeta(kind="newspaper"), document=document, accept_cuts=True
        )
    assert PHRASE_Z in Unit.objects.get(document=document, key="c13").canonical
    assert canonical_units(PHRASE_Z) == {"c13"}
    assert canonical_units(PHRASE_H) == set()
    readings = {g for kind, _, _, g in found(PHRASE_Z) if kind == READING}
    assert readings == {"B", "E", "F", "G"}


def test_after_an_import_search_finds_a_new_document():
    path = CORPUS / "laws" / "jiuye-cujin-2015.md"
    assert not found("国家把擴大就業放在，经济社会发展")
    import_source(path.read_bytes(), SourceMeta(kind="official", filename=path.name))
    kinds = {k for k, *_ in found("国家把擴大就業放在，经济社会发展")}
    assert kinds == {CANONICAL, READING}


def test_after_a_decision_search_finds_the_new_canonical_text_not_the_old():
    editor = user("edna", "editor")
    unit = Unit.objects.get(document__slug=OPINION, key="c13")
    site = VariantSite.objects.get(unit=unit, canonical_reading="横向")
    decide(site, "choose", "纵向", "B is right here", editor)
    assert canonical_units(PHRASE_Z) == {"c13"}
    assert canonical_units(PHRASE_H) == set()


def test_after_a_note_edit_search_finds_the_new_body_not_the_old():
    owner = user("olga")
    unit = Unit.objects.get(document__slug=OPINION, key="c13")
    note = create_note(owner, unit, body="旧的批注：職業技能", visibility=Visibility.PUBLIC)
    assert found("职业技能", owner) >= {(NOTE, OPINION, "c13", note.pk)}
    update_note(note, owner, body="新的批注：工匠精神")
    notes = lambda q: {x for k, *_, x in found(q, owner) if k == NOTE}  # noqa: E731
    assert notes("批注工匠") == {note.pk}
    assert notes("職業技能") == set() and notes("旧的批注") == set()


def test_reindex_fills_rows_written_without_the_search_fields():
    before = found("工匠培养")
    Unit.objects.update(folded="", grams=None)
    Reading.objects.update(folded="", grams=None)
    assert found("工匠培养") == set()
    assert reindex(Unit, "canonical") == Unit.objects.count()
    reindex(Reading, "text")
    assert found("工匠培养") == before


# --- Notes: only those the user may read, never counted otherwise ---------------------


@pytest.fixture
def notes():
    owner, other = user("olga"), user("otto")
    unit = Unit.objects.get(document__slug=OPINION, key="c13")
    made = {
        v: create_note(owner, unit, body=f"青鸟笔记 {v}", visibility=v)
        for v in (Visibility.PRIVATE, Visibility.SHARED, Visibility.PUBLIC)
    }
    return owner, other, made


@pytest.mark.parametrize(
    "who, sees",
    [
        ("owner", {"private", "shared", "public"}),
        ("other", {"shared", "public"}),
        ("anon", {"public"}),
    ],
)
def test_notes_in_search_follow_the_visibility_rule(notes, who, sees):
    owner, other, made = notes
    person = {"owner": owner, "other": other, "anon": None}[who]
    expected = {made[v].pk for v in sees}
    assert {x for k, *_, x in found("青鸟", person)} == expected
    assert set(Note.objects.visible_to(person).filter(pk__in=expected)) == {made[v] for v in sees}
    client = Client()
    if person:
        client.force_login(person)
    data = client.get("/search.json", {"q": "青鸟"}).json()
    assert data["total"] == len(sees) and data["counts"]["note"] == len(sees)
    page = client.get("/search/", {"q": "青鸟"}, **ZH).content.decode()
    for v, note in made.items():
        assert (f"/notes/{note.pk}/" in page) == (v in sees), (who, v)
        assert (f"<mark>青鸟</mark>笔记 {v}" in page) == (v in sees)


# --- The pages ----------------------------------------------------------------------


def test_html_page_highlights_escaped_hits_with_bounded_queries(
    client, django_assert_max_num_queries
):
    owner = user("olga")
    unit = Unit.objects.get(document__slug=OPINION, key="c13")
    create_note(owner, unit, body="<script>alert(1)</script>工匠培养", visibility="public")
    client.force_login(owner)
    with django_assert_max_num_queries(QUERIES):
        response = client.get("/search/", {"q": "工匠培養"}, **ZH)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<mark>工匠培养</mark>" in html
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    assert 'value="工匠培養"' in html  # the header box and the form keep the query
    assert "/read/?s=" in html
    for key in ("p1", "s1.p2"):  # internal keys only in URLs, never as a name
        assert f">{key}<" not in html
    assert "（二十二）" in html  # the unit's label as printed
    # More copies do not mean more queries.
    with django_assert_max_num_queries(QUERIES):
        assert client.get("/search/", {"q": "的"}, **ZH).status_code == 200


def test_html_page_fragment_under_htmx_and_paging(client):
    response = client.get("/search/", {"q": "的", "page": "2"}, HTTP_HX_REQUEST="true", **ZH)
    html = response.content.decode()
    assert response.status_code == 200 and html.lstrip().startswith('<div id="sr-results"')
    assert 'rel="prev"' in html
    full = client.get("/search/", {"q": "的"}, **ZH).content.decode()
    assert "<h1>" in full and 'rel="next"' in full


def test_empty_search_page_is_a_form(client):
    response = client.get("/search/", **ZH)
    assert response.status_code == 200
    assert 'name="q"' in response.content.decode()


@pytest.mark.parametrize(
    "params, message",
    [
        ({"q": ""}, "输入"),
        ({"q": "工" * 201}, "200"),
        ({"q": "，。 "}, "标点"),
        ({"q": "工人", "document": "no-such-doc"}, "no-such-doc"),
        ({"q": "工人", "kind": "poem"}, "poem"),
        ({"q": "工人", "source_kind": "tv"}, "tv"),
        ({"q": "工人", "page": "0"}, "page"),
        ({"q": "工人", "page": "x"}, "page"),
        ({"q": "工人", "limit": "1000"}, "limit"),
        ({"q": "工\x00人"}, "NUL"),
    ],
)
def test_bad_input_is_a_400_with_a_message_in_the_users_language(client, params, message):
    response = client.get("/search.json", params, **ZH)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    error = json.loads(response.content)["error"]
    assert message in error
    if "page" not in params and "limit" not in params and "\x00" not in params["q"]:
        page = client.get("/search/", params, **ZH)
        assert page.status_code == 400
        assert "form-errors" in page.content.decode()


def test_header_box_is_on_every_page(client):
    for url in ("/", f"/documents/{OPINION}/", f"/documents/{OPINION}/read/", "/notes/"):
        html = client.get(url).content.decode()
        assert 'action="/search/"' in html and 'id="site-q"' in html, url


def test_trainers_add_hits_to_a_study_set(client):
    url = "/search/?q=" + "工匠培養"
    assert "/studies/add/" not in client.get(url).content.decode()  # anonymous: no link
    user = User.objects.create_user("trainer-s", password="pw")
    assign_role(user, "annotator")
    client.force_login(user)
    html = client.get(url).content.decode()
    assert "/studies/add/?document=2024-yijian&amp;unit=" in html
    response = client.post(
        "/studies/add/", {"document": "2024-yijian", "unit": "c13", "set": "new"}
    )
    assert response.status_code == 302
    from studies.models import StudySet

    assert [i.unit.key for i in StudySet.objects.get(owner=user).items.all()] == ["c13"]


def test_import_source_names_changed_units_by_locator(tmp_path):
    import io

    from django.core.management import call_command

    b = (DEMO / "001_a95954def5aa8b4a.txt").read_bytes()
    out = io.StringIO()
    for i in range(3):  # three more copies reading as B: 纵向 wins 4 to 3 in c13
        path = tmp_path / f"b{i}.txt"
        path.write_bytes(b + b"\n" * (i + 1))
        call_command("import_source", str(path), "--document", OPINION, "--accept-cuts", stdout=out)
    lines = [line for line in out.getvalue().splitlines() if "（十三）" in line]
    assert lines and "c13" not in out.getvalue()
