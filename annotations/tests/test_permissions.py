"""The permission matrix: every endpoint and fragment, for five people.

anonymous, a reader, another annotator, the owner of the notes (an annotator)
and an editor. The owner has a private, a shared and a public note; nobody
else may read the private one anywhere, and only the owner changes any of
them. Writes that are refused leave the database as it was.
"""

import json

import pytest
from django.test import Client

from annotations.models import ApiToken, Flag, Note, Tag, Visibility
from annotations.services import create_flag, create_token

WHO = ("anon", "reader", "other", "owner", "editor")
HX = {"HTTP_HX_REQUEST": "true"}
PANEL = "/documents/2024-yijian/u/c13/notes/"


@pytest.fixture
def people(reader, other, owner, editor):
    return {"anon": None, "reader": reader, "other": other, "owner": owner, "editor": editor}


@pytest.fixture
def world(notes, owner, other, site, unit):
    notes["private"].tags.set([Tag.objects.create(name="secret-tag", owner=owner)])
    notes["shared"].tags.set([Tag.objects.create(name="open-tag")])
    reply = Note.objects.create(
        author=other,
        unit=unit,
        parent=notes["shared"],
        visibility=Visibility.SHARED,
        body="otto replies",
    )
    flag = create_flag(owner, site, unit.document.sources.get(siglum="B"), proposed="横向")
    return {**notes, "reply": reply, "flag": flag}


def client_for(user, **kwargs):
    c = Client(**kwargs)
    if user is not None:
        c.force_login(user)
    return c


def expect(people, method, url, expected, data=None, headers=None, content_type=None):
    """Request ``url`` as each person; compare the status codes with ``expected``."""
    got = {}
    for who in WHO:
        c = client_for(people[who])
        kwargs = dict(headers or {})
        if content_type:
            kwargs["content_type"] = content_type
        response = getattr(c, method)(url, data if data is not None else {}, **kwargs)
        got[who] = response.status_code
    assert got == dict(zip(WHO, expected, strict=True)), url


# --- Reading --------------------------------------------------------------------------------


def test_reading_a_single_note(people, world):
    p, s, u, r = (world[k].pk for k in ("private", "shared", "public", "reply"))
    for headers in ({}, HX):
        expect(people, "get", f"/notes/{p}/", [404, 404, 404, 200, 404], headers=headers)
        expect(people, "get", f"/notes/{s}/", [404, 200, 200, 200, 200], headers=headers)
        expect(people, "get", f"/notes/{u}/", [200, 200, 200, 200, 200], headers=headers)
        expect(people, "get", f"/notes/{r}/", [404, 200, 200, 200, 200], headers=headers)


def test_lists_pages_fragments_and_exports_never_show_a_private_note(people, world):
    secret = "olga private secret"
    urls = [
        PANEL,
        PANEL + "?filter=all",
        PANEL + "?filter=shared",
        PANEL + "?filter=mine",
        "/notes/",
        "/notes/?author=olga",
        "/notes/?visibility=private",
        "/notes/?q=secret",
        "/notes/?tag=secret-tag",
        "/documents/2024-yijian/annotations.jsonld",
        "/documents/2024-yijian/annotations.csv",
        "/annotations/",
        "/annotations/?document=2024-yijian&unit=c13",
        "/annotations/?tag=secret-tag",
        "/annotations/?page=0",
        "/tags/",
        "/accounts/me/",
    ]
    for who in WHO:
        c = client_for(people[who])
        for url in urls:
            for headers in ({}, HX):
                response = c.get(url, **headers)
                if url == "/accounts/me/" and who == "anon":
                    assert response.status_code == 302
                    continue
                assert response.status_code == 200, (who, url)
                body = response.content.decode()
                shows_bodies = "filter=shared" not in url and url != "/tags/"
                assert (secret in body) == (who == "owner" and shows_bodies), (who, url)
                if "secret" not in url:  # a filter form shows what was asked for
                    assert ("secret-tag" in body) == (
                        who == "owner" and "filter=shared" not in url and url != "/accounts/me/"
                    ), (who, url)


