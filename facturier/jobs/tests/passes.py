"""The production pass (jobs/inline.py) as the tests drive it."""

from __future__ import annotations

from django.test import TestCase

from facturier.accounts.models import Seller
from facturier.jobs import inline
from facturier.sales.models import SyncRun


def run_pass(seller: Seller, trigger: str = "test") -> SyncRun:
    """The seller's pass through the production tasks, run here. In a test wrapped in a transaction nothing
    commits, so the tasks the pass hands on "after commit" run when it returns, as Django's TestCase runs them."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        run = inline.run_pass(seller, trigger=trigger)
    run.refresh_from_db()
    return run
