"""Transcription-error flags: the form, the editors' queue, decisions, errata."""

import csv
import io

import pytest

from annotations.models import Flag
from annotations.services import (
    Duplicate,
    Invalid,
    confirmed_errors_at,
    create_flag,
    decide_flag,
    find_site,
    standing_flag,
)
from clauses.collation import recollate
from clauses.models import CanonicalChange, SiteDecision, Unit, VariantSite

HX = {"HTTP_HX_REQUEST": "true"}


def flag_url(site, siglum="B"):
    return f"/documents/2024-yijian/sites/{site.pk}/flag/?source={siglum}"


def test_flag_form_fragment_and_post(client, owner, site):
    client.force_login(owner)
    html = client.get(flag_url(site), **HX).content.decode()
    assert html.lstrip().startswith('<section class="an-flag"') and "<html" not in html
    assert "纵向" in html and 'value="横向"' in html  # printed reading; the canonical one proposed
    response = client.post(flag_url(site), {"proposed": "横向", "comment": "排错"}, **HX)
    assert "an-flag-done" in response.content.decode()
    flag = Flag.objects.get()
    assert (flag.source.siglum, flag.unit.key, flag.reading, flag.proposed) == (
        "B",
        "c13",
        "纵向",
        "横向",
    )
    assert flag.site_readings == {"A": "横向", "B": "纵向", "C": "横向", "D": "横向"}
    assert (
        flag.canonical_reading == "横向"
        and flag.before == "贯通产业工人"
        and flag.after.startswith("发展机制")
    )
    assert flag.position == site.start and flag.state == "open"


def test_flag_form_without_javascript(client, owner, site):
    client.force_login(owner)
    page = client.get(flag_url(site)).content.decode()
    assert "<html" in page and "an-flag" in page
    response = client.post(flag_url(site), {"proposed": "横向"})
    assert response.status_code == 302 and response.url.endswith("/u/c13/notes/#variants")


def test_flag_refusals(owner, site, unit):
    b = unit.document.sources.get(siglum="B")
    with pytest.raises(Invalid):
        create_flag(owner, site, b, proposed="纵向")  # the printed reading itself
    create_flag(owner, site, b, proposed="横向")
    with pytest.raises(Invalid):
        create_flag(owner, site, b, proposed="横向")  # open already
    p = unit.document.__class__.objects.get(slug="2017-fangan").sources.get()
    with pytest.raises(Invalid):
        create_flag(owner, site, p, proposed="x")  # another document's source


def test_a_flag_finds_its_site_after_recollation(owner, site, unit):
    flag = create_flag(owner, site, unit.document.sources.get(siglum="B"), proposed="横向")
    recollate([Unit.objects.get(pk=unit.pk)])
    assert not VariantSite.objects.filter(pk=site.pk).exists()  # sites are rebuilt
    found = find_site(flag)
    assert found is not None and found.pk != site.pk
    assert (found.start, found.readings) == (site.start, site.readings)


def test_confirming_emends_the_site_in_the_same_transaction(client, owner, editor, site, unit):
    a = create_flag(owner, site, unit.document.sources.get(siglum="B"), proposed="横向的")
    client.force_login(editor)
    response = client.post(
        f"/flags/{a.pk}/decide/",
        {"action": "confirm", "reason": "据原件", "correction": "横向的"},
        **HX,
    )
    html = response.content.decode()
    assert response.status_code == 200 and "an-state-confirmed" in html
    assert "set_canonical" not in html
    a.refresh_from_db()
    assert a.state == "confirmed" and a.correction == "横向的" and a.decided_by == editor
    assert a.decision.action == SiteDecision.Action.EMEND and a.decision.reason == "据原件"
    assert a.decision.decided_by == editor and a.decision.active and a.decision.applied
    unit.refresh_from_db()
    assert unit.canonical.startswith("贯通产业工人横向的发展机制")
    change = CanonicalChange.objects.filter(unit=unit).first()
    assert change.cause == "decision" and change.user == editor
    # The queue's data: the site now carries the decision, which names its flag.
    decided = VariantSite.objects.get(unit=unit, decision=a.decision)
    assert list(decided.decision.flags.all()) == [a]
    assert Flag.objects.through_decisions([a.decision_id]) == {a.decision_id: a}


