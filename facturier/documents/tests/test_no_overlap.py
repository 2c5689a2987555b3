"""Issue #15 item 6: no text is printed over other text. Every VAT case is rendered with long names, addresses,
registers and descriptions; the text boxes are read back from the PDF's content streams (position from Tm, font
and size from Tf, advance from the embedded font's /Widths) and no two may intersect or leave the page."""

from __future__ import annotations

import io
from dataclasses import dataclass, replace
from decimal import Decimal as D

import pypdf
import pytest
from pypdf.generic import ContentStream

from facturier.documents.render import render_document
from facturier.documents.snapshot import DocumentSnapshot, Party, VatBreakdown
from facturier.documents.tests import samples

ASCENT, DESCENT = 0.76, 0.24  # DejaVu Sans, in em
PAGE_WIDTH, PAGE_HEIGHT = 595.2756, 841.8898


@dataclass(frozen=True)
class Box:
    page: int
    text: bytes
    left: float
    bottom: float
    right: float
    top: float

    def overlaps(self, other: Box) -> bool:
        return (self.page == other.page and self.left < other.right and other.left < self.right
                and self.bottom < other.top and other.bottom < self.top)


def _raw(operand) -> bytes:
    """The string's bytes as written (pypdf decodes some into text; the widths are indexed by byte)."""
    return operand.original_bytes if hasattr(operand, "original_bytes") else bytes(operand)


def text_boxes(pdf: bytes) -> list[Box]:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    boxes = []
    for number, page in enumerate(reader.pages, start=1):
        fonts = {name: font.get_object() for name, font in page["/Resources"]["/Font"].items()}
        font, size, x, y, start, chunks = None, 0.0, 0.0, 0.0, 0.0, b""
        for operands, operator in ContentStream(page.get_contents(), reader).operations:
            if operator == b"Tm":
                if chunks:
                    boxes.append(Box(number, chunks, start, y - DESCENT * size, x, y + ASCENT * size))
                x = start = float(operands[4])
                y = float(operands[5])
                chunks = b""
            elif operator == b"Tf":
                font, size = fonts[operands[0]], float(operands[1])
            elif operator == b"Tj":
                data = _raw(operands[0])
                widths, first = font["/Widths"], int(font["/FirstChar"])
                x += sum(float(widths[code - first]) for code in data) * size / 1000
                chunks += data
        if chunks:
            boxes.append(Box(number, chunks, start, y - DESCENT * size, x, y + ASCENT * size))
    return boxes


LONG_SELLER = Party(
    name="Müller & Söhne Elektronik und Haushaltsgeräte Großhandel Gesellschaft mit beschränkter Haftung",
    address_lines=("Hauptstraße 125, Hinterhaus, 3. Obergeschoss, Eingang über den Innenhof links",),
    postal_code="80331",
    city="München-Altstadt-Lehel",
    country_code="DE",
    vat_number="DE136695976",
    legal_form="Gesellschaft mit beschränkter Haftung",
    trade_register="Handelsregister B 123456 beim Amtsgericht München, Geschäftsführer Dr. Maximilian Müller",
    email="rechnungsabteilung.frankreich@mueller-und-soehne-elektronik.example",
)
LONG_BUYER = Party(
    name="Société Coopérative d'Intérêt Collectif des Artisans Ébénistes de Franche-Comté et de Bourgogne",
    address_lines=("Zone artisanale des Grands Champs, bâtiment C, porte 12, quai de chargement nord",
                   "Lieu-dit Les Prés de la Fontaine Saint-Étienne-de-Chomeil"),
    postal_code="25000",
    city="Besançon Cedex 9 Centre de tri postal Franche-Comté",
    country_code="FR",
    vat_number="FR75807654322",
    siren="807654322",
    contact_name="Marie-Éléonore de La Tour d'Auvergne-Lauraguais",
    electronic_address="807654322",
    electronic_address_scheme="0225",
)
LONG_RELAY = Party(
    name="Point Relais - Tabac Presse Loto Le Central de la Place de la République (point relais FR-123456)",
    address_lines=("À l'attention de Marie-Éléonore de La Tour d'Auvergne-Lauraguais",
                   "40 boulevard Voltaire, angle de la rue de la Folie-Méricourt"),
    postal_code="75011",
    city="Paris 11e Arrondissement",
    country_code="FR",
)
LONG_DESCRIPTION = ("Lot de 12 verres à pied en cristal soufflé bouche, gravure artisanale « Versailles », "
                    "coffret cadeau en bois de chêne massif, garantie 5 ans")


def _long(snapshot: DocumentSnapshot, **changes) -> DocumentSnapshot:
    lines = tuple(replace(line, description=LONG_DESCRIPTION, sku="REF-" + "X" * 40) for line in snapshot.lines)
    return replace(snapshot, lines=lines, delivery_address=LONG_RELAY, **changes)


def _intra_eu(snapshot: DocumentSnapshot) -> DocumentSnapshot:
    text = "Exonération de TVA, art. 138 de la directive 2006/112/CE (livraison intracommunautaire)"
    lines = tuple(replace(line, vat_category="K", vat_rate=D("0")) for line in snapshot.lines)
    total = snapshot.total_net
    return replace(snapshot, lines=lines, vat_breakdown=(VatBreakdown("K", D("0"), total, D("0.00"), text,
                                                                       "VATEX-EU-IC"),),
                   total_vat=D("0.00"), total_gross=total, amount_paid=total, notes=(text,), ctc_fr=None)


CASES = {
    "b2c multi-rate, German seller": lambda: _long(samples.b2c_multi_rate_invoice(), seller=LONG_SELLER),
    "b2b, French seller": lambda: _long(samples.b2b_company_invoice(), buyer=LONG_BUYER),
    "credit note": lambda: _long(samples.credit_note(), seller=LONG_SELLER, buyer=LONG_BUYER),
    "franchise": lambda: _long(samples.franchise_invoice(), buyer=LONG_BUYER),
    "intra-EU exempt": lambda: _long(_intra_eu(samples.b2b_company_invoice()), seller=LONG_SELLER,
                                     buyer=LONG_BUYER),
    "reverse charge fee, bilingual": lambda: _long(samples.reverse_charge_fee_invoice(), buyer=LONG_SELLER),
    "domestic fee": lambda: _long(samples.domestic_fee_invoice(), buyer=LONG_BUYER),
    "long order": lambda: _long(samples.long_order_invoice(40), seller=LONG_SELLER, buyer=LONG_BUYER),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_no_two_text_boxes_overlap(case):
    boxes = text_boxes(render_document(CASES[case]()).pdf)

    assert len(boxes) > 60
    clashes = [(a.text, b.text) for i, a in enumerate(boxes) for b in boxes[i + 1:] if a.overlaps(b)]
    assert clashes == []
    outside = [box.text for box in boxes if box.left < 0 or box.right > PAGE_WIDTH or box.bottom < 0
               or box.top > PAGE_HEIGHT]
    assert outside == []


def test_the_overlap_check_sees_text_printed_over_text():
    boxes = text_boxes(render_document(samples.b2c_multi_rate_invoice()).pdf)
    moved = [replace(box, left=box.left + 1, right=box.right + 1) for box in boxes[:1]]

    assert moved[0].overlaps(boxes[0])
    assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1:])
