"""The trigram index of SalesOrder.search_text holds only the orders not invoiced, the only ones searched
(PostgreSQL; SQLite has no such index)."""

from django.db import migrations

from facturier.sales import search_columns


def partial(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS salesorder_search_trgm")
        schema_editor.execute(search_columns.POSTGRES_NOT_INVOICED_INDEX)


def whole(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {search_columns.NOT_INVOICED_INDEX}")
        schema_editor.execute(search_columns.POSTGRES_INDEX[2])


class Migration(migrations.Migration):
    dependencies = [("sales", "0014_invoiced_elsewhere_eligibility")]

    operations = [migrations.RunPython(partial, whole)]
