"""What a benchmark run needs around Facturier: a fresh database, local files, a simulator and an SMTP sink."""

from __future__ import annotations

import logging
import os
import socket
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg
from aiosmtpd.controller import Controller
from django.conf import settings
from django.core.management import call_command
from django.db import connections
from django.test import override_settings

from facturier.simulator.faults import FaultConfig
from facturier.simulator.server import SimulatorServer


class CountingSink:
    """An SMTP server handler that accepts and counts messages (their content is not kept: memory stays flat)."""

    def __init__(self) -> None:
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802
        with self.lock:
            self.count += 1
        return "250 OK"


@dataclass
class BenchEnvironment:
    database_url: str
    media_root: Path
    simulator: SimulatorServer
    smtp: Controller
    sink: CountingSink

    @property
    def email_url(self) -> str:
        return f"smtp://127.0.0.1:{self.smtp.port}"

    def stop(self) -> None:
        self.simulator.stop()
        self.smtp.stop()
        drop_database(self.database_url)


def drop_database(url: str) -> None:
    """A benchmark leaves nothing behind: its PostgreSQL database goes with it (SQLite files live in /tmp)."""
    if not url.startswith("postgres://"):
        return
    connections.close_all()
    server, _, name = url.removeprefix("postgres://").rpartition("/")
    with psycopg.connect(f"postgresql://{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def fresh_database() -> str:
    """A new empty database: PostgreSQL when DATABASE_URL says so (CREATE DATABASE), SQLite otherwise."""
    current = settings.DATABASES["default"]
    if current["ENGINE"] == "django.db.backends.postgresql":
        name = f"facturier_bench_{os.getpid()}_{int(time.time())}"
        server = f"{current['USER'] or 'postgres'}@{current['HOST'] or '127.0.0.1'}:{current['PORT'] or 5432}"
        with psycopg.connect(f"postgresql://{server}/postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        url = f"postgres://{server}/{name}"
        point_default_database(name)
    else:
        path = Path(tempfile.mkdtemp(prefix="facturier-bench-")) / "bench.sqlite3"
        url = f"sqlite:///{path}"
        point_default_database(str(path))
    call_command("migrate", verbosity=0)
    return url


def point_default_database(name: str) -> None:
    connections["default"].close()
    settings.DATABASES["default"]["NAME"] = name
    connections["default"].settings_dict["NAME"] = name


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def override(**values) -> None:
    # override_settings sends setting_changed, so the storage and e-mail handlers rebuild from the new values.
    override_settings(**values).enable()


def quiet_bench_loggers() -> None:
    # aiosmtpd logs every SMTP command and factur-x every baseline document at INFO: in a run of thousands of
    # messages that logging would cost the benchmark process more than the work it measures.
    for name in ("mail.log", "factur-x"):
        logging.getLogger(name).setLevel(logging.WARNING)


def start_environment(orders: int) -> BenchEnvironment:
    quiet_bench_loggers()
    database_url = fresh_database()
    media_root = Path(tempfile.mkdtemp(prefix="facturier-bench-")) / "media"  # = VAR_DIR/media in the workers
    media_root.mkdir()
    simulator = SimulatorServer("127.0.0.1", 0, seed=7, orders=orders, faults=FaultConfig())
    simulator.start()
    sink = CountingSink()
    smtp = Controller(sink, hostname="127.0.0.1", port=free_port())
    smtp.start()
    override(
        OCTOPIA_API_URL=simulator.api_url,
        OCTOPIA_AUTH_URL=simulator.auth_url,
        MEDIA_ROOT=media_root,
        STORAGES={
            **settings.STORAGES,
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": media_root}},
        },
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=smtp.port,
        EMAIL_USE_TLS=False,
        EMAIL_USE_SSL=False,
    )
    return BenchEnvironment(database_url, media_root, simulator, smtp, sink)
