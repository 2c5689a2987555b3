"""Nothing lost, nothing stuck after a crash, without anyone running a second sync.

`facturier sync` is run in a forked process on the test database, and a Celery worker in another, and each is
killed with SIGKILL mid-pass (no handler, no `finally`): the run left behind is resumed by the recovery sweeper, its
counters are true, and every order is read and invoiced exactly once. The lease's expiry (five minutes) is simulated
by moving it back. The sweeper's own rules, with no process killed, are in facturier/jobs/tests/test_recovery.py.
"""

from __future__ import annotations

import io
import os
import signal
import time
import uuid
import warnings
from contextlib import suppress

import pytest
import redis
from django.core.management import call_command
from django.db import connections
from django.db.models import Sum

from acceptance.workers.test_worker import drop_broker_connections, redis_is_up
from config.celery import app
from facturier.core.tests import redis_dbs
from facturier.invoicing.issuing import ISSUE_BATCH
from facturier.invoicing.models import Invoice
from facturier.invoicing.services import orders_to_invoice
from facturier.jobs.tasks import recover_interrupted_syncs_task, sync_seller_task
from facturier.jobs.tests.passes import run_pass
from facturier.jobs.tests.test_recovery import lease_expires
from facturier.sales import runs
from facturier.sales.models import SalesOrder, SyncRun

ORDERS = 240  # three pages of the API


def sync_killed_when(seller, condition, *, seconds: float = 120.0) -> None:
    """Run `facturier sync --seller` in a forked process and SIGKILL it as soon as `condition()` holds."""
    connections.close_all()  # the child opens its own connection to the test database
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        code = 1
        try:
            call_command("sync", seller=str(seller.pk), stdout=io.StringIO())
            code = 0
        finally:
            os._exit(code)
    kill_when(pid, condition, seconds)


