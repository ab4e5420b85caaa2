"""Filling the search fields of existing rows (migrations, ``manage.py reindex_search``).

New and changed texts get theirs from their write paths (import, collation,
note services); this is for rows written before those fields existed, or
after a change of the folding rules of ``clauses.text.search``.
"""

from __future__ import annotations

from .bulk import update_rows
from .text.search import index_fields

BATCH = 2000  # rows read and written at a time


def reindex(model, text_field: str) -> int:
    """Write ``folded`` and ``grams`` of every row of ``model`` from its
    ``text_field`` (works on a migration's historical model too). Returns the
    number of rows written."""
    written = 0
    last = 0
    while True:
        rows = list(
            model.objects.filter(pk__gt=last).order_by("pk").values_list("pk", text_field)[:BATCH]
        )
        if not rows:
            return written
        written += update_rows(
            model, ["folded", "grams"], [(pk, *index_fields(text or "")) for pk, text in rows]
        )
        last = rows[-1][0]
