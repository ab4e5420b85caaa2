"""Import order changes nothing: the four demo copies of the 2024 Opinion in all
24 orders give the same units, canonical texts and variant sites.

Each copy is imported with the kind and date that ``clauses/demo/manifest.json``
gives it, and its siglum assigned automatically, so the sigla follow the
import order; sites are therefore compared with each reading's sources named
by file, not by siglum.

* :func:`test_same_unit_keys_in_every_order` -- the unit keys (ingest.py);
* :func:`test_same_canonical_and_sites_in_every_order` -- per unit key, the
  canonical text and every site as ``(start, end, type, tie, {reading:
  sorted file names})`` (collation).
"""

from __future__ import annotations

import datetime
import itertools
import json
from functools import cache

import pytest
from django.db import transaction

from clauses.ingest import SourceMeta, import_source
from clauses.models import Document, Source, Unit

from .seeds import DEMO, prepared, seed_bytes

pytestmark = pytest.mark.django_db

COPIES = ("000", "001", "003", "004")  # the 2024 Opinion; 002 is the 2017 Plan


def manifest() -> dict[str, dict]:
    data = json.loads((DEMO / "manifest.json").read_text(encoding="utf-8"))
    return {entry["file"][:3]: entry for entry in data["sources"]}


def meta(name: str) -> SourceMeta:
    entry = manifest()[name]
    published = entry.get("published")
    return SourceMeta(
        title=entry["title"],
        kind=entry["kind"],
        publication=entry.get("publication", ""),
        published=datetime.date.fromisoformat(published) if published else None,
        filename=entry["file"],
    )


def snapshot(document: Document) -> dict[str, tuple]:
    """``{unit key: (canonical, [(start, end, type, tie, {reading: [files]})])}``."""
    files = dict(Source.objects.filter(document=document).values_list("siglum", "filename"))
    out = {}
    for u in Unit.objects.filter(document=document).prefetch_related("sites"):
        sites = []
        for s in sorted(u.sites.all(), key=lambda s: s.index):
            by_reading: dict[str, list[str]] = {}
            for siglum, text in s.readings.items():
                by_reading.setdefault(text, []).append(files[siglum])
            sites.append(
                (
                    s.start,
                    s.end,
                    s.type,
                    s.tie,
                    {r: sorted(f) for r, f in sorted(by_reading.items())},
                )
            )
        out[u.key] = (u.canonical, sites)
    return out


class _Rollback(Exception):
    pass


@cache
def snapshots() -> dict[tuple[str, ...], dict[str, tuple]]:
    """Import the four copies in every order (each rolled back afterwards)."""
    title = Document.objects.get(slug="2024-yijian").title
    out = {}
    for order in itertools.permutations(COPIES):
        try:
            with transaction.atomic():
                doc = Document.objects.create(slug="order-" + "-".join(order), title=title)
                for name in order:
                    import_source(
                        seed_bytes(name),
                        meta(name),
                        document=doc,
                        prepared=prepared(name),
                        accept_cuts=True,
                    )
                out[order] = snapshot(doc)
                raise _Rollback
        except _Rollback:
            pass
    return out


def test_same_unit_keys_in_every_order():
    shots = snapshots()
    assert len(shots) == 24
    first_order, first = next(iter(shots.items()))
    differ = {
        order: sorted(set(shot) ^ set(first))
        for order, shot in shots.items()
        if set(shot) != set(first)
    }
    assert not differ, f"unit keys differ from order {first_order}: {differ}"


def test_same_canonical_and_sites_in_every_order():
    shots = snapshots()
    first_order, first = next(iter(shots.items()))
    common = set(first).intersection(*shots.values())
    differ = {}
    for order, shot in shots.items():
        keys = sorted(k for k in common if shot[k] != first[k])
        if keys:
            differ[order] = keys
    assert not differ, f"canonical text or sites differ from order {first_order}: {differ}"
    # the data is rich enough to mean something
    sites = [s for _, unit_sites in first.values() for s in unit_sites]
    assert len(sites) >= 30 and len({s[2] for s in sites}) >= 3
