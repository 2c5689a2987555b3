"""A seller's orders that were not invoiced: by reason, searchable, sorted; the reasons that need the seller
apart from the expected exclusions (nothing to do about them)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from facturier.accounts.models import Seller
from facturier.core.folding import fold
from facturier.sales.models import SalesOrder

# The seller can do something: fix the VAT set-up, opt a channel in, check the order, invoice it by hand.
NEEDS_ACTION = (SalesOrder.NOT_INVOICEABLE, SalesOrder.OTHER_CHANNEL, SalesOrder.INVALID, SalesOrder.FOREIGN_CURRENCY)
# Expected: the service does not invoice these, by design.
EXPECTED = (
    SalesOrder.NOT_SHIPPED, SalesOrder.BEFORE_BACKFILL, SalesOrder.OUTSIDE_FRANCE, SalesOrder.CANCELLED,
    SalesOrder.INVOICED_ELSEWHERE,
)  # fmt: skip
NOT_INVOICED = NEEDS_ACTION + EXPECTED
SORTS = {
    "recent": ("-last_seen_at", "-id"),
    "placed": ("-placed_at", "-id"),
    "placed_asc": ("placed_at", "id"),
    "order": ("order_id",),
    "buyer": ("buyer_name", "order_id"),
}
DEFAULT_SORT = "recent"
# As for invoices (invoicing.finder.MIN_SUBSTRING): shorter text matches the start of the reference only.
MIN_SUBSTRING = 3


@dataclass(frozen=True)
class OrderFilters:
    query: str = ""
    eligibility: str = ""
    sort: str = DEFAULT_SORT


def order_search_condition(text: str) -> Q:
    folded = fold(text.strip()[:100])
    if not folded:
        return Q()
    if len(folded) >= MIN_SUBSTRING:
        return Q(search_text__contains=folded)
    return Q(order_id__istartswith=text.strip())


def not_invoiced(seller: Seller, filters: OrderFilters = OrderFilters()) -> QuerySet[SalesOrder]:
    chosen = [filters.eligibility] if filters.eligibility in NOT_INVOICED else list(NOT_INVOICED)
    orders = SalesOrder.objects.filter(seller=seller, eligibility__in=chosen)
    if filters.query.strip():
        orders = orders.filter(order_search_condition(filters.query))
    return orders.order_by(*SORTS.get(filters.sort, SORTS[DEFAULT_SORT]))


def counts_by_reason(seller: Seller, query: str = "") -> dict[str, int]:
    """How many orders each not-invoiced reason holds (only reasons with at least one)."""
    orders = SalesOrder.objects.filter(seller=seller, eligibility__in=NOT_INVOICED)
    if query.strip():
        orders = orders.filter(order_search_condition(query))
    rows = orders.order_by().values_list("eligibility").annotate(total=Count("id"))
    return dict(rows)
