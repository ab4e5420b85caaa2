"""One rule for permissions (policyreader.roles): anonymous visitors go to the
sign-in page, signed-in users without the role get the 403 page naming it, in
their language; and ``clauses`` depends on ``annotations`` only where it must."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from .conftest import DOCUMENT, make_user

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_CURRENT_URL": "http://testserver/documents/"}
IMPORT = "/import/"
QUEUE = f"/documents/{DOCUMENT}/queue/"
FLAGS = "/flags/"
CLAUSES = Path(settings.BASE_DIR) / "clauses"


def signed_in(role, **kwargs):
    client = Client(**kwargs)
    client.force_login(make_user(f"user-{role}", role))
    return client


@pytest.mark.parametrize("url", [IMPORT, QUEUE, FLAGS])
def test_anonymous_visitors_are_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == f"/accounts/login/?next={url}"
    # htmx: the whole page goes to the sign-in page (the page the request came from).
    response = client.get(url, **HX)
    assert response.status_code == 401
    assert response["HX-Redirect"] == "/accounts/login/?next=/documents/"


@pytest.mark.parametrize("url", [IMPORT, QUEUE, FLAGS])
def test_signed_in_without_the_role_get_the_403_page_naming_it(url):
    client = signed_in("annotator")
    response = client.get(url)
    assert response.status_code == 403
    html = response.content.decode()
    assert response.templates[0].name == "403.html"
    assert 'class="site-header' in html  # the app's frame (base.html), navigation included
    assert "无权访问" in html and "此操作需要“编辑”角色" in html
    # htmx: the same sentence as plain text, for the panel that asked.
    response = client.get(url, **HX)
    assert response.status_code == 403 and "HX-Redirect" not in response
    assert response["Content-Type"].startswith("text/plain")
    assert "“编辑”" in response.content.decode()


def test_the_403_page_is_in_english_with_the_language_cookie():
    client = signed_in("reader")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(QUEUE).content.decode()
    assert '<html lang="en"' in html
    assert "Not allowed" in html and "This needs the “editor” role" in html
    assert "编辑" not in html.split("<main", 1)[1].split("</main>", 1)[0]


def test_the_403_page_names_the_lower_roles_too():
    client = signed_in(None)  # an account with no role at all
    response = client.post(f"/documents/{DOCUMENT}/u/c13/notes/", {"body": "x"})
    assert response.status_code == 403 and "“读者”" in response.content.decode()


def test_a_refusal_that_is_not_about_a_role_says_so_without_naming_one(sample):
    # The note is the editor's: an annotator may not edit it, whatever her role.
    response = signed_in("annotator").get(f"/notes/{sample['pk']}/edit/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "您的账号无权进行此操作。" in html and "角色" not in html


def test_guarded_views_use_the_one_decorator():
    from django.urls import get_resolver

    from annotations import views as annotation_views
    from clauses import views, views_editor

    required = {
        name: getattr(view, "required_role", None)
        for module in (views, views_editor, annotation_views)
        for name, view in vars(module).items()
        if callable(view) and getattr(view, "__module__", "") == module.__name__
    }
    assert required["import_view"] == "editor"
    assert required["queue"] == "editor"
    assert required["flags"] == "editor"
    assert required["note_reply"] == "annotator"
    assert get_resolver().resolve(QUEUE).func.required_role == "editor"


def _annotations_imports(path: Path) -> list[tuple[str, str]]:
    """(module, name) for every import of the annotations app in ``path``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "annotations" or node.module.startswith("annotations."):
                found += [(node.module, alias.name) for alias in node.names]
        elif isinstance(node, ast.Import):
            found += [
                (alias.name, "")
                for alias in node.names
                if alias.name == "annotations" or alias.name.startswith("annotations.")
            ]
    return found


#: What ``clauses`` may take from ``annotations``: re-anchoring notes after a
#: re-collation, the notes (counts, marks) and confirmed flags its pages show,
#: and the notes search looks in (through ``Note.objects.visible_to``).
ALLOWED = {
    "collation.py": {("annotations.anchoring", "reanchor_notes")},
    "search.py": {("annotations.models", "Note")},
    "views_reader.py": {("annotations.models", "Note"), ("annotations.models", "Flag")},
    "views_editor.py": {("annotations.models", "Flag")},
}


def test_clauses_imports_annotations_only_where_allowed():
    seen = {}
    for path in sorted(CLAUSES.rglob("*.py")):
        relative = path.relative_to(CLAUSES)
        if relative.parts[0] in ("tests", "migrations"):
            continue
        imports = _annotations_imports(path)
        if imports:
            seen[relative.as_posix()] = set(imports)
    assert seen == ALLOWED
