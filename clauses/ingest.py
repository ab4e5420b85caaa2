"""Importing a source: one atomic write of a source, its readings and new units.

The text work happens in ``clauses.text`` (plain Python); this module decides
which document the text belongs to, refuses what does not belong, and writes
everything in one transaction, so a refused or failed import changes nothing.
"""

from __future__ import annotations

import logging
import re
import string
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import transaction
from django.utils.text import slugify

from .bulk import update_rows
from .collation import recollate
from .models import CanonicalChange, Document, Reading, Source, Unit
from .text.align import DOCUMENT_THRESHOLD, AlignUnit, align, merge_order
from .text.decode import DecodeError
from .text.pipeline import IngestError, PreparedSource, prepare

logger = logging.getLogger(__name__)

SIGLUM = re.compile(r"^[A-Za-z0-9]{1,4}$")
DOC_TYPE_SLUGS = {
    "意见": "yijian",
    "方案": "fangan",
    "通知": "tongzhi",
    "决定": "jueding",
    "规划": "guihua",
    "纲要": "gangyao",
    "办法": "banfa",
    "条例": "tiaoli",
    "规定": "guiding",
}


@dataclass
class SourceMeta:
    siglum: str = ""
    title: str = ""
    kind: str = Source.Kind.OTHER
    publication: str = ""
    published: date | None = None
    url: str = ""
    filename: str = ""


@dataclass
class Proposal:
    document: Document
    similarity: float

    @property
    def percent(self) -> str:
        return f"{self.similarity:.0%}"


@dataclass
class ImportResult:
    source: Source
    created_document: bool
    similarity: float | None
    new_units: int


def read_prepared(data: bytes) -> PreparedSource:
    """Size check, then the text pipeline; every failure is an IngestError."""
    limit = settings.MAX_SOURCE_BYTES
    if len(data) > limit:
        raise IngestError(
            f"The file is {len(data) / 1048576:.1f} MB; the limit for one source is "
            f"{limit / 1048576:.1f} MB (MAX_SOURCE_BYTES)."
        )
    try:
        return prepare(data)
    except DecodeError as exc:
        raise IngestError(str(exc)) from exc
    except IngestError:
        raise
    except Exception as exc:
        # A file the pipeline has not met before must still get an answer,
        # not a server error; the traceback goes to the log for a developer.
        logger.exception("the text pipeline failed on a %d-byte file", len(data))
        raise IngestError(
            "policyreader could not read this file: an unexpected error, which has been logged."
        ) from exc


def _align_units(prepared: PreparedSource) -> list[AlignUnit]:
    return [AlignUnit(u.key, u.kind == Unit.Kind.HEADING, u.text) for u in prepared.units]


def _canonical_units(document: Document) -> list[Unit]:
    return list(document.units.in_order())


def similarity_to(prepared: PreparedSource, document: Document) -> float:
    canon = [
        AlignUnit(u.key, u.kind == Unit.Kind.HEADING, u.canonical)
        for u in _canonical_units(document)
    ]
    return align(_align_units(prepared), canon).document_similarity


def propose(prepared: PreparedSource) -> list[Proposal]:
    """Every document with the similarity this text reaches, best first."""
    proposals = [Proposal(d, similarity_to(prepared, d)) for d in Document.objects.all()]
    return sorted(proposals, key=lambda p: (-p.similarity, p.document.slug))


def _new_slug(prepared: PreparedSource) -> str:
    year = prepared.date.year if prepared.date else date.today().year
    kind = next((v for k, v in DOC_TYPE_SLUGS.items() if prepared.title.endswith(k)), "wenjian")
    base = slugify(f"{year}-{kind}") or "document"
    slug, n = base, 2
    while Document.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _next_siglum(document: Document) -> str:
    used = set(document.sources.values_list("siglum", flat=True))
    letters = string.ascii_uppercase
    candidates = [*letters, *(f"{a}{d}" for a in letters for d in range(1, 10))]
    candidates += [f"{a}{b}" for a in letters for b in letters]
    for candidate in candidates:
        if candidate not in used:
            return candidate
    raise IngestError("This document has no short siglum left.")


