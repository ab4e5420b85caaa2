"""The set's pages without JavaScript: order by buttons, edit items, handout options,
"add to study set" on the reading pages, and the queries a set's page makes."""

import io
import re

import pytest
from django.test import Client

from annotations.models import Note, Tag, Visibility
from clauses.models import Document, DocumentRelation, Unit
from studies.handout import Options
from studies.models import StudySet
from studies.services import handout_for, variant_runs

from .conftest import make_set, snapshot, unit


@pytest.fixture
def owner_client(people):
    client = Client()
    client.force_login(people["owner"])
    return client


def keys(study_set):
    return [k for k, *_ in snapshot(study_set)[3]]


def test_reorder_by_buttons_without_javascript(owner_client, people):
    s = make_set(people["owner"], "private", keys=("c1", "c2", "c3"))
    page = owner_client.get(f"/studies/{s.pk}/").content.decode()
    # Each item has ↑ ↓ in a plain form (no JavaScript needed); the first ↑ and last ↓ off.
    forms = re.findall(r'<form class="inline-form" method="post" action="([^"]+/move/)"', page)
    assert len(forms) == 3
    first, second, third = s.items.order_by("position")
    response = owner_client.post(forms[0], {"direction": "down"})
    assert response.status_code == 302
    assert response["Location"] == f"/studies/{s.pk}/#st-items"
    assert keys(s) == ["c2", "c1", "c3"]
    owner_client.post(f"/studies/{s.pk}/items/{third.pk}/move/", {"direction": "up"})
    assert keys(s) == ["c2", "c3", "c1"]
    # At either end nothing moves; a bad direction is 400 and moves nothing.
    owner_client.post(f"/studies/{s.pk}/items/{second.pk}/move/", {"direction": "up"})
    assert keys(s) == ["c2", "c3", "c1"]
    bad = owner_client.post(f"/studies/{s.pk}/items/{second.pk}/move/", {"direction": "left"})
    assert bad.status_code == 302  # back to the page with the message
    assert keys(s) == ["c2", "c3", "c1"]
    # Positions stay 0..n-1.
    assert list(s.items.order_by("position").values_list("position", flat=True)) == [0, 1, 2]


