"""Thin Celery task: on the 1st, bill the month that just ended (the schedule is in config/celery.py)."""

from __future__ import annotations

from celery import shared_task

from facturier.core.clock import today_in_paris


@shared_task(time_limit=3600, acks_late=True)
def monthly_billing_task() -> int:
    from facturier.billing.fee_invoices import run_monthly_billing
    from facturier.billing.usage import previous_month

    report = run_monthly_billing(previous_month(today_in_paris()))
    return report.issued
