"""Temporary failures are retried with backoff for 48 h; permanent ones fail once; nothing is lost or doubled."""

from __future__ import annotations

import socket
import threading
from datetime import timedelta

import pytest

from facturier.core import clock
from facturier.core.stored_text import render
from facturier.outbox import delivery, services
from facturier.outbox.models import EmailEvent, OutgoingEmail
from facturier.outbox.tests.fixtures import deliver, enqueue_invoice_email


def message_ids(server) -> list[str]:
    return [mail.message["Message-ID"] for mail in server.received]


def test_it_keeps_messages_while_the_server_is_down_and_sends_each_once_when_it_is_back(
    smtp_server, outbox_seller, django_capture_on_commit_callbacks
):
    smtp_server.stop()
    with django_capture_on_commit_callbacks(execute=True):
        emails = [enqueue_invoice_email(outbox_seller, related_key=f"invoice:{n}") for n in range(3)]
    for email in emails:
        email.refresh_from_db()
        assert (email.state, email.attempts) == (OutgoingEmail.STATE_RETRYING, 1)
        assert render(email.last_error).startswith("serveur d'envoi injoignable : ")
        assert email.next_attempt_at == email.first_attempt_at + timedelta(minutes=1)
    first_attempt = max(email.first_attempt_at for email in emails)

    assert services.deliver_due(now=first_attempt + timedelta(seconds=30)).claimed == 0
    smtp_server.start()
    report = services.deliver_due(now=first_attempt + timedelta(minutes=1))
    for _ in range(5):
        assert services.deliver_due(now=first_attempt + timedelta(hours=3)).claimed == 0

    assert (report.claimed, report.sent) == (3, 3)
    assert sorted(message_ids(smtp_server)) == sorted(email.message_id for email in emails)
    assert set(OutgoingEmail.objects.values_list("state", "attempts")) == {(OutgoingEmail.STATE_SENT, 2)}


def test_it_retries_after_a_4xx_and_sends_the_same_message_once(
    smtp_server, outbox_seller, django_capture_on_commit_callbacks
):
    smtp_server.refuse_next_messages("451 4.3.0 Mailbox temporarily unavailable")
    with django_capture_on_commit_callbacks(execute=True):
        email = enqueue_invoice_email(outbox_seller)
    email.refresh_from_db()
    assert (email.state, email.attempts) == (OutgoingEmail.STATE_RETRYING, 1)
    assert render(email.last_error) == "serveur SMTP : 451 4.3.0 Mailbox temporarily unavailable"

    report = services.deliver_due(now=email.next_attempt_at)

    email.refresh_from_db()
    assert (report.claimed, report.sent) == (1, 1)
    assert (email.state, email.attempts, render(email.last_error)) == (OutgoingEmail.STATE_SENT, 2, "")
    assert message_ids(smtp_server) == [email.message_id]
    assert [(event.kind, render(event.detail)) for event in email.events.all()] == [
        (EmailEvent.KIND_QUEUED, "à acheteur@example.com"),
        (EmailEvent.KIND_ATTEMPT_FAILED, "essai 1 : serveur SMTP : 451 4.3.0 Mailbox temporarily unavailable"),
        (EmailEvent.KIND_SENT, "à acheteur@example.com"),
    ]


@pytest.mark.parametrize(
    ("_case", "refuse", "reason"),
    [
        ("recipient refused", "refuse_next_recipients", "destinataire refusé : 550 5.1.1 Utilisateur inconnu"),
        ("message refused", "refuse_next_messages", "serveur SMTP : 550 5.1.1 Utilisateur inconnu"),
    ],
)
def test_it_fails_on_5xx_with_the_server_reason_and_never_retries(
    _case, refuse, reason, smtp_server, outbox_seller, django_capture_on_commit_callbacks
):
    getattr(smtp_server, refuse)("550 5.1.1 Utilisateur inconnu")
    with django_capture_on_commit_callbacks(execute=True):
        email = enqueue_invoice_email(outbox_seller)

    later = clock.now()
    claimed = [services.deliver_due(now=later + timedelta(hours=hours)).claimed for hours in range(1, 60, 6)]
    email.refresh_from_db()
    assert (email.state, email.attempts, render(email.last_error)) == (OutgoingEmail.STATE_FAILED, 1, reason)
    assert email.next_attempt_at is None
    assert claimed == [0] * 10
    assert smtp_server.received == []


