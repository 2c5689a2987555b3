"""The seller pipeline: sync orders → issue invoices and credit notes (rendering and email follow per document).

Two ways to drive it, one set of services:
- `run_seller` does everything in the calling process (the `facturier run`/`sync` commands, tests);
- `fan_out_seller` syncs, then hands every document to its own idempotent Celery task scheduled after commit,
  so more workers issue more documents in parallel (the `sync_seller_task` path).
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat

from facturier.accounts.models import MarketplaceConnection, Seller
from facturier.invoicing import services as invoicing
from facturier.invoicing.models import Invoice
from facturier.sales.models import RefundRecord, SyncRun
from facturier.sales.sync import sync_seller


def sellers_to_sync():
    return Seller.objects.filter(status=Seller.STATUS_ACTIVE, connection__isnull=False).exclude(
        connection__status=MarketplaceConnection.STATUS_REJECTED
    )


def run_seller(seller: Seller, *, trigger: str = "schedule") -> SyncRun:
    run = sync_seller(seller, trigger=trigger)
    invoices, invoice_errors = invoicing.issue_pending_invoices(seller)
    credit_notes, credit_errors = invoicing.issue_pending_credit_notes(seller)
    run.invoices_issued, run.credit_notes_issued = invoices, credit_notes
    messages = [run.message, *invoice_errors, *credit_errors]
    run.message = "\n".join(m for m in messages if m)
    run.save(update_fields=["invoices_issued", "credit_notes_issued", "message"])
    return run


def pending_refunds(seller: Seller, *, waiting_for: list[int]):
    """Refunds to credit now; those of an order whose invoice is about to be issued wait for it."""
    return invoicing.refunds_to_credit(seller).exclude(order_id__in=waiting_for)


def fan_out_seller(seller: Seller, *, trigger: str = "schedule") -> SyncRun:
    """Sync now; schedule one issuing task per document. The run's counters grow as the tasks finish."""
    from facturier.jobs.tasks import issue_order_task, issue_refund_task

    run = sync_seller(seller, trigger=trigger)
    order_ids = list(invoicing.orders_to_invoice(seller).values_list("pk", flat=True))
    refund_ids = list(pending_refunds(seller, waiting_for=order_ids).values_list("pk", flat=True))

    def schedule() -> None:
        for order_id in order_ids:
            issue_order_task.delay(order_id, run.pk)
        for refund_id in refund_ids:
            issue_refund_task.delay(refund_id, run.pk)

    transaction.on_commit(schedule)
    return run


def count_issued(run_id: int | None, field: str) -> None:
    if run_id is not None:
        SyncRun.objects.filter(pk=run_id).update(**{field: F(field) + 1})


def record_error(run_id: int | None, message: str) -> None:
    if run_id is not None:
        SyncRun.objects.filter(pk=run_id).update(message=Concat(F("message"), Value("\n" + message)))


def invoice_exists(order_id: int) -> bool:
    return Invoice.objects.filter(order_id=order_id, kind=Invoice.KIND_INVOICE).exists()


def refunds_of_order(order_id: int) -> list[int]:
    pending = RefundRecord.objects.filter(order_id=order_id, state=RefundRecord.PENDING)
    return list(pending.order_by("refunded_at", "id").values_list("pk", flat=True))
