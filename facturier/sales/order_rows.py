"""A normalized order (marketplace.dto.MarketOrder) as the columns of its SalesOrder row and its SalesOrderLine
rows, and back. Plain data both ways (no model classes), so the migration that fills the columns of older rows
uses exactly these functions."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

from facturier.core.folding import search_text
from facturier.core.money import CENT
from facturier.marketplace.dto import Address, MarketOrder, OrderLine
from facturier.tax.identifiers import siren_of_french_vat

STATUS_MAX_LENGTH = 30  # SalesOrder.status
# The Address field behind each address column (billing_<column>, delivery_<column>).
ADDRESS_COLUMNS = {
    "civility": "civility",
    "first_name": "first_name",
    "last_name": "last_name",
    "company": "company_name",
    "vat_number": "company_vat_number",
    "line1": "line1",
    "line2": "line2",
    "line3": "line3",
    "postal_code": "postal_code",
    "city": "city",
    "country": "country_code",
    "phone": "phone",
    "email": "email",
}
RELAY_COLUMNS = {"relay_id": "pickup_id", "relay_name": "pickup_name"}
LINE_COLUMNS = (
    "line_id", "sku", "ean", "title", "quantity", "unit_price_gross", "shipping_gross", "active", "status",
    "tax_rate", "tax_amount", "category", "fulfilled_by_marketplace",
)  # fmt: skip
# What the decimal columns hold (max_digits=20, decimal_places=6): an amount beyond is a data error.
AMOUNT_LIMIT = Decimal(10) ** 14
QUANTITY_LIMIT = 2**31 - 1


def order_columns(order: MarketOrder) -> dict:
    """The typed columns of the order's row (its verdict and sync history are the sync's business)."""
    billing = order.billing_address
    delivery = order.delivery_address
    vat_number = billing.company_vat_number
    return {
        "marketplace": order.marketplace,
        "full_order_id": order.order_id,
        "seller_reference": order.seller_reference,
        # Cut to the column; the full status is in the reason when it matters.
        "status": order.status[:STATUS_MAX_LENGTH],
        "state": order.state,
        "sales_channel": order.sales_channel,
        "sales_channel_name": order.sales_channel_name,
        "currency": order.currency,
        "business_order": order.business_order,
        "placed_at": order.placed_at,
        "delivered_at": order.delivered_at,
        "marketplace_updated_at": order.updated_at,
        "total_paid": storable_amount(order.total_paid),
        "buyer_name": billing.full_name,
        "buyer_company": billing.company_name,
        "buyer_vat_number": vat_number,
        "buyer_siren": siren_of_french_vat(vat_number),
        "buyer_emails": list(order.buyer_emails),
        **address_columns("billing", billing),
        "has_delivery_address": delivery is not None,
        **address_columns("delivery", delivery or Address()),
        **{f"delivery_{column}": getattr(delivery or Address(), name) for column, name in RELAY_COLUMNS.items()},
    }


def address_columns(prefix: str, address: Address) -> dict:
    return {f"{prefix}_{column}": getattr(address, name) for column, name in ADDRESS_COLUMNS.items()}


def order_search_text(order: MarketOrder) -> str:
    """The order's search column: what a seller may type to find it (references, buyer, SKUs, titles)."""
    parties = [order.billing_address, order.delivery_address or Address()]
    return search_text([
        order.order_id, order.seller_reference, order.buyer_email, *order.buyer_emails,
        *(text for party in parties for text in (party.full_name, party.company_name, party.email)),
        *(line.sku for line in order.lines), *(line.title for line in order.lines),
    ])  # fmt: skip


def line_rows(order: MarketOrder) -> list[dict]:
    """The columns of each line's row, position first."""
    return [
        {"position": position, **{column: getattr(line, column) for column in LINE_COLUMNS}}
        for position, line in enumerate(order.lines, start=1)
    ]


def storable_lines(order: MarketOrder) -> bool:
    """Every amount and quantity of the order's lines fits its column (beyond, the order is a data error)."""
    amounts_fit = all(
        storable_amount(amount) is not None or amount is None
        for line in order.lines
        for amount in (line.unit_price_gross, line.shipping_gross, line.tax_rate, line.tax_amount)
    )
    return amounts_fit and all(0 <= line.quantity <= QUANTITY_LIMIT for line in order.lines)


def storable_amount(amount: Decimal | None) -> Decimal | None:
    return amount if amount is not None and amount.is_finite() and abs(amount) < AMOUNT_LIMIT else None


def market_order(row: Mapping, lines: Iterable[Mapping]) -> MarketOrder:
    """The normalized order back from its row's columns and its lines' (as dicts or model instances' __dict__)."""
    has_delivery = row["has_delivery_address"]
    return MarketOrder(
        marketplace=row["marketplace"],
        order_id=row["full_order_id"] or row["order_id"],
        seller_reference=row["seller_reference"],
        state=row["state"],
        status=row["status"],
        sales_channel=row["sales_channel"],
        sales_channel_name=row["sales_channel_name"],
        business_order=row["business_order"],
        placed_at=row["placed_at"],
        updated_at=row["marketplace_updated_at"],
        shipped_at=row["shipped_at"],  # the date of supply the sync settled on
        delivered_at=row["delivered_at"],
        currency=row["currency"],
        billing_address=stored_address(row, "billing"),
        delivery_address=stored_address(row, "delivery", relay=True) if has_delivery else None,
        buyer_emails=tuple(row["buyer_emails"] or ()),
        lines=tuple(stored_line(line) for line in sorted(lines, key=lambda line: line["position"])),
        total_paid=loaded_amount(row["total_paid"]),
    )


def stored_address(row: Mapping, prefix: str, *, relay: bool = False) -> Address:
    columns = {name: row[f"{prefix}_{column}"] for column, name in ADDRESS_COLUMNS.items()}
    if relay:
        columns.update({name: row[f"{prefix}_{column}"] for column, name in RELAY_COLUMNS.items()})
    return Address(**columns)


def stored_line(line: Mapping) -> OrderLine:
    columns = {column: line[column] for column in LINE_COLUMNS}
    for amount in ("unit_price_gross", "shipping_gross", "tax_rate", "tax_amount"):
        columns[amount] = loaded_amount(columns[amount])
    return OrderLine(**columns)


def loaded_amount(amount: Decimal | None) -> Decimal | None:
    """An amount read from a 6-place column as the marketplace wrote it: to the cent, or with its own places."""
    if amount is None:
        return None
    cents = amount.quantize(CENT)
    return cents if cents == amount else amount.normalize()


# The SalesOrder columns order_columns fills.
ORDER_COLUMN_NAMES = tuple(order_columns(MarketOrder(marketplace="", order_id="", state="")))
