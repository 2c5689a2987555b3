"""SalesOrder.search_text (substring search, case- and accent-insensitive), filled for older rows; on PostgreSQL
the unaccent and pg_trgm extensions and a trigram GIN index make `search_text LIKE '%…%'` an index scan."""

from django.db import migrations, models

from facturier.core.folding import search_text_migration
from facturier.sales import search_columns


class Migration(migrations.Migration):
    dependencies = [("sales", "0009_fill_normalized_orders")]

    operations = [
        migrations.AddField(
            model_name="salesorder",
            name="search_text",
            field=models.TextField(blank=True, db_default="", default=""),
        ),
        search_text_migration(search_columns, "sales", "SalesOrder", "SalesOrderLine", "salesorder_search_trgm"),
    ]
