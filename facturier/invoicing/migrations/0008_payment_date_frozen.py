"""The payment date (0007) is frozen like every other column of an issued document: the invoice UPDATE trigger
is rebuilt with it in the list."""

from importlib import import_module

from django.db import migrations

from facturier.core.migration_sql import run_by_vendor

triggers = import_module("facturier.invoicing.migrations.0002_immutability_triggers")
FROZEN = [*triggers.FROZEN_COLUMNS, "payment_date"]

SQLITE = ["DROP TRIGGER IF EXISTS invoice_frozen", triggers.sqlite_invoice_frozen(FROZEN)]
SQLITE_BACK = ["DROP TRIGGER IF EXISTS invoice_frozen", triggers.sqlite_invoice_frozen(triggers.FROZEN_COLUMNS)]
POSTGRES = [triggers.postgres_invoice_frozen(FROZEN, create="CREATE OR REPLACE")]
POSTGRES_BACK = [triggers.postgres_invoice_frozen(triggers.FROZEN_COLUMNS, create="CREATE OR REPLACE")]


class Migration(migrations.Migration):
    dependencies = [("invoicing", "0007_invoice_payment_date")]

    operations = [
        migrations.RunPython(
            run_by_vendor({"sqlite": SQLITE, "postgresql": POSTGRES}),
            run_by_vendor({"sqlite": SQLITE_BACK, "postgresql": POSTGRES_BACK}),
        )
    ]
