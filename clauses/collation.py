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
only the new copy's reading (``incremental=True``), so its cost does not grow
with the number of copies; the result is the full collation's, exactly, as
an alignment depends on nothing but its two texts. A decision, a change of
priority or of derivation and ``manage.py recollate`` collate in full
(``incremental=False``) and store the alignments afresh.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max, Min

from annotations.anchoring import reanchor_notes

from .bulk import update_rows
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
    """``{source id: (first position, last position)}`` of each source's readings."""
    rows = (
        Reading.objects.filter(source__document_id=document_id)
        .values("source_id")
        .annotate(first=Min("position"), last=Max("position"))
        .values_list("source_id", "first", "last")
    )
    return {sid: (first, last) for sid, first, last in rows}


@transaction.atomic
def recollate(
    units: Iterable[Unit],
    *,
    cause: str = CanonicalChange.Cause.CONSENSUS,
    user=None,
    reason: str = "",
    incremental: bool = False,
    progress=None,
) -> CollationStats:
    """Recompute the canonical text and the variant sites of ``units``.

    ``incremental``: reuse the alignments kept from the units' last collation
    (an import: only the new readings are aligned); otherwise align every
    reading afresh. Both give the same result. ``progress(done, total)`` is
    called every few units.
    """
    units = list(units)
    stats = CollationStats()
    if not units:
        return stats
    unit_ids = [u.pk for u in units]
    document_id = units[0].document_id
    sources = {
        s.pk: s
        for s in Source.objects.filter(document_id=document_id).only(
            "siglum", "kind", "published", "priority", "derived_from"
        )
    }
    keys = {s.siglum: authority_key(s) for s in sources.values()}
    voters = {s.siglum for s in sources.values() if s.derived_from_id is None}
    bounds = edges_of(document_id)
    readings: dict[int, dict[str, str]] = {u.pk: {} for u in units}
    edges: dict[int, dict[str, str]] = {u.pk: {} for u in units}
    for unit_id, source_id, text, position in Reading.objects.filter(
        unit_id__in=unit_ids
    ).values_list("unit_id", "source_id", "text", "position"):
        siglum = sources[source_id].siglum
        readings[unit_id][siglum] = text
        first, last = bounds.get(source_id, (position, position))
        edge = {(True, True): "both", (True, False): "start", (False, True): "end"}.get(
            (position == first, position == last)
        )
        if edge:
            edges[unit_id][siglum] = edge
    decisions: dict[int, list[SiteDecision]] = {u.pk: [] for u in units}
    active = SiteDecision.objects.filter(unit_id__in=unit_ids, active=True)
    for d in active.order_by("decided_at", "pk"):
        decisions[d.unit_id].append(d)

    kept = {}
    if incremental:
        kept = dict(
            UnitAlignment.objects.filter(unit_id__in=unit_ids).values_list("unit_id", "cache")
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

    VariantSite.objects.filter(unit_id__in=list(results)).delete()
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
                VariantSite(
                    unit=unit,
                    index=index,
                    start=site.start,
                    end=site.end,
                    type=site.type,
                    likely_ocr=site.likely_ocr,
                    tie=site.tie,
                    ocr_pairs=[list(p) for p in site.ocr_pairs],
                    readings=site.readings,
                    canonical_reading=result.text[site.start : site.end],
                    decision=_decision_for(result.text, site, result.applied, by_override),
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
    VariantSite.objects.bulk_create(new_sites)
    UnitAlignment.objects.bulk_create(
        [UnitAlignment(unit_id=pk, cache=c.as_json()) for pk, c in caches.items()],
        update_conflicts=True,
        unique_fields=["unit"],
        update_fields=["cache"],
    )
    stats.changed = len(changed_units)
    return stats


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
