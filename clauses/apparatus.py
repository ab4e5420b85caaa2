"""How variant sites read on a page: marked-up source text and apparatus notes.

Pure functions over a unit's canonical text and its sites (``VariantSite``
rows or the engine's dataclasses: anything with start, end, readings, type).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

# The kinds of variant site, in the order legends list them. "tie" is no type:
# it marks a site of any type the consensus could not decide.
SITE_TYPES = (
    "substitution",
    "omission",
    "addition",
    "transposition",
    "punctuation",
    "lacuna",
)


def site_type_labels() -> dict[str, str]:
    """The one vocabulary of site types (and "tie"), shared by the reader, the
    unit page and the queue; ``clauses_tags.site_type`` renders a chip."""
    return {
        "substitution": pgettext("site type", "substitution"),
        "omission": pgettext("site type", "omission"),
        "addition": pgettext("site type", "addition"),
        "transposition": pgettext("site type", "transposition"),
        "punctuation": pgettext("site type", "punctuation only"),
        "lacuna": pgettext("site type", "lacuna"),
        "tie": pgettext("site type", "tie"),
        "begins": pgettext("site type", "copy begins here"),
        "ends": pgettext("site type", "copy ends here"),
    }


def dom_id(key: str, prefix: str = "") -> str:
    """A valid, unique HTML id (and CSS selector without escaping) for any unit key.

    ASCII letters, digits and "-" stay; "_" becomes "__", "." becomes "_d" and
    any other character "_<hex>_", so two keys never give the same id:
    ``s1.p2`` → ``s1_dp2``, ``c13`` → ``c13``. With ``prefix``: ``q-s1_dp2``.
    """
    out = []
    for ch in key:
        if ch.isascii() and (ch.isalnum() or ch == "-"):
            out.append(ch)
        elif ch == "_":
            out.append("__")
        elif ch == ".":
            out.append("_d")
        else:
            out.append(f"_{ord(ch):x}_")
    ident = "".join(out) or "_"
    if prefix:
        return f"{prefix}-{ident}"
    # An id selector may not start with a digit or "-".
    return ident if ident[0].isalpha() else f"k{ident}"


def lacuna_side(site, siglum: str, canonical_length: int) -> str:
    """Where a copy's lacuna at ``site`` lies: "begins" (the copy begins after
    it), "ends" (the copy ends before it) or "" (unknown, or not this copy's).

    The engine may say so itself (``site.lacunae = {siglum: "begins"|"ends"}``);
    else the site's place in the unit tells: at its start the copy begins
    later, at its end it ends earlier."""
    detail = getattr(site, "lacunae", None)
    if isinstance(detail, dict) and siglum in detail:
        return str(detail[siglum])
    if site.start == 0 and site.end < canonical_length:
        return "begins"
    if site.end >= canonical_length and site.start > 0:
        return "ends"
    return ""


@dataclass(frozen=True)
class Segment:
    """A run of text in one column: equal to the canonical text, or a site's reading."""

    text: str
    site: object | None = None  # the VariantSite, when this run is one
    number: int | None = None  # the site's number in the unit, from 1
    mark: str = ""  # "" or a site type (apparatus.SITE_TYPES)

    @property
    def is_gap(self) -> bool:
        """An omission in this source: nothing to show but a gap marker."""
        return self.site is not None and not self.text


def _mark(site, reading: str, canonical_reading: str) -> str:
    if reading == canonical_reading:
        return ""
    if not reading:
        return "lacuna" if site.type == "lacuna" else "omission"
    if not canonical_reading:
        return "addition"
    if site.type in ("transposition", "punctuation", "lacuna"):
        return site.type
    return "substitution"


def source_segments(canonical: str, sites: Sequence, siglum: str) -> list[Segment]:
    """The source's text as runs: equal text, and at each site where it differs
    from the canonical reading, its own reading with the kind of difference."""
    out: list[Segment] = []
    pos = 0
    for number, site in enumerate(sites, start=1):
        if site.start > pos:
            out.append(Segment(canonical[pos : site.start]))
        canonical_reading = canonical[site.start : site.end]
        reading = site.readings.get(siglum, canonical_reading)
        mark = _mark(site, reading, canonical_reading)
        if mark:
            out.append(Segment(reading, site, number, mark))
        elif reading:
            out.append(Segment(reading))
        pos = site.end
    if pos < len(canonical):
        out.append(Segment(canonical[pos:]))
    return _merge_plain(out)


def canonical_segments(canonical: str, sites: Sequence) -> list[Segment]:
    """The canonical text as runs, each site's span marked with its number."""
    out: list[Segment] = []
    pos = 0
    for number, site in enumerate(sites, start=1):
        if site.start > pos:
            out.append(Segment(canonical[pos : site.start]))
        out.append(Segment(canonical[site.start : site.end], site, number, "site"))
        pos = site.end
    if pos < len(canonical):
        out.append(Segment(canonical[pos:]))
    return _merge_plain(out)


def _merge_plain(segments: list[Segment]) -> list[Segment]:
    merged: list[Segment] = []
    for seg in segments:
        if merged and seg.site is None and merged[-1].site is None:
            merged[-1] = Segment(merged[-1].text + seg.text)
        else:
            merged.append(seg)
    return merged


def grouped_readings(site, canonical_reading: str) -> list[tuple[str, list[str]]]:
    """Distinct readings with their sigla: the canonical reading first, then the
    others by their first siglum."""
    groups: dict[str, list[str]] = {}
    for siglum, reading in sorted(site.readings.items()):
        groups.setdefault(reading, []).append(siglum)
    return sorted(groups.items(), key=lambda g: (g[0] != canonical_reading, g[1]))


def apparatus_note(site, canonical_reading: str, sigla: Iterable[str] | None = None) -> str:
    """A note in the usual form: ``横向] 纵向 B; 横向 A C D``.

    The lemma (the canonical reading) stands before the bracket; then every
    other reading with its sigla, then the lemma's own witnesses. An empty
    reading is written "om." (omitted), or "lac." at a lacuna (the copy begins
    or ends there); an empty lemma "+" (added).
    """
    empty = _("lac.") if getattr(site, "type", "") == "lacuna" else _("om.")
    wanted = set(sigla) if sigla is not None else None
    groups = [
        (reading, [s for s in group if wanted is None or s in wanted])
        for reading, group in grouped_readings(site, canonical_reading)
    ]
    groups = [(r, g) for r, g in groups if g]
    lemma = canonical_reading or _("+")
    others = [g for g in groups if g[0] != canonical_reading]
    same = [g for g in groups if g[0] == canonical_reading]
    parts = [f"{reading or empty} {' '.join(group)}" for reading, group in others + same]
    return f"{lemma}] " + "; ".join(parts)
