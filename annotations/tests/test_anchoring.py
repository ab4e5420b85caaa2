"""Anchors: locating a selection, and re-anchoring after the canonical text changes."""

import pytest

from annotations.anchoring import CONTEXT, anchor_at, locate, occurrences, reanchor
from annotations.models import Note
from clauses.collation import decide

from .conftest import add_note

TEXT = "加强党建工作。加强企业党组织建设。加强新经济组织党建工作。"


def test_anchor_at_takes_context_on_both_sides():
    a = anchor_at(TEXT, 11, 14)
    assert a.exact == "党组织" and a.prefix == TEXT[:11] and a.suffix == TEXT[14:]
    long = "甲" * 100 + "乙" + "丙" * 100
    b = anchor_at(long, 100, 101)
    assert len(b.prefix) == CONTEXT and len(b.suffix) == CONTEXT


def test_occurrences_counts_overlapping_matches():
    assert occurrences("哈哈哈", "哈哈") == [0, 1]
    assert occurrences(TEXT, "") == []


def test_locate_prefers_the_given_position_then_the_context():
    assert locate(TEXT, "加强", start=7, end=9).start == 7
    # A wrong position: the context decides between the three 加强.
    third = TEXT.rindex("加强")
    found = locate(TEXT, "加强", prefix="企业党组织建设。", suffix="新经济", start=0, end=1)
    assert found.start == third
    # No context: the nearest to the hint.
    assert locate(TEXT, "加强", start=8, end=30).start == 7
    assert locate(TEXT, "不在此处") is None
    # Only a position: the quote is read from the text.
    assert locate(TEXT, "", start=2, end=4).exact == "党建"


def test_reanchor_is_strict():
    assert reanchor(TEXT, "党组织").start == 11
    assert reanchor(TEXT, "党建工作") is None  # twice
    assert reanchor(TEXT, "党委") is None  # gone


@pytest.fixture
def c13_notes(owner, unit):
    text = unit.canonical
    assert text.count("贯通产业工人") == 1 and text.count("职业生涯指导计划") == 1
    assert text.count("横向发展机制。") == 1 and text.count("发展机制") == 1
    return {
        "kept": add_note(owner, unit, quote="贯通产业工人"),
        "moved": add_note(owner, unit, quote="职业生涯指导计划"),
        "changed": add_note(owner, unit, quote="横向发展机制。"),
        "twice": add_note(owner, unit, quote="发展机制"),
        "whole": add_note(owner, unit),
    }


def test_canonical_edit_reanchors_or_orphans_each_span_note(c13_notes, unit, site, editor):
    before = {k: (n.start, n.end, n.prefix, n.suffix) for k, n in c13_notes.items()}
    # An editor emends 横向 to a longer reading: the text after it shifts by 7.
    decide(site, "emend", "横向发展机制和纵向", "test", editor)
    unit.refresh_from_db()
    assert unit.canonical.startswith("贯通产业工人横向发展机制和纵向发展机制。")
    n = {k: Note.objects.get(pk=v.pk) for k, v in c13_notes.items()}

    # Exact match, same place: untouched.
    assert (n["kept"].start, n["kept"].end) == before["kept"][:2]
    assert not n["kept"].orphaned and n["kept"].reanchored is None

    # The quote moved within the unit: re-anchored at its one occurrence.
    assert not n["moved"].orphaned and n["moved"].reanchored is not None
    assert n["moved"].start == before["moved"][0] + 7
    assert unit.canonical[n["moved"].start : n["moved"].end] == "职业生涯指导计划"
    assert (
        n["moved"].prefix == unit.canonical[max(0, n["moved"].start - CONTEXT) : n["moved"].start]
    )

    # The quote changed: orphaned, keeping the anchor it was made on.
    assert n["changed"].orphaned
    assert (
        n["changed"].start,
        n["changed"].end,
        n["changed"].prefix,
        n["changed"].suffix,
    ) == before["changed"]
    assert n["changed"].exact == "横向发展机制。"

    # The quote is now found twice: orphaned too, never moved to a guess.
    assert n["twice"].orphaned
    assert (n["twice"].start, n["twice"].end) == before["twice"][:2]

    # A note on the whole unit has no anchor to lose.
    assert not n["whole"].orphaned and n["whole"].start is None


def test_an_orphan_whose_quote_comes_back_once_is_anchored_again(c13_notes, unit, site, editor):
    decide(site, "emend", "横向发展机制和纵向", "test", editor)
    assert Note.objects.get(pk=c13_notes["changed"].pk).orphaned
    from clauses.models import VariantSite

    current = VariantSite.objects.get(unit=unit, start=site.start)
    assert "横向发展机制和纵向" in current.canonical_reading
    decide(
        current,
        "emend",
        current.canonical_reading.replace("横向发展机制和纵向", "横向"),
        "back",
        editor,
    )
    changed = Note.objects.get(pk=c13_notes["changed"].pk)
    assert not changed.orphaned
    assert (changed.start, changed.end) == (c13_notes["changed"].start, c13_notes["changed"].end)


