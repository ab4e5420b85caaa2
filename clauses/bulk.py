"""One UPDATE for many rows with different values (2,000 rows a statement).

Django's ``bulk_update`` builds a CASE expression per field and row, which
costs more to build than to run; an import renumbers and re-parents dozens of
units and re-collation rewrites their canonical texts. PostgreSQL updates
them all from one ``VALUES`` list.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import islice

from django.db import connection, models

#: Rows per ``UPDATE``: the statement and its parameters are built in memory.
BATCH = 2000


def update_rows(model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence]) -> int:
    """``UPDATE … FROM (VALUES …)``: each row is (pk, value of each field…).

    ``rows`` is read :data:`BATCH` rows at a time, one ``UPDATE`` each (a
    generator is never held whole). Returns the number of rows updated."""
    rows = iter(rows)
    written = 0
    while batch := [tuple(r) for r in islice(rows, BATCH)]:
        written += _update_batch(model, fields, batch)
    return written


def _update_batch(model: type[models.Model], fields: Sequence[str], rows: list[tuple]) -> int:
    meta = model._meta
    quote = connection.ops.quote_name
    columns = [meta.pk] + [meta.get_field(f) for f in fields]
    casts = [c.cast_db_type(connection) for c in columns]
    names = [quote(c.column) for c in columns]
    placeholder = "(" + ", ".join(f"%s::{cast}" for cast in casts) + ")"
    sql = (
        f"UPDATE {quote(meta.db_table)} AS t SET "
        + ", ".join(f"{name} = v.{name}" for name in names[1:])
        + f" FROM (VALUES {', '.join([placeholder] * len(rows))}) AS v({', '.join(names)})"
        + f" WHERE t.{names[0]} = v.{names[0]}"
    )
    params = [value for row in rows for value in row]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount
