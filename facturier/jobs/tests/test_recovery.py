"""Nothing lost, nothing stuck after a crash, without anyone running a second sync.

`facturier sync` is run in a forked process on the test database and killed with SIGKILL (no handler, no
`finally`): the run it leaves behind is resumed by the recovery sweeper, its counters are true, and every
order is read and invoiced exactly once. The lease's expiry (five minutes) is simulated by moving it back.
An email held by a worker killed after attaching the PDF is released by the rendering sweeper.
"""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
import uuid
import warnings
from contextlib import suppress
from datetime import timedelta

import pytest
import redis
from django.core.management import call_command
from django.db import connections
from django.db.models import Sum

from config.celery import app
from facturier.core.clock import now
from facturier.core.tests import redis_dbs
from facturier.invoicing.issuing import ISSUE_BATCH
from facturier.invoicing.models import Invoice
from facturier.invoicing.services import orders_to_invoice
from facturier.invoicing.tasks import render_missing_task
from facturier.invoicing.tests.crashes import issued_unrendered, killed_between_attaching_and_releasing
from facturier.invoicing.tests.orders import market_order, order_line, sales_order
from facturier.jobs.pipeline import recover_interrupted_syncs
from facturier.jobs.tasks import recover_interrupted_syncs_task, sync_seller_task
from facturier.jobs.tests.passes import run_pass
from facturier.jobs.tests.test_worker import drop_broker_connections, redis_is_up
from facturier.outbox.models import OutgoingEmail
from facturier.sales import runs
from facturier.sales.models import SalesOrder, SyncRun
from facturier.sales.sync import sync_seller

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


def lease_expires() -> None:
    """Five minutes pass without a heartbeat: the killed process renews nothing."""
    SyncRun.objects.filter(status=SyncRun.RUNNING).update(lease_expires_at=now() - timedelta(seconds=1))


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


@pytest.mark.django_db
def test_two_sweepers_claim_an_expired_run_once_and_a_live_run_of_the_seller_needs_no_new_pass(seller_a, seller_b):
    dead_a = runs.open_run(seller_a, "schedule")
    runs.open_run(seller_b, "schedule")
    live_b = runs.open_run(seller_b, "schedule")
    lease_expires()
    runs.renew_lease(live_b)  # seller B's other pass is alive

    assert runs.interrupt_expired() == [seller_a.pk]
    assert runs.interrupt_expired() == []
    dead_a.refresh_from_db()
    assert dead_a.status == SyncRun.INTERRUPTED
    assert sorted(SyncRun.objects.values_list("seller_id", "status")) == sorted([
        (seller_a.pk, SyncRun.INTERRUPTED), (seller_b.pk, SyncRun.INTERRUPTED), (seller_b.pk, SyncRun.RUNNING),
    ])


@pytest.mark.django_db(transaction=True)
def test_a_slow_pass_taken_over_by_the_sweeper_stops_and_keeps_its_interrupted_status(simulated_seller):
    def sweeper_runs_while_still_alive(run, heartbeat):
        lease_expires()
        assert runs.interrupt_expired() == [simulated_seller.pk]
        heartbeat()  # the next heartbeat finds the run taken over
        raise AssertionError("the pass went on after losing its lease")

    run = sync_seller(simulated_seller, trigger="test", then=sweeper_runs_while_still_alive)

    assert run.status == SyncRun.INTERRUPTED
    assert run.message == runs.INTERRUPTED_MESSAGE
    assert SyncRun.objects.filter(status=SyncRun.RUNNING).count() == 0


@pytest.mark.django_db(transaction=True)
def test_a_pass_ended_by_an_exception_closes_its_run_as_interrupted_with_the_error(simulated_seller):
    def issuing_breaks(run, heartbeat):
        raise RuntimeError("disque plein")

    with pytest.raises(RuntimeError, match="disque plein"):
        sync_seller(simulated_seller, trigger="test", then=issuing_breaks)

    run = SyncRun.objects.get()
    assert run.status == SyncRun.INTERRUPTED
    assert run.message == f"{runs.INTERRUPTED_MESSAGE}\nRuntimeError : disque plein"
    assert run.lease_expires_at is None


