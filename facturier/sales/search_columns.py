"""Filling SalesOrder.search_text for rows written before it existed (migration 0010) or set-based (the bench).

PostgreSQL folds in SQL (core.folding.SQL_FOLD, the `unaccent` extension); other databases fold in Python.
"""

from __future__ import annotations

from facturier.core.folding import SQL_FOLD, fill_search_text

PARTY = (
    "nullif(trim(o.{p}_first_name || ' ' || o.{p}_last_name), ''), nullif(o.{p}_company, ''), "
    "nullif(o.{p}_email, '')"
)

POSTGRES_FILL = f"""
    UPDATE sales_salesorder AS o SET search_text = {SQL_FOLD.format(f'''concat_ws(' | ',
        nullif(o.order_id, ''), nullif(o.seller_reference, ''), nullif(o.buyer_name, ''), nullif(o.buyer_company, ''),
        {PARTY.format(p="billing")}, {PARTY.format(p="delivery")},
        (SELECT string_agg(e, ' | ') FROM jsonb_array_elements_text(
            CASE WHEN jsonb_typeof(o.buyer_emails) = 'array' THEN o.buyer_emails ELSE '[]'::jsonb END) AS e),
        (SELECT string_agg(concat_ws(' | ', nullif(l.sku, ''), nullif(l.title, '')), ' | ' ORDER BY l.position)
         FROM sales_salesorderline AS l WHERE l.order_id = o.id))''')}
    WHERE o.search_text = ''
"""
POSTGRES_INDEX = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS salesorder_search_trgm ON sales_salesorder USING gin (search_text gin_trgm_ops)",
]
# Only orders not invoiced are ever searched (the orders page, and the orders listed under an invoice search): a
# partial index holds those alone, so a fragment shared by many invoiced orders (digits of a reference) brings
# no candidate to recheck (sales 0015).
NOT_INVOICED_INDEX = "salesorder_search_trgm_not_invoiced"
POSTGRES_NOT_INVOICED_INDEX = (
    f"CREATE INDEX IF NOT EXISTS {NOT_INVOICED_INDEX} ON sales_salesorder USING gin (search_text gin_trgm_ops) "
    "WHERE eligibility <> 'eligible'"
)


def party_texts(row, prefix: str) -> list[str]:
    first, last = getattr(row, f"{prefix}_first_name"), getattr(row, f"{prefix}_last_name")
    return [f"{first} {last}", getattr(row, f"{prefix}_company"), getattr(row, f"{prefix}_email")]


def fill_in_python(orders, lines) -> None:
    """`orders` and `lines`: the SalesOrder and SalesOrderLine model classes (historical ones in a migration)."""
    fill_search_text(orders.objects.filter(search_text=""), lines, "order_id", order_parts)


def order_parts(row, found: list) -> list[str]:
    emails = row.buyer_emails if isinstance(row.buyer_emails, list) else []
    return [
        row.order_id, row.seller_reference, row.buyer_name, row.buyer_company, *map(str, emails),
        *party_texts(row, "billing"), *party_texts(row, "delivery"),
        *(line.sku for line in found), *(line.title for line in found),
    ]  # fmt: skip
