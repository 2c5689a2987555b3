"""SMTP URLs select Django's own SMTP backend, and what it sends arrives as written."""

from __future__ import annotations

from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.smtp import EmailBackend

from config.settings.base import email_config
from facturier.outbox.tests.fixtures import smtp_server  # noqa: F401 - pytest fixture

DJANGO_SMTP = "django.core.mail.backends.smtp.EmailBackend"


def test_smtp_urls_select_django_s_smtp_backend():
    assert email_config("smtp://mail.example:25")["EMAIL_BACKEND"] == DJANGO_SMTP
    submission = email_config("submission://mail.example:587")
    assert (submission["EMAIL_BACKEND"], submission["EMAIL_USE_TLS"]) == (DJANGO_SMTP, True)
    assert type(get_connection(DJANGO_SMTP)) is EmailBackend


def test_lines_starting_with_a_period_arrive_as_written(smtp_server):  # noqa: F811 - the fixture
    body = "Bonjour,\n.ligne qui commence par un point\n..et par deux\n.\nLa suite après un point seul.\n"
    attachment = b".\r\n" * 100 + b"%PDF-1.7\n.%%EOF\n"

    message = EmailMessage("Facture", body, "factures@facturier.example", ["zoe.martin@example.org"])
    message.attach("facture.pdf", attachment, "application/pdf")
    assert message.send() == 1

    [received] = smtp_server.received
    text, pdf = received.message.iter_parts()
    assert text.get_content().splitlines() == body.splitlines()
    assert pdf.get_content() == attachment
