"""The Redis databases the tests may flush. `make test` runs the SQLite and PostgreSQL passes at the same time,
each with its own base (FACTURIER_TEST_REDIS_BASE), so one pass never flushes the other's queues."""

from __future__ import annotations

import os

BASE = int(os.environ.get("FACTURIER_TEST_REDIS_BASE", "10"))
WORKERS = BASE  # acceptance/workers/workers.py: the fault suite's workers
RECOVERY = BASE + 1  # acceptance/workers/test_recovery.py
WORKER_THREAD = BASE + 3  # acceptance/workers/test_worker.py
