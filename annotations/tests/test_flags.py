"""Transcription-error flags: the form, the editors' queue, decisions, errata."""

import csv
import io

import pytest

from annotations.models import Flag
from annotations.services import Invalid, create_flag, decide_flag, find_site
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


def test_confirm_and_set_the_canonical_reading(client, owner, editor, site, unit):
    a = create_flag(owner, site, unit.document.sources.get(siglum="B"), proposed="横向的")
    client.force_login(editor)
    response = client.post(
        f"/flags/{a.pk}/decide/",
        {"action": "confirm", "reason": "据原件", "correction": "横向的", "set_canonical": "on"},
        **HX,
    )
    assert response.status_code == 200 and "an-state-confirmed" in response.content.decode()
    a.refresh_from_db()
    assert a.state == "confirmed" and a.correction == "横向的" and a.decided_by == editor
    assert a.decision.action == SiteDecision.Action.EMEND and a.decision.reason == "据原件"
    unit.refresh_from_db()
    assert unit.canonical.startswith("贯通产业工人横向的发展机制")
    change = CanonicalChange.objects.filter(unit=unit).first()
    assert change.cause == "decision" and change.user == editor


def test_confirming_with_another_sources_reading_chooses_it(owner, editor, site, unit):
    flag = create_flag(owner, site, unit.document.sources.get(siglum="A"), proposed="纵向")
    decide_flag(flag, editor, confirm=True, reason="r", set_canonical=True)
    flag.refresh_from_db()
    assert flag.decision.action == "choose"
    unit.refresh_from_db()
    assert unit.canonical.startswith("贯通产业工人纵向")


def test_confirm_without_setting_the_canonical_text(owner, editor, site, unit):
    before = unit.canonical
    flag = create_flag(owner, site, unit.document.sources.get(siglum="B"), proposed="横向")
    decide_flag(flag, editor, confirm=True, reason="r")
    unit.refresh_from_db()
    assert unit.canonical == before and Flag.objects.get().decision is None


def test_reject_needs_a_reason_and_a_lost_site_cannot_set_the_canonical(
    client, owner, editor, site, unit
):
    flag = create_flag(owner, site, unit.document.sources.get(siglum="B"), proposed="横向")
    with pytest.raises(Invalid):
        decide_flag(flag, editor, confirm=False, reason="  ")
    Flag.objects.filter(pk=flag.pk).update(reading="已不存在")
    client.force_login(editor)
    response = client.post(
        f"/flags/{flag.pk}/decide/",
        {"action": "confirm", "reason": "r", "set_canonical": "on"},
        **HX,
    )
    assert "form-errors" in response.content.decode()
    assert Flag.objects.get().state == "open"  # nothing written
    decide_flag(flag, editor, confirm=False, reason="不是错误")
    assert Flag.objects.get().state == "rejected"


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
    sources = list(unit.document.sources.all())
    sites = list(VariantSite.objects.filter(unit__document=unit.document))
    made = 0
    for s in sites:
        for src in sources:
            if made >= n or src.siglum not in s.readings:
                continue
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
