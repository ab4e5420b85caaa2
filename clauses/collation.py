"""Re-collation in the database: consensus text, variant sites, decisions, history.

The engine (``clauses.text.collate``) is plain Python; this module feeds it a
unit's readings, how authoritative each source is (:func:`authority_key`),
which sources vote (not those derived from another copy), which readings are
a copy's first or last (where a partial copy may begin or end: lacunae) and
the editors' decisions, and writes back the canonical text (with a history
entry when it changes) and the unit's variant sites.

What the stored ``VariantSite`` rows say, for the reader and the queue:

* ``tie`` -- the consensus could not choose: the best readings have equal
  votes from equally authoritative sources (same kind, date and priority);
  the canonical reading is the engine's suggestion and an editor should decide.
* ``type == "lacuna"`` -- one or more copies lack the span because they begin
  or end inside the unit. A copy reading ``""`` there lacks it. A lacuna site
  at the start of the unit (``start == 0``) means "copy begins here" (at
  ``end``); one at the end of the unit (``end == len(unit.canonical)``)
  means "copy ends here" (at ``start``). The other copies' readings of the
  span are in ``readings`` as usual. A lacuna never votes.
* Swapped phrases or sentences are one ``transposition`` site.

It runs for the units an import or a decision touched, and for every unit on
``manage.py recollate``.

Each unit keeps its witnesses' alignments to the texts its last collation was
built on (``UnitAlignment``, an ``engine.AlignmentCache``): an import aligns
only the new copy's reading (``incremental=True``); the result is the full
collation's, exactly, as an alignment depends on nothing but its two texts.
A decision, a change of priority or of derivation and ``manage.py recollate``
collate in full (``incremental=False``) and store the alignments afresh.

What an import does per touched unit (:func:`add_witness`): the new copy's
reading is aligned once, to the canonical text, and merged into the stored
sites (:func:`clauses.text.collate.add_witness`): where it agrees with the
canonical text, every stored site gains it in one SQL ``UPDATE`` for the whole
import; where it differs, its differences are merged into the unit's sites and
voted on. The other copies are neither re-aligned nor re-voted, so an
import's cost follows its own differences, not the number N of copies
(``bench/ingest.py`` prints the Nth import's time). A unit whose canonical
text the new copy may change (it wins a vote, or moves the consensus's
starting reading), that an editor decided, where the copy begins or ends, or
where the copy may transpose text is collated in full by :func:`recollate`
(``incremental=True``: the other copies' alignments come from the unit's
cache; where the canonical text stays, :func:`_merge_sites` updates the
stored sites in place). ``clauses/tests/test_incremental.py`` checks on
random sequences of copies and decisions that the stored state equals
``recollate(..., incremental=False)``'s, and that the merge path was taken.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import NamedTuple

import psycopg
from django.db import connection, transaction
from django.db.models import OuterRef, Subquery

from annotations.anchoring import reanchor_notes

from .bulk import insert_rows, update_rows
from .models import (
    CanonicalChange,
    Reading,
    SiteDecision,
    Source,
    Unit,
    UnitAlignment,
    VariantSite,
)
from .text import collate as engine
from .text.search import index_fields


@dataclass
class CollationStats:
    units: int = 0
    readings: int = 0
    seconds: float = 0.0  # the engine alone, not the database
    changed: int = 0
    aligned: int = 0  # readings aligned anew (not taken from the units' caches)
    merged: int = 0  # units a new copy was merged into without a full collation


#: Source.kind from the most authoritative to the least.
KIND_ORDER = (
    Source.Kind.OFFICIAL,
    Source.Kind.NEWSPAPER,
    Source.Kind.WEB,
    Source.Kind.OTHER,
)


def authority_key(source: Source) -> tuple:
    """How authoritative a source is, for breaking ties in the consensus: lower wins.

    Only properties an editor can see and set on the source, in this order:

    1. ``kind``: official > newspaper > web > other (:data:`KIND_ORDER`);
    2. ``published``: the *earlier* publication wins, and a dated copy wins
       over an undated one.  A copy printed first stands nearer to the
       issuing body's text (the official release, then the first newspaper
       printing), whereas later copies are reprints of reprints that pick up
       and pass on each other's changes; an undated copy cannot show that it
       is early;
    3. ``priority``: the editors' explicit order (lower wins, default 100).

    Never the siglum or the import order: two sources equal in all three are
    equally authoritative, and a site they alone disagree on is a tie
    (``VariantSite.tie``).
    """
    kind = KIND_ORDER.index(source.kind) if source.kind in KIND_ORDER else len(KIND_ORDER)
    published = source.published
    return (kind, published is None, published.toordinal() if published else 0, source.priority)


def priority_order(sources: Iterable[Source]) -> list[str]:
    """Sigla most authoritative first (:func:`authority_key`), equal ones by siglum
    (for display only: the siglum never breaks a tie in the consensus). The
    sources need ``siglum``, ``kind``, ``published`` and ``priority``."""
    return [s.siglum for s in sorted(sources, key=lambda s: (authority_key(s), s.siglum))]


def edges_of(document_id: int) -> dict[int, tuple[int, int]]:
    """``{source id: (first position, last position)}`` of each source's readings
    (positions as stored: ``Reading.position``), sources without readings left
    out. Two index lookups a source (``reading_source_position``), whatever the
    number of readings."""
    positions = Reading.objects.filter(source=OuterRef("pk")).values("position")
    rows = (
        Source.objects.filter(document_id=document_id)
        .order_by()
        .annotate(
            first=Subquery(positions.order_by("position")[:1]),
            last=Subquery(positions.order_by("-position")[:1]),
        )
        .values_list("pk", "first", "last")
    )
    return {sid: (first, last) for sid, first, last in rows if first is not None}


def _sources_of(document_id: int) -> dict[int, Source]:
    """``{source id: source}`` of a document, with what the consensus needs."""
    return {
        s.pk: s
        for s in Source.objects.filter(document_id=document_id).only(
            "siglum", "kind", "published", "priority", "derived_from"
        )
    }


def _unit_readings(
    unit_ids: list[int],
    sources: dict[int, Source],
    bounds: dict[int, tuple[int, int]],
) -> tuple[dict[int, dict[str, str]], dict[int, dict[str, str]]]:
    """The readings of ``unit_ids`` in one query: ``{unit id: {siglum: text}}``
    (one reading a copy: ``Reading``'s ``one_reading_per_source``), and
    ``{unit id: {siglum: edge}}`` for the readings that are their copy's first
    (``"start"``), last (``"end"``) or only (``"both"``) one (``bounds``:
    :func:`edges_of`)."""
    readings: dict[int, dict[str, str]] = {pk: {} for pk in unit_ids}
    edges: dict[int, dict[str, str]] = {pk: {} for pk in unit_ids}
    if not unit_ids:
        return readings, edges
    table = connection.ops.quote_name(Reading._meta.db_table)
    with connection.cursor() as cursor:  # tuples as they come: no ORM row handling
        cursor.execute(
            f"SELECT unit_id, source_id, text, position FROM {table} WHERE unit_id = ANY(%s)",
            [unit_ids],
        )
        rows = cursor.fetchall()
    for unit_id, source_id, text, position in rows:
        siglum = sources[source_id].siglum
        readings[unit_id][siglum] = text
        first, last = bounds.get(source_id, (position, position))
        edge = {(True, True): "both", (True, False): "start", (False, True): "end"}.get(
            (position == first, position == last)
        )
        if edge:
            edges[unit_id][siglum] = edge
    return readings, edges


@transaction.atomic
def recollate(
    units: Iterable[Unit],
    *,
    cause: str = CanonicalChange.Cause.CONSENSUS,
    user=None,
    reason: str = "",
    incremental: bool = False,
    added: str | None = None,
    progress=None,
) -> CollationStats:
    """Recompute the canonical text and the variant sites of ``units``.

    ``incremental``: reuse the alignments kept from the units' last collation
    (an import: only the new readings are aligned); otherwise align every
    reading afresh. Both give the same result. ``added``: the siglum of the
    one source whose readings were added since the units' last collation (an
    import); where a unit's canonical text stays and no decision applies, its
    stored sites are then updated in place (:func:`_merge_sites`) rather than
    rewritten. ``progress(done, total)`` is called every few units.

    Units are collated and written :data:`BATCH` at a time (each unit's work is
    its own), so memory follows the batch, not the document.
    """
    units = list(units)
    stats = CollationStats()
    if not units:
        return stats
    _recollate_units(
        units,
        stats,
        _sources_of(units[0].document_id),
        edges_of(units[0].document_id),  # once: the batches add no readings
        cause=cause,
        user=user,
        reason=reason,
        incremental=incremental,
        added=added,
        progress=progress,
    )
    return stats


def _recollate_units(
    units: list[Unit],
    stats: CollationStats,
    sources: dict[int, Source],
    bounds: dict[int, tuple[int, int]],
    *,
    progress=None,
    **options,
) -> None:
    """:func:`recollate`'s work over ``units``, :data:`BATCH` at a time, added
    to ``stats``; ``sources`` (:func:`_sources_of`) and ``bounds``
    (:func:`edges_of`) as read by the caller; ``options`` as for
    :func:`_recollate_batch`."""
    for offset in range(0, len(units), BATCH):
        _recollate_batch(
            units[offset : offset + BATCH],
            stats,
            sources,
            bounds,
            progress=(
                (lambda done, _n, offset=offset: progress(offset + done, len(units)))
                if progress is not None
                else None
            ),
            **options,
        )


#: Units collated and written at a time by :func:`recollate`.
BATCH = 500


def _recollate_batch(
    units: list[Unit],
    stats: CollationStats,
    sources: dict[int, Source],
    bounds: dict[int, tuple[int, int]],
    *,
    cause: str,
    user,
    reason: str,
    incremental: bool,
    added: str | None,
    progress,
) -> None:
    """:func:`recollate`'s work for ``units`` (a batch), added to ``stats``."""
    if not units:
        return
    unit_ids = [u.pk for u in units]
    keys = {s.siglum: authority_key(s) for s in sources.values()}
    voters = {s.siglum for s in sources.values() if s.derived_from_id is None}
    readings, edges = _unit_readings(unit_ids, sources, bounds)
    decisions: dict[int, list[SiteDecision]] = {u.pk: [] for u in units}
    active = SiteDecision.objects.filter(unit_id__any=unit_ids, active=True)
    for d in active.order_by("decided_at", "pk"):
        decisions[d.unit_id].append(d)

    kept = {}
    if incremental:
        kept = dict(
            UnitAlignment.objects.filter(unit_id__any=unit_ids).values_list("unit_id", "cache")
        )
    caches: dict[int, engine.AlignmentCache] = {}
    results = {}
    for done, unit in enumerate(units):
        if progress is not None and done % 50 == 0:
            progress(done, len(units))
        unit_readings = readings[unit.pk]
        if not unit_readings:
            continue
        ovs = [engine.Override.from_dict(d.override) for d in decisions[unit.pk]]
        cache = caches[unit.pk] = engine.AlignmentCache(kept.get(unit.pk))
        started = time.perf_counter()
        result = engine.consensus(
            unit_readings, keys, ovs, voters=voters, edges=edges[unit.pk], cache=cache
        )
        stats.seconds += time.perf_counter() - started
        stats.aligned += cache.misses
        stats.units += 1
        stats.readings += len(unit_readings)
        results[unit.pk] = (unit, result)

    # Units whose stored sites are merged with the new ones instead of rewritten.
    merged = {
        pk
        for pk, (unit, result) in results.items()
        if added is not None
        and added in readings[pk]
        and not decisions[pk]
        and result.text == unit.canonical
    }
    VariantSite.objects.filter(unit_id__any=[pk for pk in results if pk not in merged]).delete()
    new_sites: list[VariantSite] = []
    changes: list[CanonicalChange] = []
    changed_units: list[Unit] = []
    changed_decisions: list[SiteDecision] = []
    for unit, result in results.values():
        if result.text != unit.canonical:
            changes.append(
                CanonicalChange(
                    unit=unit,
                    before=unit.canonical,
                    after=result.text,
                    cause=cause,
                    reason=reason,
                    user=user if user is not None and user.is_authenticated else None,
                )
            )
            unit.canonical = result.text
            changed_units.append(unit)
        by_override = {}
        for decision, override in zip(
            decisions[unit.pk],
            [engine.Override.from_dict(d.override) for d in decisions[unit.pk]],
            strict=True,
        ):
            by_override[_override_key(override)] = decision
            is_applied = any(_override_key(o) == _override_key(override) for o in result.applied)
            if decision.applied != is_applied:
                decision.applied = is_applied
                changed_decisions.append(decision)
        for index, site in enumerate(result.sites):
            new_sites.append(
                _site_row(
                    unit,
                    index,
                    site,
                    result.text,
                    _decision_for(result.text, site, result.applied, by_override),
                )
            )
    update_rows(
        Unit,
        ["canonical", "folded", "grams"],
        [(u.pk, u.canonical, *index_fields(u.canonical)) for u in changed_units],
    )
    reanchor_notes(changed_units)  # span notes follow their quote, or are orphaned
    CanonicalChange.objects.bulk_create(changes)
    SiteDecision.objects.bulk_update(changed_decisions, ["applied"])
    if merged:
        new_sites = _merge_sites(merged, new_sites, added)
    VariantSite.objects.bulk_create(new_sites)
    UnitAlignment.objects.bulk_create(
        [UnitAlignment(unit_id=pk, cache=c.as_json()) for pk, c in caches.items()],
        update_conflicts=True,
        unique_fields=["unit"],
        update_fields=["cache"],
    )
    stats.changed += len(changed_units)


