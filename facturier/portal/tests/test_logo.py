"""The logo is checked by its content (PNG or JPEG that Pillow decodes, bounded bytes and pixels); a stored logo
that cannot be drawn falls back to no logo and never blocks an invoice or its e-mail."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from facturier.accounts.models import Seller
from facturier.outbox.models import OutgoingEmail
from facturier.portal.tests.helpers import issue, logged_in

SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>'
HTML = b"<!doctype html><html><body><script>alert(1)</script></body></html>"
TEXT = b"just some text, no image at all\n"


def image_bytes(image_format: str, size=(200, 60), mode="RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, (20, 80, 140)).save(buffer, format=image_format)
    return buffer.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header announces width x height pixels (a decompression bomb's first bytes)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = zlib.compress(b"\x00" * (1 + 3 * width) * 2)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")


def settings_post(seller: Seller) -> dict:
    return {"invoice_prefix": seller.invoice_prefix, "credit_note_prefix": seller.credit_note_prefix,
            "default_vat_rate": "20", "support_email": seller.support_email, "upload_to_marketplace": "on"}


def upload_logo(seller: Seller, name: str, content: bytes):
    data = {**settings_post(seller), "logo": SimpleUploadedFile(name, content)}
    return logged_in(seller).post("/reglages/", data)


@pytest.mark.django_db
@pytest.mark.parametrize(("_case", "name", "content"), [
    ("svg named .png", "logo.png", SVG),
    ("html named .png", "logo.png", HTML),
    ("text named .jpg", "logo.jpg", TEXT),
    ("gif named .png", "logo.png", image_bytes("GIF")),
    ("truncated png", "logo.png", image_bytes("PNG")[:60]),
    ("too many pixels", "logo.png", png_claiming(20000, 20000)),
], ids=lambda value: value if isinstance(value, str) else "")  # fmt: skip
def test_a_logo_that_is_not_a_png_or_jpeg_image_is_refused(seller_a, _case, name, content):
    response = upload_logo(seller_a, name, content)
    assert response.status_code == 200
    assert response.context["form"].errors["logo"] == [
        "Le logo doit être une image PNG ou JPEG lisible, de 4 mégapixels au plus."]
    assert Seller.objects.get(pk=seller_a.pk).logo.name == ""


@pytest.mark.django_db
def test_a_logo_heavier_than_one_megabyte_is_refused(seller_a):
    response = upload_logo(seller_a, "logo.png", b"\x89PNG" + b"\x00" * (1024 * 1024))
    assert response.context["form"].errors["logo"] == ["Logo trop lourd : 1 Mo au plus."]


@pytest.mark.django_db
@pytest.mark.parametrize(("image_format", "name"), [("PNG", "logo.png"), ("JPEG", "logo.jpg")])
def test_a_png_or_jpeg_logo_is_kept(seller_a, image_format, name):
    content = image_bytes(image_format)
    response = upload_logo(seller_a, name, content)
    assert response.status_code == 302
    with Seller.objects.get(pk=seller_a.pk).logo.open("rb") as stored:
        assert stored.read() == content


@pytest.mark.django_db
@pytest.mark.parametrize("content", [SVG, image_bytes("PNG")[:60], png_claiming(20000, 20000)],
                         ids=["svg", "truncated png", "too many pixels"])
def test_a_corrupt_stored_logo_falls_back_to_no_logo(seller_a, content):
    seller_a.logo.save("logo.png", ContentFile(content))
    invoice = issue(seller_a)
    assert invoice.pdf.name != ""
    with invoice.pdf.open("rb") as pdf:
        assert b"/Subtype /Image" not in pdf.read()
    assert OutgoingEmail.objects.get(related_key=f"invoice:{invoice.pk}").state == OutgoingEmail.STATE_QUEUED


@pytest.mark.django_db
def test_a_good_stored_logo_is_drawn(seller_a):
    seller_a.logo.save("logo.png", ContentFile(image_bytes("PNG")))
    invoice = issue(seller_a)
    with invoice.pdf.open("rb") as pdf:
        assert b"/Subtype /Image" in pdf.read()
