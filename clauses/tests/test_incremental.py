"""An import collates incrementally (cached alignments, sites merged in place);
the result must be the full collation's, exactly.

Property test over seeded random sequences of copies of small policy texts:
substitutions, omissions, additions, swapped phrases, partial copies, copies
of copies (derived), editors' decisions in between. After every import the
stored state (canonical texts and every site: span, type, tie, OCR, readings,
canonical reading, decision) is compared with the state after
``recollate(all units, incremental=False)``.
"""

from __future__ import annotations

import random

import pytest

from clauses.collation import decide, recollate
from clauses.ingest import IngestError, SourceMeta, import_source
from clauses.models import Document, SiteDecision, Unit, VariantSite
from clauses.text import collate as engine

pytestmark = pytest.mark.django_db

HAN = "的一是在不了有和人这中大为上国我以要时来用们生到作地于出就分对成会可也发展建设改革推进完善"
OCR = "巾中己已未末土士日曰人入"


def _original(rng: random.Random) -> str:
    lines = ["关于推进某某工作的实施意见", ""]
    for section in range(1, rng.randint(2, 3) + 1):
        lines.append("一二三"[section - 1] + "、" + "".join(rng.choice(HAN) for _ in range(6)))
        for clause in range(1, rng.randint(2, 4) + 1):
            body = "，".join(
                "".join(rng.choice(HAN + OCR) for _ in range(rng.randint(6, 14)))
                for _ in range(rng.randint(2, 4))
            )
            lines.append(f"（{'一二三四'[clause - 1]}）{body}。")
    return "\n".join(lines) + "\n"


def _vary(text: str, rng: random.Random) -> str:
    head, _, body = text.partition("\n")
    chars = list(body)
    for _ in range(rng.randint(1, 6)):
        i = rng.randrange(len(chars))
        if not ("\u4e00" <= chars[i] <= "\u9fff"):
            continue
        kind = rng.random()
        if kind < 0.4:
            chars[i] = rng.choice(HAN + OCR)
        elif kind < 0.55:
            del chars[i : i + rng.randint(1, 3)]
        elif kind < 0.7:
            chars[i:i] = [rng.choice(HAN) for _ in range(rng.randint(1, 3))]
        elif kind < 0.85:  # swapped phrases
            j = min(len(chars), i + rng.randint(4, 10))
            m = (i + j) // 2
            if all("\u4e00" <= c <= "\u9fff" for c in chars[i:j]):
                chars[i:j] = chars[m:j] + chars[i:m]
        else:
            chars[i] = "、" if chars[i] != "、" else "，"
    out = head + "\n" + "".join(chars)
    if rng.random() < 0.2:  # a partial copy: begins or ends inside the text
        lines = out.split("\n")
        if rng.random() < 0.5:
            cut = rng.randrange(len(lines) // 2, len(lines))
            out = "\n".join(lines[:cut]) + lines[cut][: len(lines[cut]) // 2] + "\n"
        else:
            out = lines[0] + "\n" + "\n".join(lines[3:])
    return out


def state(document: Document) -> dict:
    units = {}
    for u in Unit.objects.filter(document=document).order_by("key"):
        sites = [
            (
                s.index,
                s.start,
                s.end,
                s.type,
                s.tie,
                s.likely_ocr,
                s.ocr_pairs,
                s.readings,
                s.canonical_reading,
                s.decision_id,
            )
            for s in VariantSite.objects.filter(unit=u).order_by("index")
        ]
        units[u.key] = (u.canonical, sites)
    return units


def _decide_somewhere(document: Document, rng: random.Random) -> None:
    sites = list(VariantSite.objects.filter(unit__document=document).exclude(type="lacuna"))
    if not sites:
        return
    site = rng.choice(sites)
    others = sorted(set(site.readings.values()) - {site.canonical_reading})
    if others and rng.random() < 0.7:
        decide(site, SiteDecision.Action.CHOOSE, rng.choice(others), "test", None)
    else:
        decide(site, SiteDecision.Action.KEEP, "", "test", None)


@pytest.mark.parametrize("seed", range(12))
def test_incremental_imports_equal_full_collation(seed):
    rng = random.Random(seed)
    original = _original(rng)
    copies = [original]
    document = None
    for n in range(rng.randint(4, 7)):
        if n == 0:
            text = original
        elif rng.random() < 0.25:  # a copy of a copy: derived, does not vote
            text = _vary(rng.choice(copies), random.Random(rng.random()))
        else:
            text = _vary(original, rng)
        copies.append(text)
        try:
            result = import_source(text.encode(), SourceMeta(), document=document, accept_cuts=True)
        except IngestError:
            continue  # a duplicate or too different a copy: nothing changed
        document = result.source.document
        if rng.random() < 0.3:
            _decide_somewhere(document, rng)
        incremental = state(document)
        recollate(Unit.objects.filter(document=document).in_order(), incremental=False)
        assert state(document) == incremental, f"seed {seed}, import {n + 1}"
    assert document is not None


def test_cut_readings_equal_every_source_cut():
    """The engine's sparse cutting (only the sources that differ near a span)
    and its sparse swap joining give what cutting every source gives."""
    rng = random.Random(5)
    for _ in range(400):
        base = "".join(rng.choice(HAN + "，、") for _ in range(rng.randint(5, 60)))
        readings = {f"S{k}": _vary("标题\n" + base, rng).partition("\n")[2] for k in range(6)}
        col = engine._Collation(base, readings, {})
        cuts = engine._Cuts(base, col.aligns, col.sigla)
        for s, e in col.spans:
            assert cuts.all(s, e) == engine._cut_all(col.aligns, col.sigla, s, e)
        spans = [list(x) for x in col.spans]
        assert engine._join_swaps(base, spans, col.aligns) == engine._join_swaps(
            base, spans, col.aligns, cuts
        )
