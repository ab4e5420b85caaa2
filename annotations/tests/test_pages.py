"""The notes and flags lists, page by page: sizes from settings, links that keep the filters."""

import re

import pytest

from annotations.models import Visibility
from annotations.services import create_flag
from clauses.models import VariantSite

from .conftest import OPINION, add_note

pytestmark = pytest.mark.django_db


def rows(html: str, cls: str) -> int:
    return len(re.findall(rf'<li class="{cls} ', html))


def test_notes_list_pages_keep_the_filters(client, settings, owner, unit):
    settings.NOTES_PER_PAGE = 2
    for i in range(5):
        add_note(owner, unit, Visibility.PUBLIC, f"public words {i}")
    url = f"/notes/?document={OPINION}&q=words"
    html = client.get(url).content.decode()
    assert rows(html, "an-row") == 2
    assert f'href="?document={OPINION}&amp;q=words&amp;page=2"' in html
    page3 = client.get(url + "&page=3").content.decode()
    assert rows(page3, "an-row") == 1
    assert (
        f'href="?document={OPINION}&amp;q=words&amp;page=2"' in page3 and 'rel="next"' not in page3
    )
    # Beyond the last page: the last; not a number: the first.
    for page, expected in (("99", 1), ("x", 2), ("-1", 1)):
        response = client.get(f"{url}&page={page}")
        assert response.status_code == 200 and rows(response.content.decode(), "an-row") == expected


def test_notes_list_one_page_has_no_pager(client, owner, unit):
    add_note(owner, unit, Visibility.PUBLIC, "only one")
    html = client.get("/notes/").content.decode()
    assert rows(html, "an-row") == 1 and 'class="pager"' not in html


def test_flags_list_pages_keep_the_filters(client, settings, owner, editor):
    settings.FLAGS_PER_PAGE = 2
    made = 0
    for site in VariantSite.objects.filter(unit__document__slug=OPINION).select_related("unit"):
        differing = [g for g, r in site.readings.items() if r != site.canonical_reading]
        if not differing:
            continue
        source = site.unit.document.sources.get(siglum=differing[0])
        try:
            create_flag(owner, site, source, proposed=site.canonical_reading)
        except Exception:  # noqa: BLE001 - a site the form would refuse: take another
            continue
        made += 1
        if made == 5:
            break
    assert made == 5
    client.force_login(editor)
    url = f"/flags/?state=open&document={OPINION}"
    html = client.get(url).content.decode()
    assert rows(html, "an-flag-row") == 2
    assert f'href="?state=open&amp;document={OPINION}&amp;page=2"' in html
    assert rows(client.get(url + "&page=3").content.decode(), "an-flag-row") == 1
    response = client.get(url + "&page=1000")
    assert response.status_code == 200 and rows(response.content.decode(), "an-flag-row") == 1