def import_source(
    data: bytes,
    meta: SourceMeta,
    document: Document | None = None,
    user=None,
    prepared: PreparedSource | None = None,
) -> ImportResult:
    """Import ``data`` as a new source, into ``document`` or the one it matches.

    Raises IngestError, with a message for a person, and writes nothing when
    the file cannot be read, is a duplicate, or is not the document's text.
    """
    prepared = prepared or read_prepared(data)
    with transaction.atomic():
        similarity = None
        created = False
        if document is None:
            best = next(iter(propose(prepared)), None)
            if best and best.similarity >= DOCUMENT_THRESHOLD:
                document, similarity = best.document, best.similarity
        if document is None:
            document = Document.objects.create(
                slug=_new_slug(prepared),
                title=prepared.title or prepared.units[0].text[:40],
                issuers=prepared.issuers,
                date=prepared.date,
                number=prepared.number,
            )
            created = True
        document = Document.objects.select_for_update().get(pk=document.pk)

        duplicate = document.sources.filter(checksum=prepared.checksum).first()
        if duplicate:
            raise IngestError(
                f"This file is already source {duplicate.siglum} of “{document.title}” "
                "(same SHA-256 checksum)."
            )
        siglum = meta.siglum or _next_siglum(document)
        if not SIGLUM.match(siglum):
            raise IngestError(
                f"“{siglum}” is not a siglum: use a letter, or up to four letters and digits."
            )
        if document.sources.filter(siglum=siglum).exists():
            raise IngestError(f"Siglum {siglum} is already used in “{document.title}”.")

        canonical = _canonical_units(document)
        if canonical:
            alignment = align(
                _align_units(prepared),
                [AlignUnit(u.key, u.kind == Unit.Kind.HEADING, u.canonical) for u in canonical],
            )
            similarity = alignment.document_similarity
            if similarity < DOCUMENT_THRESHOLD:
                raise IngestError(
                    f"This text is not “{document.title}”: it reaches a similarity of "
                    f"{similarity:.0%}, and {DOCUMENT_THRESHOLD:.0%} is needed."
                )
            matches = [canonical[j] if j is not None else None for j in alignment.matches]
        else:
            matches = [None] * len(prepared.units)

        source = Source.objects.create(
            document=document,
            siglum=siglum,
            title=meta.title or prepared.title or meta.filename or siglum,
            kind=meta.kind,
            publication=meta.publication,
            published=meta.published,
            url=meta.url,
            script=prepared.script,
            filename=meta.filename,
            original=data,
            encoding=prepared.encoding,
            checksum=prepared.checksum,
            text=prepared.original,
            report=prepared.report,
            imported_by=user if user is not None and user.is_authenticated else None,
        )
        used_keys = {u.key for u in canonical}
        new_units: list[Unit] = []
        units_for_readings: list[Unit] = []
        for reading, match in zip(prepared.units, matches, strict=True):
            if match is not None:
                units_for_readings.append(match)
                continue
            key, n = reading.key, 2
            while key in used_keys:
                key, n = f"{reading.key}-{n}", n + 1
            used_keys.add(key)
            unit = Unit(
                document=document,
                key=key,
                kind=reading.kind,
                label=reading.label,
                ordinal=reading.ordinal,
                level=reading.level,
                order=0,
                canonical="",  # set by the collation below, with a history entry
            )
            new_units.append(unit)
            units_for_readings.append(unit)
        Unit.objects.bulk_create(new_units)

        order = merge_order(
            [u.key for u in canonical],
            [m.key if m is not None else None for m in matches],
            [u.key for u in units_for_readings],
        )
        _restructure([*canonical, *new_units], order)

        Reading.objects.bulk_create(
            Reading(
                unit=unit,
                source=source,
                text=r.text,
                label_raw=r.label_raw,
                raw_start=r.raw_start,
                raw_end=r.raw_end,
                position=i,
            )
            for i, (unit, r) in enumerate(zip(units_for_readings, prepared.units, strict=True))
        )
        source.report = prepared.report + [
            {
                "rule": "align_units",
                "count": len(prepared.units),
                "examples": [],
                "detail": {
                    "matched": len(prepared.units) - len(new_units),
                    "new": len(new_units),
                    "similarity": round(similarity, 3) if similarity is not None else None,
                    "document": document.slug,
                },
            }
        ]
        source.save(update_fields=["report"])
        # Re-collate the units this copy touched: their consensus may change.
        recollate(
            units_for_readings,
            cause=CanonicalChange.Cause.IMPORT,
            user=user,
            reason=source.siglum,  # shown after the cause: “import · B”
        )
    return ImportResult(source, created, similarity, len(new_units))


def _restructure(units: list[Unit], order: list[str]) -> None:
    """Renumber the units in ``order`` and derive each one's parent from it.

    A unit's parent is the nearest unit before it with a lower level (section
    heading 1, sub-heading 2, text 3), so a copy that lacks a heading never
    decides where the clauses under that heading belong.
    """
    units = {u.key: u for u in units}
    stack: list[Unit] = []
    changed = []
    for position, key in enumerate(order):
        unit = units[key]
        while stack and stack[-1].level >= unit.level:
            stack.pop()
        parent_id = stack[-1].pk if stack else None
        if (unit.order, unit.parent_id) != (position, parent_id):
            changed.append((unit.pk, position, parent_id))
        stack.append(unit)
    update_rows(Unit, ["order", "parent"], changed)
