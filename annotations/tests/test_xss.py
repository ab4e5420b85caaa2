"""Hostile markup in notes, tags and flag comments renders harmless everywhere it appears."""

import re
from html.parser import HTMLParser

import pytest

from annotations.models import Flag, Note, Tag, Visibility
from annotations.rendering import render_markdown
from annotations.services import create_flag, create_note, decide_flag

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    "[click]( JaVaScRiPt:alert(1) )",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="&#106;avascript:alert(1)">x</a>',
    '<iframe src="https://evil.example/"></iframe>',
    "<svg onload=alert(1)><circle/></svg>",
    '<div style="background:url(javascript:alert(1))" onclick="alert(1)">x</div>',
    '"><script>alert(1)</script>',
    "<body onload=alert(1)>",
    '<object data="x.swf"></object><embed src="x.swf">',
    '<form action="javascript:alert(1)"><button formaction="javascript:alert(1)">x</button></form>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "![x](javascript:alert(1))",
    '<a href="data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;">x</a>',
    "<details open ontoggle=alert(1)>",
    "<scr<script>ipt>alert(1)</script>",
    '<input autofocus onfocus="alert(1)">',
    "`<script>alert(1)</script>` and\n\n    <script>alert(1)</script>",
]

TAG_PAYLOADS = [
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "javascript:alert(1)",
    "<b onmouseover=alert(1)>x",
]

DANGEROUS_TAGS = {"iframe", "object", "embed", "svg", "math", "frame", "frameset", "base", "img"}
URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href", "data"}
BAD_SCHEME = re.compile(r"^\s*(javascript|vbscript|data):", re.I)


class _Checker(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems = []
        self.in_script = False

    def handle_starttag(self, tag, attrs):
        if tag in DANGEROUS_TAGS:
            self.problems.append(f"<{tag}>")
        if tag == "script":
            self.in_script = True
            src = dict(attrs).get("src") or ""
            if src and not src.startswith("/static/"):
                self.problems.append(f"script src {src}")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"{tag} {name}=")
            if name in URL_ATTRS and value and BAD_SCHEME.match(value):
                self.problems.append(f"{tag} {name}={value}")
            if name == "style" and value and "javascript" in value.lower():
                self.problems.append(f"{tag} style")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag == "script":
            self.in_script = False

    def handle_data(self, data):
        if self.in_script and "alert" in data:
            self.problems.append("script content")


def assert_harmless(html: str) -> None:
    checker = _Checker()
    checker.feed(html)
    assert not checker.problems, checker.problems


@pytest.mark.parametrize("payload", PAYLOADS)
def test_markdown_renderer_neutralizes(payload):
    html = str(render_markdown(payload))
    assert_harmless(html)
    assert "<script" not in html.lower() and "onerror" not in html.lower()


def test_markdown_keeps_ordinary_formatting():
    html = str(render_markdown("**粗体** *斜体*\n\n- 一\n- 二\n\n[链接](https://example.org/)"))
    assert "<strong>粗体</strong>" in html and "<em>斜体</em>" in html and "<li>一</li>" in html
    assert 'href="https://example.org/"' in html and 'rel="nofollow noopener noreferrer"' in html


@pytest.fixture
def hostile(owner, editor, unit, site):
    """Notes, tags, a reply and a flag carrying every payload."""
    notes = []
    for i, payload in enumerate(PAYLOADS):
        notes.append(
            create_note(
                owner,
                unit,
                body=payload,
                visibility=Visibility.PUBLIC,
                tags=[TAG_PAYLOADS[i % len(TAG_PAYLOADS)]],
            )
        )
    create_note(editor, unit, body=PAYLOADS[0] + PAYLOADS[1], parent=notes[0])
    source = unit.document.sources.get(siglum="B")
    flag = create_flag(owner, site, source, proposed=PAYLOADS[1][:40], comment="\n".join(PAYLOADS))
    confirmed = create_flag(
        owner, site, unit.document.sources.get(siglum="A"), proposed="纵向", comment=PAYLOADS[0]
    )
    decide_flag(confirmed, editor, confirm=True, reason=PAYLOADS[1])
    return {"notes": notes, "flag": flag, "confirmed": confirmed}


def test_hostile_input_is_harmless_on_every_page_and_fragment(client, hostile, owner, editor):
    n0 = hostile["notes"][0]
    tag = Tag.objects.get(name=TAG_PAYLOADS[0])
    pages = {
        "/documents/2024-yijian/u/c13/notes/": {},
        "/documents/2024-yijian/u/c13/notes/?filter=mine": {"HTTP_HX_REQUEST": "true"},
        f"/notes/{n0.pk}/": {},
        f"/notes/{n0.pk}/?x": {"HTTP_HX_REQUEST": "true"},
        f"/notes/{n0.pk}/edit/": {},
        f"/notes/{n0.pk}/edit/?x": {"HTTP_HX_REQUEST": "true"},
        "/notes/": {},
        "/tags/": {},
        tag.get_absolute_url(): {},
        "/tag-suggestions/?tags=img": {"HTTP_HX_REQUEST": "true"},
        "/accounts/me/": {},
        f"/flags/{hostile['flag'].pk}/": {},
        "/documents/2024-yijian/sources/A/errata/": {},
    }
    for user in (owner, editor):
        client.force_login(user)
        for url, headers in pages.items():
            response = client.get(url, **headers)
            if response.status_code == 403:
                continue  # the editor may not edit the owner's note
            assert response.status_code == 200, url
            assert_harmless(response.content.decode())
    client.force_login(editor)
    for state in ("open", "confirmed", "all"):
        html = client.get(f"/flags/?state={state}").content.decode()
        assert_harmless(html)
    # The queue's htmx row after a decision, with the hostile reason.
    response = client.post(
        f"/flags/{hostile['flag'].pk}/decide/",
        {"action": "reject", "reason": PAYLOADS[0] + PAYLOADS[1]},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert_harmless(response.content.decode())
    # Payload text is shown as text, escaped, where it is not Markdown.
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.content.decode()


def test_hostile_input_in_panel_after_htmx_write(client, owner, unit):
    client.force_login(owner)
    for payload in PAYLOADS[:5]:
        response = client.post(
            "/documents/2024-yijian/u/c13/notes/",
            {"body": payload, "visibility": "private", "tags": TAG_PAYLOADS[0]},
            HTTP_HX_REQUEST="true",
        )
        assert response.status_code == 200
        assert_harmless(response.content.decode())
    assert Note.objects.filter(author=owner).count() == 5


def test_exports_keep_payloads_as_data(client, hostile, owner):
    client.force_login(owner)
    data = client.get("/documents/2024-yijian/annotations.jsonld").json()
    bodies = [b["value"] for a in data["first"]["items"] for b in a["body"]]
    assert PAYLOADS[0] in bodies  # stored as written; it is JSON, not HTML
    csv_text = client.get("/documents/2024-yijian/annotations.csv").content.decode()
    assert "<script>alert(1)</script>" in csv_text
    assert Flag.objects.count() == 2


def test_hostile_flag_in_the_flag_form_fragments(client, owner, site):
    client.force_login(owner)
    url = f"/documents/2024-yijian/sites/{site.pk}/flag/?source=B"
    for payload in PAYLOADS:
        response = client.post(
            url, {"proposed": payload[:200], "comment": payload}, HTTP_HX_REQUEST="true"
        )
        assert response.status_code == 200
        assert_harmless(response.content.decode())
    # The first is sent (the "done" fragment); the others answer the form with its error.
    assert Flag.objects.count() == 1
