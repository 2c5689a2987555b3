"""Turning an outbox row into the exact message handed to Django's mail backend."""

from __future__ import annotations

from email.utils import formataddr

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend

from facturier.outbox.errors import AttachmentMissing
from facturier.outbox.models import OutgoingEmail

RELATED_HEADER = "X-Facturier-Related"


def from_address(display_name: str) -> str:
    # formataddr quotes or RFC 2047-encodes the name, so "Café, Thé & Co" stays one mailbox.
    return formataddr((display_name, settings.DEFAULT_FROM_EMAIL), charset="utf-8")


def read_attachment(storage_name: str) -> bytes:
    try:
        with default_storage.open(storage_name, "rb") as stored:
            return stored.read()
    except FileNotFoundError as missing:
        raise AttachmentMissing(storage_name) from missing


def build_message(email: OutgoingEmail, connection: BaseEmailBackend | None = None) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.text_body,
        from_email=from_address(email.from_name),
        to=[email.to],
        reply_to=[email.reply_to] if email.reply_to else None,
        headers={"Message-ID": email.message_id, RELATED_HEADER: email.related_key},
        connection=connection,
    )
    if email.html_body:
        message.attach_alternative(email.html_body, "text/html")
    for attachment in email.attachments:
        content = read_attachment(attachment["storage_name"])
        message.attach(attachment["filename"], content, attachment.get("mimetype") or "application/octet-stream")
    return message


def open_connection() -> BaseEmailBackend:
    return get_connection(timeout=settings.EMAIL_TIMEOUT)


def esp_message_id(message: EmailMultiAlternatives) -> str:
    """The id an anymail ESP backend returned, when the backend is one; empty for SMTP and file backends."""
    status = getattr(message, "anymail_status", None)
    return str(status.message_id or "") if status is not None else ""