def test_shared_and_public_notes_are_listed_for_whom_they_are_meant(people, world):
    for who in WHO:
        html = client_for(people[who]).get(PANEL).content.decode()
        assert ("olga shared words" in html) == (who != "anon")
        assert "olga public words" in html
        assert ("otto replies" in html) == (who != "anon")


def test_tag_pages_and_suggestions(people, world):
    expect(people, "get", "/tags/secret-tag/", [404, 404, 404, 200, 404])
    expect(people, "get", "/tags/open-tag/", [404, 200, 200, 200, 200])
    for who in WHO:
        c = client_for(people[who])
        names = c.get("/tag-suggestions/?q=tag").json()["tags"]
        assert ("secret-tag" in names) == (who == "owner")
        assert ("open-tag" in names) == (who != "anon")
        options = c.get("/tag-suggestions/?tags=x, se", **HX).content.decode()
        assert ("secret-tag" in options) == (who == "owner")


def test_reader_anchors_for_the_reader(people, world):
    for who in WHO:
        data = client_for(people[who]).get("/documents/2024-yijian/notes/anchors.json").json()
        unit = data["units"].get("c13", {"count": 0, "spans": []})
        expected = {"anon": 1, "reader": 2, "other": 2, "owner": 3, "editor": 2}[who]
        assert unit["count"] == expected, who
        assert [s["id"] for s in unit["spans"]] == ([] if who == "anon" else [world["shared"].pk])


def test_api_single_annotation_reads(people, world):
    p, s, u = (world[k].pk for k in ("private", "shared", "public"))
    expect(people, "get", f"/annotations/{p}", [404, 404, 404, 200, 404])
    expect(people, "get", f"/annotations/{s}", [404, 200, 200, 200, 200])
    expect(people, "get", f"/annotations/{u}", [200, 200, 200, 200, 200])
    f = world["flag"].pk
    expect(people, "get", f"/annotations/flags/{f}", [404, 200, 200, 200, 200])
    expect(people, "get", f"/flags/{f}/", [302, 200, 200, 200, 200])


# --- Changing notes -------------------------------------------------------------------------


def _snapshot():
    return list(Note.objects.order_by("pk").values_list("pk", "body", "visibility"))


def test_editing_and_deleting_only_by_the_author(people, world):
    p, s = world["private"].pk, world["shared"].pk
    before = _snapshot()
    # Nobody signed in: to the sign-in page (htmx: 401 with HX-Redirect).
    for headers, anon in (({}, 302), (HX, 401)):
        expect(people, "get", f"/notes/{p}/edit/", [anon, 404, 404, 200, 404], headers=headers)
        expect(people, "get", f"/notes/{s}/edit/", [anon, 403, 403, 200, 403], headers=headers)
        for who in ("anon", "reader", "other", "editor"):
            c = client_for(people[who])
            for pk in (p, s):
                c.post(f"/notes/{pk}/edit/", {"body": "hacked", "visibility": "public"}, **headers)
                c.post(f"/notes/{pk}/delete/", **headers)
                c.post(f"/annotations/{pk}", content_type="application/json")
                c.put(
                    f"/annotations/{pk}",
                    json.dumps({"body": {"type": "TextualBody", "value": "hacked"}}),
                    content_type="application/json",
                )
                c.delete(f"/annotations/{pk}")
    assert _snapshot() == before
    expect(
        people,
        "put",
        f"/annotations/{s}",
        [401, 403, 403, 400, 403],
        data="{}",
        content_type="application/json",
    )
    expect(people, "delete", f"/annotations/{p}", [401, 404, 404, 204, 404])
    assert not Note.objects.filter(pk=p).exists()


def test_owner_edits_and_deletes_in_place(people, world):
    c = client_for(people["owner"])
    s = world["shared"].pk
    response = c.post(
        f"/notes/{s}/edit/",
        {"body": "changed *text*", "visibility": "shared", "tags": "a, b"},
        **HX,
    )
    assert response.status_code == 200 and "<em>text</em>" in response.content.decode()
    assert json.loads(response["HX-Trigger-After-Settle"])["notes-changed"]["unit"] == "c13"
    note = Note.objects.get(pk=s)
    assert note.body == "changed *text*" and sorted(t.name for t in note.tags.all()) == ["a", "b"]
    response = c.post(f"/notes/{s}/delete/", **HX)
    assert response.status_code == 200 and response.content == b""
    assert not Note.objects.filter(pk__in=[s, world["reply"].pk]).exists()  # with its replies


