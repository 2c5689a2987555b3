"""Normalized orders (marketplace.dto) for invoicing tests, stored as the sync stores them (sales.sync.record_order)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from facturier.invoicing.issuing import issue_invoices
from facturier.invoicing.models import Invoice
from facturier.invoicing.rendering import render_invoices
from facturier.marketplace.dto import Address, MalformedOrder, MarketOrder, OrderLine, OrderState
from facturier.sales.models import SalesOrder
from facturier.sales.sync import record_order

STATES = {
    "Shipped": OrderState.SHIPPED, "Delivered": OrderState.DELIVERED, "Cancelled": OrderState.CANCELLED,
    "Refused": OrderState.CANCELLED, "InPreparation": OrderState.AWAITING_SHIPMENT,
}  # fmt: skip
INACTIVE = {"Cancelled", "Refused", "Rejected", "CancelRequest"}


def issue_invoice(order: SalesOrder) -> Invoice | None:
    """The order's invoice, issued by the batch path unless it exists; None when the order is not invoiceable."""
    issue_invoices([order])
    return Invoice.objects.filter(order=order, kind=Invoice.KIND_INVOICE).first()


def render_invoice(invoice_id: int) -> Invoice:
    render_invoices([invoice_id])
    return Invoice.objects.select_related("seller", "credited_invoice").get(pk=invoice_id)


ADDRESS = Address(
    first_name="Zoë", last_name="Martin", line1="3 rue Bât. B", postal_code="75011", city="Paris", country_code="FR",
    email="zoe.martin@example.org",
)  # fmt: skip


def order_line(line_id: str, price: str, *, quantity: int = 1, shipping: str = "0.00", sku: str = "",
               title: str = "Article", status: str = "Shipped", fulfilled_by_marketplace: bool = False,
               ean: str = "") -> OrderLine:  # fmt: skip
    return OrderLine(
        line_id=line_id, status=status, active=status not in INACTIVE, quantity=quantity, title=title,
        sku=sku or f"SKU-{line_id}", ean=ean, unit_price_gross=Decimal(price), shipping_gross=Decimal(shipping),
        fulfilled_by_marketplace=fulfilled_by_marketplace,
    )  # fmt: skip


def market_order(order_id: str, lines: list[OrderLine], *, status: str = "Shipped", placed: datetime | None = None,
                 billing: Address | None = None, delivery: Address | None = None, business: bool = False,
                 shipped: bool = True, **changes) -> MarketOrder:  # fmt: skip
    """A Cdiscount order in euros, delivered to ADDRESS unless `delivery` says otherwise;
    `shipped=False`: the marketplace's data does not say when the goods left."""
    placed = placed or timezone.now() - timedelta(days=1)
    billing = billing or ADDRESS
    delivery = delivery or ADDRESS
    order = MarketOrder(
        marketplace="octopia",
        order_id=order_id,
        state=STATES.get(status, OrderState.OTHER),
        status=status,
        sales_channel_name="Cdiscount",
        business_order=business,
        placed_at=placed,
        updated_at=placed + timedelta(hours=5),
        shipped_at=placed + timedelta(hours=4) if shipped else None,
        currency="EUR",
        billing_address=billing,
        delivery_address=delivery,
        buyer_emails=tuple(dict.fromkeys(email for email in (billing.email, delivery.email) if email)),
        lines=tuple(lines),
    )
    return replace(order, **changes)


def malformed_order(order_id: str, reason: str) -> MalformedOrder:
    return MalformedOrder(order_id, reason, {"id": order_id}, marketplace="octopia")


def sales_order(seller, order: MarketOrder | MalformedOrder) -> SalesOrder:
    """The order stored as the sync stores it (verdict included)."""
    record_order(seller, order)
    return SalesOrder.objects.get(seller=seller, order_id=order.order_id)
