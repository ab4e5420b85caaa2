"""One UPDATE for many rows with different values (2,000 rows a statement).

Django's ``bulk_update`` builds a CASE expression per field and row, which
costs more to build than to run; an import renumbers and re-parents dozens of
units and re-collation rewrites their canonical texts. PostgreSQL updates
them all from one ``VALUES`` list.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from itertools import islice

import psycopg
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


def insert_rows(model: type[models.Model], fields: Sequence[str], rows: Sequence[Sequence]) -> int:
    """``INSERT … SELECT FROM unnest(…)``: each row is (value of each field…),
    fields by name (a foreign key as ``unit_id`` or ``unit``: its id). Returns
    the number of rows inserted.

    One array a column, with server-side binding: no model instance is built
    and no value is spelled out in the SQL string, which cost more than the
    insert itself for thousands of sites or readings (``bulk_create``). JSON
    values are written as ``json.dumps`` gives them (Han characters as they
    are). Nothing here runs a field's ``pre_save`` or defaults: give every
    column the model needs.
    """
    if not rows:
        return 0
    meta = model._meta
    quote = connection.ops.quote_name
    columns = [meta.get_field(f) for f in fields]
    names, selects = [], []
    for k, column in enumerate(columns):
        db_type = (
            column.target_field.db_type(connection)
            if column.is_relation
            else column.db_type(connection)
        )
        names.append(quote(column.column))
        if isinstance(column, models.JSONField):
            selects.append(("%s::text[]", f"c{k}::jsonb"))
        else:
            selects.append((f"%s::{db_type}[]", f"c{k}"))
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(names)}) "
        f"SELECT {', '.join(expr for _p, expr in selects)} "
        f"FROM unnest({', '.join(p for p, _e in selects)}) "
        f"AS v({', '.join(f'c{k}' for k in range(len(columns)))})"
    )
    params = []
    for k, column in enumerate(columns):
        values = [row[k] for row in rows]
        if isinstance(column, models.JSONField):
            values = [json.dumps(v, ensure_ascii=False) for v in values]
        params.append(values)
    connection.ensure_connection()
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount
