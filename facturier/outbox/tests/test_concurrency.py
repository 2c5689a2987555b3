"""Workers racing over the same due rows never send a message twice (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connections

from facturier.outbox import services
from facturier.outbox.models import OutgoingEmail
from facturier.outbox.tests.fixtures import deliver, enqueue_invoice_email

WORKERS = 3
EMAILS = 12


def run_workers(target) -> list:
    barrier = threading.Barrier(WORKERS)
    results: list = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            barrier.wait(timeout=10)
            results.append(target())
        except BaseException as error:  # surfaced below: a thread's exception is otherwise lost
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    return results


@pytest.mark.django_db(transaction=True)
def test_concurrent_deliver_due_sends_each_message_exactly_once(smtp_server, outbox_seller):
    smtp_server.stop()  # every after-commit delivery fails: the rows wait, due in one minute
    emails = [enqueue_invoice_email(outbox_seller, related_key=f"invoice:{n}") for n in range(EMAILS)]
    assert set(OutgoingEmail.objects.values_list("state", flat=True)) == {OutgoingEmail.STATE_RETRYING}
    smtp_server.start()
    due = max(OutgoingEmail.objects.values_list("next_attempt_at", flat=True))

    reports = run_workers(lambda: services.deliver_due(now=due + timedelta(seconds=1)))

    received = Counter(mail.message["Message-ID"] for mail in smtp_server.received)
    assert received == Counter({email.message_id: 1 for email in emails})
    assert sum(report.claimed for report in reports) == EMAILS
    assert set(OutgoingEmail.objects.values_list("state", "attempts")) == {(OutgoingEmail.STATE_SENT, 2)}


@pytest.mark.django_db(transaction=True)
def test_concurrent_deliver_of_one_row_sends_it_once(smtp_server, outbox_seller):
    smtp_server.stop()
    email = enqueue_invoice_email(outbox_seller)
    smtp_server.start()
    email.refresh_from_db()

    states = run_workers(lambda: deliver(email.pk, now=email.next_attempt_at))

    assert [mail.message["Message-ID"] for mail in smtp_server.received] == [email.message_id]
    assert len(states) == WORKERS
    email.refresh_from_db()
    assert (email.state, email.attempts) == (OutgoingEmail.STATE_SENT, 2)
