"""Two documents compared unit by unit (新旧对照): the page's rows, the JSON
export, editors' corrections of the pairing and relations between documents.

The pairing itself is ``clauses.text.compare`` (no database); this module
loads the units (one query per document), applies the stored corrections
(one query) and writes corrections and relations, each in one transaction.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from .models import ComparisonCorrection, Document, DocumentRelation, Unit
from .text.compare import RELATIONS, Pair, compare, diff_sides

#: Relations whose texts are unchanged: hidden by “changes only”.
UNCHANGED = ("same", "moved")


class CorrectionError(ValueError):
    """A correction that cannot be made: the message says why, for a person."""


@dataclass
class Row:
    """One row of the comparison page: a pair, its units and their marked texts.

    ``old``/``new`` are lists of (unit, segments), segments being
    ``(kind, text)`` with kind ``same``, ``del`` (old side) or ``ins`` (new side).
    """

    pair: Pair
    old: list[tuple[Unit, list[tuple[str, str]]]] = field(default_factory=list)
    new: list[tuple[Unit, list[tuple[str, str]]]] = field(default_factory=list)

    @property
    def relation(self) -> str:
        return self.pair.relation

    @property
    def percent(self) -> str:
        return f"{self.pair.similarity:.0%}"

    @property
    def unchanged(self) -> bool:
        return self.pair.relation in UNCHANGED


@dataclass
class Comparison:
    old: Document
    new: Document
    old_units: list[Unit]
    new_units: list[Unit]
    pairs: list[Pair]
    corrections: list[ComparisonCorrection]

    @property
    def summary(self) -> list[tuple[str, int]]:
        """(relation, count of pairs) for every relation, in :data:`RELATIONS` order."""
        counts = Counter(p.relation for p in self.pairs)
        return [(r, counts.get(r, 0)) for r in RELATIONS]

    def rows(self, changes_only: bool = False) -> list[Row]:
        """The page's rows in the new document's order, each pair's characters
        marked (only pairs whose text changed are diffed)."""
        old_by_key = {u.key: u for u in self.old_units}
        new_by_key = {u.key: u for u in self.new_units}
        rows = []
        for pair in self.pairs:
            if changes_only and pair.relation in UNCHANGED:
                continue
            olds = [old_by_key[k] for k in pair.old]
            news = [new_by_key[k] for k in pair.new]
            if olds and news and pair.relation not in UNCHANGED:
                old_side, new_side = diff_sides(
                    [u.canonical for u in olds], [u.canonical for u in news]
                )
            else:
                old_side = [[("del" if not news else "same", u.canonical)] for u in olds]
                new_side = [[("ins" if not olds else "same", u.canonical)] for u in news]
            rows.append(
                Row(
                    pair,
                    list(zip(olds, old_side, strict=True)),
                    list(zip(news, new_side, strict=True)),
                )
            )
        return rows

    def as_json(self) -> dict:
        return {
            "old": self.old.slug,
            "new": self.new.slug,
            "pairs": [p.as_json() for p in self.pairs],
        }


def _units(document: Document) -> list[Unit]:
    units = list(Unit.objects.filter(document=document).in_order())
    for u in units:
        u.document = document  # their links need the slug: no query each
    return units


def compare_documents(old: Document, new: Document) -> Comparison:
    """The comparison of ``old`` with ``new``: three queries (the units of
    each, the corrections), then :func:`clauses.text.compare.compare` with the
    corrections, newest first, fixed on top of the automatic pairing."""
    corrections = list(ComparisonCorrection.objects.between(old, new).select_related("created_by"))
    return _compared(old, new, corrections)


class ComparisonTooLarge(Exception):
    """Two documents with more unit pairs than a request may pair
    (``settings.COMPARE_MAX_UNIT_PAIRS``): ``old_units``, ``new_units`` (their
    unit counts) and ``limit``; ``message()`` says so, for a person."""

    def __init__(self, old_units: int, new_units: int, limit: int):
        super().__init__(f"{old_units} × {new_units} units > {limit} pairs")
        self.old_units, self.new_units, self.limit = old_units, new_units, limit

    def message(self) -> str:
        return _(
            "These two documents are too long to compare here: %(old)s × %(new)s units, "
            "and a comparison may pair at most %(limit)s (COMPARE_MAX_UNIT_PAIRS)."
        ) % {
            "old": f"{self.old_units:,}",
            "new": f"{self.new_units:,}",
            "limit": f"{self.limit:,}",
        }


def _compared(
    old: Document, new: Document, corrections, max_pairs: int | None = None
) -> Comparison:
    """:func:`compare_documents` with the corrections read already: two queries.
    Raises :class:`ComparisonTooLarge` above ``max_pairs`` unit pairs (none:
    no limit), before any pairing."""
    old_units, new_units = _units(old), _units(new)
    if max_pairs is not None and len(old_units) * len(new_units) > max_pairs:
        raise ComparisonTooLarge(len(old_units), len(new_units), max_pairs)
    fixed = [g for c in corrections for g in c.fixed_groups()]
    pairs = compare(
        [(u.key, u.label, u.canonical) for u in old_units],
        [(u.key, u.label, u.canonical) for u in new_units],
        fixed=fixed,
    )
    return Comparison(old, new, old_units, new_units, pairs, corrections)


#: Seconds a comparison's pairing is kept in Django's cache. Its key names
#: everything the pairing is made of, so a change to either text or to the
#: corrections makes another key: the timeout only frees memory.
PAIRS_CACHE_SECONDS = 7 * 24 * 3600


@dataclass
class PagedComparison:
    """A comparison as the page needs it: every pair (for the summary, the
    filter and the pages) but only the units of the pairs shown.

    ``pairs`` is every pair in the new document's order; ``corrections`` the
    editors' corrections, each with ``old_names``/``new_names`` (its units'
    locators)."""

    old: Document
    new: Document
    pairs: list[Pair]
    corrections: list[ComparisonCorrection]
    # Every unit, by key, when the pairing was just made (no query for the rows).
    loaded: dict[str, dict[str, Unit]] | None = None

    @property
    def summary(self) -> list[tuple[str, int]]:
        """(relation, count of pairs) for every relation, over the whole comparison."""
        counts = Counter(p.relation for p in self.pairs)
        return [(r, counts.get(r, 0)) for r in RELATIONS]

    def shown(self, changes_only: bool = False) -> list[Pair]:
        """The pairs the page lists: all, or those whose text changed."""
        if not changes_only:
            return self.pairs
        return [p for p in self.pairs if p.relation not in UNCHANGED]

    def rows(self, pairs: list[Pair]) -> tuple[list[Row], list[Unit], list[Unit]]:
        """The rows of ``pairs`` (one page), each pair's characters marked,
        and the old and new units they hold, in document order: two queries."""
        old_keys = {k for p in pairs for k in p.old}
        new_keys = {k for p in pairs for k in p.new}
        if self.loaded is not None:
            old_units = [u for k, u in self.loaded["old"].items() if k in old_keys]
            new_units = [u for k, u in self.loaded["new"].items() if k in new_keys]
        else:
            old_units = _units_named(self.old, old_keys, full=True)
            new_units = _units_named(self.new, new_keys, full=True)
        comparison = Comparison(self.old, self.new, old_units, new_units, pairs, [])
        return comparison.rows(), old_units, new_units


def _units_named(document: Document, keys, full: bool = False) -> list[Unit]:
    """The units of ``document`` with these keys, in document order (one query);
    ``full``: with their canonical texts, else only what names them."""
    units = Unit.objects.filter(document=document, key__in=list(keys)).in_order()
    if not full:
        units = units.only("key", "label", "locator", "order", "document_id")
    units = list(units)
    for u in units:
        u.document = document
    return units


def _pairs_key(old: Document, new: Document, corrections) -> str:
    """The cache key of a pairing: the two documents, a digest of each one's
    units (keys, labels, canonical texts in order, computed by PostgreSQL: one
    query for both), and the corrections applied."""
    digests = dict(Unit.objects.filter(document__in=[old, new]).texts_digests())
    parts = (
        old.pk,
        new.pk,
        digests.get(old.pk, ""),
        digests.get(new.pk, ""),
        [(c.pk, c.kind, list(c.old_keys), list(c.new_keys)) for c in corrections],
    )
    return "compare-pairs:" + hashlib.blake2b(repr(parts).encode(), digest_size=20).hexdigest()


def paged_comparison(old: Document, new: Document) -> PagedComparison:
    """The comparison of ``old`` with ``new`` for its page: the pairing from
    Django's cache when neither text nor the corrections changed since it was
    made (two queries: the corrections, the digests), else as
    :func:`compare_documents` makes it (two more, and the page's units come
    with them), then kept. The corrections come with the names of their units
    (two more queries, when there are corrections). Raises
    :class:`ComparisonTooLarge` when the pairing is to be made and the two
    documents exceed ``settings.COMPARE_MAX_UNIT_PAIRS``."""
    corrections = list(ComparisonCorrection.objects.between(old, new).select_related("created_by"))
    key = _pairs_key(old, new, corrections)
    pairs = cache.get(key)
    loaded = None
    if pairs is None:
        made = _compared(old, new, corrections, settings.COMPARE_MAX_UNIT_PAIRS)
        pairs = made.pairs
        cache.set(key, pairs, PAIRS_CACHE_SECONDS)
        loaded = {
            "old": {u.key: u for u in made.old_units},
            "new": {u.key: u for u in made.new_units},
        }
    if corrections:
        names = {}
        for side, document in (("old", old), ("new", new)):
            keys = {k for c in corrections for k in getattr(c, f"{side}_keys")}
            names[side] = {
                u.key: u.locator or u.label or u.key for u in _units_named(document, keys)
            }
        for c in corrections:
            c.old_names = [names["old"].get(k, k) for k in c.old_keys]
            c.new_names = [names["new"].get(k, k) for k in c.new_keys]
    return PagedComparison(old, new, pairs, corrections, loaded)


def save_correction(
    old: Document, new: Document, kind: str, old_keys: list[str], new_keys: list[str], user
) -> ComparisonCorrection:
    """Store an editor's correction; earlier corrections touching the same
    units are removed (the new one replaces them). Raises
    :class:`CorrectionError` (nothing written) for unknown keys, an empty
    side of a pairing, or several units on both sides."""
    old_keys = list(dict.fromkeys(old_keys))
    new_keys = list(dict.fromkeys(new_keys))
    if kind not in ComparisonCorrection.Kind.values:
        raise CorrectionError(_("Choose to pair the units or to mark them without counterpart."))
    if not old_keys and not new_keys:
        raise CorrectionError(_("Choose at least one unit."))
    if kind == ComparisonCorrection.Kind.PAIR:
        if not old_keys or not new_keys:
            raise CorrectionError(_("A pair needs a unit of each version."))
        if len(old_keys) > 1 and len(new_keys) > 1:
            raise CorrectionError(
                _("Pair one unit with several (a split or a merge), not several with several.")
            )
    known_old = set(
        Unit.objects.filter(document=old, key__in=old_keys).values_list("key", flat=True)
    )
    known_new = set(
        Unit.objects.filter(document=new, key__in=new_keys).values_list("key", flat=True)
    )
    unknown = [k for k in old_keys if k not in known_old] + [
        k for k in new_keys if k not in known_new
    ]
    if unknown:
        raise CorrectionError(_("No such unit: %(keys)s.") % {"keys": ", ".join(unknown[:5])})
    with transaction.atomic():
        earlier = ComparisonCorrection.objects.between(old, new).select_for_update()
        touched = [
            c.pk
            for c in earlier
            if set(c.old_keys) & set(old_keys) or set(c.new_keys) & set(new_keys)
        ]
        ComparisonCorrection.objects.filter(pk__in=touched).delete()
        return ComparisonCorrection.objects.create(
            old_document=old,
            new_document=new,
            kind=kind,
            old_keys=old_keys,
            new_keys=new_keys,
            created_by=user if user is not None and user.is_authenticated else None,
        )


def relate(document: Document, other: Document, kind: str, user) -> DocumentRelation:
    """``document`` is a later version of, supersedes or builds on ``other``.
    Raises :class:`CorrectionError` when it relates a document to itself or
    the two documents are related already, in either direction and of any
    kind (one relation a pair: "later version of" one way and "builds on" the
    other way cannot both hold), or a later version would be dated before the
    earlier one (nothing written)."""
    if document.pk == other.pk:
        raise CorrectionError(_("A document cannot be related to itself."))
    if DocumentRelation.objects.filter(
        Q(from_document=document, to_document=other) | Q(from_document=other, to_document=document)
    ).exists():
        raise CorrectionError(
            _("These two documents are related already: remove that relation first.")
        )
    if (
        kind != DocumentRelation.Kind.BUILDS_ON
        and document.date
        and other.date
        and document.date < other.date
    ):
        raise CorrectionError(
            _(
                "“%(title)s” is dated %(date)s, before “%(other)s” (%(other_date)s): "
                "it cannot be its later version or supersede it."
            )
            % {
                "title": document.title,
                "date": document.date.isoformat(),
                "other": other.title,
                "other_date": other.date.isoformat(),
            }
        )
    try:
        with transaction.atomic():
            return DocumentRelation.objects.create(
                from_document=document,
                to_document=other,
                kind=kind,
                created_by=user if user is not None and user.is_authenticated else None,
            )
    except IntegrityError as exc:
        raise CorrectionError(_("These two documents are related so already.")) from exc


def relation_of(document: Document, pk: int) -> DocumentRelation | None:
    """One relation of ``document`` (either side), or None."""
    return (
        DocumentRelation.objects.filter(Q(from_document=document) | Q(to_document=document))
        .filter(pk=pk)
        .first()
    )
