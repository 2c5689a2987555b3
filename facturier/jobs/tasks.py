"""Thin Celery tasks over the pipeline services (the beat schedule is in config/celery.py)."""

from __future__ import annotations

from celery import shared_task

from facturier.accounts.models import Seller
from facturier.jobs import pipeline

TASK_OPTIONS = {"acks_late": True, "max_retries": 3, "default_retry_delay": 60}


@shared_task(time_limit=1800, soft_time_limit=1700, **TASK_OPTIONS)
def sync_seller_task(seller_id: int, trigger: str = "schedule") -> int:
    seller = Seller.objects.get(pk=seller_id)
    if not seller.is_active:
        return 0
    return pipeline.run_seller(seller, trigger=trigger).pk


@shared_task(time_limit=120, **TASK_OPTIONS)
def sync_all_sellers_task() -> int:
    seller_ids = list(pipeline.sellers_to_sync().values_list("pk", flat=True))
    for seller_id in seller_ids:
        sync_seller_task.delay(seller_id)
    return len(seller_ids)


@shared_task(time_limit=600, **TASK_OPTIONS)
def render_missing_task() -> int:
    from facturier.invoicing.rendering import render_missing

    return render_missing()


@shared_task(time_limit=600, **TASK_OPTIONS)
def follow_uploads_task() -> int:
    from facturier.jobs.uploads import follow_uploads

    return follow_uploads()


@shared_task(time_limit=3600, **TASK_OPTIONS)
def purge_expired_task() -> int:
    from facturier.billing.lifecycle import purge_expired

    return purge_expired()
