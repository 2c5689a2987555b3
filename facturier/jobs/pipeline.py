"""The seller pipeline: sync orders → issue invoices and credit notes (rendering and email follow per batch).

One path: `fan_out_seller` (run by `sync_seller_task`) syncs and hands the documents, in batches, to idempotent
Celery tasks scheduled after commit, so more workers issue more documents in parallel. The commands and the tests
run the same tasks in their own process (jobs/inline.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from operator import attrgetter

from django.db.models import Exists, F, OuterRef, Q, Subquery

from facturier.accounts.models import MarketplaceConnection, Seller
from facturier.core.clock import now
from facturier.core.db import in_batches, refresh_planner_statistics
from facturier.invoicing import services as invoicing
from facturier.invoicing.credit_notes import issue_credit_note
from facturier.invoicing.issuing import ISSUE_BATCH, counting_issued
from facturier.invoicing.models import Invoice
from facturier.sales import runs
from facturier.sales.models import RefundRecord, SalesOrder, SyncRun
from facturier.sales.sync import sync_seller

# A sync that handed on this many new orders loaded the tables in bulk: their planner statistics are refreshed.
BULK_LOAD = 1000

# Schedules the issuing of a batch of documents (ids, run id) once the transaction commits: a task's
# `delay_on_commit`.
ScheduleBatch = Callable[[list[int], int], object]


def sellers_to_sync():
    active = MarketplaceConnection.objects.filter(seller=OuterRef("pk")).exclude(
        status=MarketplaceConnection.STATUS_REJECTED
    )
    return Seller.objects.filter(Exists(active), status=Seller.STATUS_ACTIVE)


def recover_interrupted_syncs() -> list[int]:
    """Close the runs whose process died (lease expired) as interrupted; the sellers, still to sync, that need a
    new pass now: those, and those whose last pass ended with orders still to invoice."""
    interrupted = runs.interrupt_expired()
    needing = sellers_to_sync().filter(Q(pk__in=interrupted) | Q(pk__in=sellers_left_with_orders_to_invoice()))
    return list(needing.order_by("pk").values_list("pk", flat=True))


def sellers_left_with_orders_to_invoice():
    """Sellers whose last pass succeeded more than a lease ago and who still have eligible orders without an
    invoice. A fanned-out pass closes its run once the orders are read, while its issuing tasks are still queued:
    a worker killed then takes those tasks with it, and the broker gives them back only after its visibility
    timeout. (An order that cannot be invoiced is marked so and leaves the list: this never loops.)"""
    latest = SyncRun.objects.filter(seller=OuterRef("pk")).order_by("-started_at", "-pk")
    uninvoiced = invoicing.orders_to_invoice_of_any_seller().filter(seller=OuterRef("pk"))
    return (
        Seller.objects.annotate(
            last_status=Subquery(latest.values("status")[:1]),
            last_finished=Subquery(latest.values("finished_at")[:1]),
        )
        .filter(last_status=SyncRun.SUCCEEDED, last_finished__lt=now() - runs.lease())
        .filter(Exists(uninvoiced))
        .values("pk")
    )


def issue_orders(order_ids: list[int], run_id: int | None) -> int:
    """Issue the invoices of these orders; each batch stored is counted on the run in its own transaction, and
    a defect is recorded on the run."""
    with counting_on(run_id):
        batch = invoicing.issue_orders(order_ids)
    for message in batch.errors:
        record_error(run_id, message)
    return len(batch.issued)


def fan_out_seller(
    seller: Seller,
    *,
    issue_later: ScheduleBatch,
    credit_later: ScheduleBatch,
    trigger: str = "schedule",
    client=None,
) -> SyncRun:
    """Sync; as the pages of orders are stored, hand their invoices in batches to `issue_later`, so
    workers issue while later pages are read, and the pending refunds to `credit_later`. The run's counters grow
    as the tasks finish."""
    handover = _Handover(seller, issue_later, credit_later)
    # The run closes once everything is handed on: run in this process (jobs/inline.py), its counters are final.
    return sync_seller(
        seller, trigger=trigger, client=client, on_eligible=handover.schedule_orders, then=handover.hand_on_the_rest
    )


@dataclass
class _Handover:
    """What one sync pass has handed to the issuing and crediting tasks so far."""

    seller: Seller
    issue_later: ScheduleBatch
    credit_later: ScheduleBatch
    scheduled: list[int] = field(default_factory=list)
    waiting: list[int] = field(default_factory=list)

    def schedule_orders(self, run: SyncRun, order_ids: list[int], *, flush: bool = False) -> None:
        self.scheduled.extend(order_ids)
        self.waiting.extend(order_ids)
        # A page brings a fraction of a batch: batches are filled across pages, so every stage downstream runs
        # fewer, fuller tasks (each task has a fixed cost of some 10 ms in queries and messaging).
        ready = len(self.waiting) if flush else len(self.waiting) - len(self.waiting) % ISSUE_BATCH
        batches = in_batches(self.waiting[:ready], ISSUE_BATCH)
        del self.waiting[:ready]
        for batch in batches:
            self.issue_later(batch, run.pk)

    def hand_on_the_rest(self, run: SyncRun, heartbeat: Callable[[], None]) -> None:
        if len(self.scheduled) >= BULK_LOAD:
            refresh_planner_statistics(SalesOrder, Invoice)
        # Orders left over by an earlier run (a failure, a seller set-up fixed since) go along too.
        already = set(self.scheduled)
        to_invoice = invoicing.orders_to_invoice(self.seller).values_list("pk", flat=True)
        self.schedule_orders(run, [pk for pk in to_invoice if pk not in already], flush=True)
        # Every pending refund is tried now. One whose invoice is still being issued stays pending and is tried
        # again by the issuing task, after its commit: whichever comes last finds both the invoice and the refund.
        refund_ids = list(invoicing.refunds_to_credit(self.seller).values_list("pk", flat=True))
        for batch in in_batches(refund_ids, ISSUE_BATCH):
            self.credit_later(batch, run.pk)
        heartbeat()


def credit_refunds(refund_ids: list[int], run_id: int | None) -> int:
    """Issue the credit notes of these refunds still pending, oldest first; a defective refund is recorded on the
    run and blocks no other. Each credit note is counted on the run in the transaction that stores it: a retry
    after a lost connection or a crash neither counts it twice nor forgets it."""
    with counting_on(run_id):
        issued, errors = invoicing.issue_each(
            invoicing.pending_refunds(refund_ids), issue_credit_note, attrgetter("refund_id")
        )
    for message in errors:
        record_error(run_id, message)
    return issued


COUNTERS = {Invoice.KIND_INVOICE: "invoices_issued", Invoice.KIND_CREDIT_NOTE: "credit_notes_issued"}


def count_issued(run_id: int | None, field: str, count: int = 1) -> None:
    if run_id is not None and count:
        SyncRun.objects.filter(pk=run_id).update(**{field: F(field) + count})


def counting_on(run_id: int | None):
    """Count the documents issued within this block on the run, in the transactions that issue them."""
    return counting_issued(lambda kind, count: count_issued(run_id, COUNTERS[kind], count))


def record_error(run_id: int | None, message: str) -> None:
    if run_id is not None:
        SyncRun.objects.filter(pk=run_id).update(message=runs.message_with(after=message))


def refunds_of_orders(order_ids: list[int]) -> list[int]:
    pending = RefundRecord.objects.filter(order_id__in=order_ids, state=RefundRecord.PENDING)
    return list(pending.order_by("refunded_at", "id").values_list("pk", flat=True))
