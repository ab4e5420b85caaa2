"""Importing a source: one atomic write of a source, its readings and new units.

The text work happens in ``clauses.text`` (plain Python); this module decides
which document the text belongs to, refuses what does not belong, and writes
everything in one transaction, so a refused or failed import changes nothing.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import string
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from dataclasses import fields as dataclass_fields
from datetime import date
from itertools import batched

import psycopg
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Max, Q
from django.utils.text import slugify
from django.utils.translation import gettext as _
from psycopg.types.json import Jsonb

from .bulk import update_rows
from .citation import refresh_locators
from .collation import CollationStats, add_witness, recollate
from .models import (
    CanonicalChange,
    Document,
    DocumentGram,
    DocumentRelation,
    ImportJob,
    Reading,
    Source,
    Unit,
)
from .search_index import merge_pending_entries
from .text.align import DOCUMENT_THRESHOLD, Alignment, align, merge_order, natural_key
from .text.collate import diff_opcodes
from .text.decode import DecodeError
from .text.fingerprint import containment, fingerprint, gram_hash, title_variant
from .text.messages import TextError
from .text.pipeline import IngestError, PreparedSource, prepare
from .text.search import index_fields

logger = logging.getLogger(__name__)

SIGLUM = re.compile(r"^[A-Za-z0-9]{1,4}$")
#: The slug of a new document: its year (when the text gives one) and its type,
#: read from the end of its title. The longest ending wins (办法 before 法).
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
    "法": "fa",
    "法典": "fadian",
    "预案": "yuan",
    "函": "han",
    "复函": "fuhan",
    "令": "ling",
    "命令": "mingling",
    "决议": "jueyi",
    "公告": "gonggao",
    "通告": "tonggao",
    "通报": "tongbao",
    "批复": "pifu",
    "报告": "baogao",
    "请示": "qingshi",
    "纪要": "jiyao",
    "议案": "yian",
    "细则": "xize",
    "规则": "guize",
    "准则": "zhunze",
    "章程": "zhangcheng",
    "计划": "jihua",
    "指南": "zhinan",
    "目录": "mulu",
    "清单": "qingdan",
    "标准": "biaozhun",
    "解释": "jieshi",
}
#: Below this share of the file's Han characters kept in readings and metadata,
#: an import needs ``accept_cuts``.
KEPT_THRESHOLD = 0.9
#: A trailing parenthetical of a title: （试行）, （2023年修订）, (草案).
_TITLE_TAIL = re.compile(r"[（(][^（）()]*[）)]$")
_TITLE_NOISE = re.compile(r"[\s《》〈〉<>“”\"]")
_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0, "○": 0}
_ARABIC_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_CHINESE_DATE = re.compile(
    r"([〇零○一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日"
)


@dataclass
class SourceMeta:
    siglum: str = ""
    title: str = ""  # the copy's title; the document's too when the file gives none
    document_title: str = ""  # the document's title, when the file gives none
    kind: str = Source.Kind.OTHER
    publication: str = ""
    published: date | None = None
    url: str = ""
    filename: str = ""

    @classmethod
    def from_fields(cls, cleaned: Mapping, **given) -> SourceMeta:
        """The copy's metadata from a validated form's cleaned data (the import
        form, or ``SourceMetaForm`` for the command: the field names are these),
        plus ``given`` values the form does not hold (the file name)."""
        names = {f.name for f in dataclass_fields(cls)} - set(given)
        return cls(**{k: v for k, v in cleaned.items() if k in names}, **given)


@dataclass
class Proposal:
    """A document the text may belong to.

    ``kind`` is ``copy`` (the text is a copy of the document, when similar
    enough), ``version`` (the same title or text, but its date, 题注 or 文号
    says it is another version: it becomes a new document related to this one)
    or ``other`` (both have a title and the titles differ: another document,
    however alike, never chosen by itself);
    ``later`` says whether the text is the later of the two versions.
    """

    document: Document
    similarity: float
    kind: str = "copy"
    later: bool = True
    # The alignment the similarity comes from, and the canonical units it was
    # made against (their pks and texts, as a digest: _canonical_digest): an
    # import reuses it when they are unchanged.
    alignment: Alignment | None = field(default=None, repr=False, compare=False)
    against: bytes = field(default=b"", repr=False, compare=False)

    @property
    def percent(self) -> str:
        return f"{self.similarity:.0%}"

    @property
    def is_version(self) -> bool:
        return self.kind == "version"

    @property
    def is_other(self) -> bool:
        return self.kind == "other"


@dataclass
class ImportResult:
    source: Source
    created_document: bool
    similarity: float | None
    new_units: int
    # When the text is another version of a document: the relation created.
    relation: DocumentRelation | None = None
    # What the import did: every canonical text it changed ({unit, label, before,
    # after}), the units it added ({unit, label, text}), those it lacks ({unit,
    # label}), and the copy it seems derived from (see propose_derived).
    changes: list[dict] = field(default_factory=list)
    added: list[dict] = field(default_factory=list)
    lacking: list[dict] = field(default_factory=list)
    derived_proposal: dict | None = None
    # The collation's figures (clauses.collation.CollationStats), or None.
    stats: object | None = None
    # When a document was created although one with another title holds
    # nearly the same text (a title misspelt in this copy, or in the stored
    # one): that document, said to the user, never joined on a guess.
    similar: Document | None = None
    similar_share: float | None = None


class CutsError(IngestError):
    """Too little of the file would be kept: the figures, for the form to show."""

    def __init__(self, message: str, accounting: dict, cuts: list[dict]):
        super().__init__(message)
        self.accounting = accounting
        self.cuts = cuts


# --- Versions -----------------------------------------------------------------


def _chinese_number(text: str) -> int:
    """一 … 三十一 (a month or a day in Chinese numerals)."""
    if "十" not in text:
        return _DIGITS[text[0]] if len(text) == 1 else 0
    tens, _sep, units = text.partition("十")
    return (_DIGITS[tens] if tens else 1) * 10 + (_DIGITS[units] if units else 0)


#: Events of a 题注 that make a new wording: adoption and amendment. Promulgation
#: (公布, 发布) and entry into force (施行) do not; sources differ in listing them.
_WORDING_EVENT = re.compile(r"通过|修正|修订|修改")


def wording_dates(text: str) -> list[date]:
    """The dates in a 题注 line that adopt or amend the text (通过, 修正, 修订):
    each date is followed by its event, up to the next date."""
    spans = [(m.start(), m.end()) for m in _ARABIC_DATE.finditer(text)]
    spans += [(m.start(), m.end()) for m in _CHINESE_DATE.finditer(text)]
    spans.sort()
    out = []
    for k, (start, end) in enumerate(spans):
        event = text[end : spans[k + 1][0] if k + 1 < len(spans) else len(text)]
        if _WORDING_EVENT.search(event):
            out += dates_in(text[start:end])
    return sorted(out)


def dates_in(text: str) -> list[date]:
    """Every date written in ``text``: 2016年3月16日 or 二〇一六年三月十六日."""
    found = []
    for m in _ARABIC_DATE.finditer(text):
        found.append((int(m.group(1)), int(m.group(2)), int(m.group(3))))
    for m in _CHINESE_DATE.finditer(text):
        year = int("".join(str(_DIGITS[c]) for c in m.group(1)))
        found.append((year, _chinese_number(m.group(2)), _chinese_number(m.group(3))))
    dates = []
    for y, mo, d in found:
        try:
            dates.append(date(y, mo, d))
        except ValueError:
            continue
    return sorted(dates)


def _iso(value) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


@dataclass(frozen=True)
class VersionMarks:
    """What tells one version of a document from another."""

    date: date | None = None
    number: str = ""
    history: tuple[date, ...] = ()  # the dates of the 题注 lines

    @property
    def latest(self) -> date | None:
        return max([d for d in (self.date, *self.history) if d], default=None)

    @classmethod
    def of(cls, when, number: str, metadata: dict) -> VersionMarks:
        history = metadata.get("history") or []
        if isinstance(history, str):
            history = [history]
        return cls(
            date=_iso(when) or _iso(metadata.get("date")),
            number=_TITLE_NOISE.sub("", number or metadata.get("number") or ""),
            history=tuple(sorted({d for line in history for d in wording_dates(str(line))})),
        )

    def differs(self, other: VersionMarks) -> bool:
        """Both say something, and not the same thing. For the 题注, only the last
        adoption or amendment counts: two transcriptions of one version list
        its history with more or fewer lines (公布, 施行), never a later 修正."""
        return bool(
            (self.date and other.date and self.date != other.date)
            or (self.number and other.number and self.number != other.number)
            or (self.history and other.history and self.history[-1] != other.history[-1])
        )


def marks_of_prepared(prepared: PreparedSource) -> VersionMarks:
    return VersionMarks.of(prepared.date, prepared.number, prepared.metadata)


def marks_of_document(document: Document) -> VersionMarks:
    return VersionMarks.of(document.date, document.number, document.metadata or {})


def _title_key(title: str) -> str:
    title = _TITLE_NOISE.sub("", title or "")
    while _TITLE_TAIL.search(title):
        title = _TITLE_TAIL.sub("", title)
    return title


def document_title(prepared: PreparedSource) -> str:
    """The title the file gives: its title line, or its metadata's title."""
    return (prepared.title or str(prepared.metadata.get("title") or "")).strip()


