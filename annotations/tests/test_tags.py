"""Tag names are per user until used on a shared or public note (issue 9): renaming,
merging and tagging never reveal nor adopt another user's private tag."""

import json

import pytest
from django.test import Client

from annotations.models import Tag, Visibility
from annotations.services import Invalid, create_note, merge_tags, rename_tag, update_note

from .conftest import make_user

SECRET = "Secret-Plan"  # otto's private tag, in his spelling


@pytest.fixture
def secret(other, unit):
    """otto's private note, tagged with a name nobody else may learn."""
    create_note(other, unit, body="otto private", tags=[SECRET])
    tag = Tag.objects.get(name=SECRET)
    assert tag.owner == other and not tag.is_public
    return tag


def test_tagging_never_adopts_another_users_private_tag(owner, other, unit, secret):
    note = create_note(owner, unit, body="olga", tags=["secret-plan"])
    (mine,) = note.tags.all()
    assert mine.name == "secret-plan" and mine.owner == owner  # her spelling, her tag
    assert Tag.objects.get(pk=secret.pk).name == SECRET  # his untouched
    # Shared, her tag becomes public; his stays private and his.
    shared = create_note(owner, unit, body="olga shared", tags=["SECRET-PLAN"], visibility="shared")
    (public,) = shared.tags.all()
    assert public.pk == mine.pk and public.is_public and public.name == "secret-plan"
    assert Tag.objects.get(pk=secret.pk).owner == other
    # Now the name is public: otto's next private note keeps his own tag ...
    again = create_note(other, unit, body="otto again", tags=["secret-plan"])
    assert list(again.tags.all()) == [secret]
    # ... and his shared note takes the public one, his private tag merged into it.
    create_note(other, unit, body="otto shared", tags=["secret-plan"], visibility="shared")
    assert not Tag.objects.filter(pk=secret.pk).exists()
    assert Tag.objects.get(pk=public.pk).notes.count() == 5  # both users' notes


def test_a_note_made_shared_publishes_its_tags(owner, other, unit):
    note = create_note(owner, unit, body="olga", tags=["草稿"])
    tag = note.tags.get()
    assert not tag.is_public
    update_note(note, owner, body="olga", visibility=Visibility.SHARED)
    tag.refresh_from_db()
    assert tag.is_public
    # otto may now adopt it (its spelling is public).
    assert list(create_note(other, unit, body="o", tags=["草稿"]).tags.all()) == [tag]


def test_renaming_to_another_users_private_name_is_no_obstacle(client, owner, editor, unit, secret):
    note = create_note(owner, unit, body="olga", tags=["政策"], visibility="shared")
    client.force_login(editor)
    response = client.post("/tags/政策/rename/", {"name": SECRET.lower()}, follow=True)
    html = response.content.decode()
    assert SECRET not in html and "已存在" not in html and "exists already" not in html
    assert note.tags.get().name == SECRET.lower()
    assert Tag.objects.get(pk=secret.pk).name == SECRET  # two tags, two namespaces
    # A public name taken is still refused: that name is known to all.
    create_note(owner, unit, body="o2", tags=["劳动"], visibility="public")
    with pytest.raises(Invalid):
        rename_tag(note.tags.get(), "劳动", editor)


def test_merging_into_another_users_private_tag_is_answered_like_no_tag(
    client, owner, editor, unit, secret
):
    note = create_note(owner, unit, body="olga", tags=["政策"], visibility="shared")
    client.force_login(editor)
    response = client.post("/tags/政策/merge/", {"into": "secret-plan"}, follow=True)
    html = response.content.decode()
    assert SECRET not in html and "没有这个名称的标签" in html
    assert list(note.tags.all()) != [secret]
    assert Tag.objects.get(pk=secret.pk).notes.count() == 1
    # The service refuses it too, when handed the tag itself.
    with pytest.raises(PermissionError):
        merge_tags(note.tags.get(), secret, editor)
    # Into a public tag: fine, and the message names it.
    create_note(owner, unit, body="o2", tags=["劳动"], visibility="public")
    response = client.post("/tags/政策/merge/", {"into": "劳动"}, follow=True)
    assert "劳动" in response.content.decode() and note.tags.get().name == "劳动"


def test_suggestions_lists_and_the_api_hide_private_tags(client, owner, unit, secret):
    create_note(owner, unit, body="olga", tags=["Secret-Public"], visibility="public")
    client.force_login(owner)
    assert client.get("/tag-suggestions/?q=secret").json() == {"tags": ["Secret-Public"]}
    assert SECRET not in client.get("/tags/").content.decode()
    assert client.get(f"/tags/{SECRET}/").status_code == 404
    assert client.get(f"/notes/?tag={SECRET}").content.decode().count("otto private") == 0
    # Tagging through the Web Annotation API follows the same rules.
    body = {
        "type": "Annotation",
        "motivation": "tagging",
        "visibility": "private",
        "body": [{"type": "TextualBody", "purpose": "tagging", "value": "secret-plan"}],
        "target": {
            "source": "http://testserver/documents/2024-yijian/",
            "selector": {"type": "FragmentSelector", "value": "c13"},
        },
    }
    response = client.post(
        "/annotations/", json.dumps(body, ensure_ascii=False), content_type="application/ld+json"
    )
    assert response.status_code == 201, response.content
    values = [b["value"] for b in response.json()["body"] if b.get("purpose") == "tagging"]
    assert values == ["secret-plan"]
    items = client.get("/annotations/?tag=Secret-Plan").json()["first"]["items"]
    assert [i["id"] for i in items] == [response.json()["id"]]


def test_migration_rule_one_namespace_per_user(db, unit):
    """Two users' private tags of one name are two tags; the constraint holds per owner."""
    a, b = make_user("ann", "reader"), make_user("bob", "reader")
    create_note(a, unit, body="a", tags=["私"])
    create_note(b, unit, body="b", tags=["私"])
    assert Tag.objects.filter(name="私").count() == 2
    c = Client()
    c.force_login(a)
    assert c.get("/tags/私/").content.decode().count("an-row ") == 1
