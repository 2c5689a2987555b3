"""Thin Celery tasks over invoicing's services: fetch by id, call the service, own the retries (the beat schedule
is in config/celery.py)."""

from celery import shared_task

from facturier.core.db import TRANSIENT_DB_ERRORS
from facturier.invoicing import emails, rendering

RENDER_OPTIONS = {"acks_late": True, "autoretry_for": TRANSIENT_DB_ERRORS, "max_retries": 5, "default_retry_delay": 30}
SWEEP_OPTIONS = {"acks_late": True, "autoretry_for": TRANSIENT_DB_ERRORS, "max_retries": 3, "default_retry_delay": 60}


@shared_task(**RENDER_OPTIONS, time_limit=600, soft_time_limit=540)
def render_invoices_task(invoice_ids: list[int]) -> int:
    return rendering.render_invoices(invoice_ids)


@shared_task(time_limit=600, **SWEEP_OPTIONS)
def render_missing_task() -> int:
    """The rendering sweeper of the sellers' invoices and credit notes: those never rendered (a crash after their
    issue committed) are rendered, their emails released on the way; emails still held for documents that have
    their file are released. Facturier's fee invoices have their own sweeper (billing.tasks)."""
    rendered = rendering.render_missing()
    emails.release_held_of_rendered()
    return rendered
