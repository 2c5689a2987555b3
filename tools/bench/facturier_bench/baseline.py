"""Reference implementations for the benchmark command (not used to issue documents).

bare_page: the same printed page as render_document, as a plain reportlab PDF (no PDF/A container).
naive_render: that page plus facturx.generate_from_binary, the library's embed step that re-parses and
re-writes the whole PDF through pypdf. render_document must stay at least twice as fast as naive_render.
"""

from __future__ import annotations

import facturx

from facturier.documents.facturx import build_facturx_xml
from facturier.documents.pdf import draw_document
from facturier.documents.snapshot import DocumentSnapshot


def bare_page(snapshot: DocumentSnapshot) -> bytes:
    return draw_document(snapshot, None)


def naive_render(snapshot: DocumentSnapshot) -> bytes:
    xml = build_facturx_xml(snapshot)
    return facturx.generate_from_binary(bare_page(snapshot), xml, flavor="factur-x", level="en16931")