def test_writing_notes_needs_a_role_and_readers_write_private_only(people, world, unit):
    before = Note.objects.count()
    expect(
        people,
        "post",
        PANEL,
        [401, 200, 200, 200, 200],
        data={"body": "new", "visibility": "private"},
        headers=HX,
    )
    assert Note.objects.count() == before + 4
    assert not Note.objects.filter(author=None).exists()
    c = client_for(people["reader"])
    response = c.post(PANEL, {"body": "shared by a reader", "visibility": "shared"}, **HX)
    assert response.status_code == 200 and "field-error" in response.content.decode()
    assert not Note.objects.filter(body="shared by a reader").exists()
    # An account without any role writes nothing either.
    from django.contrib.auth.models import User

    nobody = User.objects.create_user("nobody")
    response = client_for(nobody).post(PANEL, {"body": "x", "visibility": "private"}, **HX)
    assert response.status_code == 403


def test_replies_need_an_annotator_and_an_open_note(people, world):
    p, s = world["private"].pk, world["shared"].pk
    before = Note.objects.filter(parent__isnull=False).count()
    expect(
        people,
        "post",
        f"/notes/{s}/reply/",
        [401, 403, 200, 200, 200],
        data={"body": "re"},
        headers=HX,
    )
    assert Note.objects.filter(parent_id=s).count() == before + 3
    expect(
        people,
        "post",
        f"/notes/{p}/reply/",
        [401, 403, 404, 200, 404],
        data={"body": "re"},
        headers=HX,
    )
    assert not Note.objects.filter(parent_id=p).exists()  # private notes take no replies


def test_a_note_with_replies_cannot_turn_private(people, world):
    c = client_for(people["owner"])
    s = world["shared"].pk
    response = c.post(f"/notes/{s}/edit/", {"body": "x", "visibility": "private"}, **HX)
    assert (
        "cannot be made private" in response.content.decode() or "不能" in response.content.decode()
    )
    assert Note.objects.get(pk=s).visibility == "shared"
    # Turning public leaves the replies as their authors set them (test_replies.py).
    c.post(f"/notes/{s}/edit/", {"body": "x", "visibility": "public"}, **HX)
    assert Note.objects.get(pk=s).visibility == "public"
    assert Note.objects.get(pk=world["reply"].pk).visibility == "shared"


# --- Tags ----------------------------------------------------------------------------------


def test_only_editors_rename_and_merge_tags(people, world):
    for who in ("anon", "reader", "other", "owner"):
        c = client_for(people[who])
        c.post("/tags/open-tag/rename/", {"name": "renamed"})
        c.post("/tags/open-tag/merge/", {"into": "secret-tag"})
        refused = c.post("/tags/open-tag/rename/", {"name": "renamed"}, **HX).status_code
        assert refused == (401 if who == "anon" else 403)
    assert Tag.objects.filter(name="open-tag").exists()
    c = client_for(people["editor"])
    # The editor cannot see the private tag: no page, no rename.
    assert c.post("/tags/secret-tag/rename/", {"name": "x"}).status_code == 404
    response = c.post("/tags/open-tag/rename/", {"name": "renamed"})
    assert response.status_code == 302 and Tag.objects.filter(name="renamed").exists()


def test_reattaching_an_orphan_is_for_editors_and_the_author(people, world):
    Note.objects.filter(pk__in=[world["shared"].pk, world["private"].pk]).update(orphaned=True)
    s, p = world["shared"].pk, world["private"].pk
    expect(people, "get", f"/notes/{s}/reattach/", [302, 403, 403, 200, 200])
    expect(people, "get", f"/notes/{p}/reattach/", [302, 404, 404, 200, 404])
    # The note's own quote: the place must be chosen (never taken by default).
    at = world["shared"].unit.canonical.index("横向发展")
    data = {"exact": "横向发展", "start": at}
    expect(people, "post", f"/notes/{p}/reattach/", [302, 404, 404, 302, 404], data=data)
    # Refused ones change nothing: the author's attempt is the first to count.
    expect(people, "post", f"/notes/{s}/reattach/", [302, 403, 403, 302, 400], data=data)
    assert not Note.objects.get(pk=s).orphaned
    # CSRF on the POST.
    Note.objects.filter(pk=s).update(orphaned=True)
    c = client_for(people["editor"], enforce_csrf_checks=True)
    assert c.post(f"/notes/{s}/reattach/", data).status_code == 403
    assert Note.objects.get(pk=s).orphaned


