import hashlib
import io
import re
import zlib
from dataclasses import replace

import pikepdf
import pypdf
import pytest
from fontTools import ttLib
from PIL import Image
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from facturier.documents.facturx import build_facturx_xml
from facturier.documents.pdf import draw_document
from facturier.documents.pdfa import ICC_DATE, srgb_icc_profile
from facturier.documents.render import render_document, safe_filename
from facturier.documents.tests import samples
from facturier.documents.validation import (
    check_document,
    check_pdfa,
    errors_only,
    extract_facturx_xml,
    validate_en16931,
)


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


EXPECTED_MENTIONS = {
    "b2c_multi_rate": [
        "FACTURE", "N° CDX-42-2026-000001", "Date d'émission : 21/11/2026", "Müller Elektronik GmbH",
        "GmbH - HRB 12345 Amtsgericht München", "N° TVA : DE136695976", "Zoë Ødegård", "Bât. B",
        "ADRESSE DE LIVRAISON", "Point Relais - Tabac Le Central", "Commande n° : 2611181532ZKQW7",
        "Date de livraison : 20/11/2026", "Réf. CASQ-BT-01 · EAN 4006381333931", "2 10,43 € 5,5 % 20,86 €", "5,5 %",
        "20 % 49,99 € 10,00 €", "5,5 % 22,75 € 1,25 €", "Total HT 72,74 €", "Total TVA 11,25 €",
        "Total TTC 83,99 €", "Montant payé 83,99 €", "Reste à payer 0,00 €", "Payée le 18/11/2026",
        "Facture émise au nom et pour le compte de Müller Elektronik GmbH par Facturier (mandat de facturation)",
        "Page 1/1",
    ],
    "b2b_company": [
        "SAS au capital de 10 000 € - RCS Lyon 850123456", "N° TVA : FR14850123456", "Atelier Dupont SARL",
        "À l'attention de : Łukasz Wiśniewski", "N° TVA : FR75807654322", "Total TTC 118,98 €",
        "Catégorie de l'opération : Livraison de biens", "Date d'échéance : 22/11/2026",
        "Pénalités de retard : taux de refinancement de la BCE majoré de 10 points.",
        "Indemnité forfaitaire pour frais de recouvrement : 40 €.", "Pas d'escompte pour paiement anticipé.",
    ],
    "credit_note": [
        "AVOIR", "N° CDX-42-AV-2026-000001", "Date de livraison : 20/11/2026",
        "Avoir sur la facture n° CDX-42-2026-000001 du 21/11/2026",
        "Total TTC 22,00 €", "Montant remboursé 22,00 €", "Remboursé le 01/12/2026",
    ],
    "franchise": [
        "TVA non applicable, art. 293 B du CGI", "Non applicable 34,90 € 0,00 €", "Total TVA 0,00 €",
        "Total TTC 34,90 €",
    ],
    "reverse_charge_fee": [
        "FACTURE / INVOICE", "Autoliquidation", "N° TVA / VAT No. : FR65912345675",
        "N° TVA / VAT No. : DE136695976", "Période de facturation / Billing period : 01/11/2026 – 30/11/2026",
        "Date d'échéance / Due date : 31/12/2026", "Reste à payer / Amount due 60,20 €",
        "Indemnité forfaitaire pour frais de recouvrement : 40 €.", "Autoliquidation 60,20 € 0,00 €",
        "Catégorie de l'opération / Type of supply : Prestation de services / Supply of services",
        "Date de livraison / Date of supply : 30/11/2026",
    ],
    "domestic_fee": [
        "SIRET : 91234567500017", "SIREN : 850123456", "Total TVA 12,04 €", "Total TTC 72,24 €",
        "Reste à payer 72,24 €", "Pas d'escompte pour paiement anticipé.", "Prestations de services",
    ],
}


@pytest.fixture(scope="module")
def rendered():
    return {name: render_document(factory()) for name, factory in samples.ALL_SAMPLES.items()}


@pytest.mark.parametrize("name", sorted(samples.ALL_SAMPLES))
def test_rendered_pdf_is_pdfa3_with_the_built_xml_inside(rendered, name):
    document = rendered[name]

    assert check_pdfa(document.pdf) == []
    assert extract_facturx_xml(document.pdf) == document.xml
    assert document.xml == build_facturx_xml(samples.ALL_SAMPLES[name]())
    assert document.sha256 == hashlib.sha256(document.pdf).hexdigest()


