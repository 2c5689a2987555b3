"""`facturier bench ereporting [--invoices N]`: one month's flux 10.3 report of a seller with N documents.

Generates the seller's month set-based in a fresh PostgreSQL database (B2C invoices with one 20 % line and,
one in three, a 5.5 % line; 2 % credit notes), then times what the product runs: the aggregation query, the
XML, the XSD and Flux10 schematron checks and the stored report (`services.prepare_report`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date

from django.db import connection

from facturier.accounts.reform import ReformProfile
from facturier_bench.environment import fresh_database, point_default_database
from facturier_bench.portal import drop_database, require_postgresql

MONTH_START = date(2027, 11, 1)
TARGET_SECONDS = 5.0


@dataclass(frozen=True)
class EreportingResult:
    invoices: int
    generation_seconds: float
    build_seconds: float
    blocks: int
    report_id: str
    status: str
    taxable_total: str
    tax_total: str


def run_ereporting(invoices: int) -> EreportingResult:
    require_postgresql()
    from django.conf import settings

    previous_name = settings.DATABASES["default"]["NAME"]
    fresh_database()
    bench_name = settings.DATABASES["default"]["NAME"]
    try:
        return _measure(invoices)
    finally:
        point_default_database(previous_name)
        drop_database(bench_name)


def _measure(invoices: int) -> EreportingResult:
    from facturier.accounts.samples import create_seller
    from facturier.ereporting.calendar import period_of
    from facturier.ereporting.reports import prepare_report

    seller = create_seller(index=1, upload_to_marketplace=False)
    ReformProfile.objects.create(seller=seller, established_in_france=True, vat_regime=ReformProfile.REGIME_QUARTERLY,
                                 pa_code="0042", pa_name="PA bench")
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(ORDERS_SQL, {"n": invoices, "seller": seller.pk})
        cursor.execute(INVOICES_SQL, {"seller": seller.pk})
        cursor.execute(LINES_SQL, {"seller": seller.pk})
        for table in ("sales_salesorder", "invoicing_invoice", "invoicing_invoiceline"):
            cursor.execute(f"ANALYZE {table}")
    generated = time.perf_counter() - started
    started = time.perf_counter()
    report = prepare_report(seller, period_of(MONTH_START, ReformProfile.REGIME_QUARTERLY))
    built = time.perf_counter() - started
    return EreportingResult(
        invoices=invoices, generation_seconds=generated, build_seconds=built,
        blocks=report.xml.count("<Transactions>"), report_id=report.report_id, status=report.status,
        taxable_total=str(report.taxable_total), tax_total=str(report.tax_total),
    )


def report_ereporting(result: EreportingResult, say) -> None:
    say(f"documents: {result.invoices} in November 2027 (generated in {result.generation_seconds:.1f} s)")
    say(f"report {result.report_id}: {result.blocks} day blocks, base {result.taxable_total} €, "
        f"VAT {result.tax_total} €, status {result.status}")
    verdict = "OK" if result.build_seconds < TARGET_SECONDS else "OVER TARGET"
    say(f"build (aggregate + XML + XSD + schematron + store): {result.build_seconds:.2f} s "
        f"(target < {TARGET_SECONDS:.0f} s: {verdict})")


ORDERS_SQL = """
    INSERT INTO sales_salesorder (seller_id, order_id, status, placed_at, shipped_at, eligibility, reason, raw,
                                  first_seen_at, last_seen_at, sync_notes, unworkable_digest,
                                  full_order_id, state, sales_channel, currency)
    SELECT %(seller)s, 'EB' || lpad(g::text, 10, '0'), 'Shipped', m, m, 'eligible', '', '{}'::jsonb, m, m,
           '[]'::jsonb, '', 'EB' || lpad(g::text, 10, '0'), 'shipped', 'main', 'EUR'
    FROM generate_series(1, %(n)s) AS g
    CROSS JOIN LATERAL (SELECT timestamptz '2027-11-01 09:00+01' + ((g %% 30) || ' days')::interval AS m) AS t
"""

INVOICES_SQL = """
    INSERT INTO invoicing_invoice (
        seller_id, kind, number, sequence, series_key, order_id, issued_at, issue_date, order_reference, currency,
        language, vat_case, seller_snapshot, buyer_snapshot, vat_breakdown, notes, buyer_name, buyer_email,
        total_net, total_vat, total_gross, amount_paid, pdf, pdf_sha256, upload_status, upload_import_id,
        upload_message)
    SELECT o.seller_id, d.kind, d.kind || '-' || o.id, o.id, 'bench:' || d.kind, o.id, o.placed_at,
           (o.placed_at AT TIME ZONE 'Europe/Paris')::date, o.order_id, 'EUR', 'fr', 'FR_DOMESTIC', '{}'::jsonb,
           '{"name": "Client", "vat_number": ""}'::jsonb, '[]'::jsonb, '[]'::jsonb, 'Client', '',
           0, 0, 0, 0, '', '', 'disabled', '', ''
    FROM sales_salesorder o
    CROSS JOIN LATERAL (SELECT CASE WHEN o.id %% 50 = 0 THEN 'credit_note' ELSE 'invoice' END AS kind) AS d
    WHERE o.seller_id = %(seller)s
"""

LINES_SQL = """
    INSERT INTO invoicing_invoiceline (invoice_id, position, kind, description, sku, ean, marketplace_line_id,
                                       quantity, unit_net_price, net_amount, gross_amount, vat_category, vat_rate)
    SELECT i.id, l.position, 'goods', 'Article', '', '', '', 1, l.net, l.net, l.gross, 'S', l.rate
    FROM invoicing_invoice i
    CROSS JOIN LATERAL (
        SELECT 1 AS position, 20.00 AS rate, ((i.id * 7919) %% 49900 + 100) / 100.0 AS gross
        UNION ALL
        SELECT 2, 5.50, ((i.id * 104729) %% 9900 + 100) / 100.0 WHERE i.id %% 3 = 0
    ) AS r
    CROSS JOIN LATERAL (SELECT r.position, r.rate, r.gross::numeric(14, 2) AS gross,
                               round(r.gross / (1 + r.rate / 100), 2) AS net) AS l
    WHERE i.seller_id = %(seller)s
"""
