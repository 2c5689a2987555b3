"""Database triggers: an issued invoice, credit note or line can never be rewritten or deleted.

The only deletion allowed is the purge of a seller whose download window has ended (seller status 'purging').
The rendered PDF may be attached once (empty -> file), never replaced.
"""

from django.db import migrations

from facturier.core.migration_sql import run_by_vendor

FROZEN_COLUMNS = [
    "seller_id", "kind", "number", "sequence", "series_key", "order_id", "refund_id", "credited_invoice_id",
    "issued_at", "issue_date", "delivery_date", "order_reference", "currency", "language", "vat_case",
    "seller_snapshot", "buyer_snapshot", "delivery_snapshot", "vat_breakdown", "notes", "buyer_name",
    "buyer_email", "total_net", "total_vat", "total_gross", "amount_paid",
]
MESSAGE = "issued invoices are immutable: issue a credit note"
PURGING = "(SELECT status FROM accounts_seller WHERE id = {seller}) = 'purging'"


def _changed(op: str, frozen: list[str] = FROZEN_COLUMNS) -> str:
    columns = " OR ".join(f"OLD.{c} {op} NEW.{c}" for c in frozen)
    return f"{columns} OR (OLD.pdf <> '' AND NEW.pdf {op} OLD.pdf) OR (OLD.pdf_sha256 <> '' AND NEW.pdf_sha256 {op} OLD.pdf_sha256)"


def sqlite_invoice_frozen(frozen: list[str]) -> str:
    """The SQLite trigger refusing an UPDATE of any of the `frozen` columns (later migrations extend the list)."""
    return f"""CREATE TRIGGER invoice_frozen BEFORE UPDATE ON invoicing_invoice WHEN {_changed("IS NOT", frozen)}
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"""


def postgres_invoice_frozen(frozen: list[str], create: str = "CREATE") -> str:
    """The PostgreSQL trigger function refusing an UPDATE of any of the `frozen` columns, or a DELETE."""
    return f"""{create} FUNCTION invoicing_invoice_frozen() RETURNS trigger AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            IF {PURGING.format(seller="OLD.seller_id")} THEN RETURN OLD; END IF;
            RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        IF {_changed("IS DISTINCT FROM", frozen)} THEN
            RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NEW;
    END $$ LANGUAGE plpgsql"""


SQLITE = [
    sqlite_invoice_frozen(FROZEN_COLUMNS),
    f"""CREATE TRIGGER invoice_no_delete BEFORE DELETE ON invoicing_invoice
        WHEN NOT {PURGING.format(seller="OLD.seller_id")}
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
    f"""CREATE TRIGGER invoiceline_frozen BEFORE UPDATE ON invoicing_invoiceline
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
    f"""CREATE TRIGGER invoiceline_no_delete BEFORE DELETE ON invoicing_invoiceline
        WHEN NOT {PURGING.format(seller="(SELECT seller_id FROM invoicing_invoice WHERE id = OLD.invoice_id)")}
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS invoice_frozen", "DROP TRIGGER IF EXISTS invoice_no_delete",
    "DROP TRIGGER IF EXISTS invoiceline_frozen", "DROP TRIGGER IF EXISTS invoiceline_no_delete",
]

POSTGRES = [
    postgres_invoice_frozen(FROZEN_COLUMNS),
    """CREATE TRIGGER invoice_frozen BEFORE UPDATE OR DELETE ON invoicing_invoice
       FOR EACH ROW EXECUTE FUNCTION invoicing_invoice_frozen()""",
    f"""CREATE FUNCTION invoicing_invoiceline_frozen() RETURNS trigger AS $$
    BEGIN
        IF TG_OP = 'DELETE' AND {PURGING.format(
            seller="(SELECT seller_id FROM invoicing_invoice WHERE id = OLD.invoice_id)")} THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
    END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER invoiceline_frozen BEFORE UPDATE OR DELETE ON invoicing_invoiceline
       FOR EACH ROW EXECUTE FUNCTION invoicing_invoiceline_frozen()""",
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS invoice_frozen ON invoicing_invoice",
    "DROP TRIGGER IF EXISTS invoiceline_frozen ON invoicing_invoiceline",
    "DROP FUNCTION IF EXISTS invoicing_invoice_frozen()",
    "DROP FUNCTION IF EXISTS invoicing_invoiceline_frozen()",
]


class Migration(migrations.Migration):
    dependencies = [("invoicing", "0001_initial"), ("accounts", "0001_initial")]

    operations = [
        migrations.RunPython(
            run_by_vendor({"sqlite": SQLITE, "postgresql": POSTGRES}),
            run_by_vendor({"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}),
        )
    ]
