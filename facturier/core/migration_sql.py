"""Vendor-specific SQL in migrations (triggers, operator-class indexes): one statement list per database."""

from __future__ import annotations


def run_by_vendor(statements_by_vendor: dict[str, list[str]]):
    """A RunPython function executing the statements listed for the current database vendor."""

    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run
