"""One UPDATE for many rows with different values.

Django's ``bulk_update`` builds a CASE expression per field and row, which
costs more to build than to run; an import renumbers and re-parents dozens of
units and re-collation rewrites their canonical texts. PostgreSQL updates
them all from one ``VALUES`` list.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import connection, models


def update_rows(model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence]) -> int:
    """``UPDATE … FROM (VALUES …)``: each row is (pk, value of each field…)."""
    rows = [tuple(r) for r in rows]
    if not rows:
        return 0
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
