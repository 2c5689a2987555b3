"""Concurrent issuers (threads, each with its own database connection) on one seller's series."""

import pytest

from facturier.core.tests.threads import run_concurrently
from facturier.invoicing import emails
from facturier.invoicing.issuing import issue_invoices
from facturier.invoicing.models import Invoice
from facturier.invoicing.tests.orders import market_order, order_line, sales_order
from facturier.sales.models import SalesOrder


def issue_concurrently(orders) -> list:
    """One issuer per order; what went wrong: the exceptions raised and the orders their batch left out."""
    batches, raised = run_concurrently(
        lambda pk: issue_invoices([SalesOrder.objects.get(pk=pk)]), [(o.pk,) for o in orders]
    )
    return raised + [error for batch in batches for error in batch.errors]


@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_issuers_produce_a_continuous_series(seller_a, monkeypatch):
    monkeypatch.setattr("facturier.invoicing.issuing._after_issue", lambda invoice_id: None)
    orders = [sales_order(seller_a, market_order(f"ORD-{i}", [order_line("1", "10.00")])) for i in range(40)]
    # 50 issuers at once; 10 orders are raced by two of them: duplicates must be refused, numbers never skipped.
    errors = issue_concurrently(orders + orders[:10])

    assert errors == []
    sequences = sorted(Invoice.objects.filter(seller=seller_a).values_list("sequence", flat=True))
    assert sequences == list(range(1, 41))
    assert Invoice.objects.values("order").distinct().count() == 40


@pytest.mark.django_db(transaction=True)
def test_a_crash_inside_the_issuing_transaction_leaves_no_gap(seller_a, monkeypatch):
    monkeypatch.setattr("facturier.invoicing.issuing._after_issue", lambda invoice_id: None)
    real_queue = emails.queue_document_emails

    def crash_on_odd_orders(invoices, **kwargs):
        if invoices[0].order_reference.endswith(("1", "3", "5", "7", "9")):
            raise RuntimeError("worker killed mid-transaction")
        return real_queue(invoices, **kwargs)

    monkeypatch.setattr(emails, "queue_document_emails", crash_on_odd_orders)
    orders = [sales_order(seller_a, market_order(f"ORD-{i}", [order_line("1", "10.00")])) for i in range(10)]
    errors = issue_concurrently(orders)

    assert len(errors) == 5
    issued = list(Invoice.objects.order_by("sequence").values_list("number", "order_reference"))
    assert [number for number, _ in issued] == [f"FAC-{n:06d}" for n in range(1, 6)]
    assert sorted(reference for _, reference in issued) == ["ORD-0", "ORD-2", "ORD-4", "ORD-6", "ORD-8"]
