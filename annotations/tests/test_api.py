"""The Web Annotation Protocol subset under /annotations/, tokens, CSRF, exports."""

import csv
import io
import json

import pytest
from django.test import Client

from annotations.api import ANNO_CONTEXT, CONTENT_TYPE
from annotations.models import Flag, Note, Tag
from annotations.services import create_token

DOC = "http://testserver/documents/2024-yijian/"


def annotation(**overrides):
    data = {
        "@context": ANNO_CONTEXT,
        "type": "Annotation",
        "motivation": "commenting",
        "visibility": "shared",
        "body": [
            {"type": "TextualBody", "purpose": "commenting", "value": "注意**横向**"},
            {"type": "TextualBody", "purpose": "tagging", "value": "职业发展"},
        ],
        "target": {
            "source": DOC,
            "selector": {
                "type": "FragmentSelector",
                "value": "c13",
                "refinedBy": [
                    {
                        "type": "TextQuoteSelector",
                        "exact": "横向发展",
                        "prefix": "产业工人",
                        "suffix": "机制",
                    },
                    {"type": "TextPositionSelector", "start": 6, "end": 10},
                ],
            },
        },
    }
    data.update(overrides)
    return data


def post(client, data, **extra):
    body = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
    return client.post("/annotations/", body, content_type="application/ld+json", **extra)


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


def test_post_creates_a_span_note_and_get_returns_it(owner_client, owner, unit):
    response = post(owner_client, annotation())
    assert response.status_code == 201, response.content
    assert response["Content-Type"] == CONTENT_TYPE
    data = response.json()
    note = Note.objects.get(author=owner)
    assert response["Location"] == data["id"] == f"http://testserver/annotations/{note.pk}"
    assert (note.exact, note.start, note.end) == ("横向发展", 6, 10)
    assert note.visibility == "shared" and [t.name for t in note.tags.all()] == ["职业发展"]

    got = owner_client.get(f"/annotations/{note.pk}")
    assert got.status_code == 200 and got["Content-Type"] == CONTENT_TYPE and got["ETag"]
    a = got.json()
    assert a["@context"] == ANNO_CONTEXT and a["type"] == "Annotation"
    assert a["motivation"] == "commenting" and a["visibility"] == "shared"
    assert a["creator"]["nickname"] == "olga" and a["created"] and a["modified"]
    assert a["body"][0] == {
        "type": "TextualBody",
        "purpose": "commenting",
        "value": "注意**横向**",
        "format": "text/markdown",
    }
    assert a["body"][1] == {"type": "TextualBody", "purpose": "tagging", "value": "职业发展"}
    assert a["target"]["source"] == DOC
    selector = a["target"]["selector"]
    assert selector["type"] == "FragmentSelector" and selector["value"] == "c13"
    quote, position = selector["refinedBy"]
    assert quote["type"] == "TextQuoteSelector" and quote["exact"] == "横向发展"
    assert quote["prefix"] == unit.canonical[:6] and quote["suffix"].startswith("机制。")
    assert position == {"type": "TextPositionSelector", "start": 6, "end": 10}


def test_post_whole_unit_note_and_a_reply(owner_client, other, unit):
    data = annotation()
    data["target"]["selector"].pop("refinedBy")
    parent = post(owner_client, data).json()
    assert "refinedBy" not in parent["target"]["selector"]
    c = Client()
    c.force_login(other)
    reply = post(
        c,
        {
            "type": "Annotation",
            "motivation": "replying",
            "body": {"type": "TextualBody", "value": "同意"},
            "target": parent["id"],
        },
    )
    assert reply.status_code == 201, reply.content
    r = reply.json()
    assert r["motivation"] == "replying" and r["target"] == parent["id"]
    assert r["visibility"] == "shared"


def test_a_position_alone_anchors_too(owner_client, unit):
    data = annotation()
    data["target"]["selector"]["refinedBy"] = {"type": "TextPositionSelector", "start": 0, "end": 2}
    response = post(owner_client, data)
    assert response.status_code == 201
    assert Note.objects.get().exact == unit.canonical[:2]