@pytest.mark.parametrize("name", sorted(samples.ALL_SAMPLES))
def test_rendered_pdf_prints_the_mandatory_mentions(rendered, name):
    text = _text(rendered[name].pdf)

    missing = [mention for mention in EXPECTED_MENTIONS[name] if mention not in text]
    assert missing == []


def test_rendering_is_deterministic_and_named_after_the_number(rendered):
    again = render_document(samples.b2c_multi_rate_invoice())

    assert again == rendered["b2c_multi_rate"]
    assert again.filename == "CDX-42-2026-000001.pdf"


def test_pdf_container_details():
    document = render_document(samples.b2c_multi_rate_invoice())

    with pikepdf.open(io.BytesIO(document.pdf)) as pdf:
        spec = pdf.Root.AF[0]
        assert spec.AFRelationship == "/Data"
        assert spec.EF.F.Subtype == "/text/xml"
        assert pdf.Root.Lang == "fr"
        assert pdf.docinfo.Title == "Facture CDX-42-2026-000001"
        assert pdf.docinfo.CreationDate == "D:20261121000000+00'00'"
        fonts = {str(font.BaseFont) for font in pdf.pages[0].Resources.Font.values()}
        assert fonts == {"/AAAAAA+DejaVuSans", "/AAAAAA+DejaVuSans-Bold"}
        with pdf.open_metadata() as xmp:
            assert xmp["pdfaid:part"] == "3"
            assert xmp["dc:title"] == "Facture CDX-42-2026-000001"


def test_long_order_spans_several_pages_and_still_passes():
    document = render_document(samples.long_order_invoice(60))
    reader = pypdf.PdfReader(io.BytesIO(document.pdf))
    text = _text(document.pdf)

    assert len(reader.pages) == 4
    assert check_pdfa(document.pdf) == []
    assert extract_facturx_xml(document.pdf) == document.xml
    assert [f"Page {n}/4" in page.extract_text() for n, page in enumerate(reader.pages, start=1)] == [True] * 4
    assert all("Désignation" in page.extract_text() for page in reader.pages)  # table header repeated
    last_page = reader.pages[3].extract_text()
    assert "Article de test n° 60 – coloris « bleu nuit »" in last_page  # totals never alone
    assert "Article de test n° 59" not in last_page
    assert "Total TTC 720,00 €" in last_page
    assert "Article de test n° 1 – coloris « bleu nuit »" in text
    assert errors_only(validate_en16931(document.xml)) == []


def test_characters_missing_from_the_font_are_replaced_in_print_but_kept_in_xml():
    invoice = samples.b2c_multi_rate_invoice()
    line = replace(invoice.lines[0], description="Casque 漢字 Bluetooth")
    document = render_document(replace(invoice, lines=(line, *invoice.lines[1:])))

    assert "Casque ?? Bluetooth" in _text(document.pdf)
    assert "Casque 漢字 Bluetooth".encode() in document.xml
    assert check_pdfa(document.pdf) == []


def test_logo_is_drawn_and_the_pdf_stays_pdfa():
    logo = io.BytesIO()
    Image.new("RGBA", (200, 60), (20, 80, 140, 255)).save(logo, format="PNG")
    document = render_document(replace(samples.b2c_multi_rate_invoice(), logo=logo.getvalue()))

    with pikepdf.open(io.BytesIO(document.pdf)) as pdf:
        images = [xobject for xobject in pdf.pages[0].Resources.XObject.values() if xobject.Subtype == "/Image"]
    assert [(image.Width, image.Height) for image in images] == [(200, 60)]
    assert check_pdfa(document.pdf) == []


def test_check_pdfa_rejects_a_plain_reportlab_pdf_with_a_standard_font():
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4)
    canvas.setFont("Helvetica", 12)
    canvas.drawString(50, 800, "Facture")
    canvas.save()

    assert check_pdfa(buffer.getvalue()) == [
        "page 1: font /Helvetica is not embedded",
        "no GTS_PDFA1 OutputIntent with an ICC profile",
        "no XMP metadata stream",
        "factur-x.xml is not attached",
    ]


def test_check_pdfa_rejects_an_encrypted_pdf():
    buffer = io.BytesIO()
    with pikepdf.open(io.BytesIO(render_document(samples.franchise_invoice()).pdf)) as pdf:
        pdf.save(buffer, encryption=pikepdf.Encryption(owner="owner", user=""))

    assert "encrypted PDF" in check_pdfa(buffer.getvalue())


