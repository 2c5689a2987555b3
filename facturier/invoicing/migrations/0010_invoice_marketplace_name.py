"""The marketplace's display name frozen on each document (it was the constant "Cdiscount"): documents issued
before keep "Cdiscount", the name they were printed with; the column joins the frozen ones of the UPDATE trigger."""

from importlib import import_module

from django.db import migrations, models

from facturier.core.migration_sql import run_by_vendor

triggers = import_module("facturier.invoicing.migrations.0002_immutability_triggers")
BEFORE = [*triggers.FROZEN_COLUMNS, "payment_date"]
FROZEN = [*BEFORE, "marketplace_name"]

SQLITE = ["DROP TRIGGER IF EXISTS invoice_frozen", triggers.sqlite_invoice_frozen(FROZEN)]
SQLITE_BACK = ["DROP TRIGGER IF EXISTS invoice_frozen", triggers.sqlite_invoice_frozen(BEFORE)]
POSTGRES = [triggers.postgres_invoice_frozen(FROZEN, create="CREATE OR REPLACE")]
POSTGRES_BACK = [triggers.postgres_invoice_frozen(BEFORE, create="CREATE OR REPLACE")]


class Migration(migrations.Migration):
    dependencies = [("invoicing", "0009_search_text")]

    operations = [
        # One ALTER on both databases (Django's AddField with a default rebuilds an SQLite table, dropping its
        # triggers); the default fills the existing rows.
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    "ALTER TABLE invoicing_invoice ADD COLUMN marketplace_name varchar(100) NULL DEFAULT 'Cdiscount'",
                    "ALTER TABLE invoicing_invoice DROP COLUMN marketplace_name",
                )
            ],
            state_operations=[
                migrations.AddField(
                    model_name="invoice",
                    name="marketplace_name",
                    field=models.CharField(blank=True, db_default="Cdiscount", max_length=100, null=True),
                )
            ],
        ),
        migrations.RunPython(
            run_by_vendor({"sqlite": SQLITE, "postgresql": POSTGRES}),
            run_by_vendor({"sqlite": SQLITE_BACK, "postgresql": POSTGRES_BACK}),
        ),
    ]
