"""The fanned-out pipeline (one task per document) gives exactly what the in-process pipeline gives."""

from __future__ import annotations

from collections import Counter

import pytest
from django.core import mail

from facturier.invoicing.issuing import ISSUE_BATCH
from facturier.invoicing.models import Invoice
from facturier.invoicing.tests.orders import market_order, order_line, sales_order
from facturier.jobs.tasks import issue_orders_task, sync_seller_task
from facturier.jobs.tests.test_pipeline import ELIGIBLE
from facturier.outbox.models import OutgoingEmail
from facturier.sales.models import RefundRecord, SalesOrder, SyncRun


def invoiced_references() -> list[str]:
    invoices = Invoice.objects.filter(kind=Invoice.KIND_INVOICE).select_related("order")
    return sorted(invoice.order.seller_reference for invoice in invoices)


@pytest.mark.django_db(transaction=True)
def test_fan_out_issues_one_task_per_document_with_the_same_result(simulated_seller):
    run = SyncRun.objects.get(pk=sync_seller_task(simulated_seller.pk, "test"))

    run.refresh_from_db()
    assert run.status == SyncRun.SUCCEEDED, run.message
    assert invoiced_references() == ELIGIBLE
    credit_notes = Invoice.objects.filter(kind=Invoice.KIND_CREDIT_NOTE).count()
    assert (run.invoices_issued, run.credit_notes_issued) == (len(ELIGIBLE), credit_notes)
    assert credit_notes == RefundRecord.objects.filter(state=RefundRecord.CREDITED).count() == 2
    assert Invoice.objects.filter(pdf="").count() == 0
    assert len(mail.outbox) == Invoice.objects.exclude(buyer_email="").count()


@pytest.mark.django_db(transaction=True)
def test_the_sync_task_fans_out_and_a_second_run_issues_nothing(simulated_seller):
    first = SyncRun.objects.get(pk=sync_seller_task.delay(simulated_seller.pk, "test").get())
    sent = len(mail.outbox)

    second = SyncRun.objects.get(pk=sync_seller_task.delay(simulated_seller.pk, "test").get())

    assert first.invoices_issued == len(ELIGIBLE)
    assert (second.status, second.invoices_issued, second.credit_notes_issued) == (SyncRun.SUCCEEDED, 0, 0)
    assert Invoice.objects.filter(kind=Invoice.KIND_INVOICE).count() == len(ELIGIBLE)
    assert len(mail.outbox) == sent


@pytest.mark.django_db(transaction=True)
def test_issue_orders_task_delivered_twice_issues_one_invoice_and_one_email(seller_a):
    order = sales_order(seller_a, market_order("ORDER-1", [order_line("L1", "24.00")]))
    run = SyncRun.objects.create(seller=seller_a, trigger="test")

    first = issue_orders_task.delay([order.pk], run.pk).get()
    second = issue_orders_task.delay([order.pk], run.pk).get()

    assert (first, second) == (1, 0)
    invoice = Invoice.objects.get(order=order)
    run.refresh_from_db()
    assert run.invoices_issued == 1
    assert Counter(message.to[0] for message in mail.outbox) == {"zoe.martin@example.org": 1}
    assert OutgoingEmail.objects.get(related_key=f"invoice:{invoice.pk}").state == OutgoingEmail.STATE_SENT


@pytest.mark.django_db(transaction=True)
def test_issue_orders_task_ignores_an_order_that_is_gone_or_not_eligible(seller_a):
    order = sales_order(seller_a, market_order("ORDER-2", [order_line("L1", "10.00")], status="Cancelled"))
    order.eligibility = SalesOrder.CANCELLED
    order.save(update_fields=["eligibility"])

    assert issue_orders_task.delay([order.pk, order.pk + 1000]).get() == 0
    assert Invoice.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_batches_are_filled_across_pages_and_the_rest_goes_when_the_sync_ends(start_simulator, connect_to_simulator):
    # Three pages of 100 orders with about 35 to invoice on each: every full batch takes from two pages.
    seller = connect_to_simulator(start_simulator(seed=5, orders=300))

    run = SyncRun.objects.get(pk=sync_seller_task(seller.pk, "test"))

    # One batch of invoices is issued in one transaction, at one moment: the sizes of the batches, in order.
    invoices = Invoice.objects.filter(kind=Invoice.KIND_INVOICE)
    sizes = Counter(invoices.values_list("issued_at", flat=True))
    batch_sizes = [sizes[moment] for moment in sorted(sizes)]
    eligible = SalesOrder.objects.filter(eligibility=SalesOrder.ELIGIBLE).count()
    assert eligible == 106
    assert batch_sizes == [ISSUE_BATCH] * 2 + [6]
    run.refresh_from_db()
    assert run.invoices_issued == eligible
