"""The benchmark's yardsticks print the same page as render_document: the bare page without the PDF/A container,
the naive render with the same XML embedded by the factur-x library."""

from __future__ import annotations

import io

import pypdf

from facturier.documents.facturx import build_facturx_xml
from facturier.documents.tests import samples
from facturier.documents.validation import check_pdfa, extract_facturx_xml
from facturier_bench.baseline import bare_page, naive_render


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def test_baselines_produce_comparable_documents():
    invoice = samples.b2c_multi_rate_invoice()

    assert "Total TTC 83,99 €" in _text(bare_page(invoice))
    assert "factur-x.xml is not attached" in check_pdfa(bare_page(invoice))
    assert extract_facturx_xml(naive_render(invoice)) == build_facturx_xml(invoice)
