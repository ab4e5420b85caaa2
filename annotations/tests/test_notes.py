"""The notes panel and its fragments, the notes list, tags; query counts."""

import json

import pytest

from annotations.models import Note, Tag, Visibility
from annotations.services import Invalid, create_note, merge_tags, parse_tags, rename_tag

from .conftest import add_note

PANEL = "/documents/2024-yijian/u/c13/notes/"
HX = {"HTTP_HX_REQUEST": "true"}


def test_panel_fragment_for_htmx_and_page_without(client, owner, notes):
    client.force_login(owner)
    fragment = client.get(PANEL, **HX).content.decode()
    assert fragment.lstrip().startswith('<section class="notes-panel" id="notes-panel-c13"')
    assert "<html" not in fragment and fragment.count('class="an-note ') == 3
    page = client.get(PANEL).content.decode()
    assert "<html" in page and 'data-canonical-unit="c13"' in page
    # The shared note's span is highlighted in the text.
    assert f'<mark class="an-span" data-notes="{notes["shared"].pk}">横向发展</mark>' in page


def test_panel_filter_mine_shared_all(client, owner, other, notes, unit):
    add_note(other, unit, Visibility.SHARED, "otto shared")
    client.force_login(owner)

    def bodies(which):
        html = client.get(PANEL + f"?filter={which}", **HX).content.decode()
        return {
            b for b in ("olga private", "olga shared", "olga public", "otto shared") if b in html
        }

    assert bodies("all") == {"olga private", "olga shared", "olga public", "otto shared"}
    assert bodies("mine") == {"olga private", "olga shared", "olga public"}
    assert bodies("shared") == {"olga shared", "olga public", "otto shared"}
    assert bodies("nonsense") == bodies("all")


