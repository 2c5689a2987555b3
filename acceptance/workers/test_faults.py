"""Nothing lost, nothing stuck: a REAL worker (Celery, with its beat) is killed with SIGKILL while it syncs,
while it issues and while it emails; a fresh worker is started and nothing else is done. The sweepers alone
bring every order to exactly one invoice with its file, every email to the SMTP server once (at most one repeat
per kill), and every run to an end.

On PostgreSQL + Redis (redis_dbs.WORKERS), with the marketplace simulator over HTTP and a real SMTP server. The
sweepers' periods and leases are shortened by settings, so the whole module takes a minute or two.

The kill while syncing runs against each connector (Octopia and Mirakl, each on its simulator): it is the stage
that reads the marketplace (pages, cursors, retries under latency). The kills while issuing and emailing run on
Octopia only: from the stored orders on, the code is the same whatever marketplace the orders came from, and each
kill costs a worker start and up to minutes of recovery.
"""

from __future__ import annotations

import time
from collections import Counter
from itertools import groupby

import pytest
from django.db import connection

from acceptance.workers.test_worker import redis_is_up
from acceptance.workers.workers import Workers, wait_until
from facturier.accounts.samples import mirakl_connection_fields
from facturier.core.models import PendingFolder
from facturier.core.tests.storage import stored_names
from facturier.invoicing import services as invoicing
from facturier.invoicing.models import Invoice
from facturier.jobs.tasks import sync_seller_task
from facturier.outbox.models import OutgoingEmail
from facturier.sales.models import SalesOrder, SyncRun
from facturier.simulator.faults import FaultConfig

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]

ORDERS = 300
# Each API page answers after this long: a sync of ORDERS takes a few seconds, so a kill lands mid-sync.
API_LATENCY_MS = 250
# Seconds. Production keeps its defaults (config/settings/base.py); the test only shortens them.
SWEEPERS = {
    "FACTURIER_SYNC_LEASE": 15,
    "FACTURIER_RECOVERY_SWEEP_EVERY": 3,
    "FACTURIER_OUTBOX_STUCK_AFTER": 8,
    "FACTURIER_OUTBOX_SWEEP_EVERY": 2,
    "FACTURIER_RENDER_SWEEP_EVERY": 3,
    "FACTURIER_STORAGE_SWEEP_EVERY": 3,
    "FACTURIER_ORPHAN_FILE_GRACE": 20,
}
RECOVERY_DEADLINE = 300  # the promise: everything is done within 5 minutes of a fresh worker's start
DONE = (OutgoingEmail.STATE_SENT, OutgoingEmail.STATE_FAILED)


@pytest.fixture
def kind(request) -> str:
    return getattr(request, "param", "octopia")


@pytest.fixture
def seller(kind, start_simulator, start_mirakl_simulator, connect_to_simulator, make_seller):
    faults = FaultConfig(latency_ms=API_LATENCY_MS)
    if kind == "octopia":
        return connect_to_simulator(start_simulator(seed=2026, orders=ORDERS, faults=faults))
    simulator = start_mirakl_simulator(seed=2026, orders=ORDERS, faults=faults)
    return make_seller(connection=mirakl_connection_fields(simulator.credentials()))


@pytest.fixture
def workers(tmp_path, media_storage, smtp_server, seller):
    if not redis_is_up():
        pytest.fail("Redis is not running on 127.0.0.1:6379: start it with scripts/services.sh")
    directory = tmp_path / "workers"
    directory.mkdir()
    started = Workers(directory, SWEEPERS)
    started.clean_broker()
    try:
        yield started
    finally:
        started.stop()
        started.clean_broker()
        connection.close()


def syncing() -> bool:
    """A run is reading pages: some orders are stored, not all."""
    stored = SalesOrder.objects.count()
    return 0 < stored < ORDERS and SyncRun.objects.filter(status=SyncRun.RUNNING).exists()


def issuing() -> bool:
    """Some invoices are issued, some eligible orders wait for theirs."""
    issued = Invoice.objects.filter(kind=Invoice.KIND_INVOICE).count()
    return 0 < issued < SalesOrder.objects.filter(eligibility=SalesOrder.ELIGIBLE).count()


def issuing_after_the_sync() -> bool:
    """The pass has read every order and closed its run; its issuing tasks are still at work."""
    done = SyncRun.objects.filter(status=SyncRun.SUCCEEDED).exists()
    return done and issuing()


