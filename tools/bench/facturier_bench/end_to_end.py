"""`facturier bench --orders N --workers W`: simulator → sync → issue → PDF/A-3 + Factur-X → store → SMTP.

W = 0 runs every task inline in this process (Celery eager mode). W ≥ 1 starts one Celery worker with W
prefork processes on the Redis broker (127.0.0.1:6379, a queue of its own), the production path.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import kombu.pools
import redis
from django.conf import settings

from config.celery import app
from facturier.ops import task_metrics
from facturier_bench.environment import BenchEnvironment
from facturier_bench.measure import cpu_seconds, machine_cpu_seconds, peak_rss_kib, process_tree

BENCH_REDIS_URL = os.environ.get("FACTURIER_BENCH_BROKER_URL", "redis://127.0.0.1:6379/12")
UNFINISHED_EMAIL_STATES = ("held", "queued", "sending", "retrying")


@dataclass
class RunResult:
    documents: int
    seconds: float
    emails_received: int
    timings_dir: Path
    peak_rss_kib: dict[str, int] = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)


def create_bench_seller(env: BenchEnvironment):
    from facturier.accounts.samples import connection_fields, create_seller

    return create_seller(
        index=1, upload_to_marketplace=False, connection=connection_fields(env.simulator.credentials("98979"))
    )


def use_broker(url: str, queue: str, *, eager: bool) -> None:
    app.conf.update(task_always_eager=eager, broker_url=url, task_default_queue=queue,
                    broker_transport_options={"visibility_timeout": 3600})
    kombu.pools.reset()  # pools are keyed on the broker of the moment they were built
    app._pool = None
    app.amqp._producer_pool = None


def start_workers(env: BenchEnvironment, workers: int, queue: str, timings_dir: Path) -> subprocess.Popen:
    environment = {
        **os.environ,
        # The workers run as in production: production settings (no DEBUG query log), persistent connections.
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DATABASE_URL": env.database_url,
        "EMAIL_URL": env.email_url,
        "CELERY_BROKER_URL": BENCH_REDIS_URL,
        "FACTURIER_VAR_DIR": str(env.media_root.parent),
        "FACTURIER_SECRET_KEY": settings.SECRET_KEY,
        "FACTURIER_FERNET_KEYS": settings.FACTURIER_FERNET_KEYS[0],  # the newest key encrypted the secrets
        "FACTURIER_TASK_TIMINGS_DIR": str(timings_dir),
        "OCTOPIA_API_URL": env.simulator.api_url,
        "OCTOPIA_AUTH_URL": env.simulator.auth_url,
        "FACTURIER_LOG_LEVEL": "WARNING",
    }
    command = [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=prefork",
               f"--concurrency={workers}", "-Q", queue, "--loglevel=INFO", "--without-gossip",
               "--without-mingle", "--without-heartbeat", "--prefetch-multiplier=4"]
    log = timings_dir / "worker.log"  # a file, not a pipe: a full pipe would block the worker's logging
    with log.open("w") as sink:
        process = subprocess.Popen(command, env=environment, stdout=subprocess.DEVNULL, stderr=sink)
    while " ready." not in log.read_text() and process.poll() is None:
        time.sleep(0.1)
    return process


def finished(run_id: int) -> bool:
    from facturier.invoicing.models import Invoice
    from facturier.jobs.pipeline import invoicing
    from facturier.outbox.models import OutgoingEmail
    from facturier.sales.models import SyncRun

    run = SyncRun.objects.filter(pk=run_id).first()
    # Cheapest checks first: this runs five times a second on the database being measured.
    return bool(
        run
        and run.finished_at
        and not OutgoingEmail.objects.filter(state__in=UNFINISHED_EMAIL_STATES).exists()
        and not Invoice.objects.filter(pdf="").exists()
        and not invoicing.orders_to_invoice(run.seller).exists()
    )


def run_end_to_end(env: BenchEnvironment, workers: int) -> RunResult:
    from facturier.invoicing.models import Invoice
    from facturier.jobs.tasks import sync_seller_task

    seller = create_bench_seller(env)
    timings_dir = Path(tempfile.mkdtemp(prefix="facturier-bench-timings-"))
    task_metrics.TIMINGS_DIR = str(timings_dir)
    # The workers send the tasks they schedule to the default queue, so the run owns a Redis database number
    # (FACTURIER_BENCH_BROKER_URL) rather than a queue name; stale messages there are dropped first.
    queue = "celery"
    if workers:
        redis.Redis.from_url(BENCH_REDIS_URL).delete(queue)
    use_broker(BENCH_REDIS_URL if workers else "memory://", queue, eager=not workers)
    worker = start_workers(env, workers, queue, timings_dir) if workers else None
    try:
        started = time.perf_counter()
        cpu_before = {"machine": machine_cpu_seconds(), "bench": cpu_seconds(os.getpid())}
        cpu_before["workers"] = sum(cpu_seconds(pid) for pid in process_tree(worker.pid)) if worker else 0.0
        run_id = sync_seller_task.delay(seller.pk, "bench").get() if not workers else None
        if workers:
            sync_seller_task.delay(seller.pk, "bench")
        run_id = wait_for_run(run_id)
        while not finished(run_id):
            time.sleep(0.2)
        seconds = time.perf_counter() - started
        cpu = {
            "machine": machine_cpu_seconds() - cpu_before["machine"],
            "bench": cpu_seconds(os.getpid()) - cpu_before["bench"],
            "workers": (sum(cpu_seconds(pid) for pid in process_tree(worker.pid)) if worker else 0.0)
            - cpu_before["workers"],
        }
        peaks = {"bench": peak_rss_kib(os.getpid())}
        if worker:
            peaks.update({f"worker {pid}": peak_rss_kib(pid) for pid in process_tree(worker.pid)})
    finally:
        if worker:
            worker.terminate()
            worker.wait(timeout=60)
    return RunResult(Invoice.objects.count(), seconds, env.sink.count, timings_dir, peaks, cpu)


def wait_for_run(run_id: int | None) -> int:
    from facturier.sales.models import SyncRun

    while run_id is None:
        run_id = SyncRun.objects.filter(trigger="bench").values_list("pk", flat=True).first()
        time.sleep(0.05)
    return run_id