def kill_when(pid: int, condition, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    try:
        while not condition():
            if time.monotonic() > deadline or os.waitpid(pid, os.WNOHANG) != (0, 0):
                raise AssertionError("the process ended before the moment it was to be killed at")
            time.sleep(0.005)
    finally:
        with suppress(ProcessLookupError, ChildProcessError):  # already ended (the assertion above says so)
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        connections.close_all()


def verdicts(seller) -> dict[str, str]:
    return dict(SalesOrder.objects.filter(seller=seller).values_list("order_id", "eligibility"))


def invoiced_orders(seller) -> list[str]:
    invoices = Invoice.objects.filter(seller=seller, kind=Invoice.KIND_INVOICE)
    return sorted(invoices.values_list("order__order_id", flat=True))


def assert_same_as_an_uninterrupted_pass(seller, reference) -> None:
    """Every order read and invoiced exactly once, as a pass that nobody killed does; the runs' counters add
    up to the documents."""
    run_pass(reference, "reference")
    assert verdicts(seller) == verdicts(reference)
    assert invoiced_orders(seller) == invoiced_orders(reference)
    assert len(invoiced_orders(seller)) == len(set(invoiced_orders(seller))) > ISSUE_BATCH
    assert orders_to_invoice(seller).count() == 0
    counted = SyncRun.objects.filter(seller=seller).aggregate(total=Sum("invoices_issued"))["total"]
    assert counted == len(invoiced_orders(seller))


@pytest.fixture
def big_seller(start_simulator, connect_to_simulator):
    """Two sellers connected to one simulator: the first is killed and recovered, the second, the reference,
    syncs once without interruption."""
    server = start_simulator(seed=5, orders=ORDERS)
    return connect_to_simulator(server), connect_to_simulator(server, holds_account=False)


@pytest.mark.django_db(transaction=True)
def test_a_sync_killed_while_reading_is_marked_interrupted_and_resumed_by_the_sweeper(big_seller):
    seller, reference = big_seller
    sync_killed_when(seller, lambda: SalesOrder.objects.filter(seller=seller).exists())
    killed = SyncRun.objects.get(seller=seller)
    assert killed.status == SyncRun.RUNNING
    assert recover_interrupted_syncs_task.delay().get() == 0  # its lease is still running: it may be alive

    lease_expires()
    assert recover_interrupted_syncs_task.delay().get() == 1

    killed.refresh_from_db()
    assert killed.status == SyncRun.INTERRUPTED
    assert killed.message.startswith(runs.INTERRUPTED_MESSAGE)
    assert killed.finished_at is not None
    resumed = SyncRun.objects.get(seller=seller, trigger="recovery")
    assert (resumed.status, resumed.orders_seen) == (SyncRun.SUCCEEDED, len(verdicts(seller)))
    assert_same_as_an_uninterrupted_pass(seller, reference)
    assert recover_interrupted_syncs_task.delay().get() == 0  # nothing left to recover


@pytest.mark.django_db(transaction=True)
def test_a_sync_killed_while_issuing_never_shows_success_and_counts_what_it_issued(big_seller):
    seller, reference = big_seller
    sync_killed_when(seller, lambda: Invoice.objects.filter(seller=seller).exists())

    killed = SyncRun.objects.get(seller=seller)
    issued = Invoice.objects.filter(seller=seller, kind=Invoice.KIND_INVOICE).count()
    assert killed.status == SyncRun.RUNNING
    assert killed.invoices_issued == issued
    assert 0 < issued < SalesOrder.objects.filter(seller=seller, eligibility=SalesOrder.ELIGIBLE).count()

    lease_expires()
    recover_interrupted_syncs_task.delay()
    killed.refresh_from_db()
    assert (killed.status, killed.invoices_issued) == (SyncRun.INTERRUPTED, issued)
    assert_same_as_an_uninterrupted_pass(seller, reference)


REDIS_DB = redis_dbs.RECOVERY


@pytest.fixture
def redis_queue():
    """A queue on Redis for a worker process started by the test; the sweeper's work runs inline afterwards."""
    if not redis_is_up():
        pytest.fail("Redis is not running on 127.0.0.1:6379: start it with scripts/services.sh")
    client = redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB)
    client.flushdb()
    queue = f"facturier-recovery-{uuid.uuid4().hex[:12]}"
    keys = ("task_always_eager", "broker_url", "task_default_queue", "broker_transport_options")
    saved = {key: app.conf[key] for key in keys}
    app.conf.update(
        task_always_eager=False,
        broker_url=f"redis://127.0.0.1:6379/{REDIS_DB}",
        task_default_queue=queue,
        broker_transport_options={"visibility_timeout": 3600},
    )
    drop_broker_connections()
    try:
        yield client
    finally:
        app.conf.update(saved)
        drop_broker_connections()
        client.flushdb()


def worker_killed_when(condition, *, seconds: float = 120.0) -> None:
    """Run a Celery worker in a forked process on the test database and SIGKILL it when `condition()` holds."""
    connections.close_all()
    pid = os.fork()
    if pid == 0:
        try:
            warnings.resetwarnings()  # pytest turns warnings into errors; a worker run as root warns
            app.worker_main(["worker", "--pool=solo", "--loglevel=ERROR", "--without-mingle", "--without-gossip"])
        finally:
            os._exit(1)
    kill_when(pid, condition, seconds)


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_sync_is_taken_up_by_the_sweeper_not_an_hour_later(big_seller, redis_queue):
    seller, reference = big_seller
    sync_seller_task.delay(seller.pk)

    worker_killed_when(lambda: SalesOrder.objects.filter(seller=seller).exists())

    unacked = redis_queue.hlen("unacked")
    assert unacked >= 1  # Redis gives the sync's message back only after the visibility timeout
    killed = SyncRun.objects.get(seller=seller)
    assert killed.status == SyncRun.RUNNING
    app.conf.update(task_always_eager=True)  # the sweeper and the pass it starts run here, as a worker would
    lease_expires()
    assert recover_interrupted_syncs_task.delay().get() == 1

    killed.refresh_from_db()
    assert killed.status == SyncRun.INTERRUPTED
    assert SyncRun.objects.get(seller=seller, trigger="recovery").status == SyncRun.SUCCEEDED
    assert redis_queue.hlen("unacked") == unacked
    assert_same_as_an_uninterrupted_pass(seller, reference)


