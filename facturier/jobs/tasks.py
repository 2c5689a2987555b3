"""Thin Celery tasks over the pipeline services (the beat schedule is in config/celery.py).

Every task is idempotent (issuing re-checks under the series lock, rendering attaches a file once), acks late
(a worker killed mid-task leaves the message to another worker), retries a bounded number of times on
transient database errors only, and has explicit time limits.
"""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task

from facturier.accounts.models import Seller
from facturier.core import clock
from facturier.core.db import TRANSIENT_DB_ERRORS
from facturier.jobs import pipeline
from facturier.sales import runs
from facturier.sales.sync import INCREMENTAL

TASK_OPTIONS = {"acks_late": True, "autoretry_for": TRANSIENT_DB_ERRORS, "max_retries": 3, "default_retry_delay": 60}
ISSUE_OPTIONS = {
    "acks_late": True,
    "autoretry_for": TRANSIENT_DB_ERRORS,
    "max_retries": 5,
    "retry_backoff": 5,
    "retry_backoff_max": 300,
    "time_limit": 120,
    "soft_time_limit": 100,
}


@shared_task(time_limit=1800, soft_time_limit=1700, **TASK_OPTIONS)
def sync_seller_task(seller_id: int, trigger: str = "schedule") -> int:
    seller = Seller.objects.get(pk=seller_id)
    if not seller.is_active:
        return 0
    if trigger == INCREMENTAL and runs.has_live_run(seller_id):
        return 0  # another pass of this seller is under way: it reads what this one would
    run = pipeline.fan_out_seller(
        seller,
        trigger=trigger,
        issue_later=issue_orders_task.delay_on_commit,
        credit_later=issue_refunds_task.delay_on_commit,
    )
    return run.pk


# A task's soft limit must not exceed its hard one, or Celery refuses to send it (the default soft limit of the
# settings, 540 s, is longer than these short tasks' hard limit: beat could never send them).
SHORT_LIMITS = {"time_limit": 120, "soft_time_limit": 100}


@shared_task(**SHORT_LIMITS, **TASK_OPTIONS)
def sync_all_sellers_task() -> int:
    seller_ids = list(pipeline.sellers_to_sync().values_list("pk", flat=True))
    for seller_id in seller_ids:
        sync_seller_task.delay_on_commit(seller_id)
    return len(seller_ids)


@shared_task(**SHORT_LIMITS, **TASK_OPTIONS)
def incremental_sync_all_sellers_task() -> int:
    """The light pass (every FACTURIER_INCREMENTAL_SYNC_EVERY seconds): each seller with no pass under way reads
    what changed since its last pass, so invoices leave minutes after shipping rather than at the next full pass.
    Return how many passes were started."""
    seller_ids = [pk for pk in pipeline.sellers_to_sync().values_list("pk", flat=True) if not runs.has_live_run(pk)]
    for seller_id in seller_ids:
        sync_seller_task.delay_on_commit(seller_id, INCREMENTAL)
    return len(seller_ids)


@shared_task(**SHORT_LIMITS, **TASK_OPTIONS)
def recover_interrupted_syncs_task() -> int:
    """The recovery sweeper (every minute): runs whose lease expired are marked interrupted and their sellers
    synced again now, rather than at the next scheduled sync; return how many passes were started."""
    seller_ids = pipeline.recover_interrupted_syncs()
    for seller_id in seller_ids:
        sync_seller_task.delay_on_commit(seller_id, "recovery")
    return len(seller_ids)


@shared_task(**ISSUE_OPTIONS)
def issue_orders_task(order_ids: list[int], run_id: int | None = None) -> int:
    """Issue the invoices of a batch of orders (rendering and email follow on commit); then credit their refunds.

    Orders already invoiced, gone or no longer eligible are skipped; a defect on one order is recorded on the
    run and never blocks the others."""
    issued = pipeline.issue_orders(order_ids, run_id)
    refund_ids = pipeline.refunds_of_orders(order_ids)
    if refund_ids:
        issue_refunds_task.delay_on_commit(refund_ids, run_id)
    return issued


@shared_task(**ISSUE_OPTIONS)
def issue_refunds_task(refund_ids: list[int], run_id: int | None = None) -> int:
    """Issue the credit notes of a batch of refunds, oldest first; a defect on one is recorded on the run and never
    blocks the others."""
    return pipeline.credit_refunds(refund_ids, run_id)


@shared_task(time_limit=600, **TASK_OPTIONS)
def sweep_abandoned_files_task() -> int:
    from facturier.core.stored_files import sweep_abandoned

    return sweep_abandoned()


@shared_task(time_limit=600, **TASK_OPTIONS)
def follow_uploads_task() -> int:
    from facturier.jobs.uploads import follow_uploads

    return follow_uploads()


@shared_task(**TASK_OPTIONS, soft_time_limit=300, time_limit=360)
def failed_digest_task() -> int:
    """Each seller is told which of its buyers' e-mails failed or bounced in the last day."""
    from facturier.outbox.services import failed_digest

    return failed_digest(since=clock.now() - timedelta(days=1))
