"""Delivery-status webhooks: a real HTTP POST through Django, authenticated the way each ESP signs it."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest

from facturier.core.stored_text import render
from facturier.outbox.models import EmailEvent, OutgoingEmail
from facturier.outbox.tests.fixtures import enqueue_invoice_email

SIGNING_KEY = "key-test-0123456789"
MAILGUN_URL = "/outbox/webhooks/mailgun/tracking/"
POSTMARK_URL = "/outbox/webhooks/postmark/tracking/"
BOUNCE_REASON = "5.1.1 The email account that you tried to reach does not exist."


@pytest.fixture
def mailgun_settings(settings):
    settings.ANYMAIL = {"MAILGUN_WEBHOOK_SIGNING_KEY": SIGNING_KEY}


def mailgun_failed_event(message_id: str, key: str = SIGNING_KEY) -> str:
    """Mailgun's documented "failed / permanent" webhook body (event-data format), signed with `key`."""
    timestamp, token = "1767225600", "a8ce0edb2dd8301dee6c2405235584e45aa91d1e9f979f3de0"
    signature = hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()
    event_data = {
        "event": "failed",
        "severity": "permanent",
        "reason": "bounce",
        "timestamp": 1767225600.5,
        "id": "G9Bn5sl1TC6nu79C8C0bwg",
        "recipient": "acheteur@example.com",
        "message": {"headers": {"message-id": message_id, "to": "acheteur@example.com"}},
        "delivery-status": {"code": 550, "message": BOUNCE_REASON, "description": ""},
    }
    return json.dumps(
        {"signature": {"timestamp": timestamp, "token": token, "signature": signature}, "event-data": event_data}
    )


def test_a_mailgun_bounce_marks_the_matching_email_bounced(client, mailgun_settings, outbox_seller):
    email = enqueue_invoice_email(outbox_seller)
    other = enqueue_invoice_email(outbox_seller, related_key="invoice:43")

    # Mailgun reports our Message-ID header without its angle brackets.
    response = client.post(
        MAILGUN_URL, mailgun_failed_event(email.message_id.strip("<>")), content_type="application/json"
    )

    assert response.status_code == 200
    email.refresh_from_db()
    other.refresh_from_db()
    assert (email.state, render(email.last_error)) == (OutgoingEmail.STATE_BOUNCED, BOUNCE_REASON)
    assert email.events.last().kind == EmailEvent.KIND_BOUNCED
    assert email.events.last().detail == BOUNCE_REASON
    assert other.state == OutgoingEmail.STATE_QUEUED

    repeated = client.post(MAILGUN_URL, mailgun_failed_event(email.message_id), content_type="application/json")
    assert repeated.status_code == 200
    assert email.events.filter(kind=EmailEvent.KIND_BOUNCED).count() == 1


def test_an_unknown_message_id_is_a_no_op(client, mailgun_settings, outbox_seller):
    email = enqueue_invoice_email(outbox_seller)

    response = client.post(
        MAILGUN_URL, mailgun_failed_event("<unknown@elsewhere.example>"), content_type="application/json"
    )

    assert response.status_code == 200
    email.refresh_from_db()
    assert email.state == OutgoingEmail.STATE_QUEUED
    assert EmailEvent.objects.filter(kind=EmailEvent.KIND_BOUNCED).count() == 0


def test_a_bad_signature_is_refused_and_changes_nothing(client, mailgun_settings, outbox_seller):
    email = enqueue_invoice_email(outbox_seller)

    response = client.post(
        MAILGUN_URL, mailgun_failed_event(email.message_id, key="not-the-key"), content_type="application/json"
    )

    assert response.status_code == 400
    email.refresh_from_db()
    assert (email.state, render(email.last_error)) == (OutgoingEmail.STATE_QUEUED, "")


def test_an_unconfigured_or_unknown_esp_has_no_endpoint(client, settings, outbox_seller):
    settings.ANYMAIL = {}
    email = enqueue_invoice_email(outbox_seller)

    unconfigured = client.post(MAILGUN_URL, mailgun_failed_event(email.message_id), content_type="application/json")
    unknown = client.post("/outbox/webhooks/nope/tracking/", "{}", content_type="application/json")

    assert (unconfigured.status_code, unknown.status_code) == (404, 404)
    email.refresh_from_db()
    assert email.state == OutgoingEmail.STATE_QUEUED


def postmark_bounce(message_id: str) -> str:
    return json.dumps(
        {
            "RecordType": "Bounce",
            "ID": 4323372036854775807,
            "Type": "HardBounce",
            "TypeCode": 1,
            "MessageID": message_id,
            "Email": "acheteur@example.com",
            "BouncedAt": "2026-01-01T10:00:00Z",
            "Description": "The server was unable to deliver your message (ex: unknown user, mailbox not found).",
            "Details": "smtp;550 5.1.1 The email account that you tried to reach does not exist.",
            "Inactive": True,
            "CanActivate": True,
        }
    )


def basic_auth(credentials: str) -> str:
    return "Basic " + base64.b64encode(credentials.encode()).decode()


def test_a_postmark_bounce_matches_the_esp_id_stored_at_send_time(client, settings, outbox_seller):
    settings.ANYMAIL = {"WEBHOOK_SECRET": "hook:s3cret-pass"}
    email = enqueue_invoice_email(outbox_seller)
    # What an anymail API backend records on send: the ESP's own id for the message.
    OutgoingEmail.objects.filter(pk=email.pk).update(esp_message_id="883953f4-6105-42a2-a16a-77a8eac79483")

    refused = client.post(
        POSTMARK_URL,
        postmark_bounce("883953f4-6105-42a2-a16a-77a8eac79483"),
        content_type="application/json",
        HTTP_AUTHORIZATION=basic_auth("hook:wrong"),
    )
    email.refresh_from_db()
    assert (refused.status_code, email.state) == (400, OutgoingEmail.STATE_QUEUED)

    accepted = client.post(
        POSTMARK_URL,
        postmark_bounce("883953f4-6105-42a2-a16a-77a8eac79483"),
        content_type="application/json",
        HTTP_AUTHORIZATION=basic_auth("hook:s3cret-pass"),
    )
    email.refresh_from_db()
    assert accepted.status_code == 200
    assert email.state == OutgoingEmail.STATE_BOUNCED
    assert render(email.last_error) == (
        "The server was unable to deliver your message (ex: unknown user, mailbox not found). — "
        "smtp;550 5.1.1 The email account that you tried to reach does not exist."
    )
