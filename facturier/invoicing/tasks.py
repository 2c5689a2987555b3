"""Thin Celery tasks: fetch by id, call the service, own the retries."""

from celery import shared_task

from facturier.core.db import TRANSIENT_DB_ERRORS
from facturier.invoicing import rendering

RENDER_OPTIONS = {"acks_late": True, "autoretry_for": TRANSIENT_DB_ERRORS, "max_retries": 5, "default_retry_delay": 30}


@shared_task(**RENDER_OPTIONS, time_limit=600, soft_time_limit=540)
def render_invoices_task(invoice_ids: list[int]) -> int:
    return rendering.render_invoices(invoice_ids)
