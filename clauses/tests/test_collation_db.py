"""clauses/collation.py against the database: consensus, decisions, priority, history.

The demo corpus is loaded once per session (conftest.py); every test rolls back.
"""

from __future__ import annotations

import datetime
import io
import re

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import transaction

from clauses.collation import decide, recollate, set_priority
from clauses.ingest import SourceMeta, import_source
from clauses.models import (
    CanonicalChange,
    Document,
    Reading,
    SiteDecision,
    Source,
    Unit,
    VariantSite,
)

from .seeds import seed_bytes

pytestmark = pytest.mark.django_db

SLUG = "2024-yijian"


@pytest.fixture
def doc():
    return Document.objects.get(slug=SLUG)


@pytest.fixture
def editor():
    return User.objects.create_user("editor", password="pw", is_staff=True)


def unit(key: str) -> Unit:
    return Unit.objects.get(document__slug=SLUG, key=key)


def site_reading(key: str, fragment: str, siglum: str = "B") -> VariantSite:
    """The site of unit ``key`` where the reading of ``siglum`` contains ``fragment``
    (where it reads nothing, for an empty ``fragment``). The engine may widen a
    site to a word (纵 → 纵向): tests do not depend on how wide it is."""
    return next(
        s
        for s in VariantSite.objects.filter(unit__document__slug=SLUG, unit__key=key)
        if siglum in s.readings
        and (fragment in s.readings[siglum] if fragment else s.readings[siglum] == "")
    )


def snapshot(document) -> dict:
    """Canonical texts and sites of a document, by unit key (no ids, no offsets' owners)."""
    return {
        u.key: (
            u.canonical,
            [
                (s.start, s.end, s.type, s.tie, s.readings, s.canonical_reading)
                for s in u.sites.order_by("index")
            ],
        )
        for u in Unit.objects.filter(document=document).prefetch_related("sites")
    }


# --- Consensus ----------------------------------------------------------------


def test_every_unit_with_two_readings_has_its_sites_and_only_those(doc):
    units = list(Unit.objects.filter(document=doc).prefetch_related("readings", "sites"))
    with_sites = [u for u in units if u.sites.all()]
    assert len(with_sites) > 20
    for u in units:
        if len(u.readings.all()) < 2:
            assert not u.sites.all(), u.key
        distinct = {r.text for r in u.readings.all()}
        assert bool(u.sites.all()) == (len(distinct) > 1), u.key
        for s in u.sites.all():
            assert set(s.readings) == {r.source.siglum for r in u.readings.all()}
            assert u.canonical[s.start : s.end] == s.canonical_reading
            assert any(r != s.canonical_reading for r in s.readings.values())
    # The single-source document has no site at all.
    assert not VariantSite.objects.filter(unit__document__slug="2017-fangan").exists()


def test_majority_reading_wins(doc):
    c13 = unit("c13")
    assert c13.canonical.startswith("贯通产业工人横向发展机制")
    assert "纵向" in Reading.objects.get(unit=c13, source__siglum="B").text
    site = site_reading("c13", "纵")
    assert site.readings["A"] == site.readings["C"] == site.readings["D"] == site.canonical_reading
    assert "横" in site.canonical_reading and "纵" in site.readings["B"]
    assert site.type == "substitution" and site.decision_id is None


def test_recollate_is_stable_and_writes_no_history_when_nothing_changes(doc):
    before = snapshot(doc)
    history = CanonicalChange.objects.count()
    stats = recollate(Unit.objects.filter(document=doc).in_order())
    assert stats.units == 39 and stats.changed == 0
    assert snapshot(doc) == before
    assert CanonicalChange.objects.count() == history


# --- Decisions ----------------------------------------------------------------


