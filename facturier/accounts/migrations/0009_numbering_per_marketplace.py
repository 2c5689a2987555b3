"""The seller's choice of one number series per marketplace connection, and each connection's prefix.

Added by one ALTER each (Django's AddField with a default rebuilds an SQLite table, and the document triggers
name the seller table); the defaults fill the existing rows: one series across marketplaces, as before."""

from django.db import migrations, models

from facturier.core.migration_sql import run_by_vendor

FORWARD = {
    "sqlite": [
        "ALTER TABLE accounts_seller ADD COLUMN numbering_per_marketplace bool NOT NULL DEFAULT 0",
        "ALTER TABLE accounts_marketplaceconnection ADD COLUMN number_prefix varchar(20) NOT NULL DEFAULT ''",
    ],
    "postgresql": [
        "ALTER TABLE accounts_seller ADD COLUMN numbering_per_marketplace boolean NOT NULL DEFAULT false",
        "ALTER TABLE accounts_marketplaceconnection ADD COLUMN number_prefix varchar(20) NOT NULL DEFAULT ''",
    ],
}
BACKWARD = {
    vendor: [
        "ALTER TABLE accounts_seller DROP COLUMN numbering_per_marketplace",
        "ALTER TABLE accounts_marketplaceconnection DROP COLUMN number_prefix",
    ]
    for vendor in FORWARD
}


class Migration(migrations.Migration):
    dependencies = [("accounts", "0008_seller_accounting_settings")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(run_by_vendor(FORWARD), run_by_vendor(BACKWARD))],
            state_operations=[
                migrations.AddField(
                    model_name="seller",
                    name="numbering_per_marketplace",
                    field=models.BooleanField(db_default=False, default=False),
                ),
                migrations.AddField(
                    model_name="marketplaceconnection",
                    name="number_prefix",
                    field=models.CharField(blank=True, db_default="", default="", max_length=20),
                ),
            ],
        )
    ]
