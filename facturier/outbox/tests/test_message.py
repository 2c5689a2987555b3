"""The MIME bytes of an outbox message: fixed-form boundaries, and the same bytes as the stdlib and Django write."""

from __future__ import annotations

import base64
import re
from email.generator import BytesGenerator
from io import BytesIO

import pytest
from django.core.mail import EmailMultiAlternatives

from facturier.outbox.message import BodyAtOnceGenerator, FlattenedAtOnce, OutboxMessage, base64_lines, build_message
from facturier.outbox.tests.fixtures import enqueue_invoice_email, invoice_attachment

BOUNDARY = re.compile(rb'boundary="(=_facturier_[0-9a-f]{32})"')


def stdlib_bytes(mime, linesep: str) -> bytes:
    buffer = BytesIO()
    BytesGenerator(buffer, mangle_from_=False).flatten(mime, linesep=linesep)
    return buffer.getvalue()


def test_the_flattened_message_is_byte_for_byte_what_the_standard_generator_writes(outbox_seller, stored_invoice_pdf):
    email = enqueue_invoice_email(outbox_seller, attachments=[invoice_attachment(stored_invoice_pdf)])
    mime = build_message(email).message()
    assert isinstance(mime, FlattenedAtOnce)

    for linesep in ("\r\n", "\n"):
        flattened = mime.as_bytes(linesep=linesep)
        assert flattened == stdlib_bytes(mime, linesep)
    smtp_bytes = mime.as_bytes(linesep="\r\n")
    assert smtp_bytes.count(b"\r\n") == smtp_bytes.count(b"\n")  # no bare LF left for SMTP


@pytest.mark.parametrize(
    ("body", "written"),
    [
        ("one\ntwo\r\nthree\rfour", b"one\r\ntwo\r\nthree\r\nfour"),  # mixed line ends, no final one
        ("QUJD\nREVG\n", b"QUJD\r\nREVG\r\n"),  # base64 lines as the encoder writes them
        ("", b""),
    ],
)
def test_a_body_is_written_with_the_policy_line_ends_and_keeps_its_last_line(body, written):
    buffer = BytesIO()
    generator = BodyAtOnceGenerator(buffer)
    generator._NL = "\r\n"
    generator._write_lines(body)
    assert buffer.getvalue() == written


def test_every_multipart_level_has_its_own_fixed_form_boundary(outbox_seller, stored_invoice_pdf):
    email = enqueue_invoice_email(outbox_seller, attachments=[invoice_attachment(stored_invoice_pdf)])
    flattened = build_message(email).message().as_bytes(linesep="\r\n")

    boundaries = BOUNDARY.findall(flattened)
    assert len(boundaries) == 2  # multipart/mixed holding multipart/alternative
    assert len(set(boundaries)) == 2
    for boundary in boundaries:
        assert flattened.count(b"--" + boundary + b"--\r\n") == 1


SIZES = [0, 1, 2, 56, 57, 58, 114, 54_321]


@pytest.mark.parametrize("size", SIZES)
def test_base64_lines_are_what_the_stdlib_encoder_writes(size):
    content = bytes(range(256)) * (size // 256) + bytes(range(size % 256))
    assert base64_lines(content) == base64.encodebytes(content).decode("ascii")


@pytest.mark.parametrize("size", SIZES)
def test_a_binary_attachment_part_is_byte_for_byte_django_s(size):
    content = bytes(reversed(range(256))) * (size // 256) + bytes(range(size % 256))
    ours = OutboxMessage()._create_mime_attachment(content, "application/pdf")
    djangos = EmailMultiAlternatives()._create_mime_attachment(content, "application/pdf")
    assert ours.as_bytes() == djangos.as_bytes()
    assert ours.get_payload(decode=True) == content
