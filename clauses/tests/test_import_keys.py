"""Unit positions do not depend on the order of the imports (issue 9); a stored
unit's key never passes to another unit."""

from itertools import permutations

import pytest
from django.contrib.auth.models import User

from annotations.models import Note
from clauses.ingest import SourceMeta, import_source, shows_real_address
from clauses.models import Document, Unit
from clauses.text.align import merge_order

pytestmark = pytest.mark.django_db

BASE = """关于测试工作的意见

为了做好测试工作，推动各项事业发展，现提出如下意见。

一、总体要求

坚持以人民为中心的发展思想，全面推进测试工作高质量发展，不断提升工作水平。

主要目标是：到2030年，测试工作体系基本建立，制度机制更加完善。

二、重点任务

（一）加强组织领导。各地区各部门要切实加强对测试工作的组织领导，明确责任分工。

（二）完善制度机制。建立健全测试工作制度，形成长效机制，确保各项任务落到实处。
"""
HEADLESS = BASE.replace("一、总体要求\n\n", "")
EXTRA_X = BASE.replace(
    "二、重点任务", "到2035年，测试工作全面实现现代化，人民群众满意度显著提升。\n\n二、重点任务"
)
EXTRA_Y = BASE.replace(
    "二、重点任务", "坚持问题导向和目标导向，统筹发展和安全，稳步扎实推进。\n\n二、重点任务"
)


def structure(document):
    return list(
        Unit.objects.filter(document=document)
        .order_by("order")
        .values_list("key", "parent__key", "canonical")
    )


def import_in(order, texts):
    Document.objects.filter(title="关于测试工作的意见").delete()
    document = None
    for name in order:
        result = import_source(texts[name].encode(), SourceMeta(siglum=name), document=document)
        document = result.source.document
    return document


def test_a_copy_without_its_heading_first_gets_the_keys_of_the_copy_with_it():
    texts = {"H": BASE, "N": HEADLESS}
    results = {tuple(structure(import_in(order, texts))) for order in permutations(texts)}
    assert len(results) == 1
    (result,) = results
    assert [(k, p) for k, p, _c in result][:4] == [
        ("p1", None),
        ("s1", None),
        ("s1.p1", "s1"),
        ("s1.p2", "s1"),
    ]


def test_two_copies_inserting_into_the_same_gap_give_one_order():
    """Whichever copy comes first, the units stand in one order; each unit
    keeps the key it was created with, the second new unit of the gap taking
    the next free suffix."""
    texts = {"H": BASE, "X": EXTRA_X, "Y": EXTRA_Y}
    results = [structure(import_in(order, texts)) for order in permutations(texts)]
    orders = {tuple(c for _k, _p, c in result) for result in results}
    assert len(orders) == 1
    for result in results:
        keys = [k for k, _p, _c in result]
        assert keys[:4] == ["p1", "s1", "s1.p1", "s1.p2"]
        assert sorted(keys[4:6]) == ["s1.p3", "s1.p3-2"]
    # In document order: the text that ranks first stands first.
    (order,) = orders
    assert list(order[4:6]) == sorted(order[4:6])


def test_a_stored_unit_keeps_its_key_when_a_copy_adds_a_unit_before_it():
    """Review 3 and 5: a unit new in front of a stored one with the same base
    key took its key (the stored one became -2), so its address showed other
    text. Now every stored key shows the same text after the import."""
    # Y's paragraph is s1.p3; X's, new in the same gap, stands before it
    # (its text ranks first), and once took s1.p3, moving Y's to s1.p3-2.
    document = import_in(["Y"], {"Y": EXTRA_Y})
    before = dict(Unit.objects.filter(document=document).values_list("key", "canonical"))
    import_source(EXTRA_X.encode(), SourceMeta(siglum="X"), document=document)
    after = dict(Unit.objects.filter(document=document).values_list("key", "canonical"))
    assert {k: after.get(k) for k in before} == before
    assert len(after) == len(before) + 1


def test_a_unit_with_a_note_keeps_its_key():
    document = import_in(["N"], {"N": HEADLESS})
    unit = Unit.objects.get(document=document, key="p2")
    user = User.objects.create_user("reader1")
    Note.objects.create(unit=unit, author=user, body="引用", visibility="private")
    import_source(BASE.encode(), SourceMeta(siglum="H"), document=document)
    unit.refresh_from_db()
    assert unit.key == "p2"  # cited by its key: it stays where people find it
    assert Unit.objects.filter(document=document, key="s1.p2").exists()  # p3 had no note


def test_shows_real_address():
    assert shows_real_address("p2", "s1.p1")
    assert not shows_real_address("s1.p1", "p2")
    assert not shows_real_address("c13", "s3.c1")  # labels, not positions
    assert not shows_real_address("p2", "p2")


def test_merge_order_ranks_units_in_the_same_gap():
    assert merge_order(["a", "x9", "b"], ["a", None, "b"], ["a", "x10", "b"]) == [
        "a",
        "x9",
        "x10",
        "b",
    ]
    assert merge_order(["a", "x10", "b"], ["a", None, "b"], ["a", "x9", "b"]) == [
        "a",
        "x9",
        "x10",
        "b",
    ]


def test_a_key_given_up_for_a_fuller_address_leads_to_its_unit_and_is_never_reused(client):
    """Headless copy first: its paragraph is p2; the copy with the heading
    gives it s1.p1. /u/p2/ then redirects there (with ?rev kept), and a later
    copy's new unit of base p2 takes p2-2, not p2."""
    document = import_in(["N"], {"N": HEADLESS})
    unit = Unit.objects.get(document=document, key="p2")
    import_source(BASE.encode(), SourceMeta(siglum="H"), document=document)
    unit.refresh_from_db()
    assert unit.key == "s1.p1"
    document.refresh_from_db()
    assert document.former_keys["p2"] == unit.pk  # and p3, the next paragraph
    response = client.get(f"/documents/{document.slug}/u/p2/?rev=1")
    assert response.status_code == 301
    assert response["Location"] == f"/documents/{document.slug}/u/s1.p1/?rev=1"
    cite = client.get(f"/documents/{document.slug}/u/p2/cite.json")
    assert cite.status_code == 301 and cite["Location"].endswith("/u/s1.p1/cite.json")
    assert client.get(f"/documents/{document.slug}/u/p9/").status_code == 404
    # A later headless copy with a paragraph more after the first: its new
    # unit would be p2; p2 is taken for good.
    extra = HEADLESS.replace(
        "坚持以人民为中心", "新增一段关于测试工作的说明文字，用以检验单元键。\n\n坚持以人民为中心"
    )
    import_source(extra.encode(), SourceMeta(siglum="E"), document=document)
    assert not Unit.objects.filter(document=document, key="p2").exists()
    assert client.get(f"/documents/{document.slug}/u/p2/").status_code == 301
