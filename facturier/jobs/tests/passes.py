"""The production pass (jobs/inline.py) as the tests drive it."""

from __future__ import annotations

from django.test import TestCase

from facturier.accounts.models import Seller
from facturier.jobs import inline, pipeline
from facturier.jobs.tasks import issue_orders_task, issue_refunds_task
from facturier.sales.models import SyncRun


def run_pass(seller: Seller, trigger: str = "test", *, client=None) -> SyncRun:
    """The seller's pass through the production tasks, run here. In a test wrapped in a transaction nothing
    commits, so the tasks the pass hands on "after commit" run when it returns, as Django's TestCase runs them.
    `client`: a marketplace client of the test's own (a page size, a recorded sleep), in place of the one the
    task builds from the seller's connection."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        run = inline.run_pass(seller, trigger=trigger) if client is None else _with_client(seller, trigger, client)
    run.refresh_from_db()
    return run


def _with_client(seller: Seller, trigger: str, client) -> SyncRun:
    with inline.tasks_in_this_process():
        return pipeline.fan_out_seller(
            seller,
            trigger=trigger,
            client=client,
            issue_later=issue_orders_task.delay_on_commit,
            credit_later=issue_refunds_task.delay_on_commit,
        )
