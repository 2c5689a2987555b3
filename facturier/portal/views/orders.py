"""Orders not invoiced: grouped by reason with what to do and where, searchable and sortable; one order's page."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from facturier.portal.decorators import seller_required
from facturier.portal.order_actions import ReasonAction, action_for
from facturier.sales.models import SalesOrder
from facturier.sales.not_invoiced import (
    DEFAULT_SORT,
    NEEDS_ACTION,
    NOT_INVOICED,
    SORTS,
    OrderFilters,
    counts_by_reason,
    not_invoiced,
)

GROUP_LIMIT = 50  # orders listed per reason; one reason alone (?reason=) lists up to REASON_LIMIT
REASON_LIMIT = 500
LABELS = dict(SalesOrder.ELIGIBILITY_CHOICES)


@dataclass(frozen=True)
class ReasonGroup:
    eligibility: str
    label: str
    count: int
    needs_action: bool
    action: ReasonAction | None
    orders: list[SalesOrder]

    @property
    def shown_all(self) -> bool:
        return len(self.orders) >= self.count

    @property
    def link(self) -> str:
        """The page where the whole reason is fixed (settings); empty when the fix is per order."""
        return self.action.url() if self.action is not None and self.action.url_name else ""


def order_filters(request: HttpRequest) -> OrderFilters:
    reason = request.GET.get("reason", "")
    sort = request.GET.get("sort", DEFAULT_SORT)
    return OrderFilters(
        query=request.GET.get("q", "")[:100],
        eligibility=reason if reason in NOT_INVOICED else "",
        sort=sort if sort in SORTS else DEFAULT_SORT,
    )


def reason_groups(seller, filters: OrderFilters) -> list[ReasonGroup]:
    counts = counts_by_reason(seller, filters.query)
    limit = REASON_LIMIT if filters.eligibility else GROUP_LIMIT
    groups = []
    for eligibility in NOT_INVOICED:  # what needs action first
        if not counts.get(eligibility) or (filters.eligibility and eligibility != filters.eligibility):
            continue
        orders = list(not_invoiced(seller, OrderFilters(filters.query, eligibility, filters.sort))[:limit])
        groups.append(ReasonGroup(
            eligibility, str(LABELS[eligibility]), counts[eligibility], eligibility in NEEDS_ACTION,
            action_for(eligibility), orders,
        ))  # fmt: skip
    return groups


@seller_required
def orders_view(request: HttpRequest) -> HttpResponse:
    filters = order_filters(request)
    query = request.GET.copy()
    query.pop("sort", None)
    return render(request, "portal/orders.html", {
        "groups": reason_groups(request.seller, filters), "filters": filters, "sorts": SORTS,
        "sort_query": query.urlencode(), "reason_choices": [(value, LABELS[value]) for value in NOT_INVOICED],
    })  # fmt: skip


@seller_required
def order_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    order = get_object_or_404(SalesOrder, pk=pk, seller=request.seller)
    action = action_for(order.eligibility)
    return render(request, "portal/order_detail.html", {
        "order": order, "lines": order.lines.order_by("position"), "invoices": order.invoices.order_by("issued_at"),
        "action": action, "action_url": action.url(order) if action is not None else "",
        "needs_action": order.eligibility in NEEDS_ACTION,
    })  # fmt: skip
