"""Migration 0008 fills the normalized columns and lines of orders stored before them, from their payload."""

from __future__ import annotations

import importlib
from decimal import Decimal

import pytest

from facturier.core.tests.migrations import latest_schema_after, migrate  # noqa: F401 (a fixture)
from facturier.marketplace.parse import parse_order
from facturier.marketplace.tests.test_parse import order_json
from facturier.sales.eligibility import content_digest
from facturier.sales.models import SalesOrder
from facturier.sales.orders import load_orders

FILL = importlib.import_module("facturier.sales.migrations.0009_fill_normalized_orders")
BEFORE = [("sales", "0008_normalized_order_columns_and_lines")]
AFTER = [("sales", "0009_fill_normalized_orders")]
LATEST = [("sales", "0010_search_text")]


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("latest_schema_after")
def test_existing_orders_get_their_columns_lines_and_digest_from_their_payload(seller_a):
    apps = migrate(BEFORE)
    Order = apps.get_model("sales", "SalesOrder")
    payload = order_json()
    old_digest = "a" * 64
    Order.objects.create(seller_id=seller_a.pk, order_id="2609021234ABCD", eligibility="eligible", raw=payload,
                         shipped_at=None, unworkable_digest=old_digest)  # fmt: skip
    failed_on = {**payload, "orderId": "FAILED0001"}
    Order.objects.create(seller_id=seller_a.pk, order_id="FAILED0001", eligibility="invalid", raw=failed_on,
                         unworkable_digest=FILL.raw_digest(failed_on))  # fmt: skip
    Order.objects.create(seller_id=seller_a.pk, order_id="BROKEN", eligibility="invalid", raw={"orderId": "BROKEN",
                         "lines": "no"})  # fmt: skip

    migrate(AFTER)
    migrate(LATEST)  # later migrations add columns the current model reads (0010 fills search_text)

    row = SalesOrder.objects.get(order_id="2609021234ABCD")
    assert "zoe wisniewska" in row.search_text and "le petit prince" in row.search_text
    expected = parse_order(payload)
    assert (row.state, row.buyer_siren, row.delivery_relay_id, row.content_digest, row.unworkable_digest) == (
        "shipped", "732829320", "MR-044-01234", content_digest(expected), old_digest,
    )  # fmt: skip
    assert list(row.lines.values_list("sku", "unit_price_gross", "active")) == [
        ("BOOK-9782070", Decimal("7.600000"), True), ("STD-CASQ-001", Decimal("38.690000"), False),
    ]  # fmt: skip
    loaded = load_orders([row.pk])[row.pk]
    assert (loaded.lines, loaded.billing_address, loaded.delivery_address) == (
        expected.lines, expected.billing_address, expected.delivery_address,
    )  # fmt: skip
    failed = SalesOrder.objects.get(order_id="FAILED0001")
    assert failed.unworkable_digest == failed.content_digest == content_digest(parse_order(failed_on))
    broken = SalesOrder.objects.get(order_id="BROKEN")
    assert (broken.full_order_id, broken.lines.count(), broken.eligibility) == ("BROKEN", 0, "invalid")
