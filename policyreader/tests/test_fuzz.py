"""Property tests: no input gives a 500.

Every URL pattern of the site (found by walking the resolver) is requested
with hostile values in its path arguments, query string, form body and
headers, anonymously and signed in as an editor; the annotation API gets
hostile JSON through GET, POST, PUT and DELETE. Hostile means: NUL, lone
surrogates, bytes that are not UTF-8, stray percent signs, very long
strings, control and invisible characters, markup and SQL, numbers out of
range, deep nesting. The test client raises any exception a view lets
through, so a 500 fails with its traceback. Examples are bounded: each test
runs in seconds.
"""

from __future__ import annotations

import json

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .urlwalk import encode, routes

ROUTES = routes()
PROJECT_ROUTES = [r for r in ROUTES if not r.view_name.startswith("admin:")]
API = "/annotations/"
DOC = "http://testserver/documents/2024-yijian/"

SPECIAL = [
    "\x00",
    "a\x00b",
    "\ud800",
    "\udfff",
    "x\udc80y",
    "\ufffe",
    "\uffff",
    "\u202e",
    "\u200b",
    "\t\r\n",
    "../../etc/passwd",
    "<script>alert(1)</script>",
    "'; DROP TABLE annotations_note; --",
    "%",
    "%%",
    "😀" * 50,
    "第二十三条",
    "c13",
    "x" * 5000,
    "99999999999999999999999",
    "-1",
    "0",
    "",
    " ",
]
# Already encoded: percent signs that encode nothing, or bytes that are not UTF-8.
RAW = ["%", "%zz", "%ff", "%ED%A0%80", "%C0%80", "%E4%B8", "%00", "%2F", "%25", "+"]

HEADERS = [
    "HTTP_ACCEPT_LANGUAGE",
    "HTTP_REFERER",
    "HTTP_HX_REQUEST",
    "HTTP_HX_CURRENT_URL",
    "HTTP_HX_TARGET",
    "HTTP_AUTHORIZATION",
    "HTTP_ACCEPT",
    "HTTP_IF_NONE_MATCH",
    "HTTP_IF_MODIFIED_SINCE",
    "HTTP_COOKIE",
]
PARAMS = [
    "q",
    "tag",
    "author",
    "document",
    "visibility",
    "filter",
    "page",
    "next",
    "unit",
    "notes",
    "sources",
    "siglum",
    "format",
    "state",
    "kind",
    "body",
    "name",
    "into",
    "exact",
    "start",
    "language",
]

hostile_text = st.one_of(
    st.sampled_from(SPECIAL),
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec=None, categories=["Cc", "Cs", "Cf", "Co"]), max_size=8),
    st.builds(lambda a, b: a + b, st.sampled_from(SPECIAL), st.text(max_size=10)),
)
encoded = st.one_of(hostile_text.map(encode), st.sampled_from(RAW))


def _value(route, name: str, converter: str, sample: dict, draw_value: str, valid: bool) -> str:
    """A value for a path argument: one that exists (to get past the 404s), or hostile."""
    if valid:
        if name == "pk" and "flag" in route.view_name:
            return str(sample["flag"])
        if name in sample:
            return encode(str(sample[name]))
    if converter == "int":
        return draw_value if draw_value.isdigit() else "99999999999999999999"
    if converter == "slug":
        return draw_value if draw_value.replace("-", "").replace("_", "").isalnum() else "x-y"
    return draw_value


def _query(pairs) -> str:
    return "&".join(f"{k}={v}" for k, v in pairs)


@pytest.fixture
def clients(sample, editor):
    signed_in = Client()
    signed_in.force_login(editor)
    return {"anonymous": Client(), "editor": signed_in}


FUZZ = settings(
    max_examples=250,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,  # the same examples on every run: CI fails or passes for a reason
    database=None,
)