def test_decision_changes_canonical_text_and_writes_history(doc, editor):
    site = site_reading("c13", "纵")
    decision = decide(site, "choose", site.readings["B"], "B is the official reprint", editor)
    c13 = unit("c13")
    assert c13.canonical.startswith("贯通产业工人纵向发展机制")
    assert decision.applied and decision.active and decision.decided_by == editor
    change = CanonicalChange.objects.filter(unit=c13).first()  # newest first
    assert change.cause == CanonicalChange.Cause.DECISION
    assert change.user == editor
    assert change.reason == "B is the official reprint"
    assert "横向" in change.before and "纵向" in change.after
    assert change.created is not None
    # The rebuilt site carries the decision.
    new_site = site_reading("c13", "纵")
    assert new_site.canonical_reading == site.readings["B"] and new_site.decision == decision


def test_later_decision_replaces_the_earlier_one(doc, editor):
    site = site_reading("c13", "纵")
    zong, heng = site.readings["B"], site.readings["A"]
    first = decide(site, "choose", zong, "", editor)
    second = decide(site_reading("c13", "纵"), "keep", "", "back to the majority", editor)
    first.refresh_from_db()
    assert not first.active and second.active
    # keep records the canonical reading of the moment: 纵…, decided before.
    assert second.text == zong and second.action == "keep"
    third = decide(site_reading("c13", "纵"), "choose", heng, "majority after all", editor)
    assert unit("c13").canonical.startswith("贯通产业工人横向")
    assert SiteDecision.objects.filter(unit__key="c13", active=True).get() == third


def test_choose_refuses_a_reading_no_source_has(editor):
    site = site_reading("c13", "纵")
    with pytest.raises(ValueError):
        decide(site, "choose", "竖", "", editor)
    assert not SiteDecision.objects.exists()


def test_emendation_and_emendation_that_deletes(editor):
    site = site_reading("c13", "纵")
    decide(site, "emend", site.canonical_reading.replace("横", "纵横"), "both", editor)
    assert unit("c13").canonical.startswith("贯通产业工人纵横向发展机制")
    site = site_reading("c13", "", siglum="B")  # B omits 职业资格、
    decide(site, "emend", "", "B is right to omit it", editor)
    assert "职业资格、" not in unit("c13").canonical.split("建立", 1)[1][:8]


def test_decision_survives_recollate_and_a_new_import(doc, editor):
    site = site_reading("c13", "纵")
    decide(site, "choose", site.readings["B"], "B", editor)
    recollate(Unit.objects.filter(document=doc))
    assert unit("c13").canonical.startswith("贯通产业工人纵向")

    # A fifth copy: D's file with one character changed elsewhere (so a new checksum).
    data = seed_bytes("004")
    assert "大国工匠人才培养工程".encode() in data
    data = data.replace("大国工匠人才培养工程".encode(), "大国工匠人材培养工程".encode(), 1)
    result = import_source(
        data, SourceMeta(siglum="E"), document=doc, user=editor, accept_cuts=True
    )
    assert result.source.siglum == "E"
    c13 = unit("c13")
    assert c13.canonical.startswith("贯通产业工人纵向")  # 横 now has four copies, still overruled
    site = site_reading("c13", "纵")
    assert "横" in site.readings["E"]
    assert site.decision is not None and site.decision.applied
    assert SiteDecision.objects.get().applied


def test_decision_whose_site_vanished_is_kept_unapplied(doc, editor):
    site = site_reading("c13", "纵")
    decision = decide(site, "choose", site.readings["B"], "B", editor)
    # B's copy is corrected to A's text: every copy reads 横 there, the site is gone.
    c13 = unit("c13")
    a_text = Reading.objects.get(unit=c13, source__siglum="A").text
    Reading.objects.filter(unit=c13, source__siglum="B").update(text=a_text)
    recollate(Unit.objects.filter(document=doc))
    decision.refresh_from_db()
    assert decision.active and not decision.applied
    c13.refresh_from_db()
    assert c13.canonical == a_text
    sites = list(VariantSite.objects.filter(unit=c13))
    assert sites and not any("纵" in r for s in sites for r in s.readings.values())
    assert all(s.decision_id is None for s in sites)  # D's 互通 is still a site


