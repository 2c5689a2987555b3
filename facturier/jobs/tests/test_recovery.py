"""The recovery sweeper's rules: a run whose lease expired is claimed once and marked interrupted, a pass that lost
its lease stops, a pass ended by an exception closes its run, a seller left with orders to invoice is synced again,
and the sweepers and broker settings give a dead worker's work back within minutes. The passes killed with SIGKILL
that these rules recover are in acceptance/workers/test_recovery.py.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta

import pytest

from config.celery import app
from facturier.core.clock import now
from facturier.invoicing.models import Invoice
from facturier.invoicing.tasks import render_missing_task
from facturier.invoicing.tests.crashes import issued_unrendered, killed_between_attaching_and_releasing
from facturier.invoicing.tests.orders import market_order, order_line, sales_order
from facturier.jobs.pipeline import recover_interrupted_syncs
from facturier.jobs.tests.passes import run_pass
from facturier.outbox.models import OutgoingEmail
from facturier.sales import runs
from facturier.sales.models import SalesOrder, SyncRun
from facturier.sales.sync import sync_seller


def lease_expires() -> None:
    """Five minutes pass without a heartbeat: the killed process renews nothing."""
    SyncRun.objects.filter(status=SyncRun.RUNNING).update(lease_expires_at=now() - timedelta(seconds=1))


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
