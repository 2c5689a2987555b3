"""Run the production pass in this process: the same tasks as the workers run, executed here (Celery eager).

The `facturier sync` and `facturier run` commands use it, and so do the tests: there is one pipeline path
(`sync_seller_task` → `pipeline.fan_out_seller` → batch tasks), whoever drives it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from celery import current_app

from facturier.accounts.models import Seller
from facturier.jobs.tasks import sync_seller_task
from facturier.sales.models import SyncRun


@contextmanager
def tasks_in_this_process() -> Iterator[None]:
    """Within the block, a task sent (`delay`, `delay_on_commit`) runs in this process instead of going to a
    broker: the batches a pass hands on are issued, rendered and emailed before the pass returns."""
    conf = current_app.conf
    before = conf.task_always_eager
    conf.task_always_eager = True
    try:
        yield
    finally:
        conf.task_always_eager = before


def run_pass(seller: Seller, *, trigger: str) -> SyncRun | None:
    """One pass of the seller's pipeline (sync, then every document issued, rendered and emailed) in this
    process; the run, or None when the seller is not active."""
    with tasks_in_this_process():
        # An eager result holds its value (throw=True raised any error); `.get()` would refuse to wait from a
        # thread that Celery takes for a task's own.
        run_id = sync_seller_task.apply(args=(seller.pk, trigger), throw=True).result
    return SyncRun.objects.get(pk=run_id) if run_id else None