@pytest.mark.django_db(transaction=True)
def test_the_cli_pass_closes_its_run_after_issuing_with_true_counts(simulated_seller):
    run = run_pass(simulated_seller, "test")

    invoices = Invoice.objects.filter(kind=Invoice.KIND_INVOICE).count()
    credit_notes = Invoice.objects.filter(kind=Invoice.KIND_CREDIT_NOTE).count()
    assert (run.status, run.invoices_issued, run.credit_notes_issued) == (SyncRun.SUCCEEDED, invoices, credit_notes)
    assert run.lease_expires_at is None
    assert run.finished_at >= Invoice.objects.order_by("-issued_at").values_list("issued_at", flat=True)[0]


def test_the_recovery_sweeper_runs_every_minute():
    app.loader.import_default_modules()
    entry = app.conf.beat_schedule["recover-interrupted-syncs"]
    assert (entry["task"], entry["schedule"]) == ("facturier.jobs.tasks.recover_interrupted_syncs_task", 60.0)


def broker_visibility_timeout() -> int:
    """The visibility timeout a deployment on Redis gets, read from the settings as production loads them."""
    script = "import config.settings.base as s; print(s.CELERY_BROKER_TRANSPORT_OPTIONS['visibility_timeout'])"
    env = {**os.environ, "CELERY_BROKER_URL": "redis://127.0.0.1:6379/11"}
    return int(subprocess.check_output([sys.executable, "-c", script], env=env, text=True))


def test_redis_redelivers_no_task_while_it_may_still_run_or_wait_for_its_retry():
    app.loader.import_default_modules()
    tasks = [task for name, task in app.tasks.items() if name.startswith("facturier.")]
    longest_run = max(task.time_limit or app.conf.task_time_limit for task in tasks)
    # Autoretry with backoff waits up to retry_backoff_max (Celery's default: 600 s); a plain retry, its delay.
    longest_wait = max(
        getattr(task, "retry_backoff_max", 600) if getattr(task, "retry_backoff", False) else task.default_retry_delay
        for task in tasks
    )

    assert (longest_run, longest_wait) == (3600, 600)
    assert broker_visibility_timeout() > max(longest_run, longest_wait)


def test_every_task_can_be_sent_its_soft_time_limit_within_its_hard_one():
    app.loader.import_default_modules()
    tasks = {name: task for name, task in app.tasks.items() if name.startswith("facturier.")}
    refused = {name for name, task in tasks.items() if task.soft_time_limit and task.time_limit}
    refused = {name for name in refused if tasks[name].soft_time_limit > tasks[name].time_limit}

    assert refused == set()


@pytest.mark.django_db(transaction=True)
def test_the_rendering_sweeper_releases_an_email_held_by_a_crash_after_its_pdf_was_attached(
    seller_a, smtp_server, monkeypatch
):
    invoice = killed_between_attaching_and_releasing(seller_a, "ORD-HELD", monkeypatch)
    unrendered = issued_unrendered(seller_a, "ORD-UNRENDERED", "9.00", monkeypatch)

    render_missing_task.delay()

    email = OutgoingEmail.objects.get(related_key=f"invoice:{invoice.pk}")
    assert email.state == OutgoingEmail.STATE_SENT
    [sent] = [item for item in smtp_server.received if item.message["Message-ID"] == email.message_id]
    [attachment] = list(sent.message.iter_attachments())
    assert attachment.get_filename() == f"{invoice.number}.pdf"
    with invoice.pdf.open("rb") as stored:
        assert attachment.get_content() == stored.read()
    other = OutgoingEmail.objects.get(related_key=f"invoice:{unrendered.pk}")
    assert other.state == OutgoingEmail.STATE_SENT
    assert len(smtp_server.received) == 2
    render_missing_task.delay()
    assert len(smtp_server.received) == 2  # released once


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


@pytest.mark.django_db
def test_a_seller_whose_last_pass_succeeded_a_lease_ago_with_orders_left_to_invoice_is_synced_again(
    simulator, connect_to_simulator
):
    # A fanned-out pass closes its run once the orders are read; its issuing tasks died with the worker after.
    first, second = connect_to_simulator(simulator), connect_to_simulator(simulator, holds_account=False)
    for seller in (first, second):
        sales_order(seller, market_order(f"ORD-{seller.pk}", [order_line("1", "12.00")]))
        SyncRun.objects.create(seller=seller, trigger="schedule", status=SyncRun.SUCCEEDED, finished_at=now())
    SyncRun.objects.filter(seller=first).update(finished_at=now() - runs.lease() - timedelta(seconds=1))

    assert recover_interrupted_syncs() == [first.pk]  # the second pass's tasks may still be on their way
    SalesOrder.objects.filter(seller=first).update(eligibility=SalesOrder.NOT_INVOICEABLE)
    assert recover_interrupted_syncs() == []
