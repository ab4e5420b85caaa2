"""The scripts' contract: POST /studies/ (JSON) and GET /studies/<id>.json.

Bad input answers 400 with a message in the user's language and writes nothing."""

import json

import pytest
from django.test import Client

from annotations.services import create_token
from studies.models import StudyItem, StudySet

from .conftest import unit

GOOD = {
    "title": "工会干部学习：产业工人队伍建设",
    "visibility": "shared",
    "intro": "本次学习三条。",
    "audience": "基层工会主席",
    "date": "2026-12-01",
    "place": "市总工会三楼会议室",
    "items": [
        {
            "document": "2024-yijian",
            "unit": "c1",
            "points": "一、讲清楚\n二、讲透彻",
            "questions": ["如何理解“凝心铸魂”？", "本单位怎么落实？"],
            "blanks": ["思想政治工作", "凝心铸魂"],
        },
        {"document": "2017-fangan", "unit": "s1", "show_differences": True},
        {"document": "2024-yijian", "unit": "c13", "start": 2, "end": 8, "blanks": ["横向"]},
    ],
}


def post(client, data, **extra):
    body = data if isinstance(data, (str, bytes)) else json.dumps(data, ensure_ascii=False)
    return client.post("/studies/", body, content_type="application/json", **extra)


@pytest.fixture
def author(people):
    client = Client()
    client.force_login(people["owner"])
    return client


def test_create_and_read_back_the_same_shape(author, people):
    response = post(author, GOOD)
    assert response.status_code == 201
    data = response.json()
    study_set = StudySet.objects.get(pk=data["id"])
    assert data["url"] == f"http://testserver/studies/{study_set.pk}/"
    assert response["Location"] == data["url"]
    assert study_set.owner == people["owner"]
    got = author.get(f"/studies/{study_set.pk}.json").json()
    assert got["id"] == study_set.pk and got["url"] == data["url"]
    for key in ("title", "visibility", "intro", "audience", "date", "place"):
        assert got[key] == GOOD[key]
    for sent, item in zip(GOOD["items"], got["items"], strict=True):
        for key, value in sent.items():
            assert item[key] == value
    c13 = unit("c13").canonical
    assert got["items"][2]["text"] == c13[2:8] == "产业工人横向"
    assert got["items"][0]["text"] == unit("c1").canonical
    # The 2024 Opinion numbers its clauses straight through: （一） stands alone.
    assert got["items"][0]["locator"] == "（一）"
    # What GET answers may be posted back: a second, equal set.
    again = post(author, got)
    assert again.status_code == 201
    copy = author.get(f"/studies/{again.json()['id']}.json").json()
    assert {k: v for k, v in copy.items() if k not in ("id", "url")} == {
        k: v for k, v in got.items() if k not in ("id", "url")
    }


def test_a_bearer_token_needs_no_csrf(people):
    raw = create_token(people["owner"], "script")[1]
    client = Client(enforce_csrf_checks=True)
    response = post(client, {"title": "令牌"}, HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 201
    assert StudySet.objects.get(title="令牌").owner == people["owner"]
    bad = post(client, {"title": "x"}, HTTP_AUTHORIZATION="Bearer nonsense")
    assert bad.status_code == 401
    assert bad.json()["error"] == "请登录，或发送有效的令牌。"


def test_a_session_needs_the_csrf_token(people):
    client = Client(enforce_csrf_checks=True)
    client.force_login(people["owner"])
    response = post(client, {"title": "无令牌"})
    assert response.status_code == 403
    assert "CSRF" in response.json()["error"]
    assert not StudySet.objects.filter(title="无令牌").exists()


def _item(**changes):
    return {**GOOD, "items": [{**GOOD["items"][0], **changes}]}


BAD = [
    ("not json", "{title:", "JSON"),
    ("not an object", [1, 2], "JSON 对象"),
    ("no title", {**GOOD, "title": ""}, "标题不能为空"),
    ("title too long", {**GOOD, "title": "长" * 201}, "最多 200 个字符"),
    ("title a number", {**GOOD, "title": 5}, "必须是文本"),
    ("bad visibility", {**GOOD, "visibility": "secret"}, "visibility"),
    ("bad date", {**GOOD, "date": "12/01/2026"}, "YYYY-MM-DD"),
    ("items not a list", {**GOOD, "items": {"a": 1}}, "列表"),
    ("unknown document", _item(document="nope"), "文件“nope”中没有条目“c1”"),
    ("unknown unit", _item(unit="c999"), "没有条目“c999”"),
    ("blank not in text", _item(blanks=["不在文中的话"]), "挖空短语“不在文中的话”不在文字中"),
    ("blank outside span", _item(start=0, end=4, blanks=["凝心铸魂"]), "不在文字中"),
    ("span past the end", _item(start=0, end=99999), "不在本条文字之内"),
    ("span reversed", _item(start=5, end=2), "不在本条文字之内"),
    ("span half", _item(start=5), "都必须是整数"),
    ("span a string", _item(start="0", end="4"), "都必须是整数"),
    ("questions a string", _item(questions="为什么？"), "必须是文本列表"),
    ("question empty", _item(questions=["  "]), "不能是空的"),
    ("question too long", _item(questions=["问" * 501]), "最多 500 个字符"),
    ("points a list", _item(points=["a"]), "必须是文本"),
    ("flag not a bool", _item(show_changes="yes"), "true 或 false"),
    ("item not an object", {**GOOD, "items": ["c1"]}, "JSON 对象"),
]


@pytest.mark.parametrize("name,data,message", BAD, ids=[b[0] for b in BAD])
def test_bad_input_is_400_and_writes_nothing(author, name, data, message):
    sets, items = StudySet.objects.count(), StudyItem.objects.count()
    response = post(author, data)
    assert response.status_code == 400, response.content
    assert message in response.json()["error"]
    assert (StudySet.objects.count(), StudyItem.objects.count()) == (sets, items)


def test_a_bad_second_item_writes_not_even_the_first(author):
    data = {**GOOD, "items": [GOOD["items"][0], {"document": "2024-yijian", "unit": "zzz"}]}
    response = post(author, data)
    assert response.status_code == 400
    assert response.json()["error"].startswith("第 2 项：")
    assert not StudySet.objects.filter(title=GOOD["title"]).exists()


def test_nul_is_refused_before_anything(author):
    body = json.dumps({**GOOD, "title": "a\u0000b"})
    response = post(author, body)
    assert response.status_code == 400
    assert "NUL" in response.json()["error"]  # JSON sent, JSON answered
    assert not StudySet.objects.exists()


def test_unreadable_json_is_answered_in_json_in_the_users_language(author):
    for body in (b'{"title": "\xff"}', "{" * 100_000, "{'title': 1}"):
        response = post(author, body)
        assert response.status_code == 400
        message = response.json()["error"]
        assert "JSON" in message and "Expecting" not in message
    assert "第 1 行第 2 列" in post(author, "{'title': 1}").json()["error"]
    assert not StudySet.objects.exists()


def test_messages_follow_the_users_language(author):
    response = post(author, {"title": ""}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.json()["error"] == "The title is required."


def test_json_of_an_unknown_or_hidden_set_is_404(author, people):
    hidden = StudySet.objects.create(owner=people["other"], title="otto's", visibility="private")
    for pk in (hidden.pk, 999999):
        response = author.get(f"/studies/{pk}.json")
        assert response.status_code == 404
        assert response.json() == {"error": "未找到。"}
