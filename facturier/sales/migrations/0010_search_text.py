"""SalesOrder.search_text (substring search, case- and accent-insensitive), filled for older rows; on PostgreSQL
the unaccent and pg_trgm extensions and a trigram GIN index make `search_text LIKE '%…%'` an index scan."""

from django.db import migrations, models

from facturier.sales import search_columns


def fill(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in search_columns.POSTGRES_INDEX[:2]:
            schema_editor.execute(statement)
        schema_editor.execute(search_columns.POSTGRES_FILL)
        schema_editor.execute(search_columns.POSTGRES_INDEX[2])
    else:
        search_columns.fill_in_python(apps.get_model("sales", "SalesOrder"), apps.get_model("sales", "SalesOrderLine"))


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS salesorder_search_trgm")


class Migration(migrations.Migration):
    dependencies = [("sales", "0009_fill_normalized_orders")]

    operations = [
        migrations.AddField(
            model_name="salesorder",
            name="search_text",
            field=models.TextField(blank=True, db_default="", default=""),
        ),
        migrations.RunPython(fill, drop_index),
    ]
