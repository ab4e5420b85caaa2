"""Search of the texts: canonical texts, copies' readings and the notes a user may read.

``SearchRequest.parse`` checks a query string once (``BadSearch`` carries the
message for the person); ``Hits`` is the ranked result, sliceable and
countable, for ``django.core.paginator.Paginator``.

Matching is ``clauses.text.search``'s: the query and the texts are folded
(traditional → simplified, punctuation and spaces dropped) and a hit is a text
whose fold contains the query's fold; the GIN index on the n-grams finds the
candidates (``containing`` on the query sets).

Ranking: canonical texts first, then copies' readings, then notes (every hit
is an exact match of the phrase after folding, so the kind of text is the
rank). Within a kind, in document order, as the home page lists documents
(newest date first, then title), then in the document's unit order; readings
of a unit by their source's priority and siglum; notes by creation.

Notes come only from ``Note.objects.visible_to(user)``, the app's one rule of
who reads what: another user's private note is never counted, let alone shown.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.contrib.postgres.fields import ArrayField
from django.db import connection, models, transaction
from django.db.models import Count, F, Func, Value
from django.http import QueryDict
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from annotations.models import Note

from .apparatus import dom_id
from .models import Document, Reading, Source, Unit
from .text.search import MAX_QUERY, Piece, fold, snippet

CANONICAL, READING, NOTE = "canonical", "reading", "note"
#: Kinds of text, in rank order, with their names for people.
KINDS = {
    CANONICAL: gettext_lazy("canonical text"),
    READING: gettext_lazy("copies' readings"),
    NOTE: gettext_lazy("notes"),
}
SNIPPET_CONTEXT = 30  # characters of the original on each side of the first match


class BadSearch(ValueError):
    """Bad search input: the message says what, in the user's language."""


@dataclass(frozen=True)
class SearchRequest:
    """A checked search: ``q`` as typed, ``phrase`` its fold, the filters.

    ``kind`` is "" (all) or one of :data:`KINDS`; ``source_kind`` "" or a
    ``Source.Kind`` value (only copies' readings have one: with it, only
    readings of copies of that kind are found).
    """

    q: str = ""
    phrase: str = ""
    document: Document | None = None
    kind: str = ""
    source_kind: str = ""

    @classmethod
    def parse(cls, query: QueryDict) -> SearchRequest:
        """Check ``q``, ``document`` (a slug), ``kind`` and ``source_kind``.

        Raises :class:`BadSearch` for an empty query or one of punctuation
        alone, one over :data:`~clauses.text.search.MAX_QUERY` characters, a
        NUL character anywhere, an unknown document, kind or source kind.
        """
        values = {k: query.get(k, "") for k in ("q", "document", "kind", "source_kind")}
        if any("\x00" in v for v in values.values()):
            raise BadSearch(_("The search contains a NUL character: remove it and search again."))
        q = values["q"].strip()
        if not q:
            raise BadSearch(_("Type a word or phrase to search for."))
        if len(q) > MAX_QUERY:
            raise BadSearch(
                _("The search is too long: at most %(max)s characters, not %(n)s.")
                % {"max": MAX_QUERY, "n": len(q)}
            )
        phrase = fold(q)
        if not phrase:
            raise BadSearch(
                _(
                    "“%(q)s” has nothing to search for once punctuation and spaces are "
                    "set aside: type characters of the text."
                )
                % {"q": q}
            )
        document = None
        slug = values["document"].strip()
        if slug:
            document = Document.objects.filter(slug=slug).only("slug", "title").first()
            if document is None:
                raise BadSearch(_("There is no document “%(slug)s”.") % {"slug": slug})
        kind = values["kind"].strip()
        if kind in ("", "all"):
            kind = ""
        elif kind not in KINDS:
            raise BadSearch(
                _("Unknown kind “%(kind)s”: use canonical, reading or note.") % {"kind": kind}
            )
        source_kind = values["source_kind"].strip()
        if source_kind and source_kind not in Source.Kind.values:
            raise BadSearch(
                _("Unknown source kind “%(kind)s”: use %(kinds)s.")
                % {"kind": source_kind, "kinds": ", ".join(Source.Kind.values)}
            )
        return cls(q=q, phrase=phrase, document=document, kind=kind, source_kind=source_kind)

    def query(self, **changes) -> str:
        """This search's query string (without ``?``), with ``changes`` (a value
        of "" drops the parameter)."""
        pairs = {
            "q": self.q,
            "document": self.document.slug if self.document else "",
            "kind": self.kind,
            "source_kind": self.source_kind,
        }
        pairs.update(changes)
        return urlencode({k: v for k, v in pairs.items() if v})


