"""Thin Celery tasks over the outbox's delivery; each is safe to run twice (rows are claimed atomically)."""

from __future__ import annotations

from celery import shared_task

from facturier.core.db import TRANSIENT_DB_ERRORS
from facturier.outbox import delivery

TASK_OPTIONS = {
    "acks_late": True,
    "autoretry_for": TRANSIENT_DB_ERRORS,
    "max_retries": 3,
    "retry_backoff": True,
}


@shared_task(**TASK_OPTIONS, soft_time_limit=300, time_limit=360)
def deliver_emails_task(pks: list[int]) -> int:
    """Send these rows over one connection; rows already taken by another worker are skipped."""
    return delivery.deliver_many(pks).claimed


@shared_task(**TASK_OPTIONS, soft_time_limit=25 * 60, time_limit=26 * 60)
def deliver_due_task(limit: int = 100) -> int:
    return delivery.deliver_due(limit=limit).claimed
