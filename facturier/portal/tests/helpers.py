"""Test helpers: real invoices issued through the engine from simulator-built order JSON."""

from __future__ import annotations

import itertools
import json
import random
from datetime import timedelta
from decimal import Decimal

from django.test import Client

from facturier.accounts.models import Seller
from facturier.accounts.tests.factories import PASSWORD
from facturier.core.clock import now
from facturier.invoicing.models import Invoice
from facturier.invoicing.tests.orders import issue_invoice, render_invoice
from facturier.marketplace.parse import parse_order
from facturier.sales.models import SalesOrder
from facturier.sales.sync import record_order
from facturier.simulator.catalog import PRODUCTS
from facturier.simulator.generator import LineSpec, OrderSpec, address, build_order
from facturier.simulator.wire import to_json

_order_numbers = itertools.count(1)


def order_json(*, buyer: tuple[str, str] = ("Jeanne", "Martin"), email: str = "jeanne.martin@example.org",
               unit_price: Decimal | None = None, days_ago: float = 1.0) -> dict:
    purchased = (now() - timedelta(days=days_ago)).replace(microsecond=0)
    billing = address(buyer[0], buyer[1], "5 rue des Lilas", "75011", "Paris", email=email)
    spec = OrderSpec(
        order_id=f"{purchased:%y%m%d%H%M}T{next(_order_numbers):03d}",
        status="Shipped",
        purchased_at=purchased,
        lines=[LineSpec(PRODUCTS[1], quantity=1, unit_price=unit_price)],
        billing=billing,
    )
    return json.loads(to_json(build_order(spec, "SELLER-1", random.Random(7))))


def issue(seller: Seller, *, render: bool = True, **order_options) -> Invoice:
    """One invoice issued exactly as the pipeline does (record the order, issue, render the PDF)."""
    market_order = parse_order(order_json(**order_options))
    assert record_order(seller, market_order) == SalesOrder.ELIGIBLE
    order = SalesOrder.objects.get(seller=seller, order_id=market_order.order_id)
    invoice = issue_invoice(order)
    assert invoice is not None
    if render:
        invoice = render_invoice(invoice.pk)
    return Invoice.objects.get(pk=invoice.pk)


def logged_in(seller: Seller) -> Client:
    client = Client()
    assert client.login(username=seller.owner.email, password=PASSWORD)
    return client
