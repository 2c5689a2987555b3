"""Database helpers that no model owns."""

from __future__ import annotations

from django.db import connection


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