def test_put_replaces_and_delete_removes(owner_client, owner):
    a = post(owner_client, annotation()).json()
    pk = int(a["id"].rsplit("/", 1)[1])
    a["body"] = [
        {"type": "TextualBody", "purpose": "commenting", "value": "改过了"},
        {"type": "TextualBody", "purpose": "tagging", "value": "新标签"},
    ]
    a["visibility"] = "public"
    response = owner_client.put(
        f"/annotations/{pk}", json.dumps(a), content_type="application/ld+json"
    )
    assert response.status_code == 200, response.content
    note = Note.objects.get(pk=pk)
    assert note.body == "改过了" and note.visibility == "public"
    assert [t.name for t in note.tags.all()] == ["新标签"]
    assert owner_client.delete(f"/annotations/{pk}").status_code == 204
    assert owner_client.get(f"/annotations/{pk}").status_code == 404


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda d: "{not json", "The JSON cannot be read"),
        (lambda d: "[1, 2]", "JSON object"),
        (lambda d: d["target"]["selector"].update(value="zz9") or d, "Unknown unit"),
        (
            lambda d: d["target"]["selector"]["refinedBy"][0].update(exact="不存在的文字") or d,
            "not in unit",
        ),
        (lambda d: d.update(visibility="secret") or d, "Unknown visibility"),
        (lambda d: d["body"][0].update(value="字" * 20_001) or d, "too long"),
        (
            lambda d: d.update(target={"source": "https://elsewhere.example/x"}) or d,
            "not on this site",
        ),
        (lambda d: d.update(target={"source": DOC}) or d, "FragmentSelector"),
        (lambda d: d["body"].append({"type": "Image", "id": "x"}) or d, "TextualBody"),
        (lambda d: d["body"][1].update(value="a/b") or d, "/"),
        (lambda d: d.update(motivation="bookmarking") or d, "motivation"),
        (
            lambda d: (
                d["target"]["selector"].update(
                    refinedBy={"type": "TextPositionSelector", "start": 5, "end": 9999}
                )
                or d
            ),
            "outside",
        ),
    ],
)
def test_bad_input_is_a_400_with_a_message_and_writes_nothing(owner_client, mutate, message):
    before = (Note.objects.count(), Tag.objects.count())
    data = mutate(annotation())
    response = post(owner_client, data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400, response.content
    assert message in response.json()["error"]
    assert (Note.objects.count(), Tag.objects.count()) == before


# (what is sent, the error in Chinese (the default), the same in English)
ERRORS_IN_BOTH_LANGUAGES = [
    (
        annotation(target=[]),
        "一条批注只能有一个目标。",
        "An annotation needs exactly one target.",
    ),
    (
        annotation(visibility="secret"),
        "未知的可见范围“secret”：请使用 private、shared 或 public。",
        "Unknown visibility “secret”: use private, shared or public.",
    ),
    ("{not json", "无法读取 JSON：第 1 行第 2 列有错误。", "The JSON cannot be read: an error"),
    (
        annotation(target={"source": "http://[::1/", "selector": {"value": "c13"}}),
        "目标的 source 不是网址：“http://[::1/”",
        "The target's source is not a URL: “http://[::1/”",
    ),
    (
        annotation(motivation="replying", target="http://[::1/annotations/1"),
        "回复的目标不是网址：“http://[::1/annotations/1”",
        "A reply's target is not a URL: “http://[::1/annotations/1”",
    ),
]


@pytest.mark.parametrize("data, chinese, english", ERRORS_IN_BOTH_LANGUAGES)
def test_errors_are_in_the_requests_language(owner_client, data, chinese, english):
    before = Note.objects.count()
    response = post(owner_client, data)
    assert response.status_code == 400 and response.json()["error"].startswith(chinese)
    response = post(owner_client, data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400 and response.json()["error"].startswith(english)
    owner_client.cookies["django_language"] = "en"  # the language switch's cookie
    response = post(owner_client, data)
    assert response.json()["error"].startswith(english)
    assert Note.objects.count() == before


def test_authentication_errors_are_in_the_requests_language(owner, settings):
    settings.ANONYMOUS_READ = False
    c = Client()
    response = c.get("/annotations/")
    assert response.status_code == 401 and response.json()["error"] == "请登录或发送令牌。"
    response = c.get("/annotations/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()["error"] == "Sign in or send a token."
    response = c.get("/annotations/", HTTP_AUTHORIZATION="Basic abc")
    assert response.json()["error"] == "请使用请求头 Authorization: Bearer <令牌>。"
    response = c.get("/annotations/", HTTP_AUTHORIZATION="Basic abc", HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()["error"] == "Use the header Authorization: Bearer <token>."
    response = c.get("/annotations/", HTTP_AUTHORIZATION="Bearer pr_nope")
    assert response.json()["error"] == "令牌无效。"
    response = c.patch("/annotations/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 405 and "PATCH" in response.json()["error"]
    assert "不接受 PATCH 请求" in c.patch("/annotations/").json()["error"]


def test_a_malformed_url_through_a_bearer_token_is_a_400(owner):
    """The reviewer's case: ``POST /annotations/`` with a bearer token and a target
    whose source is ``http://[::1/`` (urlsplit: "Invalid IPv6 URL")."""
    _token, raw = create_token(owner, "script")
    c = Client(enforce_csrf_checks=True)
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    data = annotation()
    data["target"]["source"] = "http://[::1/"
    response = post(c, data, **bearer)
    assert response.status_code == 400
    assert response.json() == {"error": "目标的 source 不是网址：“http://[::1/”"}
    reply = annotation(motivation="replying", target="http://[::1/annotations/1")
    assert post(c, reply, **bearer).status_code == 400
    assert not Note.objects.exists()


def test_bad_put_writes_nothing(owner_client):
    a = post(owner_client, annotation()).json()
    pk = int(a["id"].rsplit("/", 1)[1])
    a["visibility"] = "everyone"
    response = owner_client.put(
        f"/annotations/{pk}", json.dumps(a), content_type="application/json"
    )
    assert response.status_code == 400
    assert Note.objects.get(pk=pk).visibility == "shared"


def test_the_body_limit_is_a_setting(owner_client, settings):
    settings.ANNOTATION_BODY_MAX_CHARS = 100
    data = annotation()
    data["body"][0]["value"] = "字" * 101
    assert post(owner_client, data).status_code == 400
    data["body"][0]["value"] = "字" * 100
    assert post(owner_client, data).status_code == 201


def test_a_reader_may_not_post_shared_annotations(client, reader):
    client.force_login(reader)
    response = post(client, annotation())
    assert response.status_code == 403
    assert post(client, annotation(visibility="private")).status_code == 201


def test_container_is_an_annotation_collection_with_filters_and_pages(
    owner_client, notes, settings
):
    response = owner_client.get("/annotations/?document=2024-yijian&unit=c13")
    assert response.status_code == 200 and response["Content-Type"] == CONTENT_TYPE
    assert "ldp#BasicContainer" in response["Link"]
    data = response.json()
    assert data["@context"] == ANNO_CONTEXT
    assert "AnnotationCollection" in data["type"] and data["total"] == 3
    assert data["first"]["type"] == "AnnotationPage" and len(data["first"]["items"]) == 3
    notes["shared"].tags.set([Tag.objects.create(name="t1")])
    tagged = owner_client.get("/annotations/?tag=t1").json()
    assert [i["id"].rsplit("/", 1)[1] for i in tagged["first"]["items"]] == [
        str(notes["shared"].pk)
    ]
    settings.ANNOTATION_PAGE_SIZE = 2
    data = owner_client.get("/annotations/").json()
    assert len(data["first"]["items"]) == 2 and data["first"]["next"].endswith("page=1")
    page = owner_client.get("/annotations/?page=1").json()
    assert page["type"] == "AnnotationPage" and len(page["items"]) == 1 and page["prev"]
    assert owner_client.get("/annotations/?document=nope").status_code == 404
    assert owner_client.get("/annotations/?unit=c13").status_code == 400


def test_bearer_tokens(owner, notes):
    token, raw = create_token(owner, "script")
    assert len(token.digest) == 64 and raw not in token.digest and token.hint == raw[:10]
    c = Client(enforce_csrf_checks=True)
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert c.get(f"/annotations/{notes['private'].pk}", **bearer).status_code == 200
    # Tokens need no CSRF token: they are not sent by browsers on their own.
    assert post(c, annotation(), **bearer).status_code == 201
    token.refresh_from_db()
    assert token.last_used is not None
    bad = {"HTTP_AUTHORIZATION": "Bearer pr_nope"}
    response = c.get("/annotations/", **bad)
    assert response.status_code == 401 and "Bearer" in response["WWW-Authenticate"]
    assert c.get("/annotations/", HTTP_AUTHORIZATION="Basic abc").status_code == 401
    owner.is_active = False
    owner.save()
    assert c.get("/annotations/", **bearer).status_code == 401


def test_session_writes_need_the_csrf_token(owner):
    c = Client(enforce_csrf_checks=True)
    c.force_login(owner)
    response = post(c, annotation())
    assert response.status_code == 403 and "CSRF" in response.json()["error"]
    assert not Note.objects.exists()
    c.get("/accounts/me/")  # sets the CSRF cookie
    token = c.cookies["csrftoken"].value
    assert post(c, annotation(), HTTP_X_CSRFTOKEN=token).status_code == 201


def test_anonymous_reads_public_only_and_never_writes(client, notes):
    data = client.get("/annotations/").json()
    assert [i["visibility"] for i in data["first"]["items"]] == ["public"]
    assert post(client, annotation()).status_code == 401
    assert not Note.objects.filter(body="注意**横向**").exists()


def test_flags_as_editing_annotations(owner_client, owner, unit, site):
    data = {
        "type": "Annotation",
        "motivation": "editing",
        "siglum": "B",
        "body": [
            {"type": "TextualBody", "purpose": "editing", "value": "横向"},
            {"type": "TextualBody", "purpose": "commenting", "value": "排印错误"},
        ],
        "target": {
            "source": "http://testserver/documents/2024-yijian/sources/B/",
            "selector": {
                "type": "FragmentSelector",
                "value": "c13",
                "refinedBy": {"type": "TextQuoteSelector", "exact": "纵向"},
            },
        },
    }
    response = post(owner_client, data)
    assert response.status_code == 201, response.content
    flag = Flag.objects.get()
    assert (flag.source.siglum, flag.reading, flag.proposed, flag.comment) == (
        "B",
        "纵向",
        "横向",
        "排印错误",
    )
    a = owner_client.get(response["Location"]).json()
    assert a["motivation"] == "editing" and a["siglum"] == "B" and a["state"] == "open"
    assert a["target"]["source"].endswith("/sources/B/")
    assert a["target"]["selector"]["refinedBy"]["exact"] == "纵向"
    items = owner_client.get("/annotations/?document=2024-yijian&unit=c13").json()["first"]["items"]
    assert [i["motivation"] for i in items] == ["editing"]
    # The same place again: 409, with the first flag's address.
    again = post(owner_client, data)
    assert again.status_code == 409 and again.json()["first"] == a["id"]
    assert Flag.objects.count() == 1
    data["target"]["selector"]["refinedBy"]["exact"] = "横竖"
    assert post(owner_client, data).status_code == 400


def test_exports_hold_what_the_user_may_see(client, owner, other, notes):
    client.force_login(other)
    data = client.get("/documents/2024-yijian/annotations.jsonld").json()
    assert data["type"] == "AnnotationCollection" and data["total"] == 2
    assert {i["visibility"] for i in data["first"]["items"]} == {"shared", "public"}
    response = client.get("/documents/2024-yijian/annotations.csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 2 and {r["visibility"] for r in rows} == {"shared", "public"}
    span = next(r for r in rows if r["exact"])
    assert span["exact"] == "横向发展" and span["start"] == "6" and span["unit"] == "c13"
    client.force_login(owner)
    assert client.get("/documents/2024-yijian/annotations.jsonld").json()["total"] == 3


def test_csv_cells_do_not_run_as_formulas(client, owner, unit):
    Note.objects.create(author=owner, unit=unit, body='=HYPERLINK("http://x")')
    client.force_login(owner)
    text = client.get("/documents/2024-yijian/annotations.csv").content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text
