"""Import preview (what an import would change), derived copies, messages (issue 9)."""

import io
import json
import re

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import translation

from clauses.ingest import SourceMeta, import_source, preview_import, set_derived_from
from clauses.models import CanonicalChange, Document, Reading, Source, Unit
from clauses.text.pipeline import IngestError

from .seeds import seed_bytes
from .test_import_keys import BASE

pytestmark = pytest.mark.django_db

CHANGED = BASE.replace("全面推进", "加快推进").replace("明确责任分工", "压实责任分工")


def counts():
    return tuple(m.objects.count() for m in (Document, Source, Unit, Reading, CanonicalChange))


@pytest.fixture
def two_copies():
    """H (trusted first on a tie) and X, which changes two words: the canonical text is H's."""
    document = import_source(BASE.encode(), SourceMeta(siglum="H")).source.document
    Source.objects.filter(siglum="H", document=document).update(priority=0)
    import_source(CHANGED.encode(), SourceMeta(siglum="X"), document=document)
    assert "全面推进" in Unit.objects.get(document=document, key="s1.p1").canonical
    return document


def editor_client(name="ed"):
    user = User.objects.create_user(name, password="pw")
    user.groups.add(Group.objects.get(name="editor"))
    client = Client()
    client.force_login(user)
    return client


def test_preview_lists_changes_and_writes_nothing(two_copies):
    before = counts()
    data = (CHANGED + "\n").encode()
    preview = preview_import(data, SourceMeta(siglum="Y"), document=two_copies)
    assert counts() == before
    assert preview.siglum == "Y" and preview.document == two_copies.slug
    assert [(c["unit"], "加快推进" in c["after"]) for c in preview.changes] == [
        ("s1.p1", True),
        ("c1", False),
    ]
    assert "全面推进" in preview.changes[0]["before"]
    assert preview.added == [] and preview.lacking == []
    # Y is X again: the preview proposes it as derived from X.
    assert preview.derived_proposal["siglum"] == "X"
    assert preview.derived_proposal["agreement"] == 1.0

    # The real import does what the preview said, and its report keeps the list.
    result = import_source(data, SourceMeta(siglum="Y"), document=two_copies)
    assert [c["unit"] for c in result.changes] == [c["unit"] for c in preview.changes]
    entry = next(e for e in result.source.report if e["rule"] == "canonical_changes")
    assert entry["detail"]["changes"] == [
        {k: c[k] for k in ("unit", "before", "after")} for c in preview.changes
    ]


def test_preview_of_a_partial_copy_lists_what_it_lacks():
    preview = preview_import(seed_bytes("004") + b"\n", SourceMeta(), accept_cuts=True)
    lacking = [u["unit"] for u in preview.lacking]
    assert lacking[:4] == ["p1", "s1", "s1.p1", "s1.p2"] and "c5" in lacking and "c6" not in lacking
    # D again (one more newline): identical where they overlap, closer to D than
    # to the canonical text, which follows the majority of A, B, C.
    assert preview.derived_proposal["siglum"] == "D"
    assert preview.derived_proposal["consensus"] < 1.0


def test_dry_run_prints_json_and_writes_nothing(two_copies, tmp_path):
    path = tmp_path / "y.txt"
    path.write_bytes((CHANGED + "\n").encode())
    before = counts()
    out = io.StringIO()
    call_command("import_source", str(path), "--document", two_copies.slug, "--dry-run", stdout=out)
    assert counts() == before
    data = json.loads(out.getvalue())
    assert {"document", "siglum", "units", "report", "changes"} <= set(data)
    assert data["changes"][0]["unit"] == "s1.p1" and set(data["changes"][0]) == {
        "unit",
        "before",
        "after",
    }
    assert data["derived_proposal"]["siglum"] == "X"


def test_derived_from_on_import_and_its_refusals(two_copies, tmp_path):
    path = tmp_path / "y.txt"
    path.write_bytes((CHANGED + "\n").encode())
    before = counts()
    with pytest.raises(CommandError):
        call_command("import_source", str(path), "--derived-from", "Q", stdout=io.StringIO())
    other = Source.objects.get(siglum="P")  # the 2017 Plan's copy
    with pytest.raises(IngestError):
        import_source(path.read_bytes(), SourceMeta(), document=two_copies, derived_from=other)
    assert counts() == before
    out = io.StringIO()
    call_command("import_source", str(path), "--derived-from", "X", "--json", stdout=out)
    assert json.loads(out.getvalue())["derived_from"] == "X"
    a = Source.objects.get(document=two_copies, siglum="A")
    assert a.derived_from.siglum == "X"
    # Said already: the import does not also propose X (review 7).
    (changes,) = [r for r in a.report if r["rule"] == "canonical_changes"]
    assert changes["detail"]["derived_proposal"] is None
    out = io.StringIO()
    path.write_bytes((CHANGED + "\n\n").encode())
    call_command("import_source", str(path), "--derived-from", "X", stdout=out)
    # A (the same text) may be proposed; X, the one named, is not.
    assert "--derived-from X" not in out.getvalue()