def read_prepared(data: bytes, filename: str = "") -> PreparedSource:
    """Size check, then the text pipeline; every failure is an IngestError.

    ``filename`` only breaks ties when the bytes could be two formats (an .htm
    page saved as text, say); the content decides.
    """
    limit = settings.MAX_SOURCE_BYTES
    if len(data) > limit:
        raise IngestError(
            _(
                "The file is %(size)s bytes; the limit for one source is %(limit)s bytes "
                "(MAX_SOURCE_BYTES)."
            )
            % {"size": f"{len(data):,}", "limit": f"{limit:,}"}
        )
    try:
        return prepare(data, filename)
    except (DecodeError, IngestError) as exc:
        # The pipeline's refusals carry a template and its parameters
        # (clauses.text.messages): shown in the user's language.
        if isinstance(exc, TextError):
            raise IngestError(exc.translated(_)) from exc
        raise
    except Exception as exc:
        # A file the pipeline has not met before must still get an answer,
        # not a server error; the traceback goes to the log for a developer.
        logger.exception("the text pipeline failed on a %d-byte file", len(data))
        raise IngestError(
            _("policyreader could not read this file: an unexpected error, which has been logged.")
        ) from exc


@dataclass(slots=True, eq=False)
class PlacedUnit:
    """A unit of the document as an import handles it: the fields it reads and
    writes, and nothing else (a ``Unit`` model instance with its row weighs some
    1.3 KB a unit; a 4 MB copy has 15,000 units, held through the import).

    ``pk`` is None until a new unit is written; ``order`` is its 0-based
    position in the document; ``level`` 1 section heading, 2 sub-heading, 3 text.
    :meth:`as_unit` gives the model instance the collation writes rows for.
    """

    pk: int | None
    document_id: int
    key: str
    kind: str
    label: str
    ordinal: int | None
    level: int
    order: int
    parent_id: int | None
    canonical: str

    @property
    def text(self) -> str:
        """The canonical text (``align.AlignUnit``'s field: a unit aligns as one)."""
        return self.canonical

    @property
    def heading(self) -> bool:
        """A heading (``align.AlignUnit``'s field)."""
        return self.kind == Unit.Kind.HEADING

    def as_unit(self) -> Unit:
        """An unsaved-looking ``Unit`` instance of this row (``pk`` set), with the
        fields the collation reads (``canonical``, ``document_id``, ``key``, …)."""
        unit = Unit(
            id=self.pk,
            document_id=self.document_id,
            key=self.key,
            kind=self.kind,
            label=self.label,
            ordinal=self.ordinal,
            level=self.level,
            order=self.order,
            parent_id=self.parent_id,
            canonical=self.canonical,
        )
        unit._state.adding = False  # the row exists
        return unit


#: Unit kinds as one string each, not one per row read.
_KINDS = {k: k for k in Unit.Kind.values}


def _canonical_units(document: Document) -> list[PlacedUnit]:
    """The document's units in order, as :class:`PlacedUnit` records (no model
    instances: their rows are read as tuples, 2,000 at a time)."""
    labels: dict[str, str] = {}  # （一） and 第一条 recur: one string each
    return [
        PlacedUnit(
            pk,
            document.pk,
            key,
            _KINDS.get(kind, kind),
            labels.setdefault(label, label),
            ordinal,
            level,
            order,
            parent_id,
            canonical,
        )
        for pk, key, kind, label, ordinal, level, order, parent_id, canonical in (
            Unit.objects.filter(document_id=document.pk)
            .in_order()
            .values_list(
                "pk", "key", "kind", "label", "ordinal", "level", "order", "parent_id", "canonical"
            )
            .iterator(chunk_size=2000)
        )
    ]


def _align_to(prepared: PreparedSource, canonical: list[PlacedUnit]) -> Alignment:
    return align(
        # Readings and units have the fields of an AlignUnit (key, heading,
        # text): aligned as they are, without a copy of either list.
        prepared.units,
        canonical,
    )


def similarity_to(prepared: PreparedSource, document: Document) -> float:
    return _align_to(prepared, _canonical_units(document)).document_similarity


def _title_keys(title: str, metadata: dict) -> set[str]:
    """Every title a file or document goes by, normalized: its own, its covering
    circular's, and its parts' (a reprint of the plan alone is known by the
    plan's title, the gov.cn page by the circular's)."""
    titles = [title, metadata.get("covering_title") or ""]
    titles += [t for t in metadata.get("part_titles") or [] if isinstance(t, str)]
    return {k for t in titles if (k := _title_key(t))}


def _canonical_digest(units: list[PlacedUnit]) -> bytes:
    """A digest (BLAKE2b, 32 bytes) of the units' pks and canonical texts, in
    order: equal digests, the same units with the same texts. Held instead of
    the texts themselves (a 4 MB document's weigh some 3 MB)."""
    digest = hashlib.blake2b(digest_size=32)
    for u in units:
        digest.update(f"{u.pk}:{len(u.canonical)}:".encode())
        digest.update(u.canonical.encode("utf-8", "surrogatepass"))
    digest.update(f"{len(units)}".encode())
    return digest.digest()


def _proposal(prepared: PreparedSource, marks: VersionMarks, document: Document) -> Proposal:
    canonical = _canonical_units(document)
    alignment = _align_to(prepared, canonical)
    against = _canonical_digest(canonical)
    del canonical
    proposal = _judge(prepared, marks, document, alignment.document_similarity)
    proposal.alignment, proposal.against = alignment, against
    return proposal


def _judge(
    prepared: PreparedSource, marks: VersionMarks, document: Document, similarity: float
) -> Proposal:
    mine = _title_keys(document_title(prepared), prepared.metadata)
    theirs_titles = _title_keys(document.title, document.metadata or {})
    same_title = bool(mine & theirs_titles)
    if mine and theirs_titles and not same_title:
        # Two titles, and not the same: another document (the 2014 and the 2019
        # holiday notices are alike in every line but their dates), unless the
        # text is the document's and the titles differ as transcription errors
        # do (an OCR'd 产业工仁 for 产业工人: the title is a variant reading).
        same_title = similarity >= TITLE_VARIANT_SIMILARITY and any(
            title_variant(a, b) for a in mine for b in theirs_titles
        )
        if not same_title:
            return Proposal(document, similarity, kind="other")
    theirs = marks_of_document(document)
    if (same_title or similarity >= DOCUMENT_THRESHOLD) and marks.differs(theirs):
        later = not (marks.latest and theirs.latest and marks.latest < theirs.latest)
        return Proposal(document, similarity, kind="version", later=later)
    return Proposal(document, similarity)


#: The similarity at which a text whose title differs from a document's only as
#: transcription errors do (:func:`clauses.text.fingerprint.title_variant`) is
#: taken as a copy of it: near-identical text, as an OCR'd copy's is.
TITLE_VARIANT_SIMILARITY = 0.95

#: Documents proposed by their fingerprint (besides those of the same title).
CANDIDATES = 3
#: Below this share of its fingerprint found in a document's (or of the
#: document's in its), a text is not proposed that document by its content.
MIN_CONTAINMENT = 0.1


def _title_gram(key: str) -> int:
    """A title key as a fingerprint row: negative, apart from the n-gram hashes."""
    return -1 - gram_hash("title:" + key)


def document_grams(document: Document) -> list[int]:
    """The document's fingerprint: its canonical text's n-grams and its titles."""
    texts = document.units.values_list("canonical", flat=True).iterator(chunk_size=2000)
    titles = _title_keys(document.title, document.metadata or {})
    return fingerprint(texts) + sorted({_title_gram(k) for k in titles})


def refresh_fingerprint(document: Document) -> None:
    """Store the document's fingerprint afresh (after its canonical text changed)."""
    DocumentGram.objects.filter(document=document).delete()
    DocumentGram.objects.bulk_create(
        (DocumentGram(document=document, gram=g) for g in document_grams(document)),
        batch_size=5000,
    )