@settings(FUZZ, max_examples=500)  # some 50 patterns × 3 methods × 2 users
@given(data=st.data())
def test_no_url_pattern_answers_500(clients, sample, data):
    route = data.draw(st.sampled_from(PROJECT_ROUTES), label="route")
    who = data.draw(st.sampled_from(["anonymous", "editor"]), label="who")
    method = data.draw(st.sampled_from(["get", "head", "post"]), label="method")
    values = {}
    for name, converter in route.arguments:
        valid = data.draw(st.booleans(), label=f"{name} valid")
        values[name] = _value(route, name, converter, sample, data.draw(encoded), valid)
    path = route.fill(values)
    params = data.draw(
        st.lists(st.tuples(st.sampled_from(PARAMS) | encoded, encoded), max_size=3), label="query"
    )
    if params:
        path += "?" + _query(params)
    headers = {}
    for header in data.draw(st.lists(st.sampled_from(HEADERS), max_size=2, unique=True)):
        headers[header] = data.draw(hostile_text).encode("utf-8", "surrogatepass").decode("latin-1")
    client = clients[who]
    if method == "post":
        fields = data.draw(
            st.lists(st.tuples(st.sampled_from(PARAMS) | encoded, encoded), max_size=4),
            label="form",
        )
        response = client.post(
            path, _query(fields), content_type="application/x-www-form-urlencoded", **headers
        )
    else:
        response = getattr(client, method)(path, **headers)
    assert response.status_code < 500, (method, path, headers, response.status_code)


# --- The annotation API ------------------------------------------------------------

# URLs that urllib.parse.urlsplit refuses (an unclosed or stray IPv6 bracket, a
# bracketed host that is no address) or reads oddly (a port that is no number or
# out of range, no host, another scheme), for the API's URL fields: a target's
# source and a reply's target.
HOSTILE_URLS = [
    "http://[::1/",
    "http://[::1",
    "http://[/documents/2024-yijian/",
    "http://]/documents/2024-yijian/",
    "http://[v7.x]/documents/2024-yijian/",
    "http://[fe80::1%eth0]/documents/2024-yijian/",
    "http://user:pw@[::1/annotations/1",
    "//[::1/annotations/1",
    "http://testserver:99999/documents/2024-yijian/",
    "http://testserver:port/documents/2024-yijian/",
    "http://testserver:-1/annotations/1",
    "http:///documents/2024-yijian/",
    "[::1]",
    "javascript:alert(1)",
]
url_hosts = st.one_of(
    st.sampled_from(
        ["testserver", "[::1]", "[::1", "::1]", "[", "]", "[fe80::1%25x]", "[v1.]", "[::ffff:1.2.3"]
    ),
    st.sampled_from(["testserver:", "testserver:0", "testserver:99999", "testserver:x", ""]),
    hostile_text,
)
url_paths = st.one_of(
    st.sampled_from(
        ["/documents/2024-yijian/", "/documents/2024-yijian/sources/B/", "/annotations/1", ""]
    ),
    hostile_text,
)
hostile_urls = st.one_of(
    st.sampled_from(HOSTILE_URLS),
    st.builds(
        lambda scheme, host, path: scheme + host + path,
        st.sampled_from(["http://", "https://", "//", "", "ftp://"]),
        url_hosts,
        url_paths,
    ),
)

json_scalar = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    hostile_text,
)
json_value = st.recursive(
    json_scalar,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(hostile_text, inner, max_size=3),
    max_leaves=12,
)


@st.composite
def annotations(draw):
    """Something shaped like an annotation, with hostile values where the API reads them."""

    def pick(default):
        return draw(st.one_of(st.just(default), json_value))

    selector = {
        "type": pick("FragmentSelector"),
        "value": pick("c13"),
        "refinedBy": pick(
            [
                {"type": "TextQuoteSelector", "exact": pick("横向发展"), "prefix": pick("")},
                {"type": "TextPositionSelector", "start": pick(6), "end": pick(10)},
            ]
        ),
    }
    data = {
        "type": pick("Annotation"),
        "motivation": pick(draw(st.sampled_from(["commenting", "replying", "editing"]))),
        "visibility": pick("shared"),
        "siglum": pick("B"),
        "body": pick(
            [
                {"type": "TextualBody", "purpose": pick("commenting"), "value": pick("注意")},
                {"type": "TextualBody", "purpose": pick("tagging"), "value": pick("职业发展")},
                {"type": "TextualBody", "purpose": "editing", "value": pick("纵向")},
            ]
        ),
        "target": draw(
            st.one_of(
                st.just(
                    {
                        "source": draw(st.one_of(st.just(DOC), hostile_urls, json_value)),
                        "selector": pick(selector),
                    }
                ),
                hostile_urls,  # a reply's target: the IRI of the annotation it answers
                json_value,
            )
        ),
    }
    return {k: v for k, v in data.items() if draw(st.integers(0, 9))}


