"""Public entry point: snapshot -> legal files (PDF/A-3b with the Factur-X XML inside, plus the XML)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from facturier.documents.facturx import build_facturx_xml
from facturier.documents.pdf import draw_document
from facturier.documents.snapshot import DocumentSnapshot

MIMETYPE = "application/pdf"
_UNSAFE_FILENAME_CHARS = re.compile(r"[^A-Za-z0-9._+-]+")


@dataclass(frozen=True)
class RenderedDocument:
    filename: str
    pdf: bytes
    xml: bytes
    sha256: str  # of the PDF bytes: the archived original's fingerprint

    mimetype = MIMETYPE


def safe_filename(number: str) -> str:
    """'CDX-1/2026 000001' -> 'CDX-1_2026_000001.pdf'."""
    stem = _UNSAFE_FILENAME_CHARS.sub("_", number).strip("._") or "document"
    return f"{stem}.pdf"


def render_document(snapshot: DocumentSnapshot) -> RenderedDocument:
    xml = build_facturx_xml(snapshot)
    pdf = draw_document(snapshot, xml)
    return RenderedDocument(
        filename=safe_filename(snapshot.number),
        pdf=pdf,
        xml=xml,
        sha256=hashlib.sha256(pdf).hexdigest(),
    )