def test_orphaned_note_shows_the_text_it_was_made_on(client, c13_notes, owner, unit, site, editor):
    decide(site, "emend", "横向发展机制和纵向", "test", editor)
    client.force_login(owner)
    html = client.get("/documents/2024-yijian/u/c13/notes/").content.decode()
    assert html.count("is-orphaned") == 2
    assert "<mark>横向发展机制。</mark>" in html
    data = client.get("/annotations/?document=2024-yijian&unit=c13").json()
    orphans = [a for a in data["first"]["items"] if a.get("orphaned")]
    assert len(orphans) == 2


def test_a_note_never_moves_to_the_same_words_elsewhere(owner, editor):
    """Issue 9: a note on the first 和谐 of (六); an editor takes B's 和行业 there. The
    other 和谐 of the clause is the quote's only occurrence now, but not its place."""
    from clauses.models import Unit, VariantSite

    c6 = Unit.objects.get(document__slug="2024-yijian", key="c6")
    first = c6.canonical.index("和谐")
    assert c6.canonical.count("和谐") == 2
    note = add_note(owner, c6, quote="和谐")
    assert note.start == first
    recorded = (note.exact, note.prefix, note.suffix, note.start, note.end)
    site = VariantSite.objects.get(unit=c6, start=first)
    decide(site, "choose", "和行业", "B", editor)
    c6.refresh_from_db()
    assert c6.canonical.count("和谐") == 1 and "区域和行业劳动关系" in c6.canonical
    note.refresh_from_db()
    assert note.orphaned and note.reanchored is None
    assert (note.exact, note.prefix, note.suffix, note.start, note.end) == recorded
    # The editor's decision undone: the place is back, and so is the note.
    # (Collated against the new text, the site is drawn narrower: 谐 / 行业.)
    site = next(s for s in VariantSite.objects.filter(unit=c6) if "行业" in s.readings["B"])
    decide(site, "choose", site.readings["A"], "back", editor)
    note.refresh_from_db()
    assert not note.orphaned and (note.start, note.end) == recorded[3:]


def test_reanchor_needs_the_context_next_to_the_quote():
    text = "推进区域和谐劳动关系高质量发展。积极推进构建和谐劳动关系。"
    a = anchor_at(text, 4, 6)  # the first 和谐
    # Unchanged, or changed far from the quote: it stays, at its (shifted) place.
    assert reanchor(text, a.exact, a.prefix, a.suffix).start == 4
    far = "全面" + text.replace("积极推进", "大力推进")
    assert reanchor(far, a.exact, a.prefix, a.suffix).start == 6
    # Changed next to the quote: orphaned, not guessed.
    assert reanchor(text.replace("区域和谐", "地区和谐"), a.exact, a.prefix, a.suffix) is None
    # The quote changed where it was: the other 和谐 is not its place.
    assert reanchor(text.replace("区域和谐", "区域和行业"), a.exact, a.prefix, a.suffix) is None
    # The quote inserted a second time elsewhere: it stays where it was.
    twice = text.replace("积极推进", "和谐发展，积极推进")
    assert reanchor(twice, a.exact, a.prefix, a.suffix).start == 4


def test_orphans_are_reattached_by_hand(client, c13_notes, owner, other, unit, site, editor):
    decide(site, "emend", "横向发展机制和纵向", "test", editor)
    orphan = Note.objects.get(pk=c13_notes["twice"].pk)  # 发展机制, now twice in the text
    assert orphan.orphaned
    url = f"/notes/{orphan.pk}/reattach/"
    client.force_login(owner)  # the author (the note is private)
    page = client.get(url).content.decode()
    assert page.count('name="start"') == 2 and "csrfmiddlewaretoken" in page
    # Two occurrences and none chosen: a clear message, nothing written.
    response = client.post(url, {"exact": "发展机制"})
    assert response.status_code == 400 and "2" in response.content.decode()
    assert Note.objects.get(pk=orphan.pk).orphaned
    for bad in ({"exact": ""}, {"exact": "不在此处"}, {"exact": "发展机制", "start": "1"}):
        assert client.post(url, bad).status_code == 400
    unit.refresh_from_db()
    second = [i for i in range(len(unit.canonical)) if unit.canonical.startswith("发展机制", i)][1]
    response = client.post(url, {"exact": "发展机制", "start": str(second)})
    assert response.status_code == 302
    note = Note.objects.get(pk=orphan.pk)
    assert not note.orphaned and note.start == second and note.reanchored is not None
    assert note.prefix == unit.canonical[max(0, second - CONTEXT) : second]
    # Attached now: nothing to re-attach.
    assert client.post(url, {"exact": "发展机制", "start": str(second)}).status_code == 400