@dataclass
class Hit:
    """One text that contains the phrase, and where.

    ``kind`` is one of :data:`KINDS`; ``siglum`` is the copy's for a reading,
    else None; ``note`` the note for a note hit. ``pieces`` is the snippet
    (``clauses.text.search.snippet``), ``matches`` the number of matches in the
    whole text.
    """

    kind: str
    document: Document
    unit: Unit
    pieces: list[Piece]
    matches: int
    siglum: str | None = None
    source: Source | None = None
    note: Note | None = None
    urls: dict = field(default_factory=dict)

    @property
    def locator(self) -> str:
        """How the unit is cited (its locator, else its label as printed; "" when
        it has neither: never its internal key)."""
        return getattr(self.unit, "locator", "") or self.unit.label

    @property
    def url(self) -> str:
        """Where the hit is read: the reader with the copy for a reading, the note's
        page for a note, the unit's page for the canonical text."""
        return (
            self.urls["read"] if self.kind == READING else self.urls.get("note", self.urls["unit"])
        )

    def snippet_text(self) -> str:
        return "".join(p.text for p in self.pieces)

    def marks(self) -> list[tuple[int, int]]:
        """The highlighted spans of :meth:`snippet_text`: 0-based, end-exclusive
        character offsets."""
        out, at = [], 0
        for p in self.pieces:
            if p.mark:
                out.append((at, at + len(p.text)))
            at += len(p.text)
        return out

    def as_json(self) -> dict:
        return {
            "document": self.document.slug,
            "unit": self.unit.key,
            "locator": self.locator,
            "kind": self.kind,
            "siglum": self.siglum,
            "snippet": self.snippet_text(),
            "marks": [list(m) for m in self.marks()],
            "matches": self.matches,
            "url": self.url,
        }


def _unit_urls(document: Document, unit: Unit) -> dict:
    return {"unit": reverse("unit", args=[document.slug, unit.key])}


#: Each kind's path to its document, and its order within a document.
DOCUMENT_OF = {CANONICAL: "document_id", READING: "unit__document_id", NOTE: "unit__document_id"}
WITHIN_DOCUMENT = {
    CANONICAL: ("order",),
    READING: ("unit__order", "source__priority", "source__siglum"),
    NOTE: ("unit__order", "created", "pk"),
}


@contextmanager
def _search_planner():
    """A transaction in which PostgreSQL costs a random page read at 1.1, not 4.

    The texts and their n-gram index are read from memory, where a random
    read costs about what a sequential one does (PostgreSQL's documentation
    suggests 1.1 for such storage). At 4 the planner scans every reading for
    a phrase the GIN index finds in a few pages (measured: 100 ms against
    3 ms over 13,000 readings, ``bench/search.py``). ``SET LOCAL``: it ends
    with the transaction.
    """
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL random_page_cost = 1.1")
        yield


def _position(ids: list[int], path: str) -> Func:
    """``array_position(ids, path)``: a row's place in a short list of document ids."""
    return Func(
        Value(ids, output_field=ArrayField(models.BigIntegerField())),
        F(path),
        function="array_position",
        output_field=models.IntegerField(),
    )


