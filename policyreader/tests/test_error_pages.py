"""Django's bare answers made the app's pages: a 405 (require_POST and the like
answer an empty body) and a failed CSRF check, in the user's language."""

import pytest
from django.contrib.auth.models import User
from django.test import Client, override_settings

from policyreader.roles import assign_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client):
    user = User.objects.create_user("ed-405", password="pw")
    assign_role(user, "editor")
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    "url",
    ["/documents/2024-yijian/priority/", "/documents/2024-yijian/relations/", "/notes/1/delete/"],
)
def test_a_wrong_method_gets_the_apps_page_not_a_blank_one(editor, url):
    response = editor.get(url)
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    html = response.content.decode()
    assert "不支持的请求方式" in html and "此地址不接受 GET 请求（可用：POST）" in html
    english = editor.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "This address does not accept a GET request (it accepts: POST)." in english


def test_a_wrong_method_on_the_api_is_answered_in_json(editor):
    response = editor.get("/studies/1/reorder/", HTTP_ACCEPT="application/json")
    assert response.status_code in (404, 405)  # no set 1: 404 is fine; never a blank 405
    if response.status_code == 405:
        assert "error" in response.json()


def test_a_failed_csrf_check_gets_the_apps_403_in_the_users_language():
    user = User.objects.create_user("ed-csrf", password="pw")
    assign_role(user, "editor")
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post("/documents/2024-yijian/relations/", {"kind": "supersedes"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "表单的安全校验未通过" in html and 'lang="zh-hans"' in html
    assert "CSRF verification failed" not in html


@override_settings(DEBUG=False)
def test_a_missing_page_gets_the_apps_404_in_chinese_and_english(client):
    response = client.get("/documents/nope/")
    assert response.status_code == 404
    html = response.content.decode()
    assert 'lang="zh-hans"' in html and "找不到页面" in html and "此地址没有页面。" in html
    assert "<code>/documents/nope/</code>" in html  # the address asked for
    assert "Not Found" not in html and "requested resource" not in html
    assert 'href="/static/css/app.css"' in html or "css/app" in html  # the app's style
    english = client.get("/documents/nope/", HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 404
    text = english.content.decode()
    assert 'lang="en"' in text and "Page not found" in text
    assert "There is no page at this address." in text
    assert "requested resource" not in text


@override_settings(DEBUG=False)
def test_the_404_page_escapes_the_address(client):
    response = client.get("/documents/x/u/%3Cb%3Eboo%3C%2Fb%3E/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "<b>boo</b>" not in html and "&lt;b&gt;boo&lt;/b&gt;" in html


@override_settings(DEBUG=False)
def test_a_missing_json_address_still_gets_json(client):
    response = client.get("/documents/nope/export.json")
    assert response.status_code == 404
    assert "error" in response.json()
