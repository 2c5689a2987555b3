"""A fee invoice is rendered after its issue commits, as a seller's invoice is: its file columns start empty and
may be attached once (empty -> file), never replaced. The UPDATE trigger of 0002, which refused every update, is
rebuilt to allow exactly that; every other column stays frozen and a DELETE is still refused."""

from django.db import migrations, models

from facturier.core.migration_sql import run_by_vendor

FROZEN_COLUMNS = [
    "seller_id", "month", "number", "sequence", "issued_at", "issue_date", "due_date", "invoice_count",
    "tier_label", "vat_case", "vat_rate", "amount_excl_vat", "vat_amount", "total_incl_vat", "operator_snapshot",
    "buyer_snapshot", "notes",
]
MESSAGE = "fee invoices are immutable and are never deleted"


def _changed(op: str) -> str:
    columns = " OR ".join(f"OLD.{column} {op} NEW.{column}" for column in FROZEN_COLUMNS)
    return (
        f"{columns} OR (OLD.pdf <> '' AND NEW.pdf {op} OLD.pdf)"
        f" OR (OLD.pdf_sha256 <> '' AND NEW.pdf_sha256 {op} OLD.pdf_sha256)"
        f" OR (OLD.rendered_at IS NOT NULL AND NEW.rendered_at {op} OLD.rendered_at)"
    )


SQLITE = [
    "DROP TRIGGER IF EXISTS feeinvoice_frozen",
    f"""CREATE TRIGGER feeinvoice_frozen BEFORE UPDATE ON billing_feeinvoice WHEN {_changed("IS NOT")}
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
]
SQLITE_BACK = [
    "DROP TRIGGER IF EXISTS feeinvoice_frozen",
    f"""CREATE TRIGGER feeinvoice_frozen BEFORE UPDATE ON billing_feeinvoice
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
]
POSTGRES = [
    f"""CREATE OR REPLACE FUNCTION billing_feeinvoice_frozen() RETURNS trigger AS $$
    BEGIN
        IF TG_OP = 'UPDATE' AND NOT ({_changed("IS DISTINCT FROM")}) THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
    END $$ LANGUAGE plpgsql""",
]
POSTGRES_BACK = [
    f"""CREATE OR REPLACE FUNCTION billing_feeinvoice_frozen() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
    END $$ LANGUAGE plpgsql""",
]


class Migration(migrations.Migration):
    dependencies = [("billing", "0002_immutability_triggers")]

    operations = [
        migrations.AddField(
            model_name="feeinvoice",
            name="rendered_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name="feeinvoice",
            name="pdf",
            field=models.FileField(blank=True, max_length=255, upload_to="fees/"),
        ),
        migrations.AlterField(
            model_name="feeinvoice",
            name="pdf_sha256",
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.RunPython(
            run_by_vendor({"sqlite": SQLITE, "postgresql": POSTGRES}),
            run_by_vendor({"sqlite": SQLITE_BACK, "postgresql": POSTGRES_BACK}),
        ),
    ]