# --- Priority -----------------------------------------------------------------


def test_authority_breaks_ties_kind_then_date_then_priority(doc, editor):
    """c22: A (newspaper, undated) and C (web) read 育, B (newspaper, 2024-10-23)
    and D (newspaper, undated) read 养: two against two. The supporters are
    compared best first: B, a dated newspaper, outranks A, an undated one."""
    site = site_reading("c22", "养")
    yu, yang = site.readings["A"], site.readings["B"]
    assert "育" in yu and "养" in yang
    assert site.readings == {"A": yu, "B": yang, "C": yu, "D": yang}  # two against two
    assert site.canonical_reading == yang and not site.tie
    # An earlier publication outranks a later one: date A before B.
    Source.objects.filter(document=doc, siglum="A").update(published=datetime.date(2024, 10, 22))
    recollate(Unit.objects.filter(document=doc))
    assert site_reading("c22", "养").canonical_reading == yu
    # Undated, A and B are equal; D (newspaper) then outranks C (web).
    Source.objects.filter(document=doc, siglum__in="AB").update(published=None)
    recollate(Unit.objects.filter(document=doc))
    assert site_reading("c22", "养").canonical_reading == yang
    # The editors' priority comes after kind and date.
    stats = set_priority(doc, ["A", "B", "C", "D"], editor)
    assert stats.changed >= 1
    assert site_reading("c22", "养").canonical_reading == yu
    change = CanonicalChange.objects.filter(unit__key="c22").first()
    assert change.cause == "priority" and change.user == editor
    assert "A > B > C > D" in change.reason
    # Majorities are not ties: c13 keeps 横 (A C D against B).
    assert "横" in site_reading("c13", "纵").canonical_reading


def test_a_tie_is_marked_and_does_not_follow_sigla(doc):
    """Two equal sources that disagree: the site is a tie, and the same reading
    is chosen whatever the sigla."""
    Source.objects.filter(document=doc).update(kind="newspaper", published=None, priority=100)
    recollate(Unit.objects.filter(document=doc))
    site = site_reading("c22", "养")
    assert site.tie
    chosen = site.canonical_reading
    # swap the sigla of A and B: the same text wins
    Source.objects.filter(document=doc, siglum="A").update(siglum="X")
    Source.objects.filter(document=doc, siglum="B").update(siglum="A")
    Source.objects.filter(document=doc, siglum="X").update(siglum="B")
    recollate(Unit.objects.filter(document=doc))
    again = site_reading("c22", "养", siglum="A")
    assert again.tie and again.canonical_reading == chosen
    assert not VariantSite.objects.filter(unit__document=doc, unit__key="c13", tie=True).exists()


def test_priority_does_not_override_decisions(doc, editor):
    site = site_reading("c22", "养")
    decide(site, "choose", site.readings["A"], "育 is the official wording", editor)
    set_priority(doc, ["B", "D", "A", "C"], editor)
    assert site_reading("c22", "养").canonical_reading == site.readings["A"]


def test_a_derived_copy_is_collated_but_does_not_vote(doc):
    """E, an official copy, is made from C and reads what C reads: at c22 育
    would win three against two if E voted. Derived, it is collated (its
    readings are in every site) and changes no canonical text."""
    c = Source.objects.get(document=doc, siglum="C")
    before = snapshot(doc)
    e = Source.objects.create(
        document=doc,
        siglum="E",
        title="repost of C",
        kind="official",  # would outrank every other copy, if it voted
        script="simplified",
        original=b"",
        encoding="utf-8",
        checksum="e" * 64,
        text="",
        derived_from=c,
    )
    Reading.objects.bulk_create(
        Reading(unit=r.unit, source=e, text=r.text, raw_start=0, raw_end=0, position=r.position)
        for r in Reading.objects.filter(source=c).select_related("unit")
    )
    recollate(Unit.objects.filter(document=doc))
    site = site_reading("c22", "养")
    assert site.readings["E"] == site.readings["C"] != site.canonical_reading
    after = snapshot(doc)
    for key, (canonical, _sites) in before.items():
        assert after[key][0] == canonical, key  # no canonical text changed
    # once it is no longer derived, it votes (and, official, outranks the rest)
    Source.objects.filter(pk=e.pk).update(derived_from=None)
    recollate(Unit.objects.filter(document=doc))
    assert site_reading("c22", "养").canonical_reading == site.readings["C"]


