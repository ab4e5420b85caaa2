"""Roles and their decorator, the createuser command, ANONYMOUS_READ."""

import io
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser, Group, User
from django.core.management import CommandError, call_command
from django.http import HttpResponse
from django.template import Context, Template
from django.test import RequestFactory, override_settings
from django_htmx.middleware import HtmxDetails

from policyreader.roles import ROLES, assign_role, has_role, highest_role, role_required

from .conftest import make_user

BASE = Path(__file__).resolve().parents[2]


def test_roles_are_groups_made_by_a_migration(db):
    assert set(Group.objects.filter(name__in=ROLES).values_list("name", flat=True)) == set(ROLES)


def test_role_hierarchy(db):
    table = {
        "reader": (True, False, False),
        "annotator": (True, True, False),
        "editor": (True, True, True),
        None: (False, False, False),
    }
    for role, expected in table.items():
        user = make_user(f"u-{role}", role)
        assert tuple(has_role(user, r) for r in ROLES) == expected, role
        assert highest_role(user) == role
    staff = User.objects.create_user("staff", is_staff=True)
    root = User.objects.create_superuser("root", password="x")
    assert has_role(staff, "editor") and has_role(root, "editor")
    assert not has_role(AnonymousUser(), "reader")
    gone = make_user("gone", "editor")
    gone.is_active = False
    assert not has_role(gone, "reader")
    with pytest.raises(ValueError):
        has_role(staff, "boss")


def test_assign_role_moves_between_groups_and_survives_missing_groups(db):
    Group.objects.filter(name="annotator").delete()
    user = make_user("mover", "reader")
    assign_role(user, "annotator")
    assert list(user.groups.values_list("name", flat=True)) == ["annotator"]
    assert has_role(User.objects.get(pk=user.pk), "annotator")


def _request(user, htmx=False):
    request = RequestFactory().get(
        "/somewhere/?x=1",
        **(
            {"HTTP_HX_REQUEST": "true", "HTTP_HX_CURRENT_URL": "http://testserver/page/"}
            if htmx
            else {}
        ),
    )
    request.user = user
    request.htmx = HtmxDetails(request)
    return request


def test_role_required(db):
    @role_required("annotator")
    def view(request):
        return HttpResponse("ok")

    assert view.required_role == "annotator"
    annotator, reader = make_user("a", "annotator"), make_user("r", "reader")
    assert view(_request(annotator)).content == b"ok"
    response = view(_request(AnonymousUser()))
    assert (
        response.status_code == 302 and response.url == "/accounts/login/?next=/somewhere/%3Fx%3D1"
    )
    response = view(_request(reader))  # signed in without the role: the 403 page
    assert response.status_code == 403 and "批注者" in response.content.decode()
    response = view(_request(reader, htmx=True))
    assert response.status_code == 403 and "HX-Redirect" not in response
    assert response["Content-Type"].startswith("text/plain")
    response = view(_request(AnonymousUser(), htmx=True))
    assert response.status_code == 401 and response["HX-Redirect"] == "/accounts/login/?next=/page/"
    with pytest.raises(ValueError):
        role_required("boss")


def test_has_role_template_filter(db):
    t = Template(
        '{% load annotations_tags %}{% if user|has_role:"editor" %}E{% endif %}{% if user|has_role:"reader" %}R{% endif %}'
    )
    assert t.render(Context({"user": make_user("x", "reader")})) == "R"
    assert t.render(Context({"user": make_user("y", "editor")})) == "ER"


def test_nav_links_follow_the_role(client, db):
    client.force_login(make_user("nav", "annotator"))
    html = client.get("/").content.decode()
    assert (
        'href="/notes/"' in html and 'href="/accounts/me/"' in html and 'href="/flags/"' not in html
    )
    client.force_login(make_user("nav2", "editor"))
    assert 'href="/flags/"' in client.get("/").content.decode()


# --- manage.py createuser ------------------------------------------------------------------


def test_createuser_with_password_option(db):
    out = io.StringIO()
    call_command(
        "createuser",
        "wang",
        "--role",
        "annotator",
        "--password",
        "a-long-pass-phrase",
        "--email",
        "w@example.org",
        stdout=out,
    )
    user = User.objects.get(username="wang")
    assert user.check_password("a-long-pass-phrase") and user.email == "w@example.org"
    assert highest_role(user) == "annotator" and not user.is_staff
    assert "annotator" in out.getvalue()


def test_createuser_reads_the_password_from_stdin(db, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("from-standard-input-77\n"))
    call_command("createuser", "li", "--role", "editor", stdout=io.StringIO())
    assert User.objects.get(username="li").check_password("from-standard-input-77")


def test_createuser_prompts_on_a_terminal(db, monkeypatch):
    class Tty(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.setattr("sys.stdin", Tty())
    answers = iter(["typed-at-a-prompt-9", "typed-at-a-prompt-9"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    call_command("createuser", "zhao", "--role", "reader", stdout=io.StringIO())
    assert User.objects.get(username="zhao").check_password("typed-at-a-prompt-9")


def test_createuser_refusals(db):
    with pytest.raises(CommandError, match="Unknown role 'boss'"):
        call_command("createuser", "x", "--role", "boss", "--password", "a-long-pass-phrase")
    call_command(
        "createuser",
        "dup",
        "--role",
        "reader",
        "--password",
        "a-long-pass-phrase",
        stdout=io.StringIO(),
    )
    with pytest.raises(CommandError, match="exists already"):
        call_command("createuser", "dup", "--role", "reader", "--password", "a-long-pass-phrase")
    with pytest.raises(CommandError, match="refused"):
        call_command("createuser", "weak", "--role", "reader", "--password", "123")
    assert not User.objects.filter(username__in=["x", "weak"]).exists()


def test_createuser_unknown_role_exits_non_zero():
    result = subprocess.run(
        [sys.executable, "manage.py", "createuser", "nobody", "--role", "boss", "--password", "x"],
        cwd=BASE,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "Unknown role 'boss'" in result.stderr and "reader, annotator, editor" in result.stderr


# --- ANONYMOUS_READ ---------------------------------------------------------------------------


@override_settings(ANONYMOUS_READ=False)
def test_reading_needs_sign_in_when_anonymous_read_is_off(client, db, owner):
    for url in (
        "/",
        "/documents/2024-yijian/",
        "/documents/2024-yijian/u/c13/notes/",
        "/notes/",
        "/tags/",
        "/documents/2024-yijian/sources/B/errata/",
        "/documents/2024-yijian/annotations.jsonld",
    ):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith("/accounts/login/?next="), (
            url
        )
    assert client.get("/accounts/login/").status_code == 200
    assert client.get("/static/css/app.css").status_code == 200
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302 and response.url == "/"
    response = client.get("/annotations/")
    assert response.status_code == 401 and "error" in response.json()
    assert client.get("/admin/").url.startswith("/admin/login/")
    client.force_login(owner)
    assert client.get("/").status_code == 200
    assert client.get("/annotations/").status_code == 200


def test_anonymous_read_is_on_by_default(client, db, settings):
    assert settings.ANONYMOUS_READ is True
    assert client.get("/").status_code == 200
    assert client.get("/documents/2024-yijian/u/c13/notes/").status_code == 200
