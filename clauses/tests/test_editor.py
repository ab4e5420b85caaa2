"""Editors' pages through the test client: decisions, the queue, source priority,
the unit page; permissions, CSRF, bad input, htmx fragments, query counts."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.contrib.messages import get_messages
from django.test import Client

from clauses.collation import priority_order
from clauses.models import CanonicalChange, SiteDecision, Source, Unit, VariantSite
from clauses.views_editor import differs_from_canonical

pytestmark = pytest.mark.django_db

SLUG = "2024-yijian"
DOC = f"/documents/{SLUG}/"
QUEUE = DOC + "queue/"
PRIORITY = DOC + "priority/"


@pytest.fixture(autouse=True)
def whole_queue(settings):
    """These tests read the whole queue on one page; paging has its own test."""
    settings.QUEUE_UNITS_PER_PAGE = 1000


@pytest.fixture
def staff(client):
    user = User.objects.create_user("editor", password="pw", is_staff=True, first_name="李")
    client.force_login(user)
    return user


def site_of(key: str, fragment: str = "", siglum: str = "B") -> VariantSite:
    """The site of unit ``key`` where ``siglum``'s reading contains ``fragment``."""
    return next(
        s
        for s in VariantSite.objects.filter(unit__document__slug=SLUG, unit__key=key)
        if siglum in s.readings
        and (fragment in s.readings[siglum] if fragment else s.readings[siglum] == "")
    )


def decide_url(site: VariantSite) -> str:
    return f"{DOC}sites/{site.pk}/decide/"


def written() -> tuple[int, int, list]:
    return (
        SiteDecision.objects.count(),
        CanonicalChange.objects.count(),
        list(Source.objects.order_by("pk").values_list("priority", flat=True)),
    )


# --- Permissions and CSRF -----------------------------------------------------


def test_anonymous_and_readers_cannot_use_editor_pages(client):
    site = site_of("c13", "纵")
    before = written()
    post = {"action": "choose", "text": site.readings["B"], "next": QUEUE}
    # Anonymous: to the sign-in page.
    response = client.get(QUEUE)
    assert response.status_code == 302 and response.url.startswith("/accounts/login/?next=")
    assert client.post(decide_url(site), post).status_code == 302
    assert client.post(PRIORITY, {"order": "D C B A"}).status_code == 302
    # htmx: the whole page goes to the sign-in page, not a fragment.
    response = client.post(decide_url(site), post, headers={"HX-Request": "true"})
    assert response.headers["HX-Redirect"].startswith("/accounts/login/")
    # Signed in without being an editor: 403.
    client.force_login(User.objects.create_user("reader", password="pw"))
    assert client.get(QUEUE).status_code == 403
    assert client.post(decide_url(site), post).status_code == 403
    assert client.post(PRIORITY, {"order": "D C B A"}).status_code == 403
    assert written() == before
    # Readers see the unit page without the forms.
    html = client.get(DOC + "u/c13/").content.decode()
    assert "/decide/" not in html and "纵" in html


def test_decide_and_priority_need_csrf_token_and_post(staff):
    site = site_of("c13", "纵")
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(staff)
    before = written()
    assert strict.post(decide_url(site), {"action": "keep"}).status_code == 403
    assert strict.post(PRIORITY, {"order": "D C B A"}).status_code == 403
    assert strict.get(decide_url(site)).status_code == 405
    assert strict.get(PRIORITY).status_code == 405
    assert written() == before


# --- Deciding -----------------------------------------------------------------


def test_choose_without_js_redirects_back_with_a_message(client, staff):
    site = site_of("c13", "纵")
    zong = site.readings["B"]
    response = client.post(
        decide_url(site),
        {"action": "choose", "text": zong, "reason": "官方转载", "next": QUEUE + "?source=B#q-c13"},
    )
    assert response.status_code == 302 and response.url == QUEUE + "?source=B#q-c13"
    unit = Unit.objects.get(document__slug=SLUG, key="c13")
    assert unit.canonical.startswith("贯通产业工人" + zong)
    decision = SiteDecision.objects.get()
    assert (decision.action, decision.text, decision.reason, decision.decided_by) == (
        "choose",
        zong,
        "官方转载",
        staff,
    )
    [message] = list(get_messages(response.wsgi_request))
    assert zong in str(message) and "（十三）" in str(message)


