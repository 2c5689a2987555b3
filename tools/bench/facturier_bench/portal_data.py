"""Set-based generation of a portal-sized dataset: sellers, orders, invoices, lines and e-mails in PostgreSQL.

Row g (1..N) of generate_series is one order, its invoice, its line and (for the big seller) its e-mail.
The big seller owns rows 1..BIG_SHARE*N; the others are dealt round-robin to the small sellers. Numbers
and dates grow with g inside each seller, as real issuing does, so the newest invoice has the highest number.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection

from facturier.accounts.models import Seller
from facturier.invoicing import search_columns as invoice_search
from facturier.invoicing.email_keys import KEY_PREFIX
from facturier.sales import search_columns as order_search
from facturier.sales.not_invoiced import NOT_INVOICED

SELLERS = 20
BIG_SHARE = 0.6
CREDIT_NOTE_EVERY = 50  # 2 % of the documents are credit notes
PERIOD_END = datetime.fromisoformat("2026-11-30T18:00:00+00:00")
PERIOD = timedelta(days=365)
FIRST_NAMES = [
    "Camille", "Léa", "Manon", "Chloé", "Inès", "Jade", "Louise", "Zoé", "Lucas", "Hugo",
    "Louis", "Jules", "Arthur", "Gabriel", "Nathan", "Théo", "Raphaël", "Adam", "Emma", "Sarah",
]  # fmt: skip
LAST_NAMES = [
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau",
    "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier",
    "Morel", "Girard", "André", "Lefèvre", "Mercier", "Dupont", "Lambert", "Bonnet", "François", "Martinez",
]  # fmt: skip


@dataclass(frozen=True)
class Dataset:
    big_seller: Seller
    invoices: int
    big_invoices: int


def create_sellers() -> list[Seller]:
    from facturier.accounts.samples import create_seller

    return [create_seller(index=index, upload_to_marketplace=False) for index in range(1, SELLERS + 1)]


def generate(invoices: int) -> Dataset:
    sellers = create_sellers()
    big_count = int(invoices * BIG_SHARE)
    params = {
        "n": invoices, "big_n": big_count, "big": sellers[0].pk, "small_ids": [s.pk for s in sellers[1:]],
        "end": PERIOD_END, "period": PERIOD, "first": FIRST_NAMES, "last": LAST_NAMES,
        "every": CREDIT_NOTE_EVERY, "key_prefix": KEY_PREFIX,
    }  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(ORDERS_SQL, params)
        cursor.execute(NOT_INVOICED_SQL, not_invoiced_params(params))
        cursor.execute(INVOICES_SQL, params)
        cursor.execute(LINES_SQL, {})
        cursor.execute(EMAILS_SQL, params)
        # The search columns, as issuing and the sync fill them (folded by the migrations' SQL); the trigram
        # indexes are built after the fill, as the migrations do, rather than updated row by row.
        cursor.execute("DROP INDEX invoice_search_trgm")
        cursor.execute(f"DROP INDEX {order_search.NOT_INVOICED_INDEX}")
        cursor.execute(invoice_search.POSTGRES_FILL)
        cursor.execute(order_search.POSTGRES_FILL)
        cursor.execute(invoice_search.POSTGRES_INDEX[-1])
        cursor.execute(order_search.POSTGRES_NOT_INVOICED_INDEX)
        for table in ("sales_salesorder", "invoicing_invoice", "invoicing_invoiceline", "outbox_outgoingemail"):
            cursor.execute(f"VACUUM ANALYZE {table}")
    return Dataset(big_seller=sellers[0], invoices=invoices, big_invoices=big_count)


def not_invoiced_params(params: dict) -> dict:
    count = params["n"] // NOT_INVOICED_EVERY
    return {**params, "n": count, "big_n": int(count * BIG_SHARE), "reasons": list(NOT_INVOICED)}


# g → (seller, position inside that seller): the big seller first, then round-robin over the others.
ROWS = """
    SELECT g,
        CASE WHEN g <= %(big_n)s THEN %(big)s
             ELSE (%(small_ids)s::bigint[])[1 + (g - %(big_n)s - 1) %% cardinality(%(small_ids)s::bigint[])] END
            AS seller_id,
        CASE WHEN g <= %(big_n)s THEN g
             ELSE 1 + (g - %(big_n)s - 1) / cardinality(%(small_ids)s::bigint[]) END AS position,
        CASE WHEN g <= %(big_n)s THEN %(big_n)s
             ELSE GREATEST(1, (%(n)s - %(big_n)s) / cardinality(%(small_ids)s::bigint[])) END AS seller_total
    FROM generate_series(1, %(n)s) AS g
