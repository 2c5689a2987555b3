"""Database helpers that no model owns."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import InterfaceError, OperationalError, connection

# Lost connections, timeouts, deadlocks: worth retrying the whole task, never recorded against one document.
TRANSIENT_DB_ERRORS = (OperationalError, InterfaceError)


def in_batches(ids: Sequence[int], size: int) -> list[list[int]]:
    """`ids` in consecutive slices of `size`, in order: one transaction or one task each."""
    return [list(ids[start : start + size]) for start in range(0, len(ids), size)]


def refresh_planner_statistics(*models) -> None:
    """ANALYZE these tables now (PostgreSQL; SQLite's planner needs no statistics here).

    After a bulk load, autovacuum's analyze comes a minute later at best; until then PostgreSQL plans with the
    statistics of nearly empty tables and may, for instance, turn an anti-join into a nested loop that reads
    every invoice once per order (seconds for 10,000 orders). The PostgreSQL manual advises ANALYZE after
    populating tables.
    """
    if connection.vendor != "postgresql" or not models:
        return
    tables = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in models)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {tables}")


def values_rows(rows: Sequence[Sequence[object]]) -> tuple[str, list[object]]:
    """`(VALUES (%s, …), …) AS v` for rows of equal width, and its flattened parameters.

    For the UPDATE … FROM (VALUES …) that the ORM cannot write: one statement updates every row of a batch with
    its own values, where bulk_update builds and compiles a CASE WHEN per field and row. The columns are named
    column1, column2… on PostgreSQL and on SQLite (3.35+ for RETURNING).
    """
    row = "(" + ", ".join(["%s"] * len(rows[0])) + ")"
    return f"(VALUES {', '.join([row] * len(rows))}) AS v", [value for values in rows for value in values]
