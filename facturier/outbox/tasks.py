"""Thin Celery tasks over the outbox services; each is safe to run twice (rows are claimed atomically)."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.db import DatabaseError

from facturier.core import clock

TASK_OPTIONS = {
    "acks_late": True,
    "autoretry_for": (DatabaseError,),
    "max_retries": 3,
    "retry_backoff": True,
}


@shared_task(**TASK_OPTIONS, soft_time_limit=90, time_limit=120)
def deliver_email_task(pk: int) -> str:
    """Kept for messages queued before batches existed (a rolling deploy drains them)."""
    from facturier.outbox import services

    return services.deliver(pk)


@shared_task(**TASK_OPTIONS, soft_time_limit=300, time_limit=360)
def deliver_emails_task(pks: list[int]) -> int:
    """Send these rows over one connection; rows already taken by another worker are skipped."""
    from facturier.outbox import services

    return services.deliver_many(pks).claimed


@shared_task(**TASK_OPTIONS, soft_time_limit=25 * 60, time_limit=26 * 60)
def deliver_due_task(limit: int = 100) -> int:
    from facturier.outbox import services

    return services.deliver_due(limit=limit).claimed


@shared_task(**TASK_OPTIONS, soft_time_limit=300, time_limit=360)
def failed_digest_task() -> int:
    from facturier.outbox import services

    return services.failed_digest(since=clock.now() - timedelta(days=1))
