"""Refunds are credited in batches: each refund once, oldest first, and a defective one blocks no other."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from facturier.invoicing.models import Invoice
from facturier.invoicing.tests.orders import market_order, order_line, sales_order
from facturier.jobs.tasks import issue_orders_task, issue_refunds_task
from facturier.sales.models import RefundRecord, SyncRun


def refund(seller, order, refund_id: str, amount: str, minutes: int, line_ids=None) -> RefundRecord:
    return RefundRecord.objects.create(
        seller=seller, order=order, marketplace_order_id=order.order_id, refund_id=refund_id,
        kind="commercial_gesture", amount_gross=Decimal(amount), line_ids=line_ids if line_ids is not None else [],
        refunded_at=timezone.now() - timedelta(minutes=60 - minutes),
    )


@pytest.fixture
def two_invoiced_orders(seller_a):
    orders = [sales_order(seller_a, market_order(f"ORDER-{n}", [order_line("L1", "24.00")])) for n in (1, 2)]
    issue_orders_task.delay([order.pk for order in orders]).get()
    return orders


@pytest.mark.django_db(transaction=True)
def test_a_batch_credits_each_refund_once_and_a_defective_one_blocks_no_other(seller_a, two_invoiced_orders):
    first, second = two_invoiced_orders
    run = SyncRun.objects.create(seller=seller_a, trigger="test")
    gesture = refund(seller_a, first, "gesture:1", "6.00", minutes=1)
    defective = refund(seller_a, second, "gesture:2", "2.00", minutes=2, line_ids=5)  # not a list of line ids
    later = refund(seller_a, second, "gesture:3", "4.00", minutes=3)
    batch = [later.pk, defective.pk, gesture.pk]

    assert issue_refunds_task.delay(batch, run.pk).get() == 2
    assert issue_refunds_task.delay(batch, run.pk).get() == 0

    credit_notes = Invoice.objects.filter(kind=Invoice.KIND_CREDIT_NOTE).order_by("number")
    assert [(note.refund.refund_id, note.total_gross) for note in credit_notes] == [
        ("gesture:1", Decimal("6.00")),
        ("gesture:3", Decimal("4.00")),
    ]
    states = dict(RefundRecord.objects.values_list("refund_id", "state"))
    assert states == {"gesture:1": "credited", "gesture:2": "pending", "gesture:3": "credited"}
    run.refresh_from_db()
    assert run.credit_notes_issued == 2
    assert run.message.count("gesture:2 : ") == 2  # one line per attempt, the refund staying pending
    assert "gesture:1" not in run.message and "gesture:3" not in run.message

