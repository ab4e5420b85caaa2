"""Django's bare answers made the app's pages: a 405 (require_POST and the like
answer an empty body) and a failed CSRF check, in the user's language."""

import pytest
from django.contrib.auth.models import User
from django.test import Client

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
