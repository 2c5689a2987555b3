"""EmlFileBackend: the embedded default writes one parseable .eml per message."""

from __future__ import annotations

from email import message_from_bytes, policy

from facturier.outbox import services
from facturier.outbox.models import OutgoingEmail
from facturier.outbox.tests.fixtures import ATTACHMENT_BYTES, enqueue_invoice_email, invoice_attachment


def test_it_writes_one_eml_file_per_message_with_its_attachment(settings, tmp_path, outbox_seller, stored_invoice_pdf):
    mail_dir = tmp_path / "var" / "mail"
    settings.EMAIL_BACKEND = "facturier.outbox.backends.EmlFileBackend"
    settings.EMAIL_FILE_PATH = str(mail_dir)
    emails = [
        enqueue_invoice_email(
            outbox_seller, related_key=f"invoice:{n}", attachments=[invoice_attachment(stored_invoice_pdf)]
        )
        for n in (1, 2)
    ]

    report = services.deliver_due()

    assert report.sent == 2
    files = sorted(mail_dir.iterdir())
    assert len(files) == 2
    by_message_id = {}
    for path in files:
        assert path.suffix == ".eml"
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        by_message_id[message["Message-ID"]] = (path.name, message)
    assert set(by_message_id) == {email.message_id for email in emails}
    for email in emails:
        name, message = by_message_id[email.message_id]
        assert name.endswith("-" + email.message_id.strip("<>") + ".eml")
        assert str(message["To"]) == "acheteur@example.com"
        (attachment,) = message.iter_attachments()
        assert attachment.get_filename() == "FAC-2026-0001.pdf"
        assert attachment.get_content() == ATTACHMENT_BYTES
    assert set(OutgoingEmail.objects.values_list("state", flat=True)) == {OutgoingEmail.STATE_SENT}
