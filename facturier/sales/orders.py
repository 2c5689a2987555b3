"""The stored orders as normalized orders (marketplace.dto.MarketOrder): what invoicing reads, never the raw
payload."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Prefetch

from facturier.accounts.models import Seller
from facturier.marketplace.dto import MAIN_CHANNEL, MarketOrder
from facturier.sales.eligibility import classify
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


def reclassify_sales_channels(seller: Seller) -> int:
    """After the seller changed the channels it invoices: its orders of other channels not invoiced yet get their
    verdict again from their stored data (an opted-in channel's orders become eligible, and are invoiced by the
    next pass; those of a channel taken out leave the eligible state). Returns how many changed."""
    with transaction.atomic():
        verdicts = [SalesOrder.ELIGIBLE, SalesOrder.OTHER_CHANNEL]
        rows = (
            SalesOrder.objects.select_for_update(of=("self",))
            .filter(seller=seller, eligibility__in=verdicts, invoices__isnull=True)
            .exclude(sales_channel=MAIN_CHANNEL)
            .exclude(state="")  # never read in full (malformed since first seen)
            .order_by("pk")
        )
        stored = {row.pk: row for row in rows.only("pk", "eligibility", "reason")}
        changed = []
        extra_channels = seller.extra_sales_channels or []
        for pk, order in load_orders(stored).items():
            verdict = classify(order, backfill_start=seller.backfill_start, extra_channels=extra_channels)
            row = stored[pk]
            if (verdict.eligibility, verdict.reason) != (row.eligibility, row.reason):
                row.eligibility, row.reason = verdict.eligibility, verdict.reason
                changed.append(row)
        SalesOrder.objects.bulk_update(changed, ["eligibility", "reason"])
    return len(changed)
