"""What a real SMTP server receives for an outbox row."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from facturier.core.stored_text import render
from facturier.outbox import services
from facturier.outbox.models import EmailEvent, OutgoingEmail
from facturier.outbox.tests.fixtures import (
    ATTACHMENT_BYTES,
    INVOICE_HTML,
    INVOICE_SUBJECT,
    INVOICE_TEXT,
    create_outbox_seller,
    deliver,
    enqueue_invoice_email,
    invoice_attachment,
)


def test_it_sends_the_invoice_email_after_commit_with_exact_headers_bodies_and_attachment(
    smtp_server, outbox_seller, stored_invoice_pdf, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        email = enqueue_invoice_email(outbox_seller, attachments=[invoice_attachment(stored_invoice_pdf)])

    assert len(smtp_server.received) == 1
    received = smtp_server.received[0]
    message = received.message
    assert received.mail_from == "factures@facturier.example"
    assert received.rcpt_tos == ("acheteur@example.com",)
    assert message["From"].addresses[0].display_name == "Ma Boutique via Facturier"
    assert message["From"].addresses[0].addr_spec == "factures@facturier.example"
    assert str(message["Reply-To"]) == "contact@ma-boutique.example"
    assert str(message["To"]) == "acheteur@example.com"
    # Django folds a long encoded Subject onto a continuation line; the parser keeps the fold's space.
    assert str(message["Subject"]).lstrip() == INVOICE_SUBJECT
    assert message["Message-ID"] == email.message_id
    assert message["X-Facturier-Related"] == "invoice:42"
    assert message.get_content_type() == "multipart/mixed"
    # SMTP carries CRLF line ends.
    assert message.get_body(("plain",)).get_content() == INVOICE_TEXT.replace("\n", "\r\n")
    assert message.get_body(("html",)).get_content() == INVOICE_HTML
    attachments = list(message.iter_attachments())
    assert [(part.get_filename(), part.get_content_type()) for part in attachments] == [
        ("FAC-2026-0001.pdf", "application/pdf")
    ]
    assert attachments[0].get_content() == ATTACHMENT_BYTES
    email.refresh_from_db()
    assert (email.state, email.attempts, render(email.last_error)) == (OutgoingEmail.STATE_SENT, 1, "")
    assert email.sent_at is not None
    assert [event.kind for event in email.events.all()] == [EmailEvent.KIND_QUEUED, EmailEvent.KIND_SENT]


def test_it_encodes_a_non_ascii_seller_name_as_one_display_name(smtp_server, db, django_capture_on_commit_callbacks):
    seller = create_outbox_seller("owner@cafe.example", 'Café "Thé", Épices & Co', "")
    with django_capture_on_commit_callbacks(execute=True):
        email = enqueue_invoice_email(seller)

    message = smtp_server.received[0].message
    assert len(message["From"].addresses) == 1
    assert message["From"].addresses[0].display_name == 'Café "Thé", Épices & Co via Facturier'
    assert message["Reply-To"] is None
    assert email.reply_to == ""


def test_it_delivers_by_message_id(smtp_server, outbox_seller):
    email = enqueue_invoice_email(outbox_seller)  # on_commit never runs: the test transaction is not committed

    assert deliver(email.message_id) == OutgoingEmail.STATE_SENT
    assert deliver(email.message_id) == OutgoingEmail.STATE_SENT
    assert [mail.message["Message-ID"] for mail in smtp_server.received] == [email.message_id]


@pytest.mark.parametrize(
    ("_case", "to", "reason"),
    [
        ("empty", "", "aucune adresse e-mail sur la commande"),
        ("missing", None, "aucune adresse e-mail sur la commande"),
        ("blank", "   ", "aucune adresse e-mail sur la commande"),
        ("invalid", "pas-une-adresse", "adresse invalide : pas-une-adresse"),
        ("two addresses", "a@example.com, b@example.com", "adresse invalide : a@example.com, b@example.com"),
    ],
)
def test_it_fails_at_once_without_a_valid_address(
    _case, to, reason, smtp_server, outbox_seller, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        email = enqueue_invoice_email(outbox_seller, to=to)

    assert callbacks == []
    email.refresh_from_db()
    assert (email.state, render(email.last_error), email.attempts) == (OutgoingEmail.STATE_FAILED, reason, 0)
    assert services.deliver_due().claimed == 0
    assert smtp_server.received == []
    assert [(event.kind, render(event.detail)) for event in email.events.all()] == [(EmailEvent.KIND_FAILED, reason)]


def test_it_fails_permanently_when_the_attachment_is_gone(smtp_server, outbox_seller):
    missing = {"filename": "FAC-9.pdf", "storage_name": "invoices/none/FAC-9.pdf", "mimetype": "application/pdf"}
    email = enqueue_invoice_email(outbox_seller, attachments=[missing])

    assert deliver(email.pk) == OutgoingEmail.STATE_FAILED
    email.refresh_from_db()
    assert render(email.last_error) == "pièce jointe introuvable : invoices/none/FAC-9.pdf"
    assert smtp_server.received == []


def test_a_pdf_and_an_xml_attachment_arrive_byte_for_byte_in_order(smtp_server, outbox_seller, stored_invoice_pdf):
    xml = b'<?xml version="1.0" encoding="UTF-8"?>\n<rsm:CrossIndustryInvoice>\xc3\xa9</rsm:CrossIndustryInvoice>\n'
    xml_name = default_storage.save("invoices/tests/factur-x.xml", ContentFile(xml))
    xml_attachment = {"filename": "factur-x.xml", "storage_name": xml_name, "mimetype": "application/xml"}
    email = enqueue_invoice_email(outbox_seller, attachments=[invoice_attachment(stored_invoice_pdf), xml_attachment])

    assert deliver(email.pk) == OutgoingEmail.STATE_SENT

    attachments = list(smtp_server.received[0].message.iter_attachments())
    assert [(part.get_filename(), part.get_content_type()) for part in attachments] == [
        ("FAC-2026-0001.pdf", "application/pdf"), ("factur-x.xml", "application/xml")
    ]
    assert [part.get_content() for part in attachments] == [ATTACHMENT_BYTES, xml]
