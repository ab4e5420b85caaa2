"""A reply's visibility is its own: widening the note it answers never widens it.

Before, making a shared note public made every reply to it public too, so a
note's author could publish other people's words. Now what a reader sees of
a thread is each note by its own visibility (and a reply only where its
parent is visible too), through the pages, the exports and the API.
"""

from __future__ import annotations

import json

import pytest
from django.test import Client

from annotations.models import Note, Visibility
from annotations.services import Invalid, create_note, update_note

from .conftest import add_note

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def thread(owner, other, unit):
    """Olga's shared note, with Otto's reply (shared, as the note was)."""
    parent = add_note(owner, unit, Visibility.SHARED, "olga asks")
    reply = create_note(other, unit, body="otto's private thoughts on it", parent=parent)
    return parent, reply


def anonymous_sees(text: str) -> bool:
    client = Client()
    pages = [
        client.get("/documents/2024-yijian/u/c13/notes/").content.decode(),
        client.get("/notes/").content.decode(),
        client.get("/documents/2024-yijian/annotations.jsonld").content.decode(),
        client.get("/documents/2024-yijian/annotations.csv").content.decode("utf-8-sig"),
        json.dumps(client.get("/annotations/").json(), ensure_ascii=False),
    ]
    return any(text in page for page in pages)


def test_a_reply_takes_its_parents_visibility_when_written(thread):
    _parent, reply = thread
    assert reply.visibility == Visibility.SHARED


def test_making_the_note_public_does_not_publish_the_replies(owner, thread):
    parent, reply = thread
    update_note(parent, owner, body=parent.body, visibility=Visibility.PUBLIC)
    reply.refresh_from_db()
    assert reply.visibility == Visibility.SHARED
    assert anonymous_sees("olga asks")
    assert not anonymous_sees("otto's private thoughts")
    note_page = Client().get(f"/notes/{parent.pk}/").content.decode()
    assert "olga asks" in note_page and "otto's private" not in note_page
    assert Client().get(f"/notes/{reply.pk}/").status_code == 404
    assert Client().get(f"/annotations/{reply.pk}").status_code == 404


def test_through_the_edit_form_too(client, owner, thread):
    parent, reply = thread
    client.force_login(owner)
    client.post(f"/notes/{parent.pk}/edit/", {"body": "olga asks", "visibility": "public"}, **HX)
    assert Note.objects.get(pk=parent.pk).visibility == Visibility.PUBLIC
    assert Note.objects.get(pk=reply.pk).visibility == Visibility.SHARED
    assert not anonymous_sees("otto's private thoughts")


def test_through_the_api_too(client, owner, thread):
    parent, reply = thread
    client.force_login(owner)
    data = client.get(f"/annotations/{parent.pk}").json()
    data["visibility"] = "public"
    response = client.put(
        f"/annotations/{parent.pk}", json.dumps(data), content_type="application/ld+json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["visibility"] == "public"
    assert Note.objects.get(pk=reply.pk).visibility == Visibility.SHARED
    anonymous = Client().get("/annotations/").json()
    ids = [item["id"] for item in anonymous["first"]["items"]]
    assert any(i.endswith(f"/annotations/{parent.pk}") for i in ids)
    assert not any(i.endswith(f"/annotations/{reply.pk}") for i in ids)


def test_the_reply_author_may_publish_their_own_reply_once_the_note_is_public(
    client, owner, other, thread
):
    parent, reply = thread
    update_note(parent, owner, body=parent.body, visibility=Visibility.PUBLIC)
    client.force_login(other)
    data = client.get(f"/annotations/{reply.pk}").json()
    data["visibility"] = "public"
    response = client.put(
        f"/annotations/{reply.pk}", json.dumps(data), content_type="application/ld+json"
    )
    assert response.status_code == 200, response.content
    assert anonymous_sees("otto's private thoughts")


def test_a_reply_is_never_wider_than_its_note(owner, other, thread, unit):
    parent, reply = thread
    with pytest.raises(Invalid):
        update_note(reply, other, body=reply.body, visibility=Visibility.PUBLIC)
    with pytest.raises(Invalid):
        update_note(reply, other, body=reply.body, visibility=Visibility.PRIVATE)
    with pytest.raises(Invalid):
        create_note(other, unit, body="loud", parent=parent, visibility=Visibility.PUBLIC)
    # A public note takes a shared reply: readable by those signed in only.
    public = add_note(owner, unit, Visibility.PUBLIC, "olga public")
    quiet = create_note(other, unit, body="otto quietly", parent=public, visibility="shared")
    assert quiet.visibility == Visibility.SHARED
    assert not anonymous_sees("otto quietly")
    signed_in = Client()
    signed_in.force_login(owner)
    assert "otto quietly" in signed_in.get(f"/notes/{public.pk}/").content.decode()


def test_the_api_reply_may_choose_a_narrower_visibility(client, owner, other, unit):
    public = add_note(owner, unit, Visibility.PUBLIC, "olga public")
    client.force_login(other)
    response = client.post(
        "/annotations/",
        json.dumps(
            {
                "type": "Annotation",
                "motivation": "replying",
                "visibility": "shared",
                "bodyValue": "otto, for members only",
                "target": f"http://testserver/annotations/{public.pk}",
            }
        ),
        content_type="application/ld+json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["visibility"] == "shared"
    assert not anonymous_sees("for members only")


def test_narrowing_the_note_hides_its_public_replies_from_those_who_cannot_see_it(
    owner, other, unit
):
    public = add_note(owner, unit, Visibility.PUBLIC, "olga public")
    create_note(other, unit, body="otto in public", parent=public)
    assert anonymous_sees("otto in public")
    update_note(public, owner, body=public.body, visibility=Visibility.SHARED)
    assert not anonymous_sees("otto in public")
    assert Note.objects.get(body="otto in public").visibility == Visibility.PUBLIC
