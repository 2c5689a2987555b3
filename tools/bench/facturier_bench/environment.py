"""What a benchmark run needs around Facturier: a fresh database, local files, a simulator and an SMTP sink."""

from __future__ import annotations

import logging
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg
from django.conf import settings
from django.core.management import call_command
from django.db import connections
from django.test import override_settings

from facturier.simulator.faults import FaultConfig
from facturier.simulator.server import SimulatorServer
from facturier_bench.smtp_sink import CountingSmtpSink


@dataclass
class BenchEnvironment:
    database_url: str
    media_root: Path
    simulator: SimulatorServer
    sink: CountingSmtpSink

    @property
    def email_url(self) -> str:
        return f"smtp://127.0.0.1:{self.sink.port}"

    def stop(self) -> None:
        self.simulator.stop()
        self.sink.stop()
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
    call_command("createcachetable", verbosity=0)  # the shared cache (marketplace tokens) is a table here
    return url


def point_default_database(name: str) -> None:
    connections["default"].close()
    settings.DATABASES["default"]["NAME"] = name
    connections["default"].settings_dict["NAME"] = name


def override(**values) -> None:
    # override_settings sends setting_changed, so the storage and e-mail handlers rebuild from the new values.
    override_settings(**values).enable()


def quiet_bench_loggers() -> None:
    # factur-x logs every baseline document at INFO: in a run of thousands of documents that logging would cost
    # the benchmark process more than the work it measures.
    for name in ("factur-x",):
        logging.getLogger(name).setLevel(logging.WARNING)


def start_environment(orders: int, *, email_timestamps: bool = False) -> BenchEnvironment:
    quiet_bench_loggers()
    database_url = fresh_database()
    media_root = Path(tempfile.mkdtemp(prefix="facturier-bench-")) / "media"  # = VAR_DIR/media in the workers
    media_root.mkdir()
    simulator = SimulatorServer("127.0.0.1", 0, seed=7, orders=orders, faults=FaultConfig())
    simulator.start()
    sink = CountingSmtpSink(timestamps=email_timestamps)
    sink.start()
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
        EMAIL_PORT=sink.port,
        EMAIL_USE_TLS=False,
        EMAIL_USE_SSL=False,
    )
    return BenchEnvironment(database_url, media_root, simulator, sink)
