"""The document export: every unit with its canonical text, readings and variants."""

from __future__ import annotations

import re

from django.db.models import Count, Q

from .models import CanonicalChange, Document, DocumentRelation, Reading, Unit, VariantSite


def unit_paths(units: list[Unit]) -> dict[int, list[str]]:
    """Each unit's chain of labels from the top (its own last), by unit id:
    ``["第二章", "第二十三条"]``. Units without a label (paragraphs) add none."""
    by_id = {u.pk: u for u in units}
    paths: dict[int, list[str]] = {}

    def path(unit: Unit, seen: frozenset = frozenset()) -> list[str]:
        if unit.pk in paths:
            return paths[unit.pk]
        parent = by_id.get(unit.parent_id)
        above = path(parent, seen | {unit.pk}) if parent and parent.pk not in seen else []
        paths[unit.pk] = [*above, unit.label] if unit.label else list(above)
        return paths[unit.pk]

    for unit in units:
        path(unit)
    return paths


def relations_of(document: Document) -> list[dict]:
    """The document's relations to other documents, both ways (one query).

    ``direction`` "to": this document is the relation's subject (the later
    version of the other one); "from": the other document is."""
    found = []
    relations = (
        DocumentRelation.objects.filter(Q(from_document=document) | Q(to_document=document))
        .select_related("from_document", "to_document")
        .order_by("created", "pk")
    )
    for r in relations:
        if r.from_document_id == document.pk:
            found.append({"kind": r.kind, "direction": "to", "document": r.to_document, "pk": r.pk})
        else:
            found.append(
                {"kind": r.kind, "direction": "from", "document": r.from_document, "pk": r.pk}
            )
    return found


def document_export(document: Document) -> dict:
    sources = list(document.sources.order_by("siglum").defer("original"))
    texts = {s.pk: s.text for s in sources}
    units = list(Unit.objects.filter(document=document).in_order())
    readings: dict[int, list[Reading]] = {}
    for r in Reading.objects.filter(unit__document=document).order_by("source__siglum"):
        readings.setdefault(r.unit_id, []).append(r)
    sigla = {s.pk: s.siglum for s in sources}
    sites: dict[int, list[VariantSite]] = {}
    for site in VariantSite.objects.filter(unit__document=document).order_by("unit", "index"):
        sites.setdefault(site.unit_id, []).append(site)
    unit_keys = {u.pk: u.key for u in units}
    # Each unit's current revision (clauses.citation): the number of its changes.
    revisions = dict(
        CanonicalChange.objects.filter(unit__document=document)
        .values("unit_id")
        .annotate(n=Count("pk"))
        .values_list("unit_id", "n")
    )
    paths = unit_paths(units)
    keys_by_source: dict[int, list[str]] = {s.pk: [] for s in sources}
    for unit in units:
        for r in readings.get(unit.pk, []):
            keys_by_source[r.source_id].append(unit.key)
    return {
        "document": {
            "slug": document.slug,
            "title": document.title,
            "issuers": document.issuers,
            "date": document.date.isoformat() if document.date else None,
            "number": document.number,
            "metadata": document.metadata or {},
            "relations": [
                {
                    "kind": r["kind"],
                    # "to": this document is the later version of the other one;
                    # "from": the other one is the later version of this one.
                    "direction": r["direction"],
                    "document": r["document"].slug,
                    "title": r["document"].title,
                }
                for r in relations_of(document)
            ],
        },
        "sources": [
            {
                "siglum": s.siglum,
                "title": s.title,
                "kind": s.kind,
                "publication": s.publication,
                "published": s.published.isoformat() if s.published else None,
                "script": s.script,
                "encoding": s.encoding,
                "checksum": s.checksum,
                "units": keys_by_source[s.pk],
            }
            for s in sources
        ],
        "units": [
            {
                "key": unit.key,
                "kind": unit.kind,
                "label": unit.label,
                "locator": unit.locator,
                "revision": max(revisions.get(unit.pk, 0), 1),
                **({"level": unit.level} if unit.kind == Unit.Kind.HEADING else {}),
                "parent": unit_keys.get(unit.parent_id),
                "path": paths[unit.pk],
                "canonical": unit.canonical,
                "readings": {
                    sigla[r.source_id]: {
                        "text": r.text,
                        "raw": texts[r.source_id][r.raw_start : r.raw_end],
                    }
                    for r in readings.get(unit.pk, [])
                },
                "variants": [site.as_dict() for site in sites.get(unit.pk, [])],
            }
            for unit in units
        ],
    }


#: Characters a file name may not hold on Windows, macOS or Linux, and controls.
_UNSAFE_IN_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')


def download_name(title: str, suffix: str, fallback: str = "document") -> str:
    """A file name for a download: the document's title (Chinese kept) with the
    characters file systems refuse made "_", cut to 80 characters, then
    ``suffix`` (``.tei.xml``); ``fallback`` (the slug) when nothing is left.
    The name goes into ``Content-Disposition`` by Django's
    ``content_disposition_header`` (RFC 6266, ``filename*=utf-8''…`` of RFC 5987
    for a non-ASCII name)."""
    name = _UNSAFE_IN_NAME.sub("_", title).strip(" ._")[:80].strip(" ._")
    return f"{name or fallback}{suffix}"
