"""The document export: every unit with its canonical text, readings and variants."""

from __future__ import annotations

from .models import Document, Reading, Unit, VariantSite


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
                "parent": unit_keys.get(unit.parent_id),
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