"""

BUYER = """
    CROSS JOIN LATERAL (
        SELECT f || ' ' || l AS name,
               lower(translate(f || '.' || l, 'éèëïçÉ', 'eeeicE')) || r.g || '@example.org' AS email
        FROM (SELECT (%(first)s::text[])[1 + r.g %% 20] AS f, (%(last)s::text[])[1 + (r.g / 20) %% 30] AS l) AS p
    ) AS b
"""

ORDERS_SQL = f"""
    INSERT INTO sales_salesorder (seller_id, order_id, status, placed_at, shipped_at, eligibility, reason, raw,
                                  first_seen_at, last_seen_at, sync_notes, unworkable_digest,
                                  full_order_id, state, sales_channel, currency, buyer_name)
    SELECT r.seller_id, '26' || lpad(r.g::text, 10, '0'), 'Shipped', t.moment - interval '2 days',
           t.moment - interval '1 day', 'eligible', '', '{{}}'::jsonb, t.moment, t.moment, '[]'::jsonb, '',
           '26' || lpad(r.g::text, 10, '0'), 'shipped', 'main', 'EUR', b.name
    FROM ({ROWS}) AS r
    CROSS JOIN LATERAL (SELECT %(end)s::timestamptz - %(period)s::interval
                               + %(period)s::interval * r.position / r.seller_total AS moment) AS t
    {BUYER}
"""

# Orders that were not invoiced, one for NOT_INVOICED_EVERY invoiced ones, spread over the eight reasons the
# orders page lists: the portal's text search looks for them too (their reason shown under the invoices found).
NOT_INVOICED_EVERY = 10
NOT_INVOICED_SQL = f"""
    INSERT INTO sales_salesorder (seller_id, order_id, status, placed_at, shipped_at, eligibility, reason, raw,
                                  first_seen_at, last_seen_at, sync_notes, unworkable_digest,
                                  full_order_id, state, sales_channel, currency, buyer_name)
    SELECT r.seller_id, '27' || lpad(r.g::text, 10, '0'), 'Shipped', t.moment - interval '2 days',
           t.moment - interval '1 day', (%(reasons)s::text[])[1 + r.g %% cardinality(%(reasons)s::text[])], '',
           '{{}}'::jsonb, t.moment, t.moment, '[]'::jsonb, '', '27' || lpad(r.g::text, 10, '0'), 'shipped', 'main',
           'EUR', b.name
    FROM ({ROWS}) AS r
    CROSS JOIN LATERAL (SELECT %(end)s::timestamptz - %(period)s::interval
                               + %(period)s::interval * r.position / r.seller_total AS moment) AS t
    {BUYER}