@transaction.atomic
def add_witness(
    units: Iterable[Unit],
    source: Source,
    *,
    cause: str = CanonicalChange.Cause.IMPORT,
    user=None,
    reason: str = "",
    progress=None,
) -> CollationStats:
    """Collate the readings ``source`` (just imported) has of ``units`` into their
    stored sites; units this cannot settle are re-collated in full.

    Per unit (:func:`clauses.text.collate.add_witness`): the new reading is
    aligned once, to the canonical text; where it agrees with it, every stored
    site gains it in one SQL ``UPDATE`` per import (nothing is read into
    Python); where it differs, the unit's stored sites are read, the reading's
    differences merged into them and voted on, and the sites written back
    through :func:`_merge_sites` (unchanged spans gain the new reading, others
    are replaced). The other copies are neither re-aligned nor re-voted, so
    the work follows the new copy's differences, not the number of copies.

    A unit is re-collated in full (:func:`recollate`) when an editor decided
    one of its sites, when the new reading is its copy's first or last (a copy
    may begin or end inside it: lacunae), when it meets a lacuna site, when
    it would win a vote or make another reading the consensus's base, or when
    it may be one side of a transposition: whatever changes the canonical text
    goes through the full collation, with its history entry.

    Returns the :class:`CollationStats` of both parts (``aligned`` counts the
    readings aligned anew, here one per merged unit).
    """
    units = list({u.pk: u for u in units}.values())
    stats = CollationStats()
    if not units:
        return stats
    document_id = units[0].document_id
    sources = _sources_of(document_id)
    added = sources[source.pk].siglum
    bounds = edges_of(document_id)
    full: list[Unit] = []
    for offset in range(0, len(units), BATCH):
        if progress is not None:
            progress(offset, len(units))
        _add_witness_batch(units[offset : offset + BATCH], sources, added, bounds, stats, full)
    if full:
        # The document's sources and their edges, as read above: the batches
        # added no readings.
        _recollate_units(
            full,
            stats,
            sources,
            bounds,
            cause=cause,
            user=user,
            reason=reason,
            incremental=True,
            added=added,
        )
    return stats


