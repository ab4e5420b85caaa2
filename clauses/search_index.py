"""Upkeep of the search fields and their indexes.

New and changed texts get their search fields from their write paths (import,
collation, note services); :func:`reindex` is for rows written before those
fields existed, or after a change of the folding rules of
``clauses.text.search`` (migrations, ``manage.py reindex_search``).
:func:`merge_pending_entries` moves an import's new index entries into the
indexes once it committed.
"""

from __future__ import annotations

import logging

from django.contrib.postgres.indexes import GinIndex
from django.db import Error, connection, transaction

from .bulk import update_rows
from .models import Reading, Unit
from .text.search import index_fields

logger = logging.getLogger(__name__)

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


def merge_pending_entries() -> int | None:
    """Move the search indexes' pending entries into the indexes proper:
    ``gin_clean_pending_list`` on each GIN index of ``Unit`` and ``Reading``
    (their ``grams``). Returns the pages moved (PostgreSQL's count), or None
    when the database refused or was gone (logged, never raised; nothing else
    is undone: a savepoint).

    A GIN index with ``fastupdate`` (PostgreSQL's default) takes new entries
    into a pending list, searched beside the index, and merges the list when
    it outgrows ``gin_pending_list_limit`` (4 MB), inside whichever write
    overflows it, or in autovacuum (PostgreSQL manual, "GIN Fast Update
    Technique"). A 200 KB copy's readings add some 2.4 MB of entries, so
    every second import paid for the merge of the one before. Run after an
    import commits (the worker's job, ``import_source``, ``load_demo``) and
    after a preview rolled back (whose entries stay pending until vacuum), it
    leaves the next import an empty list, and searches a short one. Needs the
    indexes' owner, as migrations make them; a courtesy, which autovacuum
    does anyway when it is refused.
    """
    quote = connection.ops.quote_name
    names = [
        index.name
        for model in (Unit, Reading)
        for index in model._meta.indexes
        if isinstance(index, GinIndex)
    ]
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT " + " + ".join("gin_clean_pending_list(%s::regclass)" for _n in names),
                [quote(name) for name in names],
            )
            return cursor.fetchone()[0]
    except Error:  # DatabaseError, and InterfaceError (a connection gone)
        logger.warning("could not merge the search indexes' pending entries", exc_info=True)
        return None
