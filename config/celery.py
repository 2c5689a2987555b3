"""The Celery app and its ONE beat schedule (every periodic job of Facturier is listed here)."""

from __future__ import annotations

import os

from celery import Celery, signals
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

# Every task has `delay_on_commit`: "run after commit" is written one way (Celery's own Django task class).
app = Celery("facturier", task_cls="celery.contrib.django.task:DjangoTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Task latency and outcomes for /metrics (Celery signals; no Django import at this point).
import facturier.ops.task_metrics  # noqa: E402, F401


@signals.task_prerun.connect(weak=False)
@signals.task_postrun.connect(weak=False)
def close_old_database_connections(sender=None, **_kwargs) -> None:
    """Around each task, as Django does around each request: drop connections that broke or outlived
    CONN_MAX_AGE, keep the others (Celery's own fix-up would close them all; see CELERY_DB_REUSE_MAX).
    Not for eager tasks: they run inside their caller, possibly in the middle of its transaction."""
    if getattr(getattr(sender, "request", None), "is_eager", False):
        return
    from django.db import close_old_connections

    close_old_connections()


def sync_schedule(times: list[str]) -> dict:
    entries = {}
    for moment in times:
        hour, _, minute = moment.partition(":")
        entries[f"sync-all-sellers-{moment}"] = {
            "task": "facturier.jobs.tasks.sync_all_sellers_task",
            "schedule": crontab(hour=int(hour), minute=int(minute or 0)),
        }
    return entries


def incremental_schedule(every: int) -> dict:
    """The light pass between the full ones (0 = off): see jobs.tasks.incremental_sync_all_sellers_task."""
    if not every:
        return {}
    task = "facturier.jobs.tasks.incremental_sync_all_sellers_task"
    return {"incremental-sync-all-sellers": {"task": task, "schedule": float(every)}}


@app.on_after_finalize.connect
def setup_beat_schedule(sender: Celery, **_kwargs) -> None:
    from django.conf import settings

    sender.conf.beat_schedule = {
        **sync_schedule(settings.FACTURIER_SYNC_TIMES),
        **incremental_schedule(settings.FACTURIER_INCREMENTAL_SYNC_EVERY),
        **sweepers_schedule(settings),
        **calendar_schedule(),
    }


def sweepers_schedule(settings) -> dict:
    """Each sweeper finishes what a killed worker left (their periods are settings: tests shorten them)."""

    def every(task: str, seconds: float) -> dict:
        return {"task": task, "schedule": float(seconds)}

    return {
        "deliver-due-emails": every("facturier.outbox.tasks.deliver_due_task", settings.FACTURIER_OUTBOX_SWEEP_EVERY),
        "render-missing-documents": every(
            "facturier.invoicing.tasks.render_missing_task", settings.FACTURIER_RENDER_SWEEP_EVERY
        ),
        "render-missing-fee-invoices": every(
            "facturier.billing.tasks.render_missing_fee_invoices_task", settings.FACTURIER_RENDER_SWEEP_EVERY
        ),
        "sweep-abandoned-files": every(
            "facturier.jobs.tasks.sweep_abandoned_files_task", settings.FACTURIER_STORAGE_SWEEP_EVERY
        ),
        "follow-marketplace-uploads": every("facturier.jobs.tasks.follow_uploads_task", 60),
        # Runs whose process died are interrupted and resumed within their lease (sales/runs.py) + this period.
        "recover-interrupted-syncs": every(
            "facturier.jobs.tasks.recover_interrupted_syncs_task", settings.FACTURIER_RECOVERY_SWEEP_EVERY
        ),
        "ereporting-pass": every("facturier.ereporting.tasks.ereporting_pass_task", 600),
        "pa-einvoicing-pass": every("facturier.ereporting.tasks.einvoicing_pass_task", 60),
    }


def calendar_schedule() -> dict:
    return {
        "monthly-billing": {
            "task": "facturier.billing.tasks.monthly_billing_task",
            "schedule": crontab(day_of_month=1, hour=6, minute=0),
        },
        "purge-expired-sellers": {
            "task": "facturier.billing.tasks.purge_expired_task",
            "schedule": crontab(hour=3, minute=30),
        },
        "daily-failed-email-digest": {
            "task": "facturier.jobs.tasks.failed_digest_task",
            "schedule": crontab(hour=8, minute=0),
        },
    }