class _UnitFigures(NamedTuple):
    """What :func:`_add_witness_batch` asks of a unit before reading any text:
    how many ``copies`` read it (one reading a copy: ``one_reading_per_source``),
    whether the added copy ``reads_canonical`` (its reading is the canonical
    text exactly) and has it ``at_edge`` (its first or last reading), whether
    an active decision applies (``decided``) and a stored site is ``tied``."""

    copies: int
    reads_canonical: bool
    at_edge: bool
    decided: bool
    tied: bool


def _unit_figures(
    unit_ids: list[int], added_pk: int, added_bounds: tuple[int, int] | None
) -> dict[int, _UnitFigures]:
    """``{unit id: _UnitFigures}`` for ``unit_ids``, source ``added_pk`` being the
    added copy, whose first and last readings are at ``added_bounds``
    (positions, :func:`edges_of`): one query, counted in PostgreSQL."""
    if not unit_ids:
        return {}
    quote = connection.ops.quote_name
    first, last = added_bounds or (-1, -1)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT u.id, count(r.id),
                    coalesce(bool_or(r.source_id = %s AND r.text = u.canonical), false),
                    coalesce(bool_or(r.source_id = %s AND r.position IN (%s, %s)), false),
                    EXISTS (SELECT 1 FROM {quote(SiteDecision._meta.db_table)} AS d
                            WHERE d.unit_id = u.id AND d.active),
                    EXISTS (SELECT 1 FROM {quote(VariantSite._meta.db_table)} AS s
                            WHERE s.unit_id = u.id AND s.tie)
                FROM {quote(Unit._meta.db_table)} AS u
                LEFT JOIN {quote(Reading._meta.db_table)} AS r ON r.unit_id = u.id
                WHERE u.id = ANY(%s)
                GROUP BY u.id""",
            [added_pk, added_pk, first, last, unit_ids],
        )
        return {pk: _UnitFigures(*figures) for pk, *figures in cursor.fetchall()}


def _add_witness_batch(
    units: list[Unit],
    sources: dict[int, Source],
    added: str,
    bounds: dict[int, tuple[int, int]],
    stats: CollationStats,
    full: list[Unit],
) -> None:
    """:func:`add_witness` for a batch of ``units``: figures added to ``stats``,
    the units to collate in full appended to ``full``."""
    keys = {s.siglum: authority_key(s) for s in sources.values()}
    voters = {s.siglum for s in sources.values() if s.derived_from_id is None}
    added_pk = next(pk for pk, s in sources.items() if s.siglum == added)
    figures = _unit_figures([u.pk for u in units], added_pk, bounds.get(added_pk))
    # The units where the new copy reads the canonical text (no tie, no
    # decision): only how many copies read them is needed, not their texts
    # (nothing there is re-voted).
    same = {pk for pk, f in figures.items() if f.reads_canonical and not (f.tied or f.decided)}
    readings, edges = _unit_readings([u.pk for u in units if u.pk not in same], sources, bounds)
    agreeing: list[int] = []  # units whose every stored site just gains the new reading
    merging: list[Unit] = []
    for unit in units:
        if unit.pk in same:
            f = figures[unit.pk]
            if f.copies < 2 or f.at_edge:
                full.append(unit)
            else:
                # The consensus's base cannot move here but to a reading of the
                # canonical text (one more vote for it, none for any other), which
                # the rounds keep: engine.keeps_base holds without asking.
                agreeing.append(unit.pk)
            continue
        unit_readings = readings[unit.pk]
        if (
            added not in unit_readings
            or len(unit_readings) < 2
            or figures[unit.pk].decided
            or added in edges[unit.pk]
        ):
            full.append(unit)
        else:
            merging.append(unit)

    stored = _stored_sites([u.pk for u in merging])
    new_sites: list[VariantSite] = []
    merged: set[int] = set()
    started = time.perf_counter()
    for unit in merging:
        unit_readings = dict(readings[unit.pk])
        reading = unit_readings.pop(added)
        sites = engine.add_witness(
            unit.canonical,
            stored.sites[unit.pk],
            added,
            reading,
            readings=unit_readings,
            voters=voters,
            priority=keys,
            edges=edges[unit.pk],
        )
        if sites is None:
            full.append(unit)
            continue
        merged.add(unit.pk)
        stats.aligned += 1
        new_sites.extend(
            _MergedSite.of(unit.pk, index, site, unit.canonical) for index, site in enumerate(sites)
        )
    stats.seconds += time.perf_counter() - started
    stats.units += len(agreeing) + len(merged)
    stats.merged += len(agreeing) + len(merged)
    stats.readings += sum(figures[pk].copies for pk in agreeing)
    stats.readings += sum(len(readings[pk]) for pk in merged)
    if agreeing:
        VariantSite.objects.filter(unit_id__any=agreeing).add_lemma_reading(added)
    if merged:
        insert_rows(
            VariantSite,
            _MergedSite._fields,
            [
                (*row[:7], [list(p) for p in row.ocr_pairs], dict(row.readings), *row[9:])
                for row in _merge_sites(merged, new_sites, added, stored)
            ],
        )


class _MergedSite(NamedTuple):
    """A site of a merged unit, as :func:`_merge_sites` reads it: the fields of
    a ``VariantSite`` row (offsets 0-based, in characters of the canonical
    text), without building a model instance for the sites only updated."""

    unit_id: int
    index: int
    start: int
    end: int
    type: str
    likely_ocr: bool
    tie: bool
    ocr_pairs: tuple
    readings: Mapping[str, str]
    canonical_reading: str

    @classmethod
    def of(cls, unit_id: int, index: int, site: engine.VariantSite, text: str) -> _MergedSite:
        """The row of the engine's ``site``, the ``index``-th (0-based) of unit
        ``unit_id``, whose canonical text is ``text``."""
        return cls(
            unit_id,
            index,
            site.start,
            site.end,
            site.type,
            site.likely_ocr,
            site.tie,
            site.ocr_pairs,
            site.readings,
            text[site.start : site.end],
        )


class _StoredSites(NamedTuple):
    """What :func:`_stored_sites` read: ``sites`` ``{unit id: [its sites as the
    engine takes them]}``, ``pks`` ``{(unit id, start, end): site id}`` (offsets
    0-based, in characters of the canonical text) and ``twins``, ``(unit id,
    site id)`` of second sites of one span, which :func:`_merge_sites` never
    keeps."""

    sites: dict[int, list[engine.VariantSite]]
    pks: dict[tuple[int, int, int], int]
    twins: list[tuple[int, int]]

    def add_id(self, unit_id: int, start: int, end: int, pk: int) -> None:
        """Record site ``pk`` of unit ``unit_id`` at ``[start, end)``: the first
        of its span in ``pks``, any other in ``twins``."""
        if self.pks.setdefault((unit_id, start, end), pk) != pk:
            self.twins.append((unit_id, pk))


#: The columns of a stored site :func:`stored_site` reads, in its order.
STORED_SITE_COLUMNS = 'start, "end", type, tie, likely_ocr, ocr_pairs::text, readings::text'


def _stored_sites(unit_ids: list[int]) -> _StoredSites:
    """The stored sites of ``unit_ids`` as the engine takes them, and their ids
    by unit and span (:class:`_StoredSites`), in one query: plain rows, their
    OCR pairs and readings as JSON text, so PostgreSQL builds no JSON and
    Python parses a site's readings only if read (:class:`_StoredReadings`):
    the sites the new copy agrees with are stored in place without them
    (``engine.WithLemma``)."""
    stored = _StoredSites({pk: [] for pk in unit_ids}, {}, [])
    if not unit_ids:
        return stored
    table = connection.ops.quote_name(VariantSite._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, unit_id, {STORED_SITE_COLUMNS} FROM {table} WHERE unit_id = ANY(%s)",
            [unit_ids],
        )
        rows = cursor.fetchall()
    for pk, unit_id, *row in rows:
        site = stored_site(*row)
        stored.sites[unit_id].append(site)
        stored.add_id(unit_id, site.start, site.end, pk)
    return stored


def stored_site(
    start: int, end: int, type: str, tie: bool, likely_ocr: bool, ocr_pairs: str, readings: str
) -> engine.VariantSite:
    """A stored site as the engine takes it, from its columns as
    :data:`STORED_SITE_COLUMNS` reads them (offsets 0-based, in characters of
    the canonical text; OCR pairs and readings as JSON text), the readings
    parsed only if read."""
    return engine.new_site(
        start,
        end,
        _StoredReadings(readings),
        type,
        likely_ocr,
        () if ocr_pairs == "[]" else tuple(map(tuple, json.loads(ocr_pairs))),
        tie,
        {},
    )


class _StoredReadings(Mapping):
    """A stored site's ``{siglum: text}``, from its JSON text, parsed on first
    use (a site of 20 witnesses holds 20 readings; most sites an import
    touches only gain one, :func:`_merge_sites`)."""

    __slots__ = ("_text", "_parsed")

    def __init__(self, text: str):
        self._text, self._parsed = text, None

    def _dict(self) -> dict[str, str]:
        if self._parsed is None:
            self._parsed, self._text = json.loads(self._text), None
        return self._parsed

    def __getitem__(self, key: str) -> str:
        return self._dict()[key]

    def get(self, key: str, default=None):
        return self._dict().get(key, default)

    def __contains__(self, key) -> bool:
        return key in self._dict()

    def __iter__(self):
        return iter(self._dict())

    def __len__(self) -> int:
        return len(self._dict())

    # The parsed dict's own views: the engine reads every reading of a site
    # it merges, and Mapping's would look each one up through __getitem__.
    def keys(self):
        return self._dict().keys()

    def items(self):
        return self._dict().items()

    def values(self):
        return self._dict().values()


def _site_row(
    unit: Unit, index: int, site: engine.VariantSite, text: str, decision=None
) -> VariantSite:
    """The model instance of the engine's ``site``, the ``index``-th (0-based)
    of ``unit``, whose canonical text is ``text`` (:meth:`_MergedSite.of`)."""
    row = _MergedSite.of(unit.pk, index, site, text)._asdict()
    del row["unit_id"]
    row["ocr_pairs"] = [list(p) for p in site.ocr_pairs]
    return VariantSite(unit=unit, decision=decision, **row)


def _merge_sites(
    units: set[int], sites: list, added: str, stored: _StoredSites | None = None
) -> list:
    """Write the sites of ``units`` by updating the stored ones; returns the
    sites left to insert (those of other units and the new ones).

    Applies where a unit's canonical text did not change, no decision applies
    and one source (``added``) was added since its sites were stored. Its
    other sources' alignments to the canonical text are then those the stored
    sites were cut from (an alignment depends on its two texts alone), so a
    stored site with the span of a new one holds the same readings, the added
    source's aside: one ``UPDATE`` adds that reading (``readings ||
    {added: reading}``) and sets what the added vote may change (index, type,
    tie, OCR pairs). Stored sites whose span is gone are deleted, new spans
    inserted. Rows written: the unit's sites once, without rewriting the other
    sources' readings.

    ``sites``: ``VariantSite`` instances or :class:`_MergedSite` rows (read
    by attribute); the rest is returned as given. ``stored``: the units'
    stored sites as :func:`_stored_sites` read them (covering ``units``), else
    their ids are read here.
    """
    if stored is None:
        stored = _StoredSites({}, {}, [])
        for pk, unit_id, start, end in (
            VariantSite.objects.filter(unit_id__any=units)
            .order_by()
            .values_list("pk", "unit_id", "start", "end")
        ):
            stored.add_id(unit_id, start, end, pk)
    # Only the ids of ``units``' sites (``stored`` may cover more units).
    spans = {key: pk for key, pk in stored.pks.items() if key[0] in units}
    twins = [pk for unit_id, pk in stored.twins if unit_id in units]
    kept: list[tuple[int, VariantSite]] = []
    rest: list[VariantSite] = []
    for site in sites:
        pk = (
            spans.pop((site.unit_id, site.start, site.end), None) if site.unit_id in units else None
        )
        if pk is None:
            rest.append(site)
        else:
            kept.append((pk, site))
    if spans or twins:
        VariantSite.objects.filter(pk__any=[*spans.values(), *twins]).delete()
    if kept:
        table = connection.ops.quote_name(VariantSite._meta.db_table)
        # One JSON parameter for the rows (encoded in C; arrays of Python
        # values are dumped element by element), bound server-side.
        rows = json.dumps(
            [
                {
                    "id": pk,
                    "idx": s.index,
                    "reading": s.readings.get(added, s.canonical_reading),
                    "type": s.type,
                    "tie": s.tie,
                    "likely_ocr": s.likely_ocr,
                    "ocr_pairs": [list(p) for p in s.ocr_pairs],
                }
                for pk, s in kept
            ],
            ensure_ascii=False,
        )
        with psycopg.Cursor(connection.connection) as cursor:
            cursor.execute(
                f"""UPDATE {table} AS t SET
                    readings = t.readings || jsonb_build_object(%s::text, v.reading),
                    "index" = v.idx, type = v.type, tie = v.tie,
                    likely_ocr = v.likely_ocr, ocr_pairs = v.ocr_pairs, decision_id = NULL
                FROM jsonb_to_recordset(%s::jsonb) AS v(
                    id integer, idx integer, reading text, type text, tie boolean,
                    likely_ocr boolean, ocr_pairs jsonb)
                WHERE t.id = v.id""",
                [added, rows],
            )
    return rest


def _override_key(o: engine.Override) -> tuple:
    return (tuple(sorted(o.readings.items())), o.text, o.before, o.after, o.position)


def _decision_for(text: str, site, applied, by_override) -> SiteDecision | None:
    """The applied decision whose site this is: same readings, canonical = its text;
    else the one whose decided span the site covers. Collated against the new text,
    a site may be drawn wider or narrower than the decision's (学校 → 职业学校 after
    choosing 院校, 和谐 → 谐 after choosing 和行业)."""
    for o in applied:
        common = set(o.readings) & set(site.readings)
        if (
            common
            and all(site.readings[s] == o.readings[s] for s in common)
            and text[site.start : site.end] == o.text
        ):
            return by_override.get(_override_key(o))
    for o in applied:
        start = _decided_start(text, o)
        if start is not None and _overlaps(site.start, site.end, start, start + len(o.text)):
            return by_override.get(_override_key(o))
    return None


def _decided_start(text: str, o: engine.Override) -> int | None:
    """Where an applied decision's text stands in ``text``: the occurrence with the
    longest recorded context around it, then the nearest to where it was decided."""
    best, best_rank = None, None
    start = text.find(o.text)
    while start >= 0:
        end = start + len(o.text)
        context = engine.common_suffix(text[:start], o.before) + engine.common_prefix(
            text[end:], o.after
        )
        rank = (-context, abs(start - o.position) if o.position >= 0 else 0)
        if best_rank is None or rank < best_rank:
            best, best_rank = start, rank
        start = text.find(o.text, start + 1) if start < len(text) else -1
    return best


def _overlaps(a: int, b: int, c: int, d: int) -> bool:
    """Do spans [a, b) and [c, d) meet? An empty span (an insertion point, a
    deletion) meets the spans it touches."""
    if a == b or c == d:
        return c <= b and a <= d
    return a < d and c < b


@transaction.atomic
def decide(site: VariantSite, action: str, text: str, reason: str, user) -> SiteDecision:
    """An editor decides the canonical reading at ``site``; the unit is re-collated.

    ``keep`` keeps the current canonical reading (and protects it against a
    changing majority), ``choose`` takes one source's reading, ``emend`` puts
    in the editor's own text. A later decision at the same site replaces the
    earlier one, which stays in the record, inactive.
    """
    unit = Unit.objects.select_for_update().get(pk=site.unit_id)
    # Read the site again under the unit's lock: a decision that landed in
    # between re-collated the unit, and this site may be gone or changed.
    site = VariantSite.objects.get(pk=site.pk)
    if action == SiteDecision.Action.KEEP:
        text = site.canonical_reading
    elif action == SiteDecision.Action.CHOOSE and text not in site.readings.values():
        raise ValueError("the chosen reading is not one of the sources' readings")
    engine_site = engine.VariantSite(site.start, site.end, dict(site.readings), site.type)
    override = engine.make_override(unit.canonical, engine_site, text, note=reason)
    if site.decision_id:
        SiteDecision.objects.filter(pk=site.decision_id).update(active=False)
    decision = SiteDecision.objects.create(
        unit=unit,
        action=action,
        text=text,
        reason=reason,
        override=override.as_dict(),
        decided_by=user if user is not None and user.is_authenticated else None,
    )
    recollate([unit], cause=CanonicalChange.Cause.DECISION, user=user, reason=reason)
    decision.refresh_from_db()
    return decision


@transaction.atomic
def set_priority(document, sigla: list[str], user=None) -> CollationStats:
    """Editors order the sources for breaking ties; every unit is re-collated."""
    for position, siglum in enumerate(sigla):
        Source.objects.filter(document=document, siglum=siglum).update(priority=position)
    return recollate(
        Unit.objects.filter(document=document).in_order(),
        cause=CanonicalChange.Cause.PRIORITY,
        user=user,
        reason=" > ".join(sigla),  # shown after the cause: “source priority · B > A”
    )