"""

INVOICES_SQL = f"""
    INSERT INTO invoicing_invoice (
        seller_id, kind, number, sequence, series_key, order_id, issued_at, issue_date, delivery_date,
        order_reference, currency, language, vat_case, seller_snapshot, buyer_snapshot, vat_breakdown, notes,
        buyer_name, buyer_email, total_net, total_vat, total_gross, amount_paid, pdf, pdf_sha256,
        upload_status, upload_import_id, upload_message)
    SELECT r.seller_id, d.kind, d.prefix || lpad(r.position::text, 6, '0'), r.position,
           'seller:' || r.seller_id || ':' || d.kind, o.id, o.shipped_at + r.g * interval '1 millisecond',
           (o.shipped_at AT TIME ZONE 'Europe/Paris')::date, (o.shipped_at AT TIME ZONE 'Europe/Paris')::date,
           o.order_id, 'EUR', 'fr', 'domestic',
           jsonb_build_object('name', 'Vendeur ' || r.seller_id || ' SAS', 'address_lines',
               jsonb_build_array('1 place de la Bourse'), 'postal_code', '75002', 'city', 'Paris',
               'country_code', 'FR', 'vat_number', 'FR11123456782', 'siren', '123456782', 'legal_form', 'SAS'),
           jsonb_build_object('name', b.name, 'address_lines', jsonb_build_array('3 rue de la Paix'),
               'postal_code', '75011', 'city', 'Paris', 'country_code', 'FR', 'email', b.email),
           jsonb_build_array(jsonb_build_object('category', 'S', 'rate', '20.00', 'taxable_amount',
               (d.sign * m.net)::text, 'tax_amount', (d.sign * (m.gross - m.net))::text,
               'exemption_reason', '', 'exemption_reason_code', '')),
           '[]'::jsonb, b.name, b.email, d.sign * m.net, d.sign * (m.gross - m.net), d.sign * m.gross,
           d.sign * m.gross, '', '', 'disabled', '', ''
    FROM ({ROWS}) AS r
    JOIN sales_salesorder o ON o.seller_id = r.seller_id AND o.order_id = '26' || lpad(r.g::text, 10, '0')
    CROSS JOIN LATERAL (SELECT CASE WHEN r.g %% %(every)s = 0 THEN 'credit_note' ELSE 'invoice' END AS kind,
                               CASE WHEN r.g %% %(every)s = 0 THEN 'AV-' ELSE 'FAC-' END AS prefix,
                               CASE WHEN r.g %% %(every)s = 0 THEN -1 ELSE 1 END AS sign) AS d
    CROSS JOIN LATERAL (SELECT ((r.g::bigint * 7919) %% 49900 + 100) / 100.0 AS gross) AS a
    CROSS JOIN LATERAL (SELECT a.gross::numeric(14, 2) AS gross, round(a.gross / 1.2, 2) AS net) AS m
    {BUYER}
"""

LINES_SQL = """
    INSERT INTO invoicing_invoiceline (invoice_id, position, kind, description, sku, ean, marketplace_line_id,
                                       quantity, unit_net_price, net_amount, gross_amount, vat_category, vat_rate)
    SELECT id, 1, 'goods', 'Article ' || order_reference, 'SKU-' || (id %% 997), '', order_reference || '-1',
           1, abs(total_net), total_net, total_gross, 'S', 20
    FROM invoicing_invoice
"""

# The big seller's invoices each have one e-mail; 1 % failed, 1 % bounced, 2 % waiting for a retry.
EMAILS_SQL = """
    INSERT INTO outbox_outgoingemail (message_id, esp_message_id, seller_id, related_key, "to", from_name,
        reply_to, subject, text_body, html_body, attachments, state, attempts, last_error, sent_at, created_at)
    SELECT '<invoice-' || i.id || '@bench.facturier>', '', i.seller_id, %(key_prefix)s || i.id, i.buyer_email,
           'Vendeur', '', 'Votre facture ' || i.number, 'Bonjour', '', '[]'::jsonb,
           CASE i.sequence %% 100 WHEN 0 THEN 'failed' WHEN 1 THEN 'bounced' WHEN 2 THEN 'retrying'
                WHEN 3 THEN 'retrying' ELSE 'sent' END,
           1, '', i.issued_at, i.issued_at
    FROM invoicing_invoice i WHERE i.seller_id = %(big)s
"""
