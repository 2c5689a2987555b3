"""Thin Celery tasks over billing's services (the beat schedule is in config/celery.py)."""

from __future__ import annotations

from celery import shared_task

from facturier.billing import lifecycle, rendering
from facturier.billing.fee_invoices import run_monthly_billing
from facturier.billing.usage import previous_month
from facturier.core.clock import today_in_paris
from facturier.core.db import TRANSIENT_DB_ERRORS

SWEEP_OPTIONS = {"acks_late": True, "autoretry_for": TRANSIENT_DB_ERRORS, "max_retries": 3, "default_retry_delay": 60}


@shared_task(time_limit=3600, acks_late=True)
def monthly_billing_task() -> int:
    """On the 1st, bill the month that just ended."""
    report = run_monthly_billing(previous_month(today_in_paris()))
    return report.issued


@shared_task(time_limit=600, **SWEEP_OPTIONS)
def render_missing_fee_invoices_task() -> int:
    """The rendering sweeper of Facturier's fee invoices (through the one rendering path, invoicing.rendering):
    those never rendered are rendered, their emails released on the way; emails still held for fee invoices that
    have their file are released."""
    rendered = rendering.render_missing_fee_invoices()
    rendering.release_held_fee_emails()
    return rendered


@shared_task(time_limit=3600, **SWEEP_OPTIONS)
def purge_expired_task() -> int:
    """Daily: the sellers whose read-only download window has ended are purged (billing.lifecycle)."""
    return lifecycle.purge_expired()
