"""The stored orders as normalized orders (marketplace.dto.MarketOrder): what invoicing reads, never the raw
payload."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Prefetch

from facturier.marketplace.dto import MarketOrder
from facturier.sales.models import SalesOrder, SalesOrderLine
from facturier.sales.order_rows import market_order


def load_orders(pks: Iterable[int]) -> dict[int, MarketOrder]:
    """{pk: normalized order} of these rows, in two queries (the rows, then all their lines)."""
    rows = SalesOrder.objects.filter(pk__in=list(pks)).defer("raw", "sync_notes").prefetch_related(
        Prefetch("lines", queryset=SalesOrderLine.objects.order_by("position"))
    )
    return {row.pk: as_market_order(row) for row in rows}


def load_order(order: SalesOrder) -> MarketOrder:
    return load_orders([order.pk])[order.pk]


def as_market_order(row: SalesOrder) -> MarketOrder:
    return market_order(vars(row), [vars(line) for line in row.lines.all()])