def test_confirming_with_another_sources_reading_chooses_it(owner, editor, site, unit):
    flag = create_flag(owner, site, unit.document.sources.get(siglum="A"), proposed="纵向")
    decide_flag(flag, editor, confirm=True, reason="r")
    flag.refresh_from_db()
    assert flag.decision.action == "choose"
    unit.refresh_from_db()
    assert unit.canonical.startswith("贯通产业工人纵向")


def test_confirming_the_canonical_reading_keeps_it_against_the_majority(owner, editor, site, unit):
    before = unit.canonical
    flag = create_flag(owner, site, unit.document.sources.get(siglum="B"), proposed="横向")
    decide_flag(flag, editor, confirm=True, reason="r")
    unit.refresh_from_db()
    flag = Flag.objects.get()
    assert unit.canonical == before and flag.decision.action == SiteDecision.Action.KEEP
    # The reader's data: B's reading at the (rebuilt) site is a confirmed error.
    sites = list(VariantSite.objects.filter(unit=unit))
    errors = confirmed_errors_at(sites)
    (site_pk,) = errors
    here = VariantSite.objects.get(pk=site_pk)
    assert here.readings["B"] == "纵向" and errors[site_pk] == {"B": flag}


def test_a_failed_decision_writes_nothing(owner, editor, site, unit):
    flag = create_flag(owner, site, unit.document.sources.get(siglum="B"), proposed="横向")
    for bad in ("纵向", "横\n向", "x" * 501):
        with pytest.raises(Invalid):
            decide_flag(flag, editor, confirm=True, reason="r", correction=bad)
    assert Flag.objects.get().state == "open" and not SiteDecision.objects.exists()
    decide_flag(flag, editor, confirm=False, reason="不是错误")
    with pytest.raises(Invalid, match=f"#{flag.pk}"):  # decided already
        decide_flag(flag, editor, confirm=True, reason="again")
    assert Flag.objects.get().state == "rejected"


def test_reject_needs_a_reason_and_a_lost_site_cannot_be_confirmed(
    client, owner, editor, site, unit
):
    flag = create_flag(owner, site, unit.document.sources.get(siglum="B"), proposed="横向")
    with pytest.raises(Invalid):
        decide_flag(flag, editor, confirm=False, reason="  ")
    Flag.objects.filter(pk=flag.pk).update(reading="已不存在")
    client.force_login(editor)
    response = client.post(f"/flags/{flag.pk}/decide/", {"action": "confirm", "reason": "r"}, **HX)
    assert "form-errors" in response.content.decode()
    assert Flag.objects.get().state == "open" and not SiteDecision.objects.exists()
    decide_flag(flag, editor, confirm=False, reason="不是错误")
    assert Flag.objects.get().state == "rejected" and Flag.objects.get().decision is None


def test_a_second_flag_on_the_same_place_is_refused_with_a_link(
    client, owner, other, editor, site, unit
):
    b = unit.document.sources.get(siglum="B")
    first = create_flag(owner, site, b, proposed="横向")
    with pytest.raises(Duplicate) as refused:
        create_flag(other, site, b, proposed="横")  # another annotator, another proposal
    assert refused.value.flag == first and f"#{first.pk}" in str(refused.value)
    # The form says so at once, with a link, and offers no second flag.
    client.force_login(other)
    html = client.get(flag_url(site), **HX).content.decode()
    assert f'href="/flags/{first.pk}/"' in html and 'name="proposed"' not in html
    response = client.post(flag_url(site), {"proposed": "横"}, **HX)
    assert f'href="/flags/{first.pk}/"' in response.content.decode()
    # Another source's reading at the same site may be flagged.
    create_flag(other, site, unit.document.sources.get(siglum="A"), proposed="纵向")
    # Confirmed, it still stands (at the rebuilt site).
    decide_flag(first, editor, confirm=True, reason="r")
    here = find_site(Flag.objects.get(pk=first.pk))
    with pytest.raises(Duplicate) as refused:
        create_flag(other, here, b, proposed="横")
    assert refused.value.flag.pk == first.pk and refused.value.flag.state == "confirmed"


