"""Who may do what with a study set: every endpoint × (owner, colleague who may edit,
other signed-in user, anonymous) × (private, shared, public).

A set the user may not read answers 404 (its existence is not told); one they
may read but not change sends anonymous visitors to sign in and answers 403 to
signed-in users. A refused request changes nothing.
"""

import json

import pytest
from django.contrib.auth.models import User
from django.test import Client

from annotations.models import Visibility
from studies.models import StudySet

from .conftest import snapshot

PRIVATE, SHARED, PUBLIC = Visibility.PRIVATE, Visibility.SHARED, Visibility.PUBLIC
WHO = ("owner", "editor", "other", "anonymous")


def client_for(people, who) -> Client:
    client = Client()
    if who != "anonymous":
        client.force_login(people[who])
    return client


def read_expected(who, visibility):
    if who in ("owner", "editor"):
        return "ok"
    if who == "other":
        return "404" if visibility == PRIVATE else "ok"
    return "ok" if visibility == PUBLIC else "404"


def change_expected(who, visibility, *, owner_only=False):
    if who == "owner":
        return "ok"
    if who == "editor":
        return "403" if owner_only else "ok"
    readable = read_expected(who, visibility) == "ok"
    if not readable:
        return "404"
    return "login" if who == "anonymous" else "403"


def duplicate_expected(who, visibility):
    readable = read_expected(who, visibility) == "ok"
    if not readable:
        return "404"
    return "login" if who == "anonymous" else "ok"


def check(response, expected, ok_codes=(200,)):
    if expected == "ok":
        assert response.status_code in ok_codes, response.content[:300]
    elif expected == "login":
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    else:
        assert response.status_code == int(expected), response.content[:300]


READS = [
    ("detail", "/studies/{pk}/", (200,)),
    ("print", "/studies/{pk}/print/", (200,)),
    ("docx", "/studies/{pk}/handout.docx", (200,)),
    ("pdf", "/studies/{pk}/handout.pdf", (200, 503)),  # 503: no PDF renderer here
    ("signin", "/studies/{pk}/signin-sheet/", (200,)),
]


@pytest.mark.parametrize("visibility", [PRIVATE, SHARED, PUBLIC])
@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("name,url,ok_codes", READS)
def test_reading_pages(people, sets, who, visibility, name, url, ok_codes):
    study_set = sets[visibility]
    response = client_for(people, who).get(url.format(pk=study_set.pk))
    check(response, read_expected(who, visibility), ok_codes)
    if response.status_code == 200 and name in ("detail", "print"):
        assert "points c1" in response.content.decode()


@pytest.mark.parametrize("visibility", [PRIVATE, SHARED, PUBLIC])
@pytest.mark.parametrize("who", WHO)
def test_json(people, sets, who, visibility):
    study_set = sets[visibility]
    response = client_for(people, who).get(f"/studies/{study_set.pk}.json")
    expected = read_expected(who, visibility)
    assert response.status_code == (200 if expected == "ok" else 404)
    if expected == "ok":
        assert response.json()["title"] == study_set.title
    else:
        assert "error" in response.json()
        assert study_set.title not in response.content.decode()


@pytest.mark.parametrize("who", WHO)
def test_list_shows_only_what_the_user_may_read(people, sets, who):
    response = client_for(people, who).get("/studies/")
    assert response.status_code == 200
    html = response.content.decode()
    shown = {v for v in (PRIVATE, SHARED, PUBLIC) if f"{v} set" in html}
    assert shown == {v for v in (PRIVATE, SHARED, PUBLIC) if read_expected(who, v) == "ok"}


def _item(study_set, n=0):
    return study_set.items.order_by("position")[n]


# Every write: (name, how to post it, owner only?, what it changes when allowed).
def _post_edit(client, s):
    return client.post(f"/studies/{s.pk}/edit/", {"title": "renamed", "visibility": s.visibility})


def _post_reorder(client, s):
    ids = list(s.items.order_by("-position").values_list("pk", flat=True))
    return client.post(f"/studies/{s.pk}/reorder/", {"order": ",".join(map(str, ids))})


def _post_move(client, s):
    return client.post(f"/studies/{s.pk}/items/{_item(s).pk}/move/", {"direction": "down"})


def _post_remove(client, s):
    return client.post(f"/studies/{s.pk}/items/{_item(s).pk}/remove/")


def _post_item_edit(client, s):
    prefix = f"item{_item(s).pk}"
    return client.post(
        f"/studies/{s.pk}/items/{_item(s).pk}/edit/",
        {f"{prefix}-points": "new points", f"{prefix}-questions": "为什么？"},
    )


def _post_editors(client, s):
    return client.post(f"/studies/{s.pk}/editors/", {"username": "rita2"})


def _post_delete(client, s):
    return client.post(f"/studies/{s.pk}/delete/")


WRITES = [
    ("edit", _post_edit, False),
    ("reorder", _post_reorder, False),
    ("move", _post_move, False),
    ("remove", _post_remove, False),
    ("item_edit", _post_item_edit, False),
    ("editors", _post_editors, True),
    ("delete", _post_delete, True),
]


