"""Thin Celery tasks: fetch by id, call the service, own the retries."""

from celery import shared_task

from facturier.invoicing import rendering


@shared_task(acks_late=True, max_retries=5, default_retry_delay=30, time_limit=120, soft_time_limit=100)
def render_invoice_task(invoice_id: int) -> None:
    rendering.render_invoice(invoice_id)
