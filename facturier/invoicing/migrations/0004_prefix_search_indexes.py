"""PostgreSQL pattern indexes for the portal's case-insensitive prefix search (UPPER(col) LIKE 'X%').

SQLite has no operator classes; its LIKE uses the plain indexes, which is enough for the embedded default.
"""

from django.db import migrations

COLUMNS = ["number", "order_reference", "buyer_name"]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS invoice_prefix_{column} ON invoicing_invoice "
            f"(seller_id, UPPER({column}) varchar_pattern_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS invoice_prefix_{column}")


class Migration(migrations.Migration):
    dependencies = [("invoicing", "0003_search_indexes")]
    operations = [migrations.RunPython(create, drop)]
