"""The sync stores a page of refunds with one INSERT; a refund seen again keeps what was recorded of it, and a
refund the database refuses is reported while the rest of its page is stored."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from facturier.invoicing.tests.orders import market_order, order_line, sales_order
from facturier.marketplace.dto import RefundEvent
from facturier.sales.models import RefundRecord
from facturier.sales.sync import record_refunds

AT = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


def refund(refund_id: str, order_id: str, amount: str = "5.00", reason: str = "Colis abîmé") -> RefundEvent:
    return RefundEvent(refund_id, order_id, "commercial_gesture", Decimal(amount), ("1",), AT, reason)


def inserts(queries: CaptureQueriesContext) -> int:
    return sum(query["sql"].startswith("INSERT") for query in queries.captured_queries)


@pytest.mark.django_db
def test_a_page_of_refunds_is_one_insert_linked_to_the_orders_already_known(seller_a):
    order = sales_order(seller_a, market_order("ORD-1", [order_line("1", "20.00")]))
    errors: list = []

    with CaptureQueriesContext(connection) as queries:
        record_refunds(seller_a, [refund("gesture:1", "ORD-1"), refund("gesture:2", "ORD-UNKNOWN", "7.50")], errors)

    assert (errors, inserts(queries)) == ([], 1)
    rows = {row.refund_id: row for row in RefundRecord.objects.all()}
    assert sorted(rows) == ["gesture:1", "gesture:2"]
    first, second = rows["gesture:1"], rows["gesture:2"]
    assert (first.order_id, first.marketplace_order_id, first.amount_gross) == (order.pk, "ORD-1", Decimal("5.00"))
    assert (first.kind, first.line_ids, first.reason) == ("commercial_gesture", ["1"], "Colis abîmé")
    assert first.refunded_at == AT
    assert (first.state, second.state) == (RefundRecord.PENDING, RefundRecord.PENDING)
    assert (second.order_id, second.marketplace_order_id, second.amount_gross) == (None, "ORD-UNKNOWN", Decimal("7.50"))


@pytest.mark.django_db
def test_a_refund_seen_again_keeps_what_was_recorded_of_it(seller_a):
    record_refunds(seller_a, [refund("gesture:1", "ORD-1")], [])
    RefundRecord.objects.update(state=RefundRecord.CREDITED)

    record_refunds(seller_a, [refund("gesture:1", "ORD-1", "99.00", "changed"), refund("gesture:3", "ORD-1")], [])

    rows = {row.refund_id: row for row in RefundRecord.objects.all()}
    assert (rows["gesture:1"].amount_gross, rows["gesture:1"].reason) == (Decimal("5.00"), "Colis abîmé")
    assert (rows["gesture:1"].state, rows["gesture:3"].state) == (RefundRecord.CREDITED, RefundRecord.PENDING)


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite stores a NUL character; PostgreSQL refuses it")
def test_a_refund_the_database_refuses_is_reported_and_the_rest_of_its_page_is_stored(seller_a):
    errors: list = []

    record_refunds(seller_a, [refund("gesture:1", "ORD-1"), refund("gesture:2", "ORD-2", reason="a\x00b")], errors)

    assert list(RefundRecord.objects.values_list("refund_id", flat=True)) == ["gesture:1"]
    assert len(errors) == 1
    assert str(errors[0]).startswith("gesture:2 : ")
    assert "NUL" in str(errors[0])