def candidates(prepared: PreparedSource) -> list[Document]:
    """The documents this text may belong to, found in PostgreSQL by fingerprint.

    At most :data:`CANDIDATES` documents sharing the largest part of their
    n-gram sample with the text (:func:`clauses.text.fingerprint.containment`,
    at least :data:`MIN_CONTAINMENT`), and every document with one of its
    titles. Cost: the text's n-grams, plus two indexed queries; never an
    alignment.
    """
    mine = fingerprint(u.text for u in prepared.units)
    ids: dict[int, float] = {}
    if mine:
        shared = dict(
            DocumentGram.objects.filter(gram__any=mine)
            .values("document_id")
            .annotate(n=Count("id"))
            .order_by("-n", "document_id")
            .values_list("document_id", "n")[: CANDIDATES * 4]
        )
        sizes = (
            DocumentGram.objects.filter(document_id__any=shared, gram__gte=0)
            .values("document_id")
            .annotate(below=Count("id", filter=Q(gram__lte=mine[-1])), top=Max("gram"))
            .values_list("document_id", "below", "top")
        )
        for document_id, below, top in sizes:
            mine_below = bisect_right(mine, top)
            share = containment(shared[document_id], mine_below, below)
            if share >= MIN_CONTAINMENT:
                ids[document_id] = share
        ids = dict(sorted(ids.items(), key=lambda kv: (-kv[1], kv[0]))[:CANDIDATES])
    titles = [_title_gram(k) for k in _title_keys(document_title(prepared), prepared.metadata)]
    if titles:
        for document_id in DocumentGram.objects.filter(gram__in=titles).values_list(
            "document_id", flat=True
        ):
            ids.setdefault(document_id, 0.0)
    return list(Document.objects.filter(pk__in=list(ids)))


def propose(prepared: PreparedSource) -> list[Proposal]:
    """The documents this text may belong to, with the similarity it reaches, best first.

    The documents come from their fingerprints (:func:`candidates`); the text
    is aligned against those few only. A document the text resembles (by title
    or by text) but whose date, 题注 or 文号 differs is proposed as
    ``version``: the text is another version of it.
    """
    marks = marks_of_prepared(prepared)
    proposals = [_proposal(prepared, marks, d) for d in candidates(prepared)]
    return sorted(proposals, key=lambda p: (-p.similarity, p.document.slug))


def choose(proposals: list[Proposal]) -> Proposal | None:
    """The proposal an import without a chosen document follows: the best copy
    above the threshold, else the most similar document it is a version of."""
    copies = [p for p in proposals if p.kind == "copy" and p.similarity >= DOCUMENT_THRESHOLD]
    versions = [p for p in proposals if p.is_version]
    return next(iter(copies or versions), None)


def _doc_type(title: str) -> str:
    title = _title_key(title)
    for ending in sorted(DOC_TYPE_SLUGS, key=len, reverse=True):
        if title.endswith(ending):
            return DOC_TYPE_SLUGS[ending]
    return "wenjian"


def _new_slug(prepared: PreparedSource, title: str) -> str:
    """``2024-yijian``; ``yijian`` when the text gives no date (never today's year)."""
    when = marks_of_prepared(prepared)
    year = (when.date or when.latest).year if when.latest else None
    kind = _doc_type(title)
    base = slugify(f"{year}-{kind}" if year else kind) or "document"
    _advisory_lock("slug", base)  # two new documents of one year and type
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
    raise IngestError(_("This document has no short siglum left."))


def accounting_figures(accounting: dict) -> dict:
    """The accounting's Han figures by region kind, 0 where absent, and the kept share."""
    han = accounting.get("han") or {}
    figures = {k: int(han.get(k) or 0) for k in ("reading", "metadata", "furniture", "toc")}
    figures.update(
        cut=int(han.get("cut") or 0),
        cleanup=int(han.get("cleanup") or 0),
        total=int(han.get("total") or sum(int(v or 0) for v in han.values())),
    )
    kept = accounting.get("kept")
    figures["kept"] = float(kept) if kept is not None else None
    return figures


def cut_passages(text: str, regions: list[dict]) -> list[dict]:
    """Every cut region with its reason and its text."""
    from .report import region_name

    return [
        {**r, "text": text[r["start"] : r["end"]], "label": region_name(r.get("name", ""))}
        for r in regions
        if r.get("kind") == "cut" and 0 <= r.get("start", 0) <= r.get("end", 0) <= len(text)
    ]


def check_accounting(prepared: PreparedSource) -> None:
    """Refuse, with the figures, a file of which too little would be kept."""
    kept = prepared.accounting.get("kept")
    if kept is None or kept >= KEPT_THRESHOLD:
        return
    f = accounting_figures(prepared.accounting)
    message = _(
        "Only %(kept)s of the file's Han characters would be kept: %(total)s in all, "
        "%(reading)s in readings, %(metadata)s in metadata, %(furniture)s furniture, "
        "%(cut)s cut. Look at the cuts, then accept them or correct the file."
    ) % {
        "kept": f"{kept:.0%}",
        **{k: f"{f[k]:,}" for k in ("total", "reading", "metadata", "furniture", "cut")},
    }
    raise CutsError(message, prepared.accounting, cut_passages(prepared.original, prepared.regions))


def _json_safe(value):
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    return value


def _source_accounting(prepared: PreparedSource) -> dict:
    """The accounting, with the scheme chosen for each part when there is one."""
    if prepared.schemes:
        return {**prepared.accounting, "schemes": prepared.schemes}
    return dict(prepared.accounting)


def _fill_missing_metadata(document: Document, prepared: PreparedSource) -> None:
    """What a later copy says that the document does not know yet (its date,
    issuing bodies, 文号, any metadata field) is added; nothing it knows is
    changed, so the document does not depend on which copy came first. The
    slug stays: it is in every permalink."""
    metadata = dict(document.metadata or {})
    added = {
        k: v for k, v in _json_safe(dict(prepared.metadata)).items() if v and not metadata.get(k)
    }
    fields = []
    if added:
        document.metadata = {**metadata, **added}
        fields.append("metadata")
    marks = marks_of_prepared(prepared)
    if document.date is None and marks.date:
        document.date = marks.date
        fields.append("date")
    issuers = str(prepared.issuers or prepared.metadata.get("issuers") or "")
    if not document.issuers and issuers:
        document.issuers = issuers[:200]
        fields.append("issuers")
    number = str(prepared.number or prepared.metadata.get("number") or "")
    if not document.number and number:
        document.number = number[:60]
        fields.append("number")
    if fields:
        document.save(update_fields=fields)


def _create_document(prepared: PreparedSource, meta: SourceMeta) -> Document:
    title = document_title(prepared) or meta.document_title.strip() or meta.title.strip()
    if not title:
        raise IngestError(
            _(
                "The file gives no title for this new document: give one "
                "(the form's document title, or --title)."
            )
        )
    marks = marks_of_prepared(prepared)
    metadata = _json_safe(dict(prepared.metadata))
    metadata["title"] = title  # a title the user gave is the document's title too
    issuers = prepared.issuers or metadata.get("issuers") or ""
    return Document.objects.create(
        slug=_new_slug(prepared, title),
        title=title[:300],
        issuers=str(issuers)[:200],
        date=marks.date,
        number=(prepared.number or str(metadata.get("number") or ""))[:60],
        metadata=metadata,
    )


def _relate(new: Document, proposal: Proposal, user) -> DocumentRelation:
    later, earlier = (new, proposal.document) if proposal.later else (proposal.document, new)
    return DocumentRelation.objects.create(
        from_document=later,
        to_document=earlier,
        kind=DocumentRelation.Kind.LATER_VERSION_OF,
        created_by=user if user is not None and user.is_authenticated else None,
    )