class Hits:
    """The ranked hits of a search for ``user``, for ``Paginator``.

    ``count()`` runs one grouped count per kind of text (hits per document)
    and reads the order of the documents that have hits; a slice then fetches,
    for each kind it spans, only the documents it spans, sorted by their
    place in that list (never sorting every hit by document date and title:
    a one-character query hits most readings). Queries: three counts, one
    document list, at most three fetches.
    """

    def __init__(self, search: SearchRequest, user):
        self.search = search
        self.user = user
        self._per_document: dict[str, dict[int, int]] | None = None
        self._order: list[int] = []
        self._querysets: dict[str, object] | None = None

    def querysets(self) -> dict[str, object]:
        """``{kind: query set}`` of the kinds this search looks in, in rank order
        (unordered: see :data:`WITHIN_DOCUMENT`)."""
        if self._querysets is None:
            self._querysets = self._build()
        return self._querysets

    def _build(self) -> dict[str, object]:
        s = self.search
        wanted = [k for k in KINDS if not s.kind or s.kind == k]
        if s.source_kind:  # only a copy has a kind of source
            wanted = [k for k in wanted if k == READING]
        out = {}
        if CANONICAL in wanted:
            qs = Unit.objects.containing(s.phrase)
            if s.document:
                qs = qs.filter(document=s.document)
            out[CANONICAL] = qs.select_related("document").defer("document__metadata")
        if READING in wanted:
            qs = Reading.objects.containing(s.phrase)
            if s.document:
                qs = qs.filter(unit__document=s.document)
            if s.source_kind:
                qs = qs.filter(source__kind=s.source_kind)
            out[READING] = qs.select_related("unit__document", "source").defer(
                "unit__canonical",
                "unit__folded",
                "unit__grams",
                "unit__document__metadata",
                "source__original",
                "source__text",
                "source__report",
                "source__regions",
                "source__accounting",
            )
        if NOTE in wanted:
            qs = Note.objects.visible_to(self.user).containing(s.phrase)
            if s.document:
                qs = qs.filter(unit__document=s.document)
            out[NOTE] = qs.select_related("unit__document", "author").defer(
                "unit__canonical", "unit__folded", "unit__grams", "unit__document__metadata"
            )
        return out

    def per_document(self) -> dict[str, dict[int, int]]:
        """``{kind: {document id: number of hits}}`` for every kind searched."""
        if self._per_document is None:
            with _search_planner():
                self._per_document = {
                    kind: dict(
                        qs.order_by()
                        .values(DOCUMENT_OF[kind])
                        .annotate(n=Count("pk"))
                        .values_list(DOCUMENT_OF[kind], "n")
                    )
                    for kind, qs in self.querysets().items()
                }
                ids = {d for counts in self._per_document.values() for d in counts}
                self._order = (
                    list(
                        Document.objects.filter(pk__in=ids)
                        .order_by("-date", "title", "pk")  # Document.Meta.ordering
                        .values_list("pk", flat=True)
                    )
                    if ids
                    else []
                )
        return self._per_document

    def counts(self) -> dict[str, int]:
        """``{kind: number of hits}`` for every kind searched, in rank order."""
        return {kind: sum(d.values()) for kind, d in self.per_document().items()}

    def count(self) -> int:
        return sum(self.counts().values())

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice) or index.step not in (None, 1):
            raise TypeError("Hits takes a slice")
        per_document = self.per_document()
        start, stop = index.start or 0, index.stop
        if stop is None:
            stop = self.count()
        hits: list[Hit] = []
        at = 0  # rank of the first hit of the current (kind, document)
        with _search_planner():
            for kind, qs in self.querysets().items():
                spans = []  # (document id, its first rank, past its last) in the slice
                for document_id in self._order:
                    n = per_document[kind].get(document_id, 0)
                    if n and at < stop and at + n > start:
                        spans.append((document_id, at, at + n))
                    at += n
                if not spans:
                    continue
                ids = [d for d, _, _ in spans]
                base = spans[0][1]
                path = DOCUMENT_OF[kind]
                rows = qs.filter(**{f"{path}__in": ids}).order_by(
                    _position(ids, path), *WITHIN_DOCUMENT[kind]
                )[max(start, base) - base : min(stop, spans[-1][2]) - base]
                hits.extend(self._hit(kind, row) for row in rows)
        return hits

    def _hit(self, kind: str, row) -> Hit:
        phrase = self.search.phrase
        if kind == CANONICAL:
            unit, document = row, row.document
            pieces, n = snippet(unit.canonical, phrase, SNIPPET_CONTEXT)
            return Hit(kind, document, unit, pieces, n, urls=_unit_urls(document, unit))
        unit, document = row.unit, row.unit.document
        urls = _unit_urls(document, unit)
        if kind == READING:
            pieces, n = snippet(row.text, phrase, SNIPPET_CONTEXT)
            siglum = row.source.siglum
            reader = reverse("read", args=[document.slug])
            urls["read"] = (
                f"{reader}?{urlencode({'s': siglum, 'unit': unit.key})}#{dom_id(unit.key, 'r')}"
            )
            return Hit(kind, document, unit, pieces, n, siglum, row.source, urls=urls)
        pieces, n = snippet(row.body, phrase, SNIPPET_CONTEXT)
        urls["note"] = row.get_absolute_url()
        return Hit(kind, document, unit, pieces, n, note=row, urls=urls)
