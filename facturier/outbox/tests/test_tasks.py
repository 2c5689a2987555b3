"""The Celery tasks run the services (eagerly in tests, as CELERY_TASK_ALWAYS_EAGER is on)."""

from __future__ import annotations

from facturier.outbox.models import OutgoingEmail
from facturier.outbox.tasks import deliver_due_task, deliver_emails_task
from facturier.outbox.tests.fixtures import enqueue_invoice_email


def test_deliver_tasks_send_due_rows(smtp_server, outbox_seller):
    first = enqueue_invoice_email(outbox_seller, related_key="invoice:1")
    second = enqueue_invoice_email(outbox_seller, related_key="invoice:2")

    assert deliver_emails_task.delay([first.pk]).get() == 1
    assert OutgoingEmail.objects.get(pk=first.pk).state == OutgoingEmail.STATE_SENT
    assert deliver_due_task.delay().get() == 1
    assert deliver_due_task.delay().get() == 0
    assert [mail.message["Message-ID"] for mail in smtp_server.received] == [first.message_id, second.message_id]