@pytest.mark.parametrize("visibility", [PRIVATE, SHARED, PUBLIC])
@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("name,post,owner_only", WRITES)
def test_writes(people, sets, who, visibility, name, post, owner_only):
    from policyreader.roles import assign_role

    assign_role(User.objects.create_user("rita2"), "annotator")  # a colleague to name
    study_set = sets[visibility]
    before = snapshot(study_set)
    response = post(client_for(people, who), study_set)
    expected = change_expected(who, visibility, owner_only=owner_only)
    check(response, expected, ok_codes=(302,))
    after = snapshot(study_set)
    if expected == "ok":
        assert after != before
    else:
        assert after == before


@pytest.mark.parametrize("visibility", [PRIVATE, SHARED, PUBLIC])
@pytest.mark.parametrize("who", WHO)
def test_duplicate(people, sets, who, visibility):
    study_set = sets[visibility]
    count = StudySet.objects.count()
    response = client_for(people, who).post(f"/studies/{study_set.pk}/duplicate/")
    expected = duplicate_expected(who, visibility)
    check(response, expected, ok_codes=(302,))
    if expected == "ok":
        copy = StudySet.objects.latest("pk")
        assert copy.owner == people[who]
        assert copy.visibility == PRIVATE
        assert copy.title == f"“{study_set.title}”的副本"
        assert list(copy.editors.all()) == []
        assert snapshot(copy)[3] == snapshot(study_set)[3]
    else:
        assert StudySet.objects.count() == count


@pytest.mark.parametrize("visibility", [PRIVATE, SHARED, PUBLIC])
@pytest.mark.parametrize("who", WHO)
def test_add_to_set(people, sets, who, visibility):
    """Adding from a reading page goes only into a set the user may edit."""
    study_set = sets[visibility]
    before = snapshot(study_set)
    data = {"document": "2024-yijian", "unit": "c5", "set": str(study_set.pk)}
    response = client_for(people, who).post("/studies/add/", data)
    if who in ("owner", "editor"):
        assert response.status_code == 302
        assert [k for k, *_ in snapshot(study_set)[3]] == ["c1", "c2", "c5"]
    else:
        expected = "login" if who == "anonymous" else "404"
        check(response, expected)
        assert snapshot(study_set) == before


@pytest.mark.parametrize("who", ["owner", "reader", "anonymous"])
def test_new_and_add_need_the_annotator_role(people, who):
    client = client_for(people, who)
    count = StudySet.objects.count()
    new = client.post("/studies/new/", {"title": "t", "visibility": "private"})
    add = client.post("/studies/add/", {"document": "2024-yijian", "unit": "c5", "set": "new"})
    form = client.get("/studies/add/?document=2024-yijian&unit=c5", headers={"HX-Request": "true"})
    if who == "owner":
        assert new.status_code == add.status_code == 302
        assert form.status_code == 200 and "<select" in form.content.decode()
        assert StudySet.objects.count() == count + 2
        return
    if who == "reader":
        assert new.status_code == add.status_code == 403
        assert form.status_code == 403
    else:
        assert new.status_code == add.status_code == 302
        assert new["Location"].startswith("/accounts/login/")
        assert form.status_code == 401  # htmx: HX-Redirect to the sign-in page
    assert StudySet.objects.count() == count


@pytest.mark.parametrize("who", ["owner", "reader", "anonymous"])
def test_api_create_needs_the_annotator_role(people, who):
    client = client_for(people, who)
    body = json.dumps({"title": "API", "items": [{"document": "2024-yijian", "unit": "c1"}]})
    response = client.post("/studies/", body, content_type="application/json")
    expected = {"owner": 201, "reader": 403, "anonymous": 401}[who]
    assert response.status_code == expected
    assert StudySet.objects.filter(title="API").count() == (1 if who == "owner" else 0)


def test_a_colleague_edits_but_does_not_choose_the_visibility(people, sets):
    client = client_for(people, "editor")
    study_set = sets[PRIVATE]
    response = client.post(
        f"/studies/{study_set.pk}/edit/", {"title": "by colleague", "visibility": "public"}
    )
    assert response.status_code == 302
    study_set.refresh_from_db()
    assert (study_set.title, study_set.visibility) == ("by colleague", PRIVATE)


def test_an_editor_without_the_role_any_more_may_not_edit(people, sets):
    from policyreader.roles import assign_role

    assign_role(people["editor"], "reader")
    study_set = sets[PRIVATE]
    before = snapshot(study_set)
    response = _post_move(client_for(people, "editor"), study_set)
    assert response.status_code == 403
    assert snapshot(study_set) == before


def test_naming_colleagues(people, sets):
    client = client_for(people, "owner")
    study_set = sets[PRIVATE]
    bad = client.post(f"/studies/{study_set.pk}/editors/", {"username": "rita"})
    assert bad.status_code == 400
    assert "批注者" in bad.content.decode()  # rita is only a reader
    missing = client.post(f"/studies/{study_set.pk}/editors/", {"username": "nobody"})
    assert missing.status_code == 400 and "nobody" in missing.content.decode()
    ok = client.post(f"/studies/{study_set.pk}/editors/", {"username": "otto"})
    assert ok.status_code == 302
    assert set(study_set.editors.values_list("username", flat=True)) == {"edgar", "otto"}
    client.post(f"/studies/{study_set.pk}/editors/", {"remove": str(people["editor"].pk)})
    assert list(study_set.editors.values_list("username", flat=True)) == ["otto"]
    # otto may now edit the private set; edgar may no longer even see it.
    assert _post_move(client_for(people, "other"), study_set).status_code == 302
    assert client_for(people, "editor").get(f"/studies/{study_set.pk}/").status_code == 404
