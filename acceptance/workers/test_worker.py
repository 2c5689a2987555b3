"""The full loop through a REAL Celery worker and the Redis broker on 127.0.0.1:6379.

simulator (HTTP) → sync_seller_task → issue_orders_task per batch → render_invoices_task → deliver_emails_task → SMTP.
The worker runs in a thread of this process (celery.contrib.testing) on the test database; the queue name is
unique to the run, on a Redis database number kept for tests, so concurrent runs never share messages.
"""

from __future__ import annotations

import socket
import time
import uuid

import kombu.pools
import pytest
import redis
from celery import signals
from celery.contrib.testing.worker import start_worker
from django.db import connection

from config.celery import app
from facturier.core.tests import redis_dbs
from facturier.documents.validation import check_pdfa, extract_facturx_xml
from facturier.invoicing.models import Invoice
from facturier.jobs.tasks import sync_seller_task
from facturier.jobs.tests.test_pipeline import ELIGIBLE
from facturier.outbox.models import OutgoingEmail
from facturier.sales.models import SyncRun

REDIS_DB = redis_dbs.WORKER_THREAD
DONE_STATES = (OutgoingEmail.STATE_SENT, OutgoingEmail.STATE_FAILED)


def redis_is_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


def drop_broker_connections() -> None:
    # Connection and producer pools are built once from the broker URL of the moment (memory:// in the
    # eager tests): drop them so the next message goes to the broker configured now.
    kombu.pools.reset()
    app._pool = None
    app.amqp._producer_pool = None
    # The queues and the router are worked out once from the default queue of the moment: a test that set
    # another queue before would have this one's worker consume, and its tasks go to, that stale queue.
    for cached in ("default_queue", "queues", "router"):
        app.amqp.__dict__.pop(cached, None)


def _close_worker_connection(**_kwargs) -> None:
    # The worker thread has its own database connection; close it after each task so the test database can
    # be flushed and dropped (Celery's Django fix-up does this only in a real worker process).
    connection.close()


@pytest.fixture
def redis_worker():
    if not redis_is_up():
        pytest.fail("Redis is not running on 127.0.0.1:6379: start it with scripts/services.sh")
    queue = f"facturier-test-{uuid.uuid4().hex[:12]}"
    broker_url = f"redis://127.0.0.1:6379/{REDIS_DB}"
    saved = {
        key: app.conf[key]
        for key in ("task_always_eager", "broker_url", "task_default_queue", "broker_transport_options")
    }
    app.conf.update(
        task_always_eager=False,
        broker_url=broker_url,
        task_default_queue=queue,
        broker_transport_options={"visibility_timeout": 300},
    )
    drop_broker_connections()
    signals.task_postrun.connect(_close_worker_connection, weak=False)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
            yield queue
    finally:
        signals.task_postrun.disconnect(_close_worker_connection)
        app.conf.update(saved)
        drop_broker_connections()
        redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB).delete(queue)


def wait_for(condition, *, seconds: float = 120.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"the worker did not finish the work in time: {progress()}")
        time.sleep(0.2)


def progress() -> dict:
    return {
        "runs": list(SyncRun.objects.values_list("status", "invoices_issued", "credit_notes_issued")),
        "documents": Invoice.objects.count(),
        "emails": sorted(OutgoingEmail.objects.values_list("state", flat=True)),
    }


def all_emails_done(expected_documents: int) -> bool:
    emails = OutgoingEmail.objects.filter(related_key__startswith="invoice:")
    return emails.count() == expected_documents and not emails.exclude(state__in=DONE_STATES).exists()


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_whole_loop_from_sync_to_smtp(simulated_seller, smtp_server, redis_worker):
    expected_documents = len(ELIGIBLE) + 2  # every eligible order's invoice + the two credit notes

    sync_seller_task.delay(simulated_seller.pk, "worker-test")

    wait_for(lambda: all_emails_done(expected_documents))
    run = SyncRun.objects.get(trigger="worker-test")
    assert (run.status, run.invoices_issued, run.credit_notes_issued) == (SyncRun.SUCCEEDED, len(ELIGIBLE), 2)
    documents = list(Invoice.objects.order_by("pk"))
    assert len(documents) == expected_documents
    for document in documents:
        pdf = document.pdf.read()
        assert check_pdfa(pdf) == []
        assert document.number.encode() in extract_facturx_xml(pdf)
    sent = OutgoingEmail.objects.filter(related_key__startswith="invoice:", state=OutgoingEmail.STATE_SENT)
    received = sorted(mail.message["Message-ID"] for mail in smtp_server.received)
    assert received == sorted(sent.values_list("message_id", flat=True))
    assert len(received) == Invoice.objects.exclude(buyer_email="").count()
    for mail in smtp_server.received:
        attachment = next(mail.message.iter_attachments())
        assert attachment.get_content_type() == "application/pdf"