# --- Flags -----------------------------------------------------------------------------------


def test_flag_form_and_flags_for_annotators(people, world, site):
    url = f"/documents/2024-yijian/sites/{site.pk}/flag/?source=B"
    expect(people, "get", url, [302, 403, 200, 200, 200])
    expect(people, "get", url, [401, 403, 200, 200, 200], headers=HX)
    before = Flag.objects.count()
    expect(
        people,
        "post",
        url,
        [401, 403, 200, 200, 200],
        data={"proposed": "横", "comment": "c"},
        headers=HX,
    )
    # The owner's flag of this reading is open already: nobody flags it again,
    # and the form links to the first flag.
    assert Flag.objects.count() == before
    html = client_for(people["owner"]).post(url, {"proposed": "横"}, **HX).content.decode()
    assert "form-errors" in html and f'href="/flags/{world["flag"].pk}/"' in html
    expect(
        people,
        "get",
        f"/documents/2024-yijian/sites/{site.pk}/flag/?source=Q",
        [302, 403, 404, 404, 404],
    )


def test_flags_queue_and_decisions_for_editors(people, world):
    f = world["flag"].pk
    expect(people, "get", "/flags/", [302, 403, 403, 403, 200])
    for who in ("anon", "reader", "other", "owner"):
        client_for(people[who]).post(f"/flags/{f}/decide/", {"action": "confirm", "reason": "x"})
    assert Flag.objects.get(pk=f).state == "open"
    expect(
        people,
        "post",
        f"/flags/{f}/decide/",
        [401, 403, 403, 403, 200],
        data={"action": "reject", "reason": "no"},
        headers=HX,
    )
    assert Flag.objects.get(pk=f).state == "rejected"


def test_withdrawing_a_flag_is_for_its_author(people, world, site, owner, unit):
    f = world["flag"].pk
    for who in ("anon", "reader", "other", "editor"):
        client_for(people[who]).post(f"/flags/{f}/withdraw/")
        client_for(people[who]).delete(f"/annotations/flags/{f}")
    assert Flag.objects.filter(pk=f).exists()
    assert client_for(owner).delete(f"/annotations/flags/{f}").status_code == 204


def test_errata_are_public(people, world):
    expect(people, "get", "/documents/2024-yijian/sources/B/errata/", [200] * 5)
    expect(people, "get", "/documents/2024-yijian/sources/B/errata.csv", [200] * 5)


# --- The user's page and tokens -----------------------------------------------------------


def test_tokens_are_personal(people, world, owner, other):
    token, raw = create_token(owner, "mine")
    expect(people, "get", "/accounts/me/", [302, 200, 200, 200, 200])
    for who in ("reader", "other", "editor"):
        html = client_for(people[who]).get("/accounts/me/").content.decode()
        assert token.hint not in html
        assert (
            client_for(people[who]).post(f"/accounts/me/tokens/{token.pk}/revoke/").status_code
            == 404
        )
    assert token.hint in client_for(owner).get("/accounts/me/").content.decode()
    assert raw not in client_for(owner).get("/accounts/me/").content.decode()  # shown once only
    assert ApiToken.objects.filter(pk=token.pk).exists()
    # The token reads as its owner, and only as its owner.
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert Client().get(f"/annotations/{world['private'].pk}", **bearer).status_code == 200
    other_token = create_token(other, "theirs")[1]
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {other_token}"}
    assert Client().get(f"/annotations/{world['private'].pk}", **bearer).status_code == 404
    assert Client().delete(f"/annotations/{world['shared'].pk}", **bearer).status_code == 403
