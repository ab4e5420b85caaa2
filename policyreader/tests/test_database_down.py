"""While the database cannot be reached: 503, Retry-After, a page in the user's language.

The connection is made to fail as a server that is down makes it fail:
``ensure_connection`` raises ``OperationalError``, so every query, session
load and transaction does.
"""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import OperationalError, connection
from django.test import Client

from policyreader.errors import RETRY_AFTER_SECONDS


@pytest.fixture
def database_down():
    refused = OperationalError('connection to server on socket "/tmp/.s.PGSQL.5432" failed')
    with mock.patch.object(connection, "ensure_connection", side_effect=refused) as patched:
        yield patched


def _page(response) -> str:
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert response["Content-Type"].startswith("text/html")
    return response.content.decode()


@pytest.mark.parametrize(
    "url", ["/", "/documents/2024-yijian/", "/documents/2024-yijian/read/", "/notes/", "/tags/"]
)
def test_pages_answer_503_in_chinese_by_default(db, database_down, url):
    html = _page(Client().get(url))
    assert database_down.called
    assert 'lang="zh-hans"' in html
    assert "暂时无法访问" in html
    assert "数据库" in html
    assert f"{RETRY_AFTER_SECONDS} 秒后" in html


def test_the_page_follows_the_language_asked_for(db, database_down):
    html = _page(Client().get("/", HTTP_ACCEPT_LANGUAGE="en"))
    assert 'lang="en"' in html
    assert "Temporarily unavailable" in html
    client = Client()
    client.cookies["django_language"] = "en"
    assert "Temporarily unavailable" in _page(client.get("/notes/"))


def test_the_api_answers_json(db, database_down):
    for response in (
        Client().get("/annotations/"),
        Client().get("/annotations/1"),
        Client().post(
            "/annotations/",
            "{}",
            content_type="application/ld+json",
            HTTP_AUTHORIZATION="Bearer pr_token",  # looking the token up needs the database
        ),
    ):
        assert response.status_code == 503
        assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
        assert response["Content-Type"].startswith("application/json")
        assert "数据库" in response.json()["error"]
        # The wait it names is the header's (one constant), not "a minute".
        assert f"{RETRY_AFTER_SECONDS} 秒后" in response.json()["error"]
        assert "分钟" not in response.json()["error"]
    english = Client().get("/annotations/", HTTP_ACCEPT_LANGUAGE="en").json()["error"]
    assert english.endswith(f"Try again in {RETRY_AFTER_SECONDS} seconds.")


def test_a_signed_in_user_whose_session_cannot_be_read(db, settings, django_user_model):
    """The session is loaded by a middleware, before any view: the 500 handler answers 503."""
    settings.ANONYMOUS_READ = False  # the sign-in middleware reads request.user first
    user = django_user_model.objects.create_user("rita", password="rita-secret-pw-1")
    client = Client(raise_request_exception=False)
    client.force_login(user)
    refused = OperationalError("the database system is shutting down")
    with mock.patch.object(connection, "ensure_connection", side_effect=refused):
        response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Temporarily unavailable" in _page(response)


def test_other_errors_are_still_500_in_the_users_language(db):
    client = Client(raise_request_exception=False)
    with mock.patch(
        "django.core.handlers.base.BaseHandler.resolve_request",
        side_effect=RuntimeError("boom"),
    ):
        response = client.get("/")
        api = client.get("/annotations/")
    assert response.status_code == 500
    assert 'lang="zh-hans"' in response.content.decode()
    assert "服务器错误" in response.content.decode()
    assert api.status_code == 500
    assert api["Content-Type"].startswith("application/json")
