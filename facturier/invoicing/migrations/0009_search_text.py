"""Invoice.search_text (substring search, case- and accent-insensitive), filled for older rows; on PostgreSQL
the unaccent and pg_trgm extensions and a trigram GIN index make `search_text LIKE '%…%'` an index scan."""

from django.db import migrations, models

from facturier.core.folding import search_text_migration
from facturier.invoicing import search_columns


class Migration(migrations.Migration):
    dependencies = [("invoicing", "0008_payment_date_frozen")]

    operations = [
        migrations.AddField(
            model_name="invoice",
            name="search_text",
            field=models.TextField(null=True, blank=True),
        ),
        search_text_migration(search_columns, "invoicing", "Invoice", "InvoiceLine", "invoice_search_trgm"),
    ]