def test_a_copy_that_ends_inside_a_unit_leaves_a_lacuna(doc):
    """A copy of the whole text cut in the middle of （二十七）: the rest of the
    clause is one lacuna site ("copy ends here"), not an omission, and its
    canonical text still comes from the other copies."""
    text = seed_bytes("001").decode("utf-8")
    cut = text.index("营造浓厚社会氛围")
    result = import_source(
        text[:cut].encode("utf-8"),
        SourceMeta(siglum="T", kind="official", published=datetime.date(2024, 10, 1)),
        document=doc,
        accept_cuts=True,
    )
    assert result.source.siglum == "T"
    c27 = unit("c27")
    assert "营造浓厚社会氛围" in c27.canonical  # the lacuna did not vote
    sites = list(c27.sites.order_by("index"))
    lacunae = [s for s in sites if s.type == "lacuna"]
    assert len(lacunae) == 1, [(s.type, s.readings) for s in sites]
    lac = lacunae[0]
    assert lac.readings["T"] == "" and lac.end == len(c27.canonical)  # copy ends here
    assert c27.canonical[lac.start :].startswith("营造浓厚社会氛围")
    assert not any(s.type == "omission" and s.readings.get("T") == "" for s in sites)


# --- Command, export, determinism ---------------------------------------------


def test_recollate_command_prints_its_summary_last():
    out = io.StringIO()
    call_command("recollate", SLUG, stdout=out)
    last = out.getvalue().strip().splitlines()[-1]
    assert re.fullmatch(r"collated 39 units, \d+ readings in \d+\.\d{3} s", last), last


def test_export_carries_variants_with_types(client):
    data = client.get(f"/documents/{SLUG}/export.json").json()
    c13 = next(u for u in data["units"] if u["key"] == "c13")
    first = c13["variants"][0]
    assert first["type"] == "substitution"
    assert set(first["readings"]) == set("ABCD") and "纵" in first["readings"]["B"]
    assert c13["canonical"][first["start"] : first["end"]] == first["readings"]["A"]
    types = {v["type"] for u in data["units"] for v in u["variants"]}
    assert types <= set(VariantSite.Type.values) and len(types) >= 4
    c22 = next(u for u in data["units"] if u["key"] == "c22")
    assert any(v["likely_ocr"] and v.get("ocr_pairs") for v in c22["variants"])


def test_import_order_does_not_change_the_result(doc):
    """The four copies again, with their kinds and dates, in another order, into a
    second document: the same canonical texts and the same sites. (Manifest
    order: B A C D; here D C A B.) All 24 orders: test_import_order.py."""
    again = Document.objects.create(slug="again", title=doc.title)
    meta = {s.siglum: s for s in doc.sources.all()}
    for name, siglum in (("004", "D"), ("003", "C"), ("000", "A"), ("001", "B")):
        m = meta[siglum]
        import_source(
            seed_bytes(name),
            SourceMeta(siglum=siglum, kind=m.kind, published=m.published),
            document=again,
            accept_cuts=True,
        )
    before, after = snapshot(doc), snapshot(again)
    assert after.keys() == before.keys()
    for key in before:
        assert after[key] == before[key], key


