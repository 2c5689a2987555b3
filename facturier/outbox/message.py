"""Turning an outbox row into the exact message handed to Django's mail backend."""

from __future__ import annotations

import binascii
import uuid
from email.generator import NLCRE, BytesGenerator
from email.mime.base import MIMEBase
from email.utils import formataddr
from io import BytesIO

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import SafeMIMEMultipart, SafeMIMEText

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


class BodyAtOnceGenerator(BytesGenerator):
    """The standard generator, but a body is written in one piece: the same bytes, without a regex split and the
    ~2,000 separate writes of the ~1,000 base64 lines of an invoice PDF."""

    def _write_lines(self, lines: str) -> None:
        # The base class splits on NLCRE and writes each line followed by the policy's line separator.
        if not lines:
            return
        if "\r" in lines:
            self.write(NLCRE.sub(self._NL, lines))
        else:  # bodies built here end lines with "\n" alone; replace() is ~10x faster than the regex
            self.write(lines.replace("\n", self._NL))


class FlattenedAtOnce:
    def as_bytes(self, unixfrom: bool = False, linesep: str = "\n") -> bytes:
        # Django's own as_bytes, with the generator above (mangle_from_=False, as Django's: bug #13433).
        buffer = BytesIO()
        BodyAtOnceGenerator(buffer, mangle_from_=False).flatten(self, unixfrom=unixfrom, linesep=linesep)
        return buffer.getvalue()


class _Multipart(FlattenedAtOnce, SafeMIMEMultipart):
    pass


class _Text(FlattenedAtOnce, SafeMIMEText):
    pass


_FLATTENED_AT_ONCE = {SafeMIMEMultipart: _Multipart, SafeMIMEText: _Text}


BASE64_LINE = 76  # characters per line, as email.encoders writes them (57 bytes of input)


def base64_lines(content: bytes) -> str:
    """What `email.encoders.encode_base64` puts in a part: base64 in 76-character lines, each ending with a newline.

    The stdlib path stores the bytes as a surrogate-escaped str, reads them back, and encodes 57 bytes per call:
    about a third of the time spent building an email with a 54 KB PDF. One call and slices give the same text."""
    encoded = binascii.b2a_base64(content, newline=False).decode("ascii")
    return "".join(f"{encoded[start : start + BASE64_LINE]}\n" for start in range(0, len(encoded), BASE64_LINE))


class OutboxMessage(EmailMultiAlternatives):
    def _create_mime_attachment(self, content, mimetype):
        basetype, subtype = mimetype.split("/", 1)
        if basetype in ("text", "message") or not isinstance(content, bytes):
            return super()._create_mime_attachment(content, mimetype)
        part = MIMEBase(basetype, subtype)
        part.set_payload(base64_lines(content))
        part["Content-Transfer-Encoding"] = "base64"
        return part

    def message(self):
        mime = super().message()
        # Without a boundary, Python's generator draws random ones and searches the whole flattened part for a
        # clash, a regex pass over the ~70 KB of every invoice email. A UUID4 cannot occur in base64 lines nor in
        # our quoted-printable or UTF-8 bodies.
        for part in mime.walk():
            if part.is_multipart():
                part.set_boundary(f"=_facturier_{uuid.uuid4().hex}")
        # Django builds the MIME tree itself; only the root's class decides which generator flattens it (the
        # generator clones itself for the parts), so the root alone is switched to a subclass with no new state.
        mime.__class__ = _FLATTENED_AT_ONCE.get(type(mime), type(mime))
        return mime


def build_message(email: OutgoingEmail, connection: BaseEmailBackend | None = None) -> EmailMultiAlternatives:
    message = OutboxMessage(
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
