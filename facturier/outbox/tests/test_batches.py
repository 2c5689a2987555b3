"""Batches: many held emails released in one go, each with its own attachment, then sent over one SMTP
connection; a refused recipient spoils no other message of the batch."""

from __future__ import annotations

import pytest
from django.db import connection

from facturier.core import clock
from facturier.core.stored_text import render
from facturier.outbox import services
from facturier.outbox.models import EmailEvent, OutgoingEmail
from facturier.outbox.tests.fixtures import enqueue_invoice_email, invoice_attachment


def test_a_release_of_many_documents_gives_each_email_its_own_file_once(
    smtp_server, outbox_seller, stored_invoice_pdf, django_capture_on_commit_callbacks
):
    emails = [
        enqueue_invoice_email(outbox_seller, to=f"acheteur{n}@example.com", related_key=f"invoice:{n}", hold=True)
        for n in range(3)
    ]
    files = {f"invoice:{n}": [{**invoice_attachment(stored_invoice_pdf), "filename": f"FAC-{n}.pdf"}] for n in range(3)}

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        released = services.release_many(files)
    again = services.release_many(files)

    assert (released, again, len(callbacks)) == (3, 0, 1)  # one delivery task for the whole batch
    for email in emails:
        email.refresh_from_db()
        assert email.state == OutgoingEmail.STATE_SENT
        assert [item["filename"] for item in email.attachments] == [f"FAC-{email.related_key[-1]}.pdf"]
    received = {mail.rcpt_tos[0]: mail for mail in smtp_server.received}
    assert sorted(received) == ["acheteur0@example.com", "acheteur1@example.com", "acheteur2@example.com"]
    assert [part.get_filename() for part in received["acheteur1@example.com"].message.iter_attachments()] == [
        "FAC-1.pdf"
    ]


def test_a_batch_goes_over_one_connection_and_a_refused_recipient_spoils_no_other(
    smtp_server, outbox_seller, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        emails = [
            enqueue_invoice_email(outbox_seller, to=f"acheteur{n}@example.com", related_key=f"invoice:{n}")
            for n in range(5)
        ]
    smtp_server.refuse_recipient("acheteur2@example.com", "550 5.1.1 Utilisateur inconnu")

    report = services.deliver_many([email.pk for email in emails])

    assert (report.claimed, report.sent, report.failed, report.retrying) == (5, 4, 1, 0)
    states = dict(OutgoingEmail.objects.values_list("to", "state"))
    assert states == {
        "acheteur0@example.com": "sent",
        "acheteur1@example.com": "sent",
        "acheteur2@example.com": "failed",
        "acheteur3@example.com": "sent",
        "acheteur4@example.com": "sent",
    }
    refused = OutgoingEmail.objects.get(to="acheteur2@example.com")
    assert render(refused.last_error) == "destinataire refusé : 550 5.1.1 Utilisateur inconnu"
    received = smtp_server.received
    assert [mail.rcpt_tos[0] for mail in received] == [
        "acheteur0@example.com", "acheteur1@example.com", "acheteur3@example.com", "acheteur4@example.com"
    ]
    # The first two share a connection; after the refusal a fresh one carries the rest.
    peers = [mail.peer for mail in received]
    assert peers[0] == peers[1] != peers[2] == peers[3]
    assert EmailEvent.objects.filter(kind=EmailEvent.KIND_SENT).count() == 4
    assert services.deliver_many([email.pk for email in emails]).claimed == 0


@pytest.mark.django_db(transaction=True)
def test_each_message_of_a_batch_is_recorded_sent_before_the_next_goes_out(smtp_server, outbox_seller):
    # A worker killed mid-batch must repeat at most the message in flight: every message the server accepted
    # is already `sent` in the database when the next one reaches the server.
    emails = [
        enqueue_invoice_email(outbox_seller, to=f"acheteur{n}@example.com", related_key=f"invoice:{n}", hold=True)
        for n in range(3)
    ]
    OutgoingEmail.objects.update(state=OutgoingEmail.STATE_QUEUED, next_attempt_at=clock.now())
    pks = [email.pk for email in emails]
    seen: list[list[str]] = []

    def states_at_acceptance(_message) -> None:
        try:
            seen.append([OutgoingEmail.objects.values_list("state", flat=True).get(pk=pk) for pk in pks])
        finally:
            connection.close()

    smtp_server.handler.on_accept = states_at_acceptance
    report = services.deliver_many(pks)

    assert report.sent == 3
    assert seen == [
        ["sending", "sending", "sending"],
        ["sent", "sending", "sending"],
        ["sent", "sent", "sending"],
    ]