def _advisory_lock(*parts: str) -> None:
    """Hold a PostgreSQL advisory lock on ``parts`` until the transaction ends.

    Two imports that could create the same document (the same identity, or the
    same slug) wait for each other here, so the second sees the first's
    document and joins it, or is refused with a message: never an
    IntegrityError.
    """
    digest = hashlib.blake2b("\x00".join(("policyreader", *parts)).encode(), digest_size=8)
    key = int.from_bytes(digest.digest(), "big", signed=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def _identity(prepared: PreparedSource) -> str:
    """What two copies of one new document have in common before it exists: its
    title (normalized), else its document number, else nothing (one lock for
    every text without either)."""
    title = _title_key(document_title(prepared))
    return title or _TITLE_NOISE.sub("", prepared.number or "") or "untitled"


def refuse_duplicate(checksum: str, document: Document | None) -> None:
    """The file is already a source (of ``document``, or of any document when
    none is chosen): refused before anything else is done (IngestError naming
    that source). ``checksum``: the file's SHA-256, hexadecimal. The import
    form's proposal asks this first too."""
    sources = Source.objects.filter(checksum=checksum)
    if document is not None:
        sources = sources.filter(document=document)
    duplicate = sources.select_related("document").only("siglum", "document__title").first()
    if duplicate:
        raise IngestError(
            _("This file is already source %(siglum)s of “%(title)s” (same SHA-256 checksum).")
            % {"siglum": duplicate.siglum, "title": duplicate.document.title}
        )


#: An import's stages and the share of the work done when each begins (percent),
#: for a progress bar (``progress(stage, percent)``).
STAGES = {
    "read": 5,
    "identify": 30,
    "align": 40,
    "write": 55,
    "collate": 65,
    "fingerprint": 95,
}


def _report(progress, stage: str, within: float = 0.0) -> None:
    if progress is None:
        return
    names = list(STAGES)
    start = STAGES[stage]
    following = names.index(stage) + 1
    end = STAGES[names[following]] if following < len(names) else 100
    progress(stage, int(start + (end - start) * within))


def placement(document: Document | None, relation: str) -> dict:
    """``import_source``'s arguments for a document and a relation as the import
    form and its job name them (``copy``, ``later``, ``earlier``): a copy of
    ``document`` (or of the one its content finds, when None), or a new
    document, the later or earlier version of ``document``."""
    if document is not None and relation in ("later", "earlier"):
        return {"document": None, "version_of": document, "version_later": relation == "later"}
    return {"document": document}


def import_source(
    data: bytes | None,
    meta: SourceMeta,
    document: Document | None = None,
    user=None,
    prepared: PreparedSource | None = None,
    accept_cuts: bool = False,
    derived_from: Source | str | None = None,
    progress=None,
    version_of: Document | None = None,
    version_later: bool = True,
    job_file: int | None = None,
) -> ImportResult:
    """Import ``data`` as a new source, into ``document`` or the one it matches.

    Raises IngestError, with a message for a person, and writes nothing when
    the file cannot be read, is a duplicate, or is not the document's text;
    CutsError when less than 90% of its Han characters would be kept, unless
    ``accept_cuts``. A text that is another version of a document (its date,
    题注 or 文号 differ) becomes a new document, related to that one.
    ``derived_from`` (a source of the same document, or its siglum) marks the
    new copy as made from that one. ``version_of`` (a document; not with
    ``document``) makes the text a new document, the later version of that
    one (the earlier when ``version_later`` is False), whatever its content
    says. The result says what the import changed:
    the units it added, the units it lacks, every canonical text it changed.

    Cost: the duplicate check (the checksum) first; the document is found by
    its fingerprint (:func:`candidates`) and the text aligned against it once;
    only the units it touches are collated, each aligning this copy's reading
    alone (``recollate(incremental=True)``). ``progress(stage, percent)``, when
    given, is called as the import goes (:data:`STAGES`).

    ``job_file`` (the id of an ``ImportJob`` holding the file; ``data`` None):
    the file is read from that job, let go once decoded, and the source's
    ``original`` is copied from the job's row inside PostgreSQL, so the
    worker does not hold the file's bytes through the import.
    """
    if data is None:
        if job_file is None:
            raise TypeError("import_source needs data or job_file")
        # The only reference to the bytes: gone once the text is read below.
        data = ImportJob.objects.file_of(job_file)
    if version_of is not None and document is not None:
        raise IngestError(
            _("A text is either a copy of a document or a later version of one, not both.")
        )
    checksum = prepared.checksum if prepared is not None else hashlib.sha256(data).hexdigest()
    _report(progress, "read")
    refuse_duplicate(checksum, document)
    prepared = prepared or read_prepared(data, meta.filename)
    if job_file is not None:
        data = None  # written from the job's row (_write_original)
    _report(progress, "identify")
    with transaction.atomic():
        similarity = None
        created = False
        relation = None
        earlier = None
        chosen = None
        similar, similar_share = None, None
        if version_of is not None:
            mine, theirs = marks_of_prepared(prepared).latest, marks_of_document(version_of).latest
            if mine and theirs and mine != theirs and (mine > theirs) != version_later:
                # The text's own date says the other way round.
                message = (
                    _(
                        "This text is dated %(mine)s and “%(title)s” %(theirs)s: it cannot be "
                        "its later version."
                    )
                    if version_later
                    else _(
                        "This text is dated %(mine)s and “%(title)s” %(theirs)s: it cannot be "
                        "its earlier version."
                    )
                )
                raise IngestError(
                    message
                    % {
                        "mine": mine.isoformat(),
                        "theirs": theirs.isoformat(),
                        "title": version_of.title,
                    }
                )
            earlier = Proposal(version_of, 0.0, kind="version", later=version_later)
        elif document is None:
            # Two imports of one new document: the second waits for the first
            # to commit, then finds its document and joins it.
            _advisory_lock("identify", _identity(prepared))
            refuse_duplicate(checksum, None)
            proposals = propose(prepared)
            best = choose(proposals)
            if best and best.is_version:
                earlier = best
            elif best:
                document, similarity, chosen = best.document, best.similarity, best
            else:
                look_alike = next(
                    (p for p in proposals if p.is_other and p.similarity >= DOCUMENT_THRESHOLD),
                    None,
                )
                if look_alike is not None:
                    similar, similar_share = look_alike.document, look_alike.similarity
            best = proposals = None
        if document is None:
            document = _create_document(prepared, meta)
            created = True
            if earlier is not None:
                relation = _relate(document, earlier, user)
        document = Document.objects.select_for_update().get(pk=document.pk)
        titles_before = _title_keys(document.title, document.metadata or {})
        if not created:
            _fill_missing_metadata(document, prepared)

        duplicate = document.sources.filter(checksum=prepared.checksum).first()
        if duplicate:
            raise IngestError(
                _("This file is already source %(siglum)s of “%(title)s” (same SHA-256 checksum).")
                % {"siglum": duplicate.siglum, "title": document.title}
            )
        siglum = meta.siglum or _next_siglum(document)
        if not SIGLUM.match(siglum):
            raise IngestError(
                _("“%(siglum)s” is not a siglum: use a letter, or up to four letters and digits.")
                % {"siglum": siglum}
            )
        if document.sources.filter(siglum=siglum).exists():
            raise IngestError(
                _("Siglum %(siglum)s is already used in “%(title)s”.")
                % {"siglum": siglum, "title": document.title}
            )
        parent_source = _derived_source(document, derived_from)

        _report(progress, "align")
        canonical = _canonical_units(document)
        if canonical:
            # The proposal's alignment, when made against the text as it is now.
            if chosen is not None and chosen.against == _canonical_digest(canonical):
                alignment = chosen.alignment
            else:
                alignment = _align_to(prepared, canonical)
            # The proposal's copy of the canonical texts and its alignment go:
            # only the matches are needed from here on.
            chosen = None
            similarity = alignment.document_similarity
            if similarity < DOCUMENT_THRESHOLD:
                raise IngestError(
                    _(
                        "This text is not “%(title)s”: it reaches a similarity of %(sim)s, "
                        "and %(needed)s is needed."
                    )
                    % {
                        "title": document.title,
                        "sim": f"{similarity:.0%}",
                        "needed": f"{DOCUMENT_THRESHOLD:.0%}",
                    }
                )
            matches = [canonical[j] if j is not None else None for j in alignment.matches]
            moved = alignment.moved
            alignment = None
            if not created and marks_of_prepared(prepared).differs(marks_of_document(document)):
                raise IngestError(
                    _(
                        "This text is another version of “%(title)s” (its date, 题注 or 文号 "
                        "differ), not a copy of it: import it without choosing the document, "
                        "and it becomes a new document related to this one."
                    )
                    % {"title": document.title}
                )
        else:
            matches = [None] * len(prepared.units)
            moved = frozenset()

        if not accept_cuts:
            # After the refusals that say the file does not belong here; the
            # document created above is rolled back with the transaction.
            check_accounting(prepared)
        _report(progress, "write")
        source = Source.objects.create(
            document=document,
            siglum=siglum,
            title=(meta.title or document_title(prepared) or meta.filename or _("pasted text"))[
                :300
            ],
            kind=meta.kind,
            publication=meta.publication,
            published=meta.published,
            url=meta.url,
            script=prepared.script,
            filename=meta.filename,
            original=b"",  # written below, with server-side binding
            encoding=prepared.encoding,
            format=prepared.format or Source.Format.TEXT,
            checksum=prepared.checksum,
            text="",
            report=prepared.report,
            regions=[],  # written below, a chunk at a time
            accounting=_json_safe(_source_accounting(prepared)),
            derived_from=parent_source,
            imported_by=user if user is not None and user.is_authenticated else None,
        )
        _write_original(source, data, prepared.original, job_file)
        _write_regions(source, prepared.regions)
        # The instance kept from here on leaves the file, its text and its
        # regions in the database (loaded when asked for): the import holds
        # them no longer than the PreparedSource does.
        source = Source.objects.defer("original", "text", "regions").get(pk=source.pk)
        source.document = document
        matched = [m for m in matches if m is not None]
        before = {u.pk: u.canonical for u in matched}
        derived = (
            propose_derived(document, prepared, matches, declared=parent_source)
            if matched
            else None
        )
        units_for_readings, new_units = _place_units(document, prepared, canonical, matches, moved)

        _write_readings(source, units_for_readings, prepared.units)
        # What the rest needs of the prepared text; the rest of it may go (when
        # the caller does not hold it): the collation reads the readings back.
        new_ids = {id(u) for u in new_units}  # identity: a list's `in` is quadratic
        added_texts = [
            (u, r.text)
            for u, r in zip(units_for_readings, prepared.units, strict=True)
            if id(u) in new_ids
        ]
        unit_count = len(prepared.units)
        report = prepared.report
        prepared = matches = None
        # Collate this copy into the units it touched: its readings are merged
        # into their stored sites; a unit whose consensus it may change (or
        # that an editor decided) is re-collated in full.
        _report(progress, "collate")
        stats = _collate_into(units_for_readings, source, user, progress)
        # Locators and the fingerprint depend on the units, their canonical
        # texts (a table row is cited by its first cell) and the titles alone:
        # an import that changed none of them leaves both as they are.
        _report(progress, "fingerprint")
        if (
            created
            or stats.changed
            or new_units
            or _title_keys(document.title, document.metadata or {}) != titles_before
        ):
            refresh_locators(document)
            refresh_fingerprint(document)
        # The matched units' locators and, where it changed, their canonical text.
        after: dict[int, str] = {}
        located: dict[int, str] = {}
        for pk, text, locator in (
            Unit.objects.filter(pk__any=before)
            .order_by()
            .values_list("pk", "canonical", "locator")
            .iterator(chunk_size=2000)
        ):
            located[pk] = locator
            if text != before[pk]:
                after[pk] = text
        changes = [
            {
                "unit": u.key,
                "label": u.label,
                "locator": located.get(u.pk, ""),
                "before": before[u.pk],
                "after": after[u.pk],
            }
            for u in sorted(matched, key=lambda u: u.order)
            if u.pk in after
        ]
        matched_pks = set(before)
        lacking = [
            {"unit": u.key, "label": u.label, "locator": located.get(u.pk, "")}
            for u in canonical
            if u.pk not in matched_pks
        ]
        added = [
            {"unit": u.key, "label": u.label, "locator": located.get(u.pk, ""), "text": text}
            for u, text in added_texts
        ]
        source.report = report + [
            {
                "rule": "align_units",
                "count": unit_count,
                "examples": [],
                "detail": {
                    "matched": unit_count - len(new_units),
                    "new": len(new_units),
                    "moved": len(moved),
                    "similarity": round(similarity, 3) if similarity is not None else None,
                    "document": document.slug,
                },
            },
            {
                "rule": "canonical_changes",
                "count": len(changes),
                "examples": [],
                "detail": {
                    "changes": [{k: c[k] for k in ("unit", "before", "after")} for c in changes],
                    "added": [a["unit"] for a in added],
                    "lacking": [u["unit"] for u in lacking],
                    "derived_proposal": derived,
                },
            },
        ]
        _write_report(source)
    return ImportResult(
        source,
        created,
        similarity,
        len(new_units),
        relation,
        changes=changes,
        added=added,
        lacking=lacking,
        derived_proposal=derived,
        stats=stats,
        similar=similar,  # set only where the document was created
        similar_share=similar_share,
    )


#: Units handed to the collation at a time by :func:`_collate_into`, as model
#: instances (some 700 bytes each besides their text).
COLLATE_CHUNK = 2000


def _collate_into(units: list[PlacedUnit], source: Source, user, progress) -> CollationStats:
    """``clauses.collation.add_witness`` over ``units`` (each once), for the
    import of ``source``: :data:`COLLATE_CHUNK` units at a time, each chunk's
    ``Unit`` instances built for it and gone after it, so memory follows the
    chunk, not the document. Every unit's collation is its own (its readings,
    sites and decisions), so the chunks give what one call would.
    Returns the chunks' :class:`~clauses.collation.CollationStats` summed."""
    unique = list({u.pk: u for u in units}.values())
    total = CollationStats()
    for offset in range(0, len(unique), COLLATE_CHUNK):
        chunk = [u.as_unit() for u in unique[offset : offset + COLLATE_CHUNK]]
        stats = add_witness(
            chunk,
            source,
            cause=CanonicalChange.Cause.IMPORT,
            user=user,
            reason=source.siglum,  # shown after the cause: “import · B”
            progress=(
                lambda done, _n, offset=offset: _report(
                    progress, "collate", (offset + done) / len(unique)
                )
            )
            if progress
            else None,
        )
        for f in dataclass_fields(total):
            setattr(total, f.name, getattr(total, f.name) + getattr(stats, f.name))
        del chunk
    return total


#: The file's bytes and its text are written this much at a time (bytes, and
#: characters): psycopg copies every parameter it sends, so one statement with
#: a 4 MB file and its text cost three times the file at once.
ORIGINAL_CHUNK_BYTES = 1 << 20
TEXT_CHUNK_CHARS = 1 << 18


def _write_original(source: Source, data: bytes | None, text: str, job_file: int | None) -> None:
    """Store the file's bytes and its decoded text in ``source`` (saved already,
    with both empty), appended a chunk at a time; the bytes copied from the
    row of ``ImportJob`` ``job_file`` instead when ``data`` is None.

    With server-side binding (the values travel apart from the statement, the
    bytes as they are): Django's client-side binding spells every value out in
    the SQL string, the bytes as hex, so a 4 MB file cost some 30 MB to insert.
    The text travels as UTF-8 bytes, :data:`TEXT_CHUNK_CHARS` characters
    encoded at a time (a chunk of whole characters is whole UTF-8) and gone
    with their statement: handed over as a ``str``, psycopg's C encoder would
    leave its UTF-8 form cached inside the ``str`` object (CPython keeps it
    there), one more copy of the file for as long as the text is held.
    """
    connection.ensure_connection()
    table = connection.ops.quote_name(Source._meta.db_table)
    with psycopg.Cursor(connection.connection) as cursor:
        if data is None:
            jobs = connection.ops.quote_name(ImportJob._meta.db_table)
            cursor.execute(
                f"UPDATE {table} SET original = (SELECT data FROM {jobs} WHERE id = %s) "
                f"WHERE id = %s RETURNING encode(sha256(original), 'hex')",
                [job_file, source.pk],
            )
            (copied,) = cursor.fetchone()
            if copied != source.checksum:
                # The job's file changed or went since it was read: never store
                # other bytes than those the text was read from.
                raise IngestError(
                    _("The file of this import is no longer stored: import the file again.")
                )
        for start in range(0, len(data or b""), ORIGINAL_CHUNK_BYTES):
            cursor.execute(
                f"UPDATE {table} SET original = original || %b WHERE id = %s",
                [data[start : start + ORIGINAL_CHUNK_BYTES], source.pk],
            )
        for start in range(0, len(text), TEXT_CHUNK_CHARS):
            cursor.execute(
                f"UPDATE {table} SET text = text || convert_from(%b, 'UTF8') WHERE id = %s",
                [text[start : start + TEXT_CHUNK_CHARS].encode("utf-8"), source.pk],
            )
    if data is not None:
        source.original = data
    source.text = text


#: Regions written at a time by :func:`_write_regions`.
REGIONS_CHUNK = 2000


def _write_regions(source: Source, regions: Iterable[dict]) -> None:
    """Store ``regions`` (dicts of str and int, in order) as ``source.regions``
    (saved already, with none), appended :data:`REGIONS_CHUNK` at a time with
    server-side binding: the same JSON value ``save`` would store, without
    building every region's dict, nor its JSON text, at once (a 4 MB copy has
    some 15,000 regions; ``prepare`` holds them compactly, ``Regions``)."""
    table = connection.ops.quote_name(Source._meta.db_table)
    connection.ensure_connection()
    with psycopg.Cursor(connection.connection) as cursor:
        for chunk in batched(regions, REGIONS_CHUNK):
            cursor.execute(
                f"UPDATE {table} SET regions = regions || %s WHERE id = %s",
                [Jsonb(list(chunk), dumps=_json_text), source.pk],
            )


def _write_report(source: Source) -> None:
    """Store ``source.report`` (the same JSON value ``save`` would store) with
    server-side binding and without escaping every Han character as ``\\uXXXX``:
    a copy's report lists every canonical text it changed, before and after."""
    table = connection.ops.quote_name(Source._meta.db_table)
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(
            f"UPDATE {table} SET report = %s WHERE id = %s",
            [Jsonb(source.report, dumps=_json_text), source.pk],
        )


def _json_text(value) -> str:
    return json.dumps(value, ensure_ascii=False)


#: Rows built and written at a time (new units): a 4 MB copy has some 15,000,
#: and one INSERT of them all weighs many times the file.
WRITE_BATCH = 500
#: The columns of a reading as :func:`_write_readings` streams them.
_READING_COLUMNS = (
    "unit",
    "source",
    "text",
    "folded",
    "grams",
    "label_raw",
    "raw_start",
    "raw_end",
    "position",
)


def _write_readings(source: Source, units: list[PlacedUnit], readings: list) -> None:
    """The copy's readings (``readings[i]``, a ``UnitReading``, of ``units[i]``
    (written already: its ``pk`` set), at position ``i``), with their search
    fields (:func:`clauses.text.search.index_fields`).

    Streamed to PostgreSQL with ``COPY … FROM STDIN``, a row at a time: an
    INSERT spells every value out in one statement (a batch of 500 readings
    with their ``grams`` weighs some 5 MB in Python), COPY keeps one buffer of
    a few KB, and is faster. Raises ValueError unless one unit per reading.
    """
    if len(units) != len(readings):
        raise ValueError("one unit per reading")
    meta = Reading._meta
    quote = connection.ops.quote_name
    columns = ", ".join(quote(meta.get_field(name).column) for name in _READING_COLUMNS)
    connection.ensure_connection()
    with (
        psycopg.Cursor(connection.connection) as cursor,
        cursor.copy(f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN") as copy,
    ):
        for position, (unit, r) in enumerate(zip(units, readings, strict=True)):
            # A copy of the text goes to psycopg, whose C encoder leaves the
            # UTF-8 form cached inside the str it encodes: the reading's own
            # text (held to the end for a new unit) stays without one.
            text = r.text.encode("utf-8").decode("utf-8")
            folded, grams = index_fields(text)
            copy.write_row(
                (
                    unit.pk,
                    source.pk,
                    text,
                    folded,
                    grams,
                    r.label_raw,
                    r.raw_start,
                    r.raw_end,
                    position,
                )
            )


# --- Where new units go, and their keys ------------------------------------------

#: A key the segmenter counts by position (p2, s1.p3, c3.b1, c3.n2), not by label.
_POSITIONAL = re.compile(r"(?:.*\.)?([pbn])\d+")
_SUFFIX = re.compile(r"^(.+)-(\d+)$")


def _base_key(key: str) -> str:
    """``s9.p1`` for ``s9.p1-2`` (the suffix that keeps two units' keys apart)."""
    m = _SUFFIX.match(key)
    return m.group(1) if m else key


def shows_real_address(unit_key: str, reading_key: str) -> bool:
    """Does a copy's key say where the unit stands better than the unit's key?

    A copy that lacks a heading counts the paragraphs after it from the heading
    before (``p2``); a copy with the heading calls the same paragraph ``s1.p1``.
    The key with more of the path, of the same positional kind, is the real one.
    """
    if unit_key == reading_key:
        return False
    old, new = _POSITIONAL.fullmatch(unit_key), _POSITIONAL.fullmatch(reading_key)
    return bool(
        old
        and new
        and old.group(1) == new.group(1)
        and reading_key.count(".") > unit_key.count(".")
    )


def _referred(units: list[PlacedUnit]) -> set[int]:
    """The units a person has referred to: a note, a flag or a decision.

    Notes and flags are published with the unit's key (the W3C annotations'
    FragmentSelector, the citation), so such a unit keeps its key for good.
    """
    if not units:
        return set()
    return set(
        Unit.objects.filter(pk__any=[u.pk for u in units])
        .filter(Q(notes__isnull=False) | Q(flags__isnull=False) | Q(decisions__isnull=False))
        .values_list("pk", flat=True)
    )


def _rekey(changes: list[tuple[PlacedUnit, str]]) -> None:
    """Give units new keys in two steps (a swap must not meet the unique constraint)."""
    if not changes:
        return
    update_rows(Unit, ["key"], [(u.pk, f"~{u.pk}") for u, _key in changes])
    update_rows(Unit, ["key"], [(u.pk, key) for u, key in changes])
    for unit, key in changes:
        unit.key = key


def _place_units(
    document: Document,
    prepared: PreparedSource,
    canonical: list[PlacedUnit],
    matches: list,
    moved: frozenset[int] = frozenset(),
) -> tuple[list[PlacedUnit], list[PlacedUnit]]:
    """Create the copy's new units and put every unit in its place.

    ``matches[i]``: the canonical unit ``prepared.units[i]`` reads, or None;
    ``moved``: the indexes ``i`` whose unit the copy prints out of the
    canonical order (a transposition): their place in the copy says nothing of
    the canonical order.
    Returns the unit of every reading, in the readings' order, and the new
    units (written, their ``pk`` set); both as :class:`PlacedUnit` records.

    The positions are independent of the order in which copies are imported
    (``merge_order``). Keys: a stored unit keeps its key, but for one that
    nobody has referred to yet (a note, a flag or a decision), which takes the
    fuller address a later copy shows for it (``p2`` → ``s1.p1``,
    ``shows_real_address``; the key given up is kept in
    ``Document.former_keys``, its URL leading to the unit); a new unit never
    takes a stored unit's key nor a former one, but the next free suffix
    (``c7-2``). So an address, once given, never shows another unit's text;
    keys of units new in the same gap then depend on which copy came first.
    """
    referred = _referred(canonical)
    former = dict(document.former_keys or {})
    used_keys = {u.key for u in canonical} | set(former)
    # 1. A matched unit takes the real address a copy shows for it; the key
    # it gives up is kept, never to be given to another unit, its URL leading
    # to this one (Document.former_keys).
    rekeys = []
    for reading, unit in zip(prepared.units, matches, strict=True):
        if (
            unit is not None
            and unit.pk not in referred
            and reading.key not in used_keys
            and len(reading.key) <= 40
            and shows_real_address(unit.key, reading.key)
        ):
            used_keys.add(reading.key)
            former[unit.key] = unit.pk
            rekeys.append((unit, reading.key))
    _rekey(rekeys)
    if rekeys:
        Document.objects.filter(pk=document.pk).update(former_keys=former)
        document.former_keys = former

    # 2. New units, placed by ids until their keys are known.
    units_for_readings: list[PlacedUnit] = []
    new_units: list[PlacedUnit] = []
    node: dict[str, PlacedUnit] = {u.key: u for u in canonical}
    source_nodes: list[str] = []
    for i, (reading, match) in enumerate(zip(prepared.units, matches, strict=True)):
        if match is not None:
            units_for_readings.append(match)
            source_nodes.append(match.key)
            continue
        unit = PlacedUnit(
            pk=None,
            document_id=document.pk,
            key=reading.key[:40],  # provisional: made unique below
            kind=reading.kind,
            label=reading.label,
            ordinal=reading.ordinal,
            level=reading.level,
            order=0,
            parent_id=None,
            canonical=reading.text,  # for ranking only: the collation sets it, with history
        )
        new_units.append(unit)
        units_for_readings.append(unit)
        node[f"\x00{i}"] = unit
        source_nodes.append(f"\x00{i}")

    def rank(node_id: str) -> tuple:
        unit = node[node_id]
        return (natural_key(_base_key(unit.key)), unit.canonical)

    chain_ids = [k for i, k in enumerate(source_nodes) if i not in moved]
    order_ids = merge_order([u.key for u in canonical], chain_ids, chain_ids, rank=rank)
    position = {node_id: p for p, node_id in enumerate(order_ids)}

    # 3. Keys of new units: a stored unit keeps its key (its address may have
    # been cited: review 3 and 5 saw /u/c7/ show another unit's text after an
    # import); new units sharing a base key take it, or its next free suffix
    # (-2, -3 …), in document order.
    groups: dict[str, list[str]] = {}
    for node_id, unit in node.items():
        if node_id.startswith("\x00"):
            groups.setdefault(_base_key(unit.key), []).append(node_id)
    for base, new_ids in groups.items():
        for m in sorted(new_ids, key=position.__getitem__):
            key, n = base, 2
            while key in used_keys:
                key, n = f"{base}-{n}", n + 1
            used_keys.add(key)
            node[m].key = key
    for unit in new_units:
        unit.canonical = ""  # set by the collation, with a history entry
    _create_units(new_units)

    order = [node[node_id].key for node_id in order_ids]
    every = [*canonical, *new_units]
    if any(r.parent for r in prepared.units):
        _reading_parents(prepared, units_for_readings, every, order)
        _renumber(every, order)
    else:
        _restructure(every, order)
    return units_for_readings, new_units


def _create_units(units: list[PlacedUnit]) -> None:
    """Write new units, :data:`WRITE_BATCH` at a time, and set their ``pk``."""
    for offset in range(0, len(units), WRITE_BATCH):
        batch = units[offset : offset + WRITE_BATCH]
        rows = [u.as_unit() for u in batch]
        Unit.objects.bulk_create(rows)
        for unit, row in zip(batch, rows, strict=True):
            unit.pk = row.pk


# --- Derived copies ------------------------------------------------------------

#: A new copy is proposed as derived from an existing one when, over the units
#: they share, at least this share of their characters is identical, and it is
#: closer to that copy than to the canonical text.
DERIVED_AGREEMENT = 0.98
#: … and the units they share hold at least half of the new copy's text.
DERIVED_MIN_SHARED = 0.5
#: Copies compared character by character with a new one (:func:`propose_derived`).
DERIVED_CANDIDATES = 3


def agreement(pairs: list[tuple[str, str]], at_least: float | None = None) -> float:
    """The share of identical characters over text pairs: 2·matching / (len a + len b).

    With ``at_least``: as soon as the pairs differ in too many characters to
    reach it, a share below it is returned (0.0) without comparing the rest.
    """
    total = sum(len(a) + len(b) for a, b in pairs)
    allowed = (1 - at_least) * total if at_least is not None else None
    same = differing = 0
    for a, b in pairs:
        if a == b:
            same += 2 * len(a)
            continue
        # The collation engine's own diff (anchored Myers): matching characters
        # of a longest common subsequence, far faster than difflib on long units.
        matched = 2 * sum(i2 - i1 for tag, i1, i2, _j1, _j2 in diff_opcodes(a, b) if tag == "equal")
        same += matched
        differing += len(a) + len(b) - matched
        if allowed is not None and differing > allowed:
            return 0.0
    return same / total if total else 0.0


def _apart(a: str, b: str) -> int:
    """Characters two texts cannot share, by count: the size of the multiset
    difference of their characters, both ways (a lower bound on the characters
    any alignment leaves unmatched). Their common prefix and suffix cancel
    out, so only the middles are counted."""
    n = min(len(a), len(b))
    lo, hi = 0, n  # the longest common prefix, by halving (slice compares run in C)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[:mid] == b[:mid]:
            lo = mid
        else:
            hi = mid - 1
    p = lo
    lo, hi = 0, n - p
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[len(a) - mid :] == b[len(b) - mid :]:
            lo = mid
        else:
            hi = mid - 1
    x, y = Counter(a[p : len(a) - lo]), Counter(b[p : len(b) - lo])
    return (x - y).total() + (y - x).total()


def propose_derived(
    document: Document, prepared: PreparedSource, matches: list, declared: Source | None = None
) -> dict | None:
    """The existing copy the new one was most likely made from, or None.

    ``matches[i]``: the canonical unit the new copy's unit ``i`` matched, or None.
    ``declared``: the copy the import already says it derives from, never
    proposed (another may be).

    The rule: over the units both carry, ≥ 98% of their characters identical
    (``agreement``), strictly more than the new copy's agreement with the
    canonical text over the same units, and those units hold at least half of
    the new copy's text. Of several, the most similar (then the first siglum).

    Cost independent of the number of copies: a copy made from another carries
    that copy's departures from the canonical text, so only the
    :data:`DERIVED_CANDIDATES` copies sharing most of the new copy's departing
    readings exactly (by length, counted in one SQL query over digests) are
    compared character by character. A copy that shares none of them is not
    proposed, and a copy that departs nowhere is derived from none (no copy
    can agree with it more than the canonical text does).
    """
    texts = {m.pk: r.text for r, m in zip(prepared.units, matches, strict=True) if m is not None}
    canonical = {m.pk: m.canonical for m in matches if m is not None}
    departing = {u for u, t in texts.items() if t != canonical[u]}
    if not departing:
        return None
    whole = sum(len(r.text) for r in prepared.units) or 1
    table = connection.ops.quote_name(Reading._meta.db_table)
    unit_ids = list(texts)
    # A reading's digest is computed only where it may match: a departing
    # reading of as many bytes (most readings of the other copies are not).
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT r.source_id, SUM(v.length),
                       SUM(v.length) FILTER (WHERE v.digest IS NOT NULL
                           AND octet_length(r.text) = v.bytes AND md5(r.text) = v.digest)
                FROM unnest(%s::integer[], %s::integer[], %s::integer[], %s::text[])
                    AS v(unit_id, length, bytes, digest)
                JOIN {table} AS r ON r.unit_id = v.unit_id
                GROUP BY r.source_id""",
            [
                unit_ids,
                [len(texts[u]) for u in unit_ids],
                [len(texts[u].encode()) for u in unit_ids],
                [
                    hashlib.md5(texts[u].encode(), usedforsecurity=False).hexdigest()
                    if u in departing
                    else None
                    for u in unit_ids
                ],
            ],
        )
        figures = cursor.fetchall()
    likely = sorted(
        (-(same or 0), source_id)
        for source_id, shared, same in figures
        if same
        and shared >= DERIVED_MIN_SHARED * whole
        and (declared is None or source_id != declared.pk)
    )[:DERIVED_CANDIDATES]
    best = None
    with_canon_of: dict[tuple[int, ...], float] = {}  # by the units shared
    # One source's readings at a time: memory follows one copy, not all of them.
    for source in Source.objects.filter(pk__in=[pk for _same, pk in likely]).order_by("siglum"):
        shared = [
            (unit_id, text)
            for unit_id, text in Reading.objects.filter(
                source_id=source.pk, unit__document_id=document.pk
            ).values_list("unit_id", "text")
            if unit_id in texts
        ]
        if sum(len(texts[u]) for u, _t in shared) < DERIVED_MIN_SHARED * whole:
            continue
        pairs = [(texts[u], t) for u, t in shared]
        # A cheap exact bound first: characters the two cannot share (by count)
        # differ in any alignment, so too many of them rule the copy out --
        # against the fixed threshold before the canonical text's agreement
        # is computed (what must be reached is never below the threshold).
        total = sum(len(a) + len(b) for a, b in pairs)
        apart = 0
        for u, t in shared:
            if texts[u] != t:
                apart += _apart(texts[u], t)
        if apart > (1 - DERIVED_AGREEMENT + 1e-9) * total:
            continue
        units = tuple(sorted(u for u, _t in shared))
        with_canon = with_canon_of.get(units)
        if with_canon is None:
            with_canon = with_canon_of[units] = agreement([(texts[u], canonical[u]) for u in units])
        # The copy must reach both: rule it out as soon as it cannot (the
        # margin keeps rounding from ruling out a copy just above the canon).
        needed = max(DERIVED_AGREEMENT, with_canon) - 1e-9
        if apart > (1 - needed) * total:
            continue
        with_copy = agreement(pairs, at_least=needed)
        if with_copy >= DERIVED_AGREEMENT and with_copy > with_canon:
            if best is None or with_copy > best["agreement"]:
                best = {
                    "siglum": source.siglum,
                    "source": source.pk,
                    "agreement": round(with_copy, 4),
                    "consensus": round(with_canon, 4),
                    "units": len(shared),
                }
    return best


def _derived_source(document: Document, derived_from: Source | str | None) -> Source | None:
    """The source a new copy derives from, checked: a copy of the same document."""
    if derived_from is None or derived_from == "":
        return None
    if isinstance(derived_from, str):
        found = document.sources.filter(siglum=derived_from).first()
        if found is None:
            raise IngestError(
                _("“%(title)s” has no source %(siglum)s to derive this copy from.")
                % {"title": document.title, "siglum": derived_from}
            )
        return found
    if derived_from.document_id != document.pk:
        raise IngestError(
            _(
                "Source %(siglum)s is a copy of another document, not of “%(title)s”: "
                "a copy can only derive from a copy of the same document."
            )
            % {"siglum": derived_from.siglum, "title": document.title}
        )
    return derived_from


def set_derived_from(source: Source, parent: Source | None, user=None) -> Source:
    """An editor says which copy ``source`` was made from (or none); the document
    is re-collated, as a derived copy does not vote.

    Refused with a reason, changing nothing: another document's source, the
    source itself, or a cycle (C from E when E is derived from C).
    """
    with transaction.atomic():
        source = Source.objects.select_for_update().get(pk=source.pk)
        if parent is not None:
            if parent.document_id != source.document_id:
                raise IngestError(
                    _("Source %(siglum)s is a copy of another document.")
                    % {"siglum": parent.siglum}
                )
            if parent.pk == source.pk:
                raise IngestError(_("A copy cannot be derived from itself."))
            derived = dict(
                Source.objects.filter(document_id=source.document_id).values_list(
                    "pk", "derived_from_id"
                )
            )
            at, seen = parent.pk, set()
            while at is not None and at not in seen:
                if at == source.pk:
                    raise IngestError(
                        _(
                            "%(parent)s is itself derived from %(siglum)s: "
                            "a copy cannot derive from its own derivative."
                        )
                        % {"parent": parent.siglum, "siglum": source.siglum}
                    )
                seen.add(at)
                at = derived.get(at)
        if source.derived_from_id == (parent.pk if parent else None):
            return source
        source.derived_from = parent
        source.save(update_fields=["derived_from"])
        recollate(
            Unit.objects.filter(document_id=source.document_id).in_order(),
            cause=CanonicalChange.Cause.CONSENSUS,
            user=user,
            reason=f"{source.siglum} ← {parent.siglum}" if parent else source.siglum,
        )
    return source


# --- Preview -------------------------------------------------------------------


#: Changes, added units and lacking units the import form's preview lists,
#: of each (the counts are whole; the import report lists every one).
PREVIEW_SHOWN = 100


def shown_preview(preview: dict, limit: int | None = None) -> dict:
    """``preview`` (a preview's summary with whole lists of ``changes``,
    ``added`` and ``lacking``) as the form shows it: each list cut to its
    first ``limit`` (default :data:`PREVIEW_SHOWN`), ``<list>_count`` its
    whole length, ``shown`` the limit. One already cut (it has ``shown``) is
    returned as it is; so is one a job stored before the lists were cut
    made like the others."""
    if "shown" in preview:
        return preview
    limit = PREVIEW_SHOWN if limit is None else limit
    out = dict(preview, shown=limit)
    for name in ("changes", "added", "lacking"):
        every = preview.get(name) or []
        out[name], out[f"{name}_count"] = every[:limit], len(every)
    return out


@dataclass
class Preview:
    """What an import would do, found by doing it and rolling it back."""

    document: str
    document_title: str
    created: bool
    siglum: str
    units: int
    similarity: float | None
    added: list[dict]
    lacking: list[dict]
    changes: list[dict]
    report: list[dict]
    derived_proposal: dict | None
    relation: dict | None
    # ImportResult.similar: {"slug", "title", "similarity"}, or None.
    similar: dict | None = None

    def shown(self, limit: int | None = None) -> dict:
        """What the import form shows of this preview, as JSON-ready data
        (:func:`shown_preview`). A job stores this, not the lists whole: a
        4.7 MB copy's 4,707 changes made a 6.5 MB result to store and a page
        of every diff."""
        return shown_preview(
            {
                "created": self.created,
                "document_title": self.document_title,
                "siglum": self.siglum,
                "units": self.units,
                "similarity": self.similarity,
                "changes": self.changes,
                "added": self.added,
                "lacking": self.lacking,
                "derived_proposal": self.derived_proposal,
                "relation": self.relation,
                "similar": self.similar,
            },
            limit,
        )

    def as_json(self) -> dict:
        return {
            "document": self.document,
            "siglum": self.siglum,
            "units": self.units,
            "created": self.created,
            "report": self.report,
            "changes": [{k: c[k] for k in ("unit", "before", "after")} for c in self.changes],
            "added": [a["unit"] for a in self.added],
            "lacking": [u["unit"] for u in self.lacking],
            "derived_proposal": self.derived_proposal,
            "relation": self.relation,
            "similar_document": self.similar,
        }


class _RollBack(Exception):
    """Leaves the preview's savepoint: nothing it wrote stays."""


def preview_import(data: bytes | None, meta: SourceMeta, **kwargs) -> Preview:
    """Run the real import inside a savepoint, note what it did, then roll it back.

    Takes the arguments of ``import_source`` and raises what it raises; the
    database is left as it was (its rows; the search indexes' pending entries
    are merged, :func:`~clauses.search_index.merge_pending_entries`).
    """
    preview = None
    try:
        with transaction.atomic():
            result = import_source(data, meta, **kwargs)
            src = result.source
            r = result.relation
            preview = Preview(
                document=src.document.slug,
                document_title=src.document.title,
                created=result.created_document,
                siglum=src.siglum,
                units=src.readings.count(),
                similarity=result.similarity,
                added=result.added,
                lacking=result.lacking,
                changes=result.changes,
                report=list(src.report),
                derived_proposal=result.derived_proposal,
                similar=(
                    {
                        "slug": result.similar.slug,
                        "title": result.similar.title,
                        "similarity": result.similar_share,
                    }
                    if result.similar is not None
                    else None
                ),
                relation=(
                    {
                        "kind": r.kind,
                        "from": r.from_document.slug,
                        "to": r.to_document.slug,
                        # For the form: the new document is the later version
                        # of "other" (the document already stored), or the earlier.
                        "later": r.from_document_id == src.document_id,
                        "other": (
                            r.to_document
                            if r.from_document_id == src.document_id
                            else r.from_document
                        ).title,
                    }
                    if r is not None
                    else None
                ),
            )
            raise _RollBack
    except _RollBack:
        # Rolled back, the readings' search-index entries stay in the GIN
        # pending lists (PostgreSQL removes them at vacuum): merged now, so
        # the import that follows the preview does not pay for them.
        merge_pending_entries()
    return preview


def _reading_parents(
    prepared: PreparedSource,
    units_for_readings: list[PlacedUnit],
    units: list[PlacedUnit],
    order: list[str],
) -> None:
    """Parents from the readings: each reading names its parent (a key of this copy).

    A new unit takes the parent its reading names. A unit already placed moves
    only under a nearer parent: of every parent the copies name, the last one
    before the unit in the document's order wins, so a copy that lacks a heading
    (and names the heading before it) never takes the clauses out from under it,
    whatever the order of the imports.
    """
    position = {key: i for i, key in enumerate(order)}
    by_pk = {u.pk: u for u in units}
    by_source_key = {r.key: u for r, u in zip(prepared.units, units_for_readings, strict=True)}
    for reading, unit in zip(prepared.units, units_for_readings, strict=True):
        claim = by_source_key.get(reading.parent) if reading.parent else None
        if claim is None or claim is unit or position[claim.key] >= position[unit.key]:
            continue
        current = by_pk.get(unit.parent_id)
        if current is None or position.get(current.key, -1) < position[claim.key]:
            unit.parent_id = claim.pk


def _renumber(units: list[PlacedUnit], order: list[str]) -> None:
    """Renumber the units in ``order``; their parents are set already. Only the
    rows whose order or parent differ from the stored ones are written (a copy
    that adds no unit changes none)."""
    units = {u.key: u for u in units}
    stored = {
        pk: (position, parent)
        for pk, position, parent in Unit.objects.filter(pk__any=[u.pk for u in units.values()])
        .order_by()
        .values_list("pk", "order", "parent_id")
    }
    changed = []
    for position, key in enumerate(order):
        unit = units[key]
        if stored.get(unit.pk) != (position, unit.parent_id):
            changed.append((unit.pk, position, unit.parent_id))
    update_rows(Unit, ["order", "parent"], changed)


def _restructure(units: list[PlacedUnit], order: list[str]) -> None:
    """Renumber the units in ``order`` and derive each one's parent from it.

    A unit's parent is the nearest unit before it with a lower level (section
    heading 1, sub-heading 2, text 3), so a copy that lacks a heading never
    decides where the clauses under that heading belong.
    """
    units = {u.key: u for u in units}
    stack: list[PlacedUnit] = []
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