def test_choose_the_canonical_reading_is_keep_and_next_must_be_local(client, staff):
    site = site_of("c13", "纵")
    response = client.post(
        decide_url(site),
        {"action": "choose", "text": site.canonical_reading, "next": "https://evil.example/"},
    )
    assert response.status_code == 302 and response.url == DOC + "u/c13/"
    decision = SiteDecision.objects.get()
    assert decision.action == "keep" and decision.text == site.canonical_reading


def test_emend_needs_a_reason_and_may_delete(client, staff):
    site = site_of("c13", "")  # B omits 职业资格、
    before = written()
    response = client.post(decide_url(site), {"action": "emend", "text": "", "next": QUEUE})
    assert response.status_code == 400
    assert "Give a reason" in response.content.decode() or "理由" in response.content.decode()
    assert written() == before
    response = client.post(
        decide_url(site), {"action": "emend", "text": "", "reason": "衍文", "next": QUEUE}
    )
    assert response.status_code == 302
    decision = SiteDecision.objects.get()
    assert decision.action == "emend" and decision.text == "" and decision.applied
    assert "职业资格、职业技能" not in Unit.objects.get(document__slug=SLUG, key="c13").canonical


@pytest.mark.parametrize(
    "data",
    [
        {"action": "choose", "text": "竖向"},  # no source reads it
        {"action": "choose"},
        {"action": "overrule", "text": "纵向"},
        {},
        {"action": "emend", "text": "纵横", "reason": ""},
        {"action": "emend", "text": "纵\n横", "reason": "two lines"},
    ],
)
def test_bad_input_is_400_and_writes_nothing(client, staff, data):
    site = site_of("c13", "纵")
    before = written()
    response = client.post(decide_url(site), {**data, "origin": "queue", "next": QUEUE})
    assert response.status_code == 400
    assert 'class="form-errors"' in response.content.decode()
    assert written() == before


def test_unknown_and_stale_sites(client, staff):
    site = site_of("c13", "纵")
    other = site_of("c13", "工作")
    assert client.post(f"{DOC}sites/999999/decide/", {"action": "keep"}).status_code == 404
    # A site of another document is not this document's.
    assert client.post(f"/documents/2017-fangan/sites/{site.pk}/decide/", {}).status_code == 404
    # Deciding re-collates c13: its other sites get new ids. An older page posts the old one.
    client.post(decide_url(site), {"action": "choose", "text": site.readings["B"]})
    before = written()
    stale = {"action": "keep", "unit": "c13", "next": QUEUE, "origin": "queue"}
    response = client.post(decide_url(other), stale)
    assert response.status_code == 302 and response.url == QUEUE
    [message] = list(get_messages(response.wsgi_request))[-1:]
    assert message.level_tag == "warning"
    response = client.post(decide_url(other), stale, headers={"HX-Request": "true"})
    assert response.status_code == 409
    html = response.content.decode()
    assert html.lstrip().startswith('<tbody id="q-c13"') and "工作" in html
    assert written() == before


# --- htmx fragments -----------------------------------------------------------