def test_every_decided_site_carries_its_decision(doc, editor):
    """Choose another reading at every site of the document in turn: the decision
    applies, and a site of the re-collated unit carries it (the queue's "decided"),
    even where the new collation draws the site wider (学校 → 职业学校 after
    choosing 院校) or narrower (和谐 → 谐 after choosing 和行业)."""

    class Rollback(Exception):
        pass

    missing = []
    for site in list(VariantSite.objects.filter(unit__document=doc).select_related("unit")):
        other = next(r for r in site.readings.values() if r != site.canonical_reading)
        for action, text in (("choose", other), ("keep", "")):
            try:
                with transaction.atomic():
                    decision = decide(site, action, text, "", editor)
                    carried = VariantSite.objects.filter(unit=site.unit, decision=decision)
                    if not (decision.applied and carried.exists()):
                        missing.append((site.unit.key, site.index, action, text))
                    raise Rollback
            except Rollback:
                pass
    assert not missing


def test_a_lacuna_is_no_reading_to_adopt(doc, client):
    """The queue offers no 'choose' at a lacuna, and a posted choice is refused."""
    from django.contrib.auth.models import User

    text = seed_bytes("001").decode("utf-8")
    cut = text.index("营造浓厚社会氛围")
    import_source(
        text[:cut].encode("utf-8"), SourceMeta(siglum="T"), document=doc, accept_cuts=True
    )
    lac = unit("c27").sites.get(type="lacuna")
    client.force_login(User.objects.create_user("ed", password="pw", is_staff=True))
    html = client.get(f"/documents/{SLUG}/queue/?type=lacuna").content.decode()
    assert "not a reading to adopt" in html or "不是可采用的异文" in html
    before = unit("c27").canonical
    response = client.post(
        f"/documents/{SLUG}/sites/{lac.pk}/decide/",
        {"action": "choose", "text": "", "origin": "queue", "unit": "c27"},
    )
    assert response.status_code == 400
    assert unit("c27").canonical == before


def test_two_wordings_that_tie_throughout_give_one_copys_text_per_unit():
    """The 2021 工会法 and a partial web copy of its 2001 wording (corpus
    pages d02, d03), equally authoritative: every differing site is a 1 : 1
    tie. Each unit's canonical text is then one copy's whole reading (the
    one the consensus starts from), its sites marked tie -- not a mixture of
    the two wordings that no copy has (第二、三、四、六条 used to be)."""
    from pathlib import Path

    pages = Path(__file__).parent / "fixtures" / "corpus" / "pages"
    law = import_source(
        (pages / "d02-gonghuifa-lawrefbook.txt").read_bytes(), SourceMeta(kind="other")
    ).source.document
    import_source(
        (pages / "d03-gonghuifa2001-psjzj.txt").read_bytes(),
        SourceMeta(kind="other"),
        document=law,
        accept_cuts=True,
    )
    both = 0
    for unit in Unit.objects.filter(document=law).prefetch_related("readings", "sites"):
        texts = {r.text for r in unit.readings.all()}
        if len(unit.readings.all()) == 2 and len(texts) == 2:
            both += 1
            assert unit.canonical in texts, unit.locator
            assert all(s.tie for s in unit.sites.all() if s.type != "lacuna"), unit.locator
    assert both >= 4  # 第二、三、四、六条 at least


def test_edges_are_each_copys_first_and_last_position(doc):
    """clauses.collation.edges_of: per source with readings, the smallest and
    the largest ``Reading.position``; a source with none is left out."""
    from django.db.models import Max, Min

    from clauses.collation import edges_of

    expected = {
        sid: (first, last)
        for sid, first, last in Reading.objects.filter(source__document=doc)
        .values("source_id")
        .annotate(first=Min("position"), last=Max("position"))
        .values_list("source_id", "first", "last")
    }
    assert len(expected) >= 2
    assert edges_of(doc.pk) == expected
    source = doc.sources.order_by("pk").last()
    Reading.objects.filter(source=source).delete()
    del expected[source.pk]
    assert edges_of(doc.pk) == expected
