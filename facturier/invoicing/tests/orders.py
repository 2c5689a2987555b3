"""Octopia-shaped order JSON and SalesOrder rows for invoicing tests."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from facturier.invoicing.issuing import issue_invoices
from facturier.invoicing.models import Invoice
from facturier.invoicing.rendering import render_invoices
from facturier.sales.models import SalesOrder


def issue_invoice(order: SalesOrder) -> Invoice | None:
    """The order's invoice, issued by the batch path unless it exists; None when the order is not invoiceable."""
    issue_invoices([order])
    return Invoice.objects.filter(order=order, kind=Invoice.KIND_INVOICE).first()


def render_invoice(invoice_id: int) -> Invoice:
    render_invoices([invoice_id])
    return Invoice.objects.select_related("seller", "credited_invoice").get(pk=invoice_id)


def octopia_line(line_id: str, price: str, *, quantity: int = 1, shipping: str = "0.00", sku: str = "",
                 title: str = "Article", status: str = "Shipped", supply_mode: str = "Seller",
                 shipping_address: dict | None = None, ean: str = "") -> dict:
    return {
        "orderLineId": line_id,
        "status": status,
        "quantity": quantity,
        "offer": {"sellerProductId": sku or f"SKU-{line_id}", "productGtin": ean, "productTitle": title,
                  "supplyMode": supply_mode},
        "sellingPrice": {"unitSalesPrice": price, "shippingCost": shipping},
        "shippingAddress": shipping_address or ADDRESS,
    }


ADDRESS = {
    "firstName": "Zoë", "lastName": "Martin", "addressLine1": "3 rue Bât. B", "postalCode": "75011",
    "city": "Paris", "countryCode": "FR", "email": "zoe.martin@example.org",
}


def octopia_order(order_id: str, lines: list[dict], *, status: str = "Shipped", placed: datetime | None = None,
                  billing: dict | None = None, business: bool = False) -> dict:
    placed = placed or timezone.now() - timedelta(days=1)
    return {
        "orderId": order_id,
        "status": status,
        "businessOrder": business,
        "purchasedAt": placed.isoformat(),
        "createdAt": placed.isoformat(),
        "updatedAt": (placed + timedelta(hours=5)).isoformat(),
        "currencyCode": "EUR",
        "billingAddress": billing or ADDRESS,
        "statusEvents": [{"status": "Shipped", "date": (placed + timedelta(hours=4)).isoformat()}],
        "lines": lines,
    }


def sales_order(seller, raw: dict) -> SalesOrder:
    return SalesOrder.objects.create(
        seller=seller, order_id=raw["orderId"], status=raw["status"], eligibility=SalesOrder.ELIGIBLE, raw=raw,
        placed_at=timezone.now() - timedelta(days=1),
    )
