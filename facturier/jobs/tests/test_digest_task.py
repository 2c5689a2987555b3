"""The daily digest task (its beat entry is in config/celery.py)."""

from __future__ import annotations

from facturier.jobs.tasks import failed_digest_task
from facturier.outbox.models import OutgoingEmail
from facturier.outbox.tests.fixtures import enqueue_invoice_email


def test_failed_digest_task_covers_the_last_day(smtp_server, outbox_seller):
    enqueue_invoice_email(outbox_seller, to="")

    assert failed_digest_task.delay().get() == 1
    assert OutgoingEmail.objects.get(related_key__startswith="digest:").to == "contact@ma-boutique.example"