def test_htmx_move_answers_the_items_fragment(owner_client, people):
    s = make_set(people["owner"], "private", keys=("c1", "c2"))
    first = s.items.order_by("position").first()
    response = owner_client.post(
        f"/studies/{s.pk}/items/{first.pk}/move/",
        {"direction": "down"},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="st-items"')
    assert "<html" not in html
    assert html.index(unit("c2").canonical[:10]) < html.index(unit("c1").canonical[:10])


def test_reorder_by_drag_endpoint(owner_client, people):
    s = make_set(people["owner"], "private", keys=("c1", "c2", "c3"))
    a, b, c = s.items.order_by("position").values_list("pk", flat=True)
    response = owner_client.post(f"/studies/{s.pk}/reorder/", {"order": f"{c},{a},{b}"})
    assert response.status_code == 302
    assert keys(s) == ["c3", "c1", "c2"]
    other = make_set(people["owner"], "private", keys=("c4",))
    foreign = other.items.get().pk
    for order in (f"{a},{b}", f"{a},{b},{foreign}", f"{a},{a},{b}", "x", ""):
        bad = owner_client.post(
            f"/studies/{s.pk}/reorder/", {"order": order}, headers={"HX-Request": "true"}
        )
        assert bad.status_code == 400
        assert keys(s) == ["c3", "c1", "c2"]


def test_remove_closes_the_gap(owner_client, people):
    s = make_set(people["owner"], "private", keys=("c1", "c2", "c3"))
    middle = s.items.order_by("position")[1]
    owner_client.post(f"/studies/{s.pk}/items/{middle.pk}/remove/")
    assert keys(s) == ["c1", "c3"]
    assert list(s.items.order_by("position").values_list("position", flat=True)) == [0, 1]


def test_edit_an_item(owner_client, people):
    s = make_set(people["owner"], "private", keys=("c1",))
    item = s.items.get()
    p = f"item{item.pk}"
    url = f"/studies/{s.pk}/items/{item.pk}/edit/"
    ok = owner_client.post(
        url,
        {
            f"{p}-points": "第一点\n第二点",
            f"{p}-questions": "问题一？\n\n  问题二？  \n",
            f"{p}-blanks": "思想政治工作\n凝心铸魂",
            f"{p}-show_differences": "on",
        },
    )
    assert ok.status_code == 302
    item.refresh_from_db()
    assert item.points == "第一点\n第二点"
    assert item.questions == ["问题一？", "问题二？"]
    assert item.blanks == ["思想政治工作", "凝心铸魂"]
    assert (item.show_differences, item.show_changes) == (True, False)
    before = snapshot(s)
    bad = owner_client.post(url, {f"{p}-blanks": "不存在的短语"})
    assert bad.status_code == 400
    assert "挖空短语“不存在的短语”不在文字中" in bad.content.decode()
    span = owner_client.post(url, {f"{p}-start": "0", f"{p}-end": "4", f"{p}-blanks": "凝心铸魂"})
    assert span.status_code == 400  # the blank is outside the new span
    past = owner_client.post(url, {f"{p}-start": "0", f"{p}-end": "100000"})
    assert past.status_code == 400 and "不在本条文字之内" in past.content.decode()
    assert snapshot(s) == before
    good_span = owner_client.post(url, {f"{p}-start": "2", f"{p}-end": "8", f"{p}-blanks": "强化"})
    assert good_span.status_code == 302
    item.refresh_from_db()
    assert item.text == unit("c1").canonical[2:8]


def test_header_form_and_errors(owner_client, people):
    s = make_set(people["owner"], "private")
    bad = owner_client.post(f"/studies/{s.pk}/edit/", {"title": "", "visibility": "private"})
    assert bad.status_code == 400
    ok = owner_client.post(
        f"/studies/{s.pk}/edit/",
        {
            "title": "新标题",
            "audience": "车间班组长",
            "date": "2026-12-01",
            "place": "三楼",
            "intro": "导语",
            "visibility": "public",
        },
    )
    assert ok.status_code == 302
    s.refresh_from_db()
    assert (s.title, s.audience, str(s.date), s.place, s.visibility) == (
        "新标题",
        "车间班组长",
        "2026-12-01",
        "三楼",
        "public",
    )


@pytest.mark.parametrize("suffix", ["print/", "handout.docx", "handout.pdf"])
@pytest.mark.parametrize("query", ["points=2", "quiz=yes", "pinyin=", "points=1&quiz=true"])
def test_handout_options_are_checked(owner_client, people, suffix, query):
    s = make_set(people["owner"], "private")
    response = owner_client.get(f"/studies/{s.pk}/{suffix}?{query}")
    if query == "pinyin=":  # empty: the default
        assert response.status_code in (200, 503)
        return
    assert response.status_code == 400
    assert "必须是 0 或 1" in response.content.decode()


def test_print_view_docx_and_signin_sheet(owner_client, people):
    s = make_set(people["owner"], "private", keys=("c1",))
    item = s.items.get()
    item.blanks = ["思想政治工作"]
    item.save()
    page = owner_client.get(f"/studies/{s.pk}/print/?points=1&quiz=0").content.decode()
    assert unit("c1").canonical in page and "points c1" in page
    quiz = owner_client.get(f"/studies/{s.pk}/print/?points=0&quiz=1").content.decode()
    clause, key = quiz.split('<div class="clause-text">')[1].split('<section class="answer-key">')
    assert "points c1" not in quiz and "思想政治工作" not in clause and "思想政治工作" in key
    docx = owner_client.get(f"/studies/{s.pk}/handout.docx")
    assert docx["Content-Disposition"].startswith("attachment;")
    from docx import Document as Docx

    text = "\n".join(p.text for p in Docx(io.BytesIO(docx.content)).paragraphs)
    assert unit("c1").canonical in text and "（一）" in text
    pdf = owner_client.get(f"/studies/{s.pk}/handout.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    sheet = owner_client.get(f"/studies/{s.pk}/signin-sheet/").content.decode()
    assert s.title in sheet
    detail = owner_client.get(f"/studies/{s.pk}/").content.decode()
    assert f'href="/studies/{s.pk}/signin-sheet/"' in detail


def test_set_page_queries_do_not_grow_with_items(
    owner_client, people, django_assert_max_num_queries
):
    small = make_set(people["owner"], "shared", keys=("c1", "c2"))
    big = make_set(people["owner"], "shared", keys=tuple(f"c{n}" for n in range(1, 21)))
    for s in (small, big):
        with django_assert_max_num_queries(12):
            response = owner_client.get(f"/studies/{s.pk}/")
        assert response.status_code == 200
    other = Client()
    other.force_login(people["other"])
    with django_assert_max_num_queries(10):
        assert other.get(f"/studies/{big.pk}/").status_code == 200
    with django_assert_max_num_queries(10):
        assert owner_client.get("/studies/").status_code == 200


def test_add_to_study_set_on_the_reading_pages(owner_client, people):
    s = make_set(people["owner"], "private", title="我的专题", keys=("c1",))
    reader = owner_client.get("/documents/2024-yijian/read/").content.decode()
    assert "/studies/add/?document=2024-yijian&amp;unit=c2&amp;next=" in reader
    document = owner_client.get("/documents/2024-yijian/").content.decode()
    assert "/studies/add/?document=2024-yijian&amp;unit=c2&amp;next=" in document
    unit_page = owner_client.get("/documents/2024-yijian/u/c2/").content.decode()
    link = "/studies/add/?document=2024-yijian&amp;unit=c2&amp;next=%2Fdocuments%2F2024-yijian%2Fu%2Fc2%2F"
    assert link in unit_page
    # The link loads the form (a fragment for htmx, a page without JavaScript).
    for headers in ({"HX-Request": "true"}, {}):
        form = owner_client.get(link.replace("&amp;", "&"), headers=headers).content.decode()
        assert '<form class="st-add"' in form and f'<option value="{s.pk}">我的专题' in form
        assert 'name="next" value="/documents/2024-yijian/u/c2/"' in form
        assert ("<html" in form) == (not headers)
    # The form posts and comes back to the unit page.
    response = owner_client.post(
        "/studies/add/",
        {
            "document": "2024-yijian",
            "unit": "c2",
            "set": str(s.pk),
            "next": "/documents/2024-yijian/u/c2/",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/documents/2024-yijian/u/c2/"
    assert keys(s) == ["c1", "c2"]
    # A tag page adds the noted span.
    c13 = unit("c13")
    start = c13.canonical.index("横向发展")
    note = Note.objects.create(
        author=people["owner"],
        unit=c13,
        visibility=Visibility.SHARED,
        exact="横向发展",
        start=start,
        end=start + 4,
    )
    note.tags.add(Tag.objects.create(name="培训"))
    tag_page = owner_client.get("/tags/培训/").content.decode()
    assert f"unit=c13&amp;start={start}&amp;end={start + 4}&amp;next=" in tag_page
    owner_client.post(
        "/studies/add/",
        {"document": "2024-yijian", "unit": "c13", "start": start, "end": start + 4, "set": "new"},
    )
    new = StudySet.objects.latest("pk")
    assert new.items.get().text == "横向发展"
    assert new.title.startswith("学习《")
    # Readers see no such action, and the cached reader rows do not leak it to them.
    rita = Client()
    rita.force_login(people["reader"])
    assert "/studies/add/" not in rita.get("/documents/2024-yijian/read/").content.decode()
    assert "/studies/add/" not in rita.get("/documents/2024-yijian/u/c2/").content.decode()


def test_a_bad_span_from_a_form_is_400(owner_client, people):
    s = make_set(people["owner"], "private", keys=("c1",))
    response = owner_client.post(
        "/studies/add/",
        {"document": "2024-yijian", "unit": "c2", "start": 5, "end": 99999, "set": str(s.pk)},
    )
    assert response.status_code == 400
    assert keys(s) == ["c1"]
    unknown = owner_client.post(
        "/studies/add/", {"document": "2024-yijian", "unit": "zz", "set": str(s.pk)}
    )
    assert unknown.status_code == 400


# --- The handout built from a set (services) -------------------------------------------


def test_handout_for_a_set(people):
    s = make_set(people["owner"], "private", keys=("s1", "c1", "c13"))
    s.date = "2026-12-01"
    s.save()
    s.refresh_from_db()
    first, second, third = s.items.order_by("position")
    third.show_differences = True
    third.save()
    handout = handout_for(s)
    assert handout.title == s.title and handout.date == "2026年12月1日"
    assert [i.locator for i in handout.items] == ["一、", "（一）", "（十三）"]
    assert (
        handout.items[1].source
        == "《中共中央 国务院关于深化产业工人队伍建设改革的意见》，2024年10月12日"
    )
    runs = handout.items[2].differences
    c13 = unit("c13")
    # The equal and variant runs are exactly the text; readings name the other copies.
    assert "".join(t for k, t in runs if k in ("equal", "variant")) == c13.canonical
    assert ("variant", "横向") in runs
    assert any(k == "readings" and "B：纵向" in t for k, t in runs)
    assert handout.items[0].differences == []
    assert isinstance(Options(), Options)


def test_variant_runs_of_a_span_keep_only_the_sites_inside(people):
    c13 = unit("c13")
    sites = list(c13.sites.all())
    start = c13.canonical.index("横向")
    runs = variant_runs(c13, sites, start - 2, start + 4)
    assert (
        "".join(t for k, t in runs if k in ("equal", "variant"))
        == c13.canonical[start - 2 : start + 4]
    )


def test_show_changes_uses_the_previous_version(people):
    later, earlier = (
        Document.objects.get(slug="2024-yijian"),
        Document.objects.get(slug="2017-fangan"),
    )
    DocumentRelation.objects.create(
        from_document=later, to_document=earlier, kind=DocumentRelation.Kind.LATER_VERSION_OF
    )
    s = make_set(people["owner"], "private", keys=("s2", "c1"))
    s.items.update(show_changes=True)
    handout = handout_for(s)
    before = Unit.objects.get(document=earlier, key="s2").canonical
    after = unit("s2").canonical
    assert before != after
    runs = handout.items[0].differences
    assert {k for k, _ in runs} <= {"equal", "del", "ins"}
    assert any(k == "del" for k, _ in runs) or any(k == "ins" for k, _ in runs)
    # c1 has no unit of its key in the earlier version: nothing to show.
    assert handout.items[1].differences == []


def test_only_the_owner_changes_the_visibility(people):
    from studies.services import Refused, update_header

    s = make_set(people["owner"], "private", editors=[people["editor"]])
    with pytest.raises(Refused):
        update_header(s, people["editor"], visibility="public")
    s.refresh_from_db()
    assert s.visibility == "private"
    update_header(s, people["owner"], visibility="public")
    s.refresh_from_db()
    assert s.visibility == "public"


def test_naming_a_colleague_says_what_is_wrong(owner_client, people):
    s = make_set(people["owner"], "private")
    url = f"/studies/{s.pk}/editors/"
    empty = owner_client.post(url, {"username": ""})
    assert empty.status_code == 400 and "这个字段是必填项" in empty.content.decode()
    long = owner_client.post(url, {"username": "x" * 5000})
    assert long.status_code == 400 and "150" in long.content.decode()
    assert not s.editors.exists()