def _deep(n: int) -> str:
    return "[" * n + "]" * n


bodies = st.one_of(
    annotations().map(json.dumps),
    json_value.map(json.dumps),
    st.binary(max_size=60).map(lambda b: b.decode("latin-1")),
    st.integers(min_value=33, max_value=200_000).map(_deep),
    st.sampled_from(['{"a":' * 3000 + "1" + "}" * 3000, "{", "", "null", '"\\u0000"']),
)


@FUZZ
@given(data=st.data())
def test_the_api_never_answers_500(clients, sample, data):
    who = data.draw(st.sampled_from(["anonymous", "editor"]), label="who")
    method = data.draw(st.sampled_from(["get", "post", "put", "delete"]), label="method")
    target = data.draw(
        st.sampled_from([API, f"{API}{sample['pk']}", f"{API}flags/{sample['flag']}"])
        | encoded.map(lambda v: API + v),
        label="target",
    )
    client = clients[who]
    if method == "get":
        params = data.draw(
            st.lists(st.tuples(st.sampled_from(["document", "unit", "tag", "page"]), encoded)),
            label="query",
        )
        response = client.get(target + ("?" + _query(params) if params else ""))
    else:
        body = data.draw(bodies, label="body")
        raw = body.encode("utf-8", "surrogatepass") if isinstance(body, str) else body
        response = getattr(client, method)(target, raw, content_type="application/ld+json")
    assert response.status_code < 500, (method, target, response.status_code)
    if response.status_code >= 400:
        assert response["Content-Type"].startswith("application/json"), response.content[:200]


@st.composite
def annotations_with_hostile_urls(draw):
    """A valid note, flag or reply but for one URL field: the target's source, or
    the IRI a reply answers."""
    kind = draw(st.sampled_from(["note", "flag", "reply"]), label="kind")
    url = draw(hostile_urls, label="url")
    body = [{"type": "TextualBody", "purpose": "commenting", "value": "注意"}]
    if kind == "reply":
        return {"type": "Annotation", "motivation": "replying", "body": body, "target": url}
    selector = {"type": "FragmentSelector", "value": "c13"}
    if kind == "flag":
        body = [{"type": "TextualBody", "purpose": "editing", "value": "纵向"}]
        return {
            "type": "Annotation",
            "motivation": "editing",
            "siglum": "B",
            "body": body,
            "target": {"source": url, "selector": selector},
        }
    return {
        "type": "Annotation",
        "motivation": "commenting",
        "visibility": "shared",
        "body": body,
        "target": {"source": url, "selector": selector},
    }


@FUZZ
@given(data=st.data())
def test_the_apis_url_fields_never_answer_500(sample, editor, data):
    """A target's source or a reply's target that is no URL (``http://[::1/``): a 400
    in JSON, through a bearer token and through the session alike."""
    from annotations.services import create_token

    _token, raw = create_token(editor, "fuzz")
    bearer = Client()
    signed_in = Client()
    signed_in.force_login(editor)
    annotation = data.draw(annotations_with_hostile_urls(), label="annotation")
    body = json.dumps(annotation, ensure_ascii=False).encode("utf-8", "surrogatepass")
    method, target = data.draw(
        st.sampled_from([("post", API), ("put", f"{API}{sample['pk']}")]), label="method"
    )
    for client, extra in ((bearer, {"HTTP_AUTHORIZATION": f"Bearer {raw}"}), (signed_in, {})):
        response = getattr(client, method)(
            target, body, content_type="application/ld+json", **extra
        )
        assert response.status_code < 500, (method, annotation, response.status_code)
        if response.status_code >= 400:
            assert response["Content-Type"].startswith("application/json")
            assert response.json()["error"]