def emailing() -> bool:
    """Some emails reached the server, others wait for their turn."""
    sent = OutgoingEmail.objects.filter(state=OutgoingEmail.STATE_SENT).count()
    return sent > 0 and OutgoingEmail.objects.exclude(state__in=DONE).exists()


def settled(seller) -> bool:
    return (
        SalesOrder.objects.count() == ORDERS
        and not SyncRun.objects.filter(status=SyncRun.RUNNING).exists()
        and not invoicing.orders_to_invoice(seller).exists()
        and not Invoice.objects.filter(pdf="").exists()
        and OutgoingEmail.objects.count() == Invoice.objects.count()
        and not OutgoingEmail.objects.exclude(state__in=DONE).exists()
        and not PendingFolder.objects.exists()
        and stored_names() == sorted(Invoice.objects.values_list("pdf", flat=True))
    )


def progress(seller) -> dict:
    return {
        "orders": SalesOrder.objects.count(),
        "runs": list(SyncRun.objects.order_by("pk").values_list("status", "invoices_issued")),
        "to invoice": invoicing.orders_to_invoice(seller).count(),
        "documents": Invoice.objects.count(),
        "without file": Invoice.objects.filter(pdf="").count(),
        "emails": Counter(OutgoingEmail.objects.values_list("state", flat=True)),
        "reserved folders": PendingFolder.objects.count(),
        "files": len(stored_names()),
    }


@pytest.mark.parametrize(
    ("moment", "kind"),
    [(syncing, "octopia"), (syncing, "mirakl"), (issuing, "octopia"), (issuing_after_the_sync, "octopia"),
     (emailing, "octopia")],
    ids=["syncing-octopia", "syncing-mirakl", "issuing", "issuing-after-the-sync", "emailing"],
    indirect=["kind"],
)  # fmt: skip
def test_a_worker_killed_mid_stage_leaves_nothing_lost_and_nothing_stuck(moment, seller, workers, smtp_server):
    workers.start()
    workers.send(sync_seller_task.name, seller.pk, "faults")
    assert wait_until(moment, seconds=120, interval=0.02), f"never caught {moment.__name__}: {progress(seller)}"
    workers.kill()
    killed = progress(seller)

    started = time.monotonic()
    workers.start()  # and nothing else: no manual sync, no manual send
    finished = wait_until(lambda: settled(seller), seconds=RECOVERY_DEADLINE, interval=0.5)
    assert finished, f"killed at {killed}, after {RECOVERY_DEADLINE} s: {progress(seller)}\n{workers.log()}"
    assert time.monotonic() - started < RECOVERY_DEADLINE

    eligible = set(SalesOrder.objects.filter(eligibility=SalesOrder.ELIGIBLE).values_list("pk", flat=True))
    invoiced = Counter(Invoice.objects.filter(kind=Invoice.KIND_INVOICE).values_list("order_id", flat=True))
    assert set(invoiced) == eligible and set(invoiced.values()) == {1}
    for series, sequences in groupby(Invoice.objects.order_by("series_key", "sequence").values_list(
        "series_key", "sequence"
    ), key=lambda row: row[0]):
        numbers = [sequence for _series, sequence in sequences]
        assert numbers == list(range(1, len(numbers) + 1)), series
    assert stored_names() == sorted(Invoice.objects.values_list("pdf", flat=True))
    emails_per_document = Counter(OutgoingEmail.objects.values_list("related_key", flat=True))
    assert len(emails_per_document) == Invoice.objects.count() and set(emails_per_document.values()) == {1}
    failed = OutgoingEmail.objects.filter(state=OutgoingEmail.STATE_FAILED)
    assert set(failed.values_list("attempts", flat=True)) <= {0}  # only unusable addresses, never the server
    sent = set(OutgoingEmail.objects.filter(state=OutgoingEmail.STATE_SENT).values_list("message_id", flat=True))
    assert len(sent) == OutgoingEmail.objects.count() - failed.count()
    received = Counter(mail.message["Message-ID"] for mail in smtp_server.received)
    assert set(received) == sent
    assert sum(received.values()) - len(received) <= 1  # one kill: at most the message in flight went twice
    assert SyncRun.objects.filter(status=SyncRun.SUCCEEDED).exists()
    assert not SyncRun.objects.filter(status=SyncRun.RUNNING).exists()
