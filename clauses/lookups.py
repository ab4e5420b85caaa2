"""``field__any=[…]``: membership as ``field = ANY(%s)``, the values sent as one
array parameter.

Django's ``__in`` spells a list out as one placeholder a value
(``IN (%s, %s, …)``): for the thousands of ids and n-gram hashes an import
asks about, preparing each value and parsing the statement cost more than the
query. ``__any`` takes a list (or any iterable, read once) of plain Python
integers (for a foreign key, the related rows' ids), sent as they are (no
``get_db_prep_value``); an empty list matches nothing. Registered on integer
fields (primary keys, ``BigIntegerField`` …) and foreign keys by
:class:`clauses.apps.ClausesConfig`, not on every field: ``metadata__any``
stays a JSON key.
"""

from __future__ import annotations

from django.db.models import Lookup


class AnyOf(Lookup):
    """``lhs = ANY(%s)`` with the right-hand side as one array parameter."""

    lookup_name = "any"
    prepare_rhs = False

    def get_db_prep_lookup(self, value, connection):
        return "%s", [list(value)]

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY({rhs})", (*lhs_params, *rhs_params)