def test_set_derived_from_refuses_itself_another_document_and_cycles(two_copies):
    h = Source.objects.get(document=two_copies, siglum="H")
    x = Source.objects.get(document=two_copies, siglum="X")
    with pytest.raises(IngestError):
        set_derived_from(h, h)
    with pytest.raises(IngestError):
        set_derived_from(h, Source.objects.get(siglum="P"))
    set_derived_from(x, h)
    with pytest.raises(IngestError):
        set_derived_from(h, x)
    h.refresh_from_db()
    assert h.derived_from is None
    assert Source.objects.get(pk=x.pk).derived_from == h


def test_source_page_form_sets_derived_from_for_editors_only(two_copies):
    url = f"/documents/{two_copies.slug}/sources/X/derived-from/"
    h = Source.objects.get(document=two_copies, siglum="H")
    assert Client().post(url, {"derived_from": h.pk}).status_code == 302  # to sign in
    reader = User.objects.create_user("reader", password="pw")
    client = Client()
    client.force_login(reader)
    client.post(url, {"derived_from": h.pk})
    assert Source.objects.get(document=two_copies, siglum="X").derived_from is None

    client = editor_client()
    assert client.get(url).status_code == 405
    page = client.get(f"/documents/{two_copies.slug}/sources/X/").content.decode()
    assert 'action="' + url + '"' in page
    response = client.post(url, {"derived_from": h.pk})
    assert response.status_code == 302
    assert Source.objects.get(document=two_copies, siglum="X").derived_from == h
    page = client.get(f"/documents/{two_copies.slug}/sources/H/").content.decode()
    assert 'class="derivatives"' in page and "/sources/X/" in page
    # Itself, or a cycle: a clear message, nothing changed, never a 500.
    x = Source.objects.get(document=two_copies, siglum="X")
    response = client.post(
        f"/documents/{two_copies.slug}/sources/H/derived-from/", {"derived_from": x.pk}
    )
    assert response.status_code == 400 and 'class="form-errors"' in response.content.decode()
    assert Source.objects.get(pk=h.pk).derived_from is None
    response = client.post(url, {"derived_from": x.pk})
    assert response.status_code == 400
    response = client.post(url, {"derived_from": "nonsense"})
    assert response.status_code == 400
    # And back to independent.
    assert client.post(url, {"derived_from": ""}).status_code == 302
    assert Source.objects.get(pk=x.pk).derived_from is None


def test_source_page_form_needs_csrf(two_copies):
    user = User.objects.create_user("ed2", password="pw")
    user.groups.add(Group.objects.get(name="editor"))
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    h = Source.objects.get(document=two_copies, siglum="H")
    url = f"/documents/{two_copies.slug}/sources/X/derived-from/"
    assert client.post(url, {"derived_from": h.pk}).status_code == 403


def test_import_form_previews_then_saves_with_the_proposed_derivation(two_copies):
    client = editor_client()
    text = CHANGED + "\n"
    before = counts()
    response = client.post("/import/", {"text": text, "kind": "other", "siglum": "Y"})
    html = response.content.decode()
    assert response.status_code == 200 and counts() == before
    assert 'class="import-preview' in html and 'data-unit="s1.p1"' in html
    # The change itself is marked, as the history page marks it.
    assert '<p class="change-diff doc-text">' in html and ("<del>" in html or "<ins>" in html)
    x = Source.objects.get(document=two_copies, siglum="X")
    assert f'name="derived_proposal" value="{x.pk}"' in html
    response = client.post(
        "/import/",
        {"text": text, "kind": "other", "siglum": "Y", "confirm": "1", "derived_proposal": x.pk},
    )
    y = Source.objects.get(document=two_copies, siglum="Y")
    assert response.status_code == 302 and y.derived_from == x
    page = client.get(response.url).content.decode()
    assert 'class="derived-from"' in page and "/sources/X/" in page


def test_import_form_cancel_saves_nothing_and_forgets_the_file(two_copies):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = editor_client()
    upload = SimpleUploadedFile("y.txt", (CHANGED + "\n").encode())
    before = counts()
    response = client.post("/import/", {"file": upload, "kind": "other"})
    checksum = re.search(r'name="pending" value="([0-9a-f]{64})"', response.content.decode())
    assert checksum and "import_pending" in client.session
    response = client.post(
        "/import/", {"pending": checksum.group(1), "cancel": "1", "kind": "other"}
    )
    assert response.status_code == 302 and counts() == before
    assert "import_pending" not in client.session