def test_errata_page_and_csv(client, owner, editor, site, unit):
    b = unit.document.sources.get(siglum="B")
    flag = create_flag(owner, site, b, proposed="横向")
    decide_flag(flag, editor, confirm=True, reason="排印错误")
    other = VariantSite.objects.get(unit=unit, canonical_reading="技术")
    rejected = create_flag(owner, other, b, proposed="技术")
    decide_flag(rejected, editor, confirm=False, reason="no")
    html = client.get("/documents/2024-yijian/sources/B/errata/").content.decode()
    assert "<del>纵向</del>" in html and "<ins>横向</ins>" in html and "排印错误" in html
    assert "<del>工作</del>" not in html  # rejected flags are not errata
    assert (
        "an-errata" not in client.get("/documents/2024-yijian/sources/A/errata/").content.decode()
    )
    response = client.get("/documents/2024-yijian/sources/B/errata.csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows == [
        {
            "document": "2024-yijian",
            "source": "B",
            "unit": "c13",
            "label": "（十三）",
            "printed": "纵向",
            "correct": "横向",
            "context_before": "贯通产业工人",
            "context_after": flag.after,
            "reason": "排印错误",
            "confirmed_by": "edna",
            "confirmed_at": rows[0]["confirmed_at"],
        }
    ]


def test_queue_filters(client, owner, editor, site, unit):
    b, d = unit.document.sources.get(siglum="B"), unit.document.sources.get(siglum="D")
    open_b = create_flag(owner, site, b, proposed="横向")
    open_d = create_flag(owner, site, d, proposed="横")
    client.force_login(editor)

    def ids(query):
        html = client.get("/flags/?" + query).content.decode()
        return {f.pk for f in (open_b, open_d) if f'id="flag-{f.pk}"' in html}

    assert ids("") == {open_b.pk, open_d.pk}  # open by default
    assert ids("source=D") == {open_d.pk}
    assert ids("document=2017-fangan") == set()
    decide_flag(open_d, editor, confirm=False, reason="x")
    assert ids("state=open") == {open_b.pk}
    assert ids("state=rejected") == {open_d.pk}
    assert ids("state=all") == {open_b.pk, open_d.pk}


def _flags(owner, editor, unit, n):
    """``n`` flags, every other one confirmed (which decides its site and rebuilds
    the unit's sites: they are read again after each)."""
    sources = list(unit.document.sources.all())
    made = 0
    while made < n:
        fresh = VariantSite.objects.filter(unit__document=unit.document).order_by("pk")
        place = next(
            (s, src)
            for s in fresh
            for src in sources
            if src.siglum in s.readings and standing_flag(s, src) is None
        )
        s, src = place
        flag = create_flag(owner, s, src, proposed=s.readings[src.siglum] + "X")
        decide_flag(flag, editor, confirm=bool(made % 2), reason="r")
        made += 1


@pytest.mark.parametrize(
    "url, queries",
    [("/flags/?state=all", 7), ("/documents/2024-yijian/sources/B/errata/", 5)],
)
def test_query_counts(client, owner, editor, unit, url, queries, django_assert_num_queries):
    client.force_login(editor)
    _flags(owner, editor, unit, 4)
    with django_assert_num_queries(queries):
        client.get(url)
    _flags(owner, editor, unit, 30)
    with django_assert_num_queries(queries):
        client.get(url)