def test_it_backs_off_exponentially_and_gives_up_48_hours_after_the_first_attempt(smtp_server, outbox_seller):
    smtp_server.stop()
    email = enqueue_invoice_email(outbox_seller)
    deliver(email.pk)
    email.refresh_from_db()
    delays = []
    while email.state == OutgoingEmail.STATE_RETRYING and len(delays) < 100:
        delays.append(email.next_attempt_at - email.first_attempt_at)
        services.deliver_due(now=email.next_attempt_at)
        email.refresh_from_db()

    minutes = [int(delay.total_seconds() // 60) for delay in delays]
    assert minutes[:8] == [1, 3, 7, 15, 31, 63, 123, 183]
    assert minutes[-1] == 2883
    assert email.state == OutgoingEmail.STATE_FAILED
    assert email.attempts == 54
    assert render(email.last_error).startswith("serveur d'envoi injoignable : ")
    assert render(email.events.last().detail) == f"abandon après 48 h : {render(email.last_error)}"
    assert smtp_server.received == []


def test_it_sends_a_committed_row_whose_after_commit_delivery_never_ran(smtp_server, outbox_seller):
    # The test transaction is never committed, so on_commit never fires: the state a worker crash leaves.
    email = enqueue_invoice_email(outbox_seller)
    assert smtp_server.received == []

    report = services.deliver_due()

    assert (report.claimed, report.sent) == (1, 1)
    assert message_ids(smtp_server) == [email.message_id]


def test_it_reclaims_a_row_stuck_in_sending_after_10_minutes(smtp_server, outbox_seller):
    email = enqueue_invoice_email(outbox_seller)
    crashed_at = clock.now()
    assert delivery.claim(email.pk, crashed_at) is True  # a worker claimed it, then died before sending

    assert services.deliver_due(now=crashed_at + timedelta(minutes=9)).claimed == 0
    assert deliver(email.pk, now=crashed_at + timedelta(minutes=9)) == OutgoingEmail.STATE_SENDING
    report = services.deliver_due(now=crashed_at + timedelta(minutes=10, seconds=1))

    email.refresh_from_db()
    assert (report.claimed, report.sent) == (1, 1)
    assert (email.state, email.attempts) == (OutgoingEmail.STATE_SENT, 2)
    assert message_ids(smtp_server) == [email.message_id]


def test_retry_delay_doubles_from_one_minute_and_is_capped_at_one_hour():
    assert [delivery.retry_delay(attempts) for attempts in (1, 2, 3, 6, 7, 54, 10_000)] == [
        timedelta(minutes=1),
        timedelta(minutes=2),
        timedelta(minutes=4),
        timedelta(minutes=32),
        timedelta(hours=1),
        timedelta(hours=1),
        timedelta(hours=1),
    ]


def test_a_server_that_hangs_up_is_a_temporary_failure(settings, outbox_seller):
    listener = socket.create_server(("127.0.0.1", 0))
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", listener.getsockname()[1]

    def hang_up_once() -> None:
        connection, _address = listener.accept()
        connection.close()

    server = threading.Thread(target=hang_up_once)
    server.start()
    email = enqueue_invoice_email(outbox_seller)
    try:
        state = deliver(email.pk)
    finally:
        server.join(timeout=10)
        listener.close()

    email.refresh_from_db()
    assert (state, email.attempts) == (OutgoingEmail.STATE_RETRYING, 1)
    assert render(email.last_error) == "connexion SMTP interrompue : Connection unexpectedly closed"
