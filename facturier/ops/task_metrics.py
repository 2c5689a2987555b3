"""Celery task latency and outcomes for Prometheus, fed by Celery's task signals.

Imported by config/celery.py so every worker (and eager execution) records them. With
PROMETHEUS_MULTIPROC_DIR set, prometheus_client writes the values to per-process files that the web
process aggregates on /metrics (one directory shared by the workers and the web process of a host).
"""

from __future__ import annotations

import os
import time

from celery import signals
from prometheus_client import Counter, Histogram

TASK_SECONDS = Histogram(
    "facturier_task_duration_seconds",
    "Run time of Celery tasks.",
    ["task"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0),
)
TASKS = Counter("facturier_tasks", "Celery tasks finished, by outcome.", ["task", "outcome"])

_started: dict[str, float] = {}


def short_name(name: str | None) -> str:
    return (name or "unknown").rsplit(".", 1)[-1]


@signals.task_prerun.connect(weak=False)
def _task_started(task_id: str | None = None, **_kwargs) -> None:
    if task_id:
        _started[task_id] = time.perf_counter()


@signals.task_postrun.connect(weak=False)
def _task_finished(task_id: str | None = None, task=None, state: str | None = None, args=None, **_kwargs) -> None:
    started = _started.pop(task_id, None) if task_id else None
    name = short_name(getattr(task, "name", None))
    if started is not None:
        TASK_SECONDS.labels(task=name).observe(time.perf_counter() - started)
    TASKS.labels(task=name, outcome=(state or "UNKNOWN").lower()).inc()
    if started is not None and TIMINGS_DIR:
        record_timing(name, time.perf_counter() - started, batch_size(args))


# The benchmark asks workers for every task's exact duration (one file per process, appended).
TIMINGS_DIR = os.environ.get("FACTURIER_TASK_TIMINGS_DIR", "")
_timings_file = None


def batch_size(args) -> int:
    """How many documents a task handled: the length of a batch task's list of ids, else one."""
    first = args[0] if args else None
    return len(first) if isinstance(first, list | tuple) else 1


def record_timing(name: str, seconds: float, documents: int = 1) -> None:
    global _timings_file
    if _timings_file is None:
        _timings_file = open(os.path.join(TIMINGS_DIR, f"{os.getpid()}.tsv"), "a", buffering=1)  # noqa: SIM115
    _timings_file.write(f"{name}\t{seconds:.6f}\t{documents}\t{time.time():.3f}\n")
