"""A real Celery worker (with its embedded beat) in a subprocess of its own, that a test can SIGKILL.

The worker runs `celery -A config.celery worker -B` on the test database, the test's storage folder, SMTP server,
simulator and a Redis queue of its own (redis_dbs.WORKERS), with the settings the test chooses (sweeper periods).
It is started in a new process group, and killed with it: no pool process outlives its parent.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import redis
from celery import Celery
from django.conf import settings
from django.db import connection

from facturier.core.tests import redis_dbs

REDIS_DB = redis_dbs.WORKERS
BROKER_URL = f"redis://127.0.0.1:6379/{REDIS_DB}"
PROJECT_ROOT = Path(__file__).resolve().parents[2]
# Copied from this process: the worker must decrypt what the test stored and reach what the test started.
INHERITED = (
    "SECRET_KEY", "FACTURIER_FERNET_KEYS", "OCTOPIA_API_URL", "OCTOPIA_AUTH_URL", "EMAIL_BACKEND", "EMAIL_HOST",
    "EMAIL_PORT", "EMAIL_HOST_USER", "EMAIL_HOST_PASSWORD", "EMAIL_USE_TLS", "EMAIL_USE_SSL", "EMAIL_TIMEOUT",
    "DEFAULT_FROM_EMAIL", "MEDIA_ROOT",
)


class Workers:
    """Starts workers one at a time on one queue; `kill` is SIGKILL to the whole process group."""

    def __init__(self, directory: Path, overrides: dict) -> None:
        self.directory = directory
        self.queue = f"facturier-faults-{uuid.uuid4().hex[:12]}"
        self.overrides = overrides
        self.process: subprocess.Popen | None = None
        self.started = 0

    def worker_settings(self) -> dict:
        database = connection.settings_dict
        inherited = {name: getattr(settings, name) for name in INHERITED}
        inherited["MEDIA_ROOT"] = str(inherited["MEDIA_ROOT"])
        return {
            **inherited,
            "DATABASES": {
                "default": {
                    key: database[key] for key in ("ENGINE", "NAME", "USER", "PASSWORD", "HOST", "PORT")
                }
            },
            "STORAGES": {
                **settings.STORAGES,
                "default": {**settings.STORAGES["default"], "OPTIONS": {
                    key: str(value) for key, value in settings.STORAGES["default"].get("OPTIONS", {}).items()
                }},
            },
            "CELERY_TASK_ALWAYS_EAGER": False,
            "CELERY_BROKER_URL": BROKER_URL,
            "CELERY_TASK_DEFAULT_QUEUE": self.queue,
            # As in production: a killed worker's unacknowledged tasks come back only after an hour, so what
            # is recovered within minutes is recovered by the sweepers.
            "CELERY_BROKER_TRANSPORT_OPTIONS": {"visibility_timeout": 3600},
            "FACTURIER_SYNC_TIMES": [],
            **self.overrides,
        }

    def start(self) -> None:
        assert self.process is None, "one worker at a time"
        self.started += 1
        log = (self.directory / f"worker-{self.started}.log").open("wb")
        environment = {
            **os.environ,
            "PYTHONPATH": str(PROJECT_ROOT),
            "DJANGO_SETTINGS_MODULE": "acceptance.workers.fault_worker_settings",
            "FACTURIER_FAULT_SETTINGS": json.dumps(self.worker_settings()),
        }
        command = [
            sys.executable, "-m", "celery", "-A", "config.celery", "worker", "--beat",
            "--schedule", str(self.directory / f"beat-{self.started}"), "--queues", self.queue,
            "--pool", "prefork", "--concurrency", "2", "--loglevel", "INFO",
            "--without-gossip", "--without-mingle", "--hostname", f"{self.queue}-{self.started}@%h",
        ]
        self.process = subprocess.Popen(
            command, cwd=PROJECT_ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        log.close()

    def kill(self) -> None:
        """SIGKILL the worker, its pool and its beat at once: nothing runs a cleanup."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)
        self.process = None

    def stop(self) -> None:
        if self.process is not None:
            self.kill()

    def send(self, task_name: str, *args) -> None:
        """Queue a task for the workers, as the web process or the beat would; through a Celery app of its own,
        so the project's app (its queues and pools, which other tests configure) is left as it was."""
        client = Celery("facturier-faults-client", broker=BROKER_URL, set_as_current=False)
        try:
            client.send_task(task_name, args=args, queue=self.queue)
        finally:
            client.close()

    def log(self) -> str:
        return "\n".join(
            path.read_text(errors="replace")[-4000:] for path in sorted(self.directory.glob("worker-*.log"))
        )

    def clean_broker(self) -> None:
        redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB).flushdb()


def wait_until(condition: Callable[[], bool], *, seconds: float, interval: float = 0.05) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(interval)
    return True