def test_writing_a_span_note_from_the_panel(client, owner, unit):
    client.force_login(owner)
    response = client.post(
        PANEL,
        {
            "body": "**重点**",
            "visibility": "public",
            "tags": "职业发展，贯通、 职业发展",
            "exact": "横向发展",
            "prefix": "工人",
            "suffix": "机制",
            "start": "6",
            "end": "10",
            "filter": "mine",
        },
        **HX,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<strong>重点</strong>" in html and 'aria-current="true">' in html
    assert json.loads(response["HX-Trigger-After-Settle"]) == {
        "notes-changed": {"unit": "c13", "count": 1}
    }
    note = Note.objects.get(author=owner)
    assert (note.exact, note.start, note.end, note.visibility) == ("横向发展", 6, 10, "public")
    assert sorted(t.name for t in note.tags.all()) == ["职业发展", "贯通"]


def test_a_selection_no_longer_in_the_text_is_refused(client, owner):
    client.force_login(owner)
    response = client.post(
        PANEL,
        {"body": "x", "visibility": "private", "exact": "不在这里", "start": "0", "end": "4"},
        **HX,
    )
    assert "form-errors" in response.content.decode()
    assert not Note.objects.exists()


def test_without_javascript_the_panel_form_redirects(client, owner):
    client.force_login(owner)
    response = client.post(PANEL, {"body": "no js", "visibility": "private"})
    assert response.status_code == 302 and response.url == PANEL + "?filter=all"
    assert Note.objects.filter(body="no js").exists()
    response = client.post(PANEL, {"body": "", "visibility": "private"})
    assert response.status_code == 200 and "field-error" in response.content.decode()


def test_edit_fragment_cancel_and_save(client, owner, notes):
    client.force_login(owner)
    pk = notes["private"].pk
    form = client.get(f"/notes/{pk}/edit/", **HX).content.decode()
    assert form.lstrip().startswith(f'<li class="an-note is-editing" id="note-{pk}"')
    assert "olga private secret</textarea>" in form
    cancel = client.get(f"/notes/{pk}/", **HX).content.decode()
    assert cancel.lstrip().startswith('<li class="an-note an-vis-private')
    saved = client.post(
        f"/notes/{pk}/edit/", {"body": "new text", "visibility": "private", "tags": ""}, **HX
    )
    assert "new text" in saved.content.decode()
    assert Note.objects.get(pk=pk).body == "new text"


def test_replies_render_inside_their_note(client, owner, other, notes):
    client.force_login(other)
    s = notes["shared"].pk
    html = client.post(f"/notes/{s}/reply/", {"body": "回复 *一*"}, **HX).content.decode()
    assert html.lstrip().startswith('<li class="an-note an-vis-shared') and "<em>一</em>" in html
    assert 'class="an-note an-reply"' in html
    reply = Note.objects.get(parent_id=s)
    assert reply.visibility == "shared" and reply.unit_id == notes["shared"].unit_id
    # No reply to a reply: one level deep.
    with pytest.raises(Invalid):
        create_note(owner, reply.unit, body="x", parent=reply)


def test_notes_list_filters(client, owner, other, notes, unit):
    add_note(other, unit, Visibility.PUBLIC, "otto public").tags.set([Tag.objects.create(name="t")])
    client.force_login(owner)

    def bodies(query):
        html = client.get("/notes/?" + query).content.decode()
        return {
            b for b in ("olga private", "olga shared", "olga public", "otto public") if b in html
        }

    assert bodies("") == {"olga private", "olga shared", "olga public", "otto public"}
    assert bodies("author=otto") == {"otto public"}
    assert bodies("tag=T") == {"otto public"}
    assert bodies("visibility=private") == {"olga private"}
    assert bodies("document=2017-fangan") == set()
    assert bodies("document=2024-yijian&visibility=public") == {"olga public", "otto public"}
    assert bodies("q=shared") == {"olga shared"}


def test_tags_counts_rename_merge(client, owner, other, editor, notes, unit):
    a, b = Tag.objects.create(name="政策"), Tag.objects.create(name="Policy")
    notes["shared"].tags.set([a, b])
    notes["public"].tags.set([a])
    notes["private"].tags.set([b])
    client.force_login(other)
    counts = {t.name: t.note_count for t in Tag.objects.visible_to(other)}
    assert counts == {"政策": 2, "Policy": 1}  # the private note is not counted
    html = client.get("/tags/政策/").content.decode()
    assert "olga shared" in html and "olga public" in html and "olga private" not in html
    assert client.get("/tags/policy/").status_code == 200  # case does not matter
    assert "Rename" not in html and "重命名" not in html
    client.force_login(editor)
    client.post("/tags/Policy/rename/", {"name": "政策"})
    assert Tag.objects.filter(name="Policy").exists()  # taken: merge instead
    response = client.post("/tags/Policy/merge/", {"into": "政策"})
    assert response.status_code == 302
    assert not Tag.objects.filter(name="Policy").exists()
    assert set(Tag.objects.get(name="政策").notes.all()) == {
        notes["shared"],
        notes["public"],
        notes["private"],
    }
    rename_tag(Tag.objects.get(name="政策"), "产业政策", editor)
    assert Tag.objects.get().name == "产业政策"
    with pytest.raises(Invalid):
        merge_tags(Tag.objects.get(), Tag.objects.get(), editor)


def test_tag_names_are_normalized():
    assert parse_tags(" 政策 ,，政策、 labour  law ;#ocr") == ["政策", "labour law", "ocr"]
    assert parse_tags("ＡＢＣ") == ["ABC"]  # NFKC
    for bad in ("a/b", "字" * 41):
        with pytest.raises(Invalid):
            parse_tags(bad)


def test_autocomplete_completes_the_last_tag(client, owner, notes):
    notes["public"].tags.set([Tag.objects.create(name="职业发展"), Tag.objects.create(name="职称")])
    client.force_login(owner)
    html = client.get("/tag-suggestions/?tags=政策, 职", **HX).content.decode()
    assert '<option value="政策, 职业发展"></option>' in html and "政策, 职称" in html
    assert client.get("/tag-suggestions/?q=称").json() == {"tags": ["职称"]}


def test_anchors_json_for_the_reader(client, owner, notes):
    client.force_login(owner)
    data = client.get("/documents/2024-yijian/notes/anchors.json?filter=mine").json()
    spans = data["units"]["c13"]["spans"]
    assert data["units"]["c13"]["count"] == 3
    assert spans == [
        {
            "id": notes["shared"].pk,
            "start": 6,
            "end": 10,
            "exact": "横向发展",
            "mine": True,
            "visibility": "shared",
        }
    ]


# --- Query counts: fixed whatever the number of notes ---------------------------------------


def _many(owner, other, unit, n):
    for i in range(n):
        note = add_note(
            owner, unit, Visibility.SHARED, f"n{i}", quote="横向发展" if i % 2 else None
        )
        note.tags.set([Tag.objects.get_or_create(name=f"tag{i % 3}")[0]])
        Note.objects.create(
            author=other, unit=unit, parent=note, visibility=Visibility.SHARED, body="r"
        )


@pytest.mark.parametrize(
    "url, headers, queries",
    [
        (PANEL, HX, 8),
        (PANEL, {}, 10),
        ("/notes/", {}, 7),
        ("/tags/tag0/", {}, 7),
        ("/tags/", {}, 4),
        ("/documents/2024-yijian/notes/anchors.json", {}, 5),
        ("/annotations/?document=2024-yijian", {}, 8),
    ],
)
def test_query_counts_do_not_grow_with_notes(
    client, owner, other, unit, url, headers, queries, django_assert_num_queries
):
    client.force_login(owner)
    _many(owner, other, unit, 3)
    with django_assert_num_queries(queries):
        assert client.get(url, **headers).status_code == 200
    _many(owner, other, unit, 12)
    with django_assert_num_queries(queries):
        assert client.get(url, **headers).status_code == 200