@pytest.mark.parametrize(
    ("number", "filename"),
    [("CDX-42-2026-000001", "CDX-42-2026-000001.pdf"), ("FAC/2026 12", "FAC_2026_12.pdf"), ("../..", "document.pdf")],
)
def test_safe_filename(number, filename):
    assert safe_filename(number) == filename


def test_check_document_is_clean_for_a_domestic_fee_invoice_including_french_ctc():
    assert check_document(render_document(samples.domestic_fee_invoice()).pdf, fr_ctc=True) == []


def test_check_document_reports_schematron_errors_of_the_embedded_xml():
    invoice = samples.b2c_multi_rate_invoice()
    broken = replace(invoice, total_gross=invoice.total_gross + 1, amount_paid=invoice.amount_paid + 1)

    problems = check_document(render_document(broken).pdf)

    assert [problem.split(":", 1)[0] for problem in problems] == ["BR-CO-15"]


def test_check_document_without_attachment():
    plain_pdf = draw_document(samples.franchise_invoice(), None)

    assert check_document(plain_pdf)[-1] == "no factur-x.xml attachment in this PDF"


def test_same_bytes_in_another_process():
    """The sRGB profile carried the time it was built: the sha256 of a document changed per process."""
    import subprocess
    import sys

    script = ("from facturier.documents.render import render_document\n"
              "from facturier.documents.tests import samples\n"
              "print(render_document(samples.franchise_invoice()).sha256)")
    other = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)

    assert other.stdout.strip() == render_document(samples.franchise_invoice()).sha256
    assert srgb_icc_profile()[24:36] == ICC_DATE  # not the second the profile was built


def _embedded_fonts(pdf_bytes: bytes) -> dict[str, dict]:
    """Per base font: its program, ToUnicode CMap and widths as written, and the characters the CMap maps."""
    found = {}
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        for font in pdf.pages[0].Resources.Font.values():
            cmap = font.ToUnicode.read_bytes().decode("ascii")
            bfchar = cmap.split("endcodespacerange", 1)[1]
            found[str(font.BaseFont)] = {
                "program": font.FontDescriptor.FontFile2.read_raw_bytes(),
                "to_unicode": font.ToUnicode.read_raw_bytes(),
                "widths": [float(width) for width in font.Widths],
                "chars": {chr(int(code, 16)) for code in re.findall(r"<[0-9A-F]{2}> <([0-9A-F]{4,})>", bfchar)},
            }
    return found


def test_fonts_embed_the_characters_shown_and_a_trimmed_name_table():
    document = render_document(samples.b2c_multi_rate_invoice())
    embedded = _embedded_fonts(document.pdf)

    shown = set(_text(document.pdf)) - set(" \n")
    assert set(embedded) == {"/AAAAAA+DejaVuSans", "/AAAAAA+DejaVuSans-Bold"}
    assert shown <= embedded["/AAAAAA+DejaVuSans"]["chars"] | embedded["/AAAAAA+DejaVuSans-Bold"]["chars"]
    assert {"ü", "ß", "€", "«", "·"} <= embedded["/AAAAAA+DejaVuSans"]["chars"]
    assert "½" not in embedded["/AAAAAA+DejaVuSans"]["chars"]  # not printed, not embedded
    program = ttLib.TTFont(io.BytesIO(zlib.decompress(embedded["/AAAAAA+DejaVuSans"]["program"])))
    names = sorted((record.platformID, record.nameID) for record in program["name"].names)
    assert names == [(3, name_id) for name_id in (0, 1, 2, 3, 4, 5, 6, 14)]  # no licence text, no Mac copies


def test_a_character_outside_the_common_ones_is_embedded_and_extracts():
    invoice = samples.b2c_multi_rate_invoice()
    czech = replace(invoice, buyer=replace(invoice.buyer, name="Antonín Dvořák", city="Plzeň ½"))
    plain = _embedded_fonts(render_document(invoice).pdf)

    document = render_document(czech)
    embedded = _embedded_fonts(document.pdf)

    assert "ř" in embedded["/AAAAAA+DejaVuSans-Bold"]["chars"]  # the buyer's name is printed in bold
    assert {"ň", "½"} <= embedded["/AAAAAA+DejaVuSans"]["chars"]
    assert {"ň", "½"}.isdisjoint(plain["/AAAAAA+DejaVuSans"]["chars"])
    text = _text(document.pdf)
    assert "Antonín Dvořák" in text
    assert "Plzeň ½" in text
    assert check_pdfa(document.pdf) == []
    assert render_document(czech) == document  # same bytes again
