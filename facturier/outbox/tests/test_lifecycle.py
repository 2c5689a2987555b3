"""Held until the document exists, resent to a corrected address, history and status for the portal."""

from __future__ import annotations

import pytest

from facturier.core.errors import FacturierError
from facturier.core.stored_text import render
from facturier.outbox import services
from facturier.outbox.models import EmailEvent, OutgoingEmail
from facturier.outbox.tests.fixtures import ATTACHMENT_BYTES, enqueue_invoice_email, invoice_attachment


def test_a_held_email_waits_for_its_document_then_is_sent_with_it(
    smtp_server, outbox_seller, stored_invoice_pdf, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        email = enqueue_invoice_email(outbox_seller, hold=True)
    assert callbacks == []
    assert services.deliver_due().claimed == 0
    assert email.state == OutgoingEmail.STATE_HELD

    with django_capture_on_commit_callbacks(execute=True):
        released = services.release(related_key="invoice:42", attachments=[invoice_attachment(stored_invoice_pdf)])

    assert released == 1
    assert services.release(related_key="invoice:42", attachments=[]) == 0
    email.refresh_from_db()
    assert (email.state, email.attempts) == (OutgoingEmail.STATE_SENT, 1)
    (received,) = smtp_server.received
    assert received.message["Message-ID"] == email.message_id
    (attachment,) = received.message.iter_attachments()
    assert attachment.get_content() == ATTACHMENT_BYTES
    assert [event.kind for event in email.events.all()] == ["held", "queued", "sent"]


def test_a_seller_resends_a_refused_email_to_a_corrected_address(
    smtp_server, outbox_seller, stored_invoice_pdf, django_capture_on_commit_callbacks
):
    smtp_server.refuse_next_recipients("550 5.1.1 Utilisateur inconnu")
    with django_capture_on_commit_callbacks(execute=True):
        original = enqueue_invoice_email(
            outbox_seller, to="acheteur@exmaple.com", attachments=[invoice_attachment(stored_invoice_pdf)]
        )
    original.refresh_from_db()
    assert original.state == OutgoingEmail.STATE_FAILED

    with django_capture_on_commit_callbacks(execute=True):
        copy = services.resend(email=original, to="acheteur@example.com")

    copy.refresh_from_db()
    assert (copy.state, copy.resend_of, copy.to) == (OutgoingEmail.STATE_SENT, original, "acheteur@example.com")
    assert copy.message_id != original.message_id
    (received,) = smtp_server.received
    assert received.rcpt_tos == ("acheteur@example.com",)
    assert received.message["Message-ID"] == copy.message_id
    assert received.message["X-Facturier-Related"] == "invoice:42"
    assert next(received.message.iter_attachments()).get_content() == ATTACHMENT_BYTES
    assert [(entry.kind, render(entry.detail), entry.to) for entry in services.history("invoice:42")] == [
        ("queued", "à acheteur@exmaple.com", "acheteur@exmaple.com"),
        ("failed", "destinataire refusé : 550 5.1.1 Utilisateur inconnu", "acheteur@exmaple.com"),
        ("queued", "renvoi à acheteur@example.com", "acheteur@example.com"),
        ("resent", "renvoyé à acheteur@example.com", "acheteur@exmaple.com"),
        ("sent", "à acheteur@example.com", "acheteur@example.com"),
    ]
    assert services.history("invoice:42")[0].label == "Mis en file d'envoi"


def test_resending_to_an_invalid_address_fails_at_once(smtp_server, outbox_seller):
    original = enqueue_invoice_email(outbox_seller)

    copy = services.resend(email=original, to="faute@")

    assert (copy.state, render(copy.last_error)) == (OutgoingEmail.STATE_FAILED, "adresse invalide : faute@")
    assert smtp_server.received == []


def test_a_held_email_cannot_be_resent(outbox_seller):
    held = enqueue_invoice_email(outbox_seller, hold=True)

    with pytest.raises(FacturierError):
        services.resend(email=held)
    assert OutgoingEmail.objects.count() == 1
    assert EmailEvent.objects.filter(kind=EmailEvent.KIND_RESENT).count() == 0


def test_status_for_reports_the_latest_email_of_each_key(smtp_server, outbox_seller):
    first = enqueue_invoice_email(outbox_seller, related_key="invoice:1", to="")
    services.resend(email=first, to="acheteur@example.com")
    services.deliver_due()
    enqueue_invoice_email(outbox_seller, related_key="invoice:2", hold=True)

    statuses = services.status_for(["invoice:1", "invoice:2", "invoice:3"])

    assert set(statuses) == {"invoice:1", "invoice:2"}
    assert (statuses["invoice:1"].state, statuses["invoice:1"].label, statuses["invoice:1"].to) == (
        "sent",
        "Envoyé",
        "acheteur@example.com",
    )
    assert (statuses["invoice:2"].state, statuses["invoice:2"].attempts) == ("held", 0)