def test_errors_are_in_the_users_language():
    with translation.override("zh-hans"):
        with pytest.raises(IngestError, match="已经是"):
            import_source(seed_bytes("000"), SourceMeta())
        with pytest.raises(IngestError, match="不是"):
            import_source(seed_bytes("000") + b"\n", SourceMeta(siglum="TOO-LONG"))
    with translation.override("en"):
        with pytest.raises(IngestError, match="already source A"):
            import_source(seed_bytes("000"), SourceMeta())


def _substituted(text: str, seed: int, count: int) -> str:
    """``text`` with ``count`` Han characters replaced (a copy with its own errors)."""
    import random

    rng = random.Random(seed)
    chars = list(text)
    han = [i for i, c in enumerate(chars) if "\u4e00" <= c <= "\u9fff"]
    for i in rng.sample(han, count):
        chars[i] = "謬" if chars[i] != "謬" else "誤"
    return "".join(chars)


def test_the_copy_a_new_one_was_made_from_is_found_among_many():
    """Seven copies of the Opinion, each with errors of its own; a new copy made
    from F (F's errors and one more) is proposed as derived from F, found by
    the digests of its departing readings: only the likeliest copies' readings
    are read, whatever the number of copies."""
    Document.objects.all().delete()  # the demo's copies aside (rolled back after the test)
    base = seed_bytes("000").decode()
    document = import_source(
        base.encode(), SourceMeta(siglum="A"), accept_cuts=True
    ).source.document
    copies = {}
    for n, siglum in enumerate("BCDEFG", start=1):
        copies[siglum] = _substituted(base, seed=n, count=6)
        import_source(
            copies[siglum].encode(), SourceMeta(siglum=siglum), document=document, accept_cuts=True
        )
    made = _substituted(copies["F"], seed=99, count=1)
    preview = preview_import(
        made.encode(), SourceMeta(siglum="H"), document=document, accept_cuts=True
    )
    assert preview.derived_proposal["siglum"] == "F"
    assert preview.derived_proposal["agreement"] > preview.derived_proposal["consensus"]
    # A copy with no departure from the canonical text is made from none.
    canonical = preview_import(
        base.encode() + b"\n", SourceMeta(siglum="I"), document=document, accept_cuts=True
    )
    assert canonical.derived_proposal is None


def test_shares_round_down_so_a_copy_one_character_apart_is_not_100_percent():
    from clauses.views import _share

    assert _share(0.99995) == "99.9%" and _share(1.0) == "100.0%"
    assert _share(0.29) == "29.0%" and _share(0.5) == "50.0%" and _share(0.0) == "0.0%"


def test_an_old_wording_is_flagged_in_the_preview_and_imported_as_an_earlier_version():
    """The 2001 工会法 (no title in the file) reaches 84% with the 2021 law: the
    preview of it as a copy asks whether it is another version; chosen as an
    earlier version of the law, it becomes a new document, related, and the
    law's text and copies are left as they were."""
    from pathlib import Path

    from clauses.models import DocumentRelation

    pages = Path(__file__).parent / "fixtures" / "corpus" / "pages"
    law = import_source(
        (pages / "d02-gonghuifa-lawrefbook.txt").read_bytes(), SourceMeta(kind="other")
    ).source.document
    old = (pages / "d03-gonghuifa2001-psjzj.txt").read_text("utf-8")
    client = editor_client()
    fields = {"text": old, "kind": "web", "accept_cuts": "on", "document": law.pk}
    html = client.post("/import/", fields).content.decode()
    assert 'class="import-preview' in html and "version-hint" in html
    # No document chosen: a version needs one.
    response = client.post("/import/", {**fields, "document": "", "relation": "earlier"})
    assert "version-hint" not in response.content.decode()
    assert response.context["form"].errors["document"]
    canonical = list(law.units.values_list("key", "canonical"))
    # A new document: the file gives no title, so the form must.
    untitled = client.post("/import/", {**fields, "relation": "earlier"})
    assert "“文献标题”" in str(untitled.context["form"].non_field_errors())
    version = {**fields, "relation": "earlier", "document_title": "中华人民共和国工会法（2001）"}
    preview = client.post("/import/", version).content.decode()
    assert 'class="import-preview' in preview
    assert "version-hint" not in preview and "中华人民共和国工会法（2001）" in preview
    assert f"将是“{law.title}”的较早版本" in preview
    saved = client.post("/import/", {**version, "confirm": "1"})
    assert saved.status_code == 302
    new = Document.objects.exclude(pk=law.pk).get(
        sources__kind="web", sources__text__contains="工会"
    )
    assert new.title == "中华人民共和国工会法（2001）" and law.sources.count() == 1
    relation = DocumentRelation.objects.get(from_document=law, to_document=new)
    assert relation.kind == DocumentRelation.Kind.LATER_VERSION_OF
    assert list(law.units.values_list("key", "canonical")) == canonical
