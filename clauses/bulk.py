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
    """``INSERT … SELECT FROM json_to_recordset(…)``: each row is (value of each
    field…), fields by name (a foreign key as ``unit_id`` or ``unit``: its
    id). Returns the number of rows inserted.

    The rows go as one JSON parameter, with server-side binding: no model
    instance is built and no value is spelled out in the SQL string, which
    cost more than the insert itself for thousands of sites or readings
    (``bulk_create``); and ``json.dumps`` encodes them in C, where psycopg
    dumps an array of strings element by element (some 13 µs a string).
    Values must be what JSON holds (numbers, strings, booleans, None, lists,
    dicts: a JSON field's value as it is, Han characters unescaped). Nothing
    here runs a field's ``pre_save`` or defaults: give every column the model
    needs.
    """
    if not rows:
        return 0
    meta = model._meta
    quote = connection.ops.quote_name
    columns = [meta.get_field(f) for f in fields]
    names, types = [], []
    for k, column in enumerate(columns):
        db_type = (
            column.target_field.db_type(connection)
            if column.is_relation
            else column.db_type(connection)
        )
        names.append(quote(column.column))
        types.append(f"c{k} {'jsonb' if isinstance(column, models.JSONField) else db_type}")
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(names)}) "
        f"SELECT {', '.join(f'c{k}' for k in range(len(columns)))} "
        f"FROM json_to_recordset(%s::json) AS v({', '.join(types)})"
    )
    payload = json.dumps(
        [{f"c{k}": value for k, value in enumerate(row)} for row in rows], ensure_ascii=False
    )
    connection.ensure_connection()
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(sql, [payload])
        return cursor.rowcount
