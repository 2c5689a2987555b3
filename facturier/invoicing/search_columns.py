"""Filling Invoice.search_text for rows written before it existed (migration 0009) or set-based (the bench).

PostgreSQL folds in SQL (core.folding.SQL_FOLD, the `unaccent` extension); other databases fold in Python with
the very function issuing uses.
"""

from __future__ import annotations

from facturier.core.folding import SQL_FOLD, fill_search_text

POSTGRES_FILL = f"""
    UPDATE invoicing_invoice AS i SET search_text = {SQL_FOLD.format('''concat_ws(' | ',
        nullif(i.number, ''), nullif(i.order_reference, ''), nullif(i.buyer_name, ''), nullif(i.buyer_email, ''),
        nullif(i.buyer_snapshot->>'contact_name', ''),
        (SELECT string_agg(concat_ws(' | ', nullif(l.sku, ''), nullif(l.description, '')), ' | ' ORDER BY l.position)
         FROM invoicing_invoiceline AS l WHERE l.invoice_id = i.id))''')}
    WHERE i.search_text IS NULL
"""
POSTGRES_INDEX = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS invoice_search_trgm ON invoicing_invoice USING gin (search_text gin_trgm_ops)",
]


def fill_in_python(invoices, lines) -> None:
    """`invoices` and `lines`: the Invoice and InvoiceLine model classes (historical ones in a migration)."""
    fill_search_text(invoices.objects.filter(search_text__isnull=True), lines, "invoice_id", invoice_parts)


def invoice_parts(row, found: list) -> list[str]:
    snapshot = row.buyer_snapshot or {}
    return [
        row.number, row.order_reference, row.buyer_name, row.buyer_email, snapshot.get("contact_name", ""),
        *(line.sku for line in found), *(line.description for line in found),
    ]  # fmt: skip
