"""Issue 10: an import's peak Python memory stays a small multiple of the file.

A ~300 KB synthetic document (``bench/ingest.py``'s ``synthetic``: outline
numbering, some 1,100 units, no unit repeating another) is imported as a first
copy, then as a second copy with 1% of its Han characters varied; tracemalloc's
peak during each import, over the file's size in bytes, must stay under
:data:`MULTIPLE`. Before the writes were batched it was 57× (first copy) and
52× (second); then about 29× for both; with the units held as light records,
the readings streamed by COPY and the collation fed in chunks, 23.8× and 23.3×
(fixed costs of the collation's batches weigh more on 300 KB than on 4 MB,
where it is some 8×: see ``bench/ingest.py --issue10-only``).
"""

import importlib.util
import tracemalloc
from pathlib import Path

import pytest

from clauses.ingest import SourceMeta, import_source

pytestmark = pytest.mark.django_db

#: Peak Python memory of an import, as a multiple of the file's size.
MULTIPLE = 27
SIZE = 300 * 1024  # bytes


def _bench():
    path = Path(__file__).resolve().parents[2] / "bench" / "ingest.py"
    spec = importlib.util.spec_from_file_location("bench_ingest", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _peak(data: bytes):
    """The import's result and its peak traced memory in bytes (above what was
    traced before it)."""
    started = not tracemalloc.is_tracing()
    if started:
        tracemalloc.start()
    tracemalloc.reset_peak()
    before, _ = tracemalloc.get_traced_memory()
    try:
        result = import_source(data, SourceMeta(), accept_cuts=True)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        if started:
            tracemalloc.stop()
    return result, peak - before


def test_a_large_document_imports_in_a_small_multiple_of_its_size():
    bench = _bench()
    # Lazily loaded tables (folding, conversion) are loaded by a small import first.
    import_source(
        bench.synthetic(20_000, seed=100, title="关于某某工作的通知").encode(), SourceMeta()
    )
    text = bench.synthetic(SIZE, seed=1)
    first, first_peak = _peak(text.encode())
    second_data = bench.vary(text, seed=2).encode()
    second, second_peak = _peak(second_data)

    assert first.created_document and first.new_units > 1000
    # The second is a copy of the same document, its units matched, not added.
    assert not second.created_document
    assert second.source.document_id == first.source.document_id
    assert second.new_units == 0
    ratios = (first_peak / len(text.encode()), second_peak / len(second_data))
    print(f"peak memory: first copy {ratios[0]:.1f}×, second copy {ratios[1]:.1f}× the file")
    assert ratios[0] < MULTIPLE, f"first copy: {ratios[0]:.1f}× the file"
    assert ratios[1] < MULTIPLE, f"second copy: {ratios[1]:.1f}× the file"


@pytest.mark.parametrize("seed", range(4))
def test_collating_in_chunks_gives_the_full_collation(seed, monkeypatch):
    """The import hands the collation its units a chunk at a time
    (``COLLATE_CHUNK``, for memory); with chunks of two units every import of
    a random sequence still ends exactly as a full collation of all units."""
    from clauses import ingest
    from clauses.tests.test_incremental import _imports_equal_full_collation

    monkeypatch.setattr(ingest, "COLLATE_CHUNK", 2)
    _imports_equal_full_collation(seed)


@pytest.mark.parametrize("chunks", [None, (7, 5)])
def test_the_imported_text_and_readings_are_the_files(chunks, monkeypatch):
    """What the memory savings write (the file and its text appended a chunk at
    a time, the text as UTF-8 bytes, the readings by COPY, the source left
    deferred) is the file's text, character for character, and every reading
    is its span of it; the search fields are written too. ``chunks``: tiny
    chunks (7 bytes, 5 characters), so chunks split multi-byte characters'
    bytes and the text at every kind of character."""
    from clauses import ingest
    from clauses.models import Reading
    from clauses.text.pipeline import prepare
    from clauses.text.search import index_fields

    if chunks:
        monkeypatch.setattr(ingest, "ORIGINAL_CHUNK_BYTES", chunks[0])
        monkeypatch.setattr(ingest, "TEXT_CHUNK_CHARS", chunks[1])
    bench = _bench()
    text = bench.synthetic(40_000, seed=5) + "附：“引号”\t制表符 \\ 反斜杠 𠀀 ㊀\n"
    data = text.encode()
    result = import_source(data, SourceMeta(), accept_cuts=True)
    prepared = prepare(data)
    source = result.source
    source.refresh_from_db()
    assert source.text == prepared.original == text
    assert bytes(source.original) == data
    readings = list(Reading.objects.filter(source=source).order_by("position"))
    assert [r.text for r in readings] == [u.text for u in prepared.units]
    assert [(r.raw_start, r.raw_end, r.label_raw) for r in readings] == [
        (u.raw_start, u.raw_end, u.label_raw) for u in prepared.units
    ]
    folded = Reading.objects.filter(source=source).values_list("text", "folded")
    assert all(f == index_fields(t)[0] for t, f in folded)
    assert Reading.objects.filter(source=source, grams__isnull=True).count() == 0
    assert Reading.objects.containing(prepared.units[5].text[3:9]).filter(source=source).exists()
