"""Database triggers: Facturier's own fee invoices can never be rewritten nor deleted, not even by raw SQL."""

from django.db import migrations

from facturier.core.migration_sql import run_by_vendor

MESSAGE = "fee invoices are immutable and are never deleted"

SQLITE = [
    f"""CREATE TRIGGER feeinvoice_frozen BEFORE UPDATE ON billing_feeinvoice
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
    f"""CREATE TRIGGER feeinvoice_no_delete BEFORE DELETE ON billing_feeinvoice
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
]
SQLITE_DROP = ["DROP TRIGGER IF EXISTS feeinvoice_frozen", "DROP TRIGGER IF EXISTS feeinvoice_no_delete"]

POSTGRES = [
    f"""CREATE FUNCTION billing_feeinvoice_frozen() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
    END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER feeinvoice_frozen BEFORE UPDATE OR DELETE ON billing_feeinvoice
       FOR EACH ROW EXECUTE FUNCTION billing_feeinvoice_frozen()""",
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS feeinvoice_frozen ON billing_feeinvoice",
    "DROP FUNCTION IF EXISTS billing_feeinvoice_frozen()",
]


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_initial")]

    operations = [
        migrations.RunPython(
            run_by_vendor({"sqlite": SQLITE, "postgresql": POSTGRES}),
            run_by_vendor({"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}),
        )
    ]