def test_htmx_decision_in_the_queue_swaps_the_units_rows(client, staff):
    client.cookies["django_language"] = "en"
    site = site_of("c13", "纵")
    response = client.post(
        decide_url(site),
        {
            "action": "choose",
            "text": site.readings["B"],
            "origin": "queue",
            "unit": "c13",
            "next": QUEUE + "?type=substitution#q-c13",
        },
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<tbody id="q-c13" class="queue-unit">')
    assert "<html" not in html
    assert 'role="status"' in html and "纵" in html  # the notice row
    # Only substitutions, as the queue showed: c13's omission (职业资格、) is left out.
    assert "职业资格、] " not in html and "技术]" in html
    # The filter links and the count, out of band, counted again.
    assert 'id="queue-facets" class="facets"' in html and 'hx-swap-oob="true"' in html
    assert re.search(r'decided <span class="count">1</span>', html)
    # The new rows post to the new sites, and carry the filters back.
    new = site_of("c13", "纵")
    assert f"/sites/{new.pk}/decide/" in html and f"/sites/{site.pk}/decide/" not in html
    assert 'value="/documents/2024-yijian/queue/?type=substitution#q-c13"' in html
    assert "is-decided" in html


def test_htmx_decision_on_the_unit_page_swaps_the_unit(client, staff):
    site = site_of("c22", "养")
    response = client.post(
        decide_url(site),
        {"action": "keep", "reason": "official wording", "origin": "unit", "unit": "c22"},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<article class="unit-page" id="unit-body">')
    assert "<html" not in html and "official wording" in html
    # htmx without a known origin (the reader's panel, say): a plain redirect.
    response = client.post(
        decide_url(site_of("c22", "养")),
        {"action": "keep", "next": "/documents/2024-yijian/read/"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 302 and response.url == "/documents/2024-yijian/read/"


def test_htmx_bad_input_answers_the_fragment_with_the_error(client, staff):
    site = site_of("c13", "纵")
    response = client.post(
        decide_url(site),
        {"action": "emend", "text": "纵横向", "origin": "unit", "unit": "c13"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert html.lstrip().startswith('<article class="unit-page"')
    assert 'value="纵横向"' in html  # what the editor typed is still there
    assert '<details class="emend" open>' in html


# --- The queue ----------------------------------------------------------------


def counts(html: str, name: str) -> dict[str, int]:
    """Facet links of one row of filters: {label: count}."""
    row = re.search(
        rf'<p class="facet"><span class="facet-name">{name}</span>(.*?)</p>', html, re.S
    )
    return {
        re.sub(r"<[^>]+>", "", label).strip(): int(count)
        for label, count in re.findall(
            r'<a href="[^"]*"[^>]*>(.*?)<span class="count">(\d+)</span>', row.group(1), re.S
        )
    }


def test_queue_lists_every_site_in_document_order_with_counts(client, staff):
    client.cookies["django_language"] = "en"
    html = client.get(QUEUE).content.decode()
    sites = VariantSite.objects.filter(unit__document__slug=SLUG)
    total = sites.count()
    assert html.count('class="queue-row') == total
    assert f"{total} of {total} sites" in html
    types = counts(html, "Type")
    assert types["all"] == total
    assert types["substitution"] == sites.filter(type="substitution").count()
    assert sum(v for k, v in types.items() if k != "all") == total
    states = counts(html, "State")
    assert states == {"all": total, "open": total, "decided": 0}
    by_source = counts(html, "Differs in source")
    for siglum in "ABCD":
        assert by_source[siglum] == sites.for_source(siglum).count()
    # Document order: c13 after c12, before c14; the apparatus note and OCR cue are there.
    assert html.index('id="q-c12"') < html.index('id="q-c13"') < html.index('id="q-c14"')
    assert re.search(r"横向?\] 纵向? B; 横向? A C D", html)
    assert "likely OCR" in html and "中→巾" in html


def test_queue_pages_keep_the_filters(client, staff, settings):
    settings.QUEUE_UNITS_PER_PAGE = 5
    client.cookies["django_language"] = "en"
    html = client.get(QUEUE + "?type=substitution").content.decode()
    assert html.count('class="queue-unit') <= 5 or html.count("<tbody") <= 6
    assert 'href="?type=substitution&amp;page=2" rel="next"' in html
    units = VariantSite.objects.filter(unit__document__slug=SLUG, type="substitution")
    pages = -(-units.values("unit").distinct().count() // 5)
    assert f"Page 1 of {pages}" in html
    last = client.get(QUEUE + f"?type=substitution&page={pages}").content.decode()
    assert 'rel="prev"' in last and 'rel="next"' not in last
    # Every site appears on exactly one page.
    seen = 0
    for n in range(1, pages + 1):
        seen += (
            client.get(QUEUE + f"?type=substitution&page={n}")
            .content.decode()
            .count('class="queue-row')
        )
    assert seen == units.count()
    assert client.get(QUEUE + "?page=999").status_code == 200  # the last page, not a 404


def test_queue_filters(client, staff):
    client.cookies["django_language"] = "en"
    sites = VariantSite.objects.filter(unit__document__slug=SLUG)
    html = client.get(QUEUE + "?type=omission").content.decode()
    assert html.count('class="queue-row') == sites.filter(type="omission").count()
    assert 'href="/documents/2024-yijian/queue/?type=omission" aria-current="true"' in html
    html = client.get(QUEUE + "?source=B").content.decode()
    assert html.count('class="queue-row') == sites.for_source("B").count()
    html = client.get(QUEUE + "?source=B&type=omission").content.decode()
    assert html.count('class="queue-row') == sites.for_source("B").filter(type="omission").count()
    # Counts under the other filters: the type row counts B's sites only.
    assert counts(html, "Type")["all"] == sites.for_source("B").count()
    # Unknown values mean "all".
    html = client.get(QUEUE + "?type=nonsense&source=Z&state=maybe").content.decode()
    assert html.count('class="queue-row') == sites.count()
    # State.
    site = site_of("c13", "纵")
    client.post(decide_url(site), {"action": "keep"})
    html = client.get(QUEUE + "?state=decided").content.decode()
    assert html.count('class="queue-row') == 1 and 'id="q-c13"' in html
    html = client.get(QUEUE + "?state=open").content.decode()
    assert html.count('class="queue-row') == sites.count() - 1
    assert counts(html, "State") == {"all": sites.count(), "open": sites.count() - 1, "decided": 1}


def test_python_source_filter_agrees_with_the_queryset():
    sites = list(VariantSite.objects.filter(unit__document__slug=SLUG))
    for siglum in "ABCDE":
        expected = set(
            VariantSite.objects.filter(unit__document__slug=SLUG)
            .for_source(siglum)
            .values_list("pk", flat=True)
        )
        assert {s.pk for s in sites if differs_from_canonical(s, siglum)} == expected


def test_queue_query_count_is_fixed(
    client, staff, django_assert_num_queries, django_assert_max_num_queries
):
    with django_assert_num_queries(6):
        client.get(QUEUE)
    for key, fragment in (("c13", "纵"), ("c22", "养"), ("c13", "工作")):
        site = site_of(key, fragment)
        client.post(decide_url(site), {"action": "choose", "text": site.readings["B"]})
    # An unapplied decision too.
    c22 = Unit.objects.get(document__slug=SLUG, key="c22")
    a_text = c22.readings.get(source__siglum="A").text
    c22.readings.filter(source__siglum="B").update(text=a_text)
    c22.readings.filter(source__siglum="D").update(text=a_text)
    from clauses.collation import recollate

    recollate([c22])
    # One more when the page shows decided sites: the flags that made any of them.
    with django_assert_max_num_queries(7):
        html = client.get(QUEUE + "?type=substitution&source=B").content.decode()
    assert "not applied" in html or "未应用" in html


# --- Priority -----------------------------------------------------------------


def test_priority_reorders_and_says_how_many_texts_changed(client, staff):
    client.cookies["django_language"] = "en"
    html = client.get(QUEUE).content.decode()
    sources = Source.objects.filter(document__slug=SLUG)
    assert 'name="order"' in html and f'value="{" ".join(priority_order(sources))}"' in html
    response = client.post(PRIORITY, {"order": "b, a > C D", "next": QUEUE + "?type=omission"})
    assert response.status_code == 302 and response.url == QUEUE + "?type=omission"
    assert list(Source.objects.filter(document__slug=SLUG).values_list("siglum", flat=True)) == [
        "B",
        "A",
        "C",
        "D",
    ]
    [message] = list(get_messages(response.wsgi_request))
    # Priority breaks only ties left after kind and date (issue 9): it may change nothing.
    changed = CanonicalChange.objects.filter(cause="priority").count()
    assert f"B > A > C > D: {changed} canonical text" in str(message)
    html = client.get(QUEUE).content.decode()
    assert f'value="{" ".join(priority_order(sources.all()))}"' in html
    assert priority_order(sources.all()).index("B") < priority_order(sources.all()).index("A")


@pytest.mark.parametrize(
    "order,error",
    [
        ("A B C", "missing"),
        ("A B C D D", "more than once"),
        ("A B C D E", "Not a siglum"),
        ("", "required"),
    ],
)
def test_priority_refuses_a_bad_order(client, staff, order, error):
    client.cookies["django_language"] = "en"
    before = written()
    response = client.post(PRIORITY, {"order": order})
    assert response.status_code == 400
    assert error in response.content.decode()
    assert written() == before


# --- Unit page ----------------------------------------------------------------


def test_unit_page_shows_marked_readings_apparatus_history_and_forms(client, staff):
    client.cookies["django_language"] = "en"
    site = site_of("c13", "纵")
    client.post(
        decide_url(site), {"action": "choose", "text": site.readings["B"], "reason": "官方"}
    )
    html = client.get(DOC + "u/c13/").content.decode()
    # Marked differences: A now differs where B is canonical.
    assert re.search(r'<a class="mk mk-substitution" href="#site-1"[^>]*>横向?</a>', html)
    assert '<a class="mk mk-omission" href="#site-2"' in html  # B omits 职业资格、
    # The apparatus, numbered, and the decision with who and why.
    assert re.search(r'<li id="site-1" class="app-note">', html)
    assert re.search(r"纵向?\] 横向? A C D; 纵向? B", html)
    assert "choose another reading" in html and "李" in html and "官方" in html
    # Forms for every site, posting back to this page.
    assert (
        html.count('class="decide-choose"')
        == VariantSite.objects.filter(unit__key="c13", unit__document__slug=SLUG).count()
    )
    assert 'name="origin" value="unit"' in html
    # History: the decision, by whom, why, what changed.
    assert "editor&#x27;s decision" in html or "editor's decision" in html
    assert re.search(r"<del>横</del><ins>纵</ins>", html)
    # The citation line, selectable, and its copy button (shown by the script).
    assert 'id="cite-gbt7714"' in html and 'id="cite-plain"' in html
    assert re.search(r'data-copy="#cite-gbt7714"[^>]* hidden>', html)


def test_unit_page_shows_decisions_that_no_longer_apply(client, staff):
    client.cookies["django_language"] = "en"
    site = site_of("c13", "纵")
    client.post(decide_url(site), {"action": "choose", "text": site.readings["B"]})
    c13 = Unit.objects.get(document__slug=SLUG, key="c13")
    c13.readings.filter(source__siglum="B").update(text=c13.readings.get(source__siglum="A").text)
    from clauses.collation import recollate

    recollate([c13])
    html = client.get(DOC + "u/c13/").content.decode()
    assert "Decisions not applied" in html and "not applied" in html


@pytest.mark.parametrize("key", ["c13", "c22", "p1", "s1"])
def test_unit_page_query_count_is_fixed(client, key, django_assert_num_queries):
    # Seven: the seventh is the document's relations to other versions.
    with django_assert_num_queries(7):
        assert client.get(f"{DOC}u/{key}/").status_code == 200
    client.force_login(User.objects.create_user("ed", password="pw", is_staff=True))
    with django_assert_num_queries(9):
        client.get(f"{DOC}u/{key}/")


def test_history_page_lists_changes(client, staff):
    site = site_of("c13", "纵")
    client.post(
        decide_url(site), {"action": "choose", "text": site.readings["B"], "reason": "官方"}
    )
    html = client.get(DOC + "history/").content.decode()
    assert "官方" in html and re.search(r"<del>横</del><ins>纵</ins>", html)
    assert 'href="/documents/2024-yijian/u/c13/"' in html


def test_history_page_comes_in_pages(client, staff, settings, django_assert_max_num_queries):
    """A long history (a 15,000-unit import writes thousands of changes) is
    read a page at a time: page links, the total, and queries that do not grow."""
    settings.HISTORY_CHANGES_PER_PAGE = 2
    units = list(Unit.objects.filter(document__slug="2024-yijian").order_by("order")[:5])
    CanonicalChange.objects.bulk_create(
        [
            CanonicalChange(
                unit=u,
                before=u.canonical,
                after=u.canonical + "改",
                cause="consensus",
            )
            for u in units
        ]
    )
    total = (
        CanonicalChange.objects.filter(unit__document__slug="2024-yijian")
        .exclude(before="")
        .count()
    )
    with django_assert_max_num_queries(12):
        html = client.get(DOC + "history/").content.decode()
    assert html.count('class="change ') == 2
    assert f"{total} " in html and 'rel="next" href="?page=2"' in html
    last = client.get(DOC + f"history/?page={(total + 1) // 2}").content.decode()
    assert 'rel="prev"' in last and 'rel="next"' not in last
    assert client.get(DOC + "history/?page=nonsense").status_code == 200


def test_bad_input_from_another_page_gets_the_whole_unit_page(client, staff):
    """The reader's panel posts without ``origin``: with or without htmx, a bad
    decision answers the whole unit page, its forms sending the editor back."""
    site = site_of("c13", "纵")
    data = {"action": "choose", "text": "竖", "next": "/documents/2024-yijian/read/#u-c13"}
    for headers in ({}, {"HX-Request": "true"}):
        response = client.post(decide_url(site), data, headers=headers)
        html = response.content.decode()
        assert response.status_code == 400 and "<html" in html
        assert 'name="next" value="/documents/2024-yijian/read/#site-' in html
    assert not SiteDecision.objects.exists()
