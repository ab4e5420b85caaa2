"""No 500 on unreadable input: NUL bytes and text that is not UTF-8 are answered with 400.

The URLs that gave 500 before (a NUL in a query or a path, anonymous), the
API's hostile bodies (a NUL in a note's body, tag or unit key, a lone
surrogate, JSON nested too deeply), other parts of a request (form fields,
headers, cookies), and the page: in the user's language, JSON under
/annotations/.
"""

from __future__ import annotations

import json

import pytest
from django.test import Client

from annotations.models import Note
from clauses.models import Unit
from policyreader.inputs import JSON_MAX_DEPTH, UnreadableInput, loads_json

DOC = "http://testserver/documents/2024-yijian/"
FORM = "application/x-www-form-urlencoded"

# Each gave 500 before (issue 10): a NUL reached a query.
NUL_URLS = [
    "/notes/?q=%00",
    "/notes/?tag=%00",
    "/notes/?author=%00",
    "/notes/?document=%00",
    "/tags/%00/",
    "/tags/%00/rename/",
    "/tags/%00/merge/",
    "/annotations/?tag=%00",
    "/annotations/?document=%00",
    "/annotations/?document=2024-yijian&unit=%00",
    "/documents/2024-yijian/u/%00/",
    "/documents/2024-yijian/u/%00/notes/",
    "/documents/2024-yijian/sources/%00/",
    "/documents/2024-yijian/sources/%00/original",
    "/documents/2024-yijian/sources/%00/derived-from/",
    "/documents/2024-yijian/sources/%00/errata/",
    "/documents/2024-yijian/sources/%00/errata.csv",
    "/documents/2024-yijian/read/?sources=%00",
    "/?q=%00",
]

# Bytes that are not UTF-8: a lone surrogate as it would be encoded, a stray byte,
# an overlong NUL.
NOT_UTF8 = ["%ED%A0%80", "%FF", "%C0%80", "%E4%B8"]


@pytest.mark.parametrize("url", NUL_URLS)
def test_a_nul_in_the_path_or_query_is_a_400_page(client, db, url):
    response = client.get(url)
    assert response.status_code == 400, url
    if url.startswith("/annotations/"):
        assert response["Content-Type"].startswith("application/json")
        assert "NUL" in response.json()["error"]
    else:
        assert response["Content-Type"].startswith("text/html")
        assert "<html" in response.content.decode()


@pytest.mark.parametrize("junk", NOT_UTF8)
def test_bytes_that_are_not_utf8_are_a_400_in_a_query_and_safe_in_a_path(client, db, junk):
    assert client.get(f"/notes/?q={junk}").status_code == 400
    assert client.post("/notes/?x=1", f"q={junk}", content_type=FORM).status_code == 400
    # In a path Django keeps such bytes percent-encoded (readable text): no tag or
    # unit has that name.
    assert client.get(f"/tags/a{junk}b/").status_code == 404
    assert client.get(f"/documents/2024-yijian/u/{junk}/").status_code == 404


def test_a_percent_sign_that_encodes_nothing_is_read_as_itself(client, db):
    # ?q=100% is how a person types it: not an encoding error.
    assert client.get("/notes/?q=100%").status_code == 200
    assert client.get("/notes/?q=%zz").status_code == 200


def test_the_400_page_is_in_the_users_language(client, db):
    zh = client.get("/notes/?q=%00")
    assert 'lang="zh-hans"' in zh.content.decode()
    assert "请求无效" in zh.content.decode()
    en = client.get("/notes/?q=%00", HTTP_ACCEPT_LANGUAGE="en")
    assert 'lang="en"' in en.content.decode()
    assert "Bad request" in en.content.decode()
    assert "NUL" in en.content.decode()


def test_form_fields_headers_and_cookies(client, editor, db):
    client.force_login(editor)
    response = client.post(
        "/documents/2024-yijian/u/c13/notes/",
        "body=a%00b&visibility=private",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    response = client.post(
        "/documents/2024-yijian/u/c13/notes/", {"body": "a\x00b", "visibility": "private"}
    )
    assert response.status_code == 400  # multipart
    assert not Note.objects.filter(author=editor).exists()
    assert client.get("/notes/", HTTP_REFERER="http://x/\x00").status_code == 400
    anonymous = Client()
    anonymous.cookies["sessionid"] = "abcdefgh\x00ijk"
    assert anonymous.get("/notes/").status_code == 400


def post_json(client, body, path="/annotations/", method="post"):
    if not isinstance(body, (str, bytes)):
        body = json.dumps(body)  # ensure_ascii: a lone surrogate is sent as \\ud800
    return getattr(client, method)(path, body, content_type="application/ld+json")


def annotation(text="注意", tag="职业发展", key="c13", visibility="shared"):
    return {
        "type": "Annotation",
        "motivation": "commenting",
        "visibility": visibility,
        "body": [
            {"type": "TextualBody", "purpose": "commenting", "value": text},
            {"type": "TextualBody", "purpose": "tagging", "value": tag},
        ],
        "target": {"source": DOC, "selector": {"type": "FragmentSelector", "value": key}},
    }


@pytest.mark.parametrize(
    "body",
    [
        annotation(text="a\x00b"),
        annotation(tag="t\x00"),
        annotation(key="c1\x003"),
        annotation(text="\ud800"),
        annotation(tag="\udfff"),
        annotation(key="c13\udc80"),
        annotation(visibility="shared\x00"),
        {"type": "Annotation", "a\x00": 1},
        "[" * 100_000 + "]" * 100_000,
        '{"a":' * 5000 + "1" + "}" * 5000,
        b'{"bodyValue": "\xff\xfe"}',
    ],
    ids=[
        "nul-body",
        "nul-tag",
        "nul-key",
        "surrogate-body",
        "surrogate-tag",
        "surrogate-key",
        "nul-visibility",
        "nul-member",
        "deep-array",
        "deep-object",
        "not-utf8",
    ],
)
def test_the_api_answers_400_json_to_hostile_bodies(client, annotator, body):
    client.force_login(annotator)
    before = Note.objects.count()
    response = post_json(client, body)
    assert response.status_code == 400, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"]
    unit = Unit.objects.get(document__slug="2024-yijian", key="c13")
    note = Note.objects.create(author=annotator, unit=unit, body="x")
    assert post_json(client, body, f"/annotations/{note.pk}", method="put").status_code == 400
    assert Note.objects.count() == before + 1


def test_a_good_annotation_still_goes_through(client, annotator):
    client.force_login(annotator)
    response = post_json(client, annotation())
    assert response.status_code == 201, response.content


def test_json_nested_within_the_limit_is_read():
    nested = "[" * JSON_MAX_DEPTH + "]" * JSON_MAX_DEPTH
    assert loads_json(nested) == eval(nested)  # noqa: S307 - brackets only
    with pytest.raises(UnreadableInput):
        loads_json("[" + nested + "]")
    # Brackets inside strings are text, not nesting.
    assert loads_json(json.dumps({"a": "[" * 1000})) == {"a": "[" * 1000}


def test_a_body_too_large_is_a_400_page_that_says_so(client, editor, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client.force_login(editor)
    response = client.post("/import/", "text=" + "字" * 2000, content_type=FORM)
    assert response.status_code == 400
    assert "请求过大" in response.content.decode()
    response = client.post(
        "/annotations/", "[" + "1," * 2000 + "1]", content_type="application/ld+json"
    )
    assert response.status_code == 400
    assert response.json()["error"] == "请求过大。"
