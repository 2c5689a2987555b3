"""The printed invoice / credit note: one reportlab pass, A4, DejaVu fonts, RGB colours only (PDF/A)."""

from __future__ import annotations

import io
from collections.abc import Sequence

from reportlab import rl_config
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from facturier.core import vat_categories
from facturier.core.money import format_eur
from facturier.documents import fonts
from facturier.documents.labels import LABELS, french_date, french_number, label, unit_price_text
from facturier.documents.layout import (
    LEADING,
    SMALL_LEADING,
    TableRow,
    TextLine,
    block_height,
    buyer_lines,
    delivery_lines,
    fit,
    note_lines,
    paid_stamp,
    plan_pages,
    reference_lines,
    seller_lines,
    table_rows,
    totals_lines,
    vat_text,
)
from facturier.documents.pdfa import DocumentInfo, make_pdfa3
from facturier.documents.snapshot import DocumentSnapshot

PAGE_WIDTH, PAGE_HEIGHT = A4
LEFT, RIGHT = 40.0, PAGE_WIDTH - 40.0
TOP = PAGE_HEIGHT - 40.0
BODY_TOP = TOP - 78.0  # below the repeated page header
BOTTOM = 62.0  # above the footer
COLUMN_GAP = 15.0
HALF = (RIGHT - LEFT - COLUMN_GAP) / 2
# Right edges of the numeric columns; the description takes the rest.
QTY_X, PRICE_X, RATE_X, AMOUNT_X = 325.0, 395.0, 468.0, RIGHT - 4
DESCRIPTION_WIDTH = 250.0
HEADER_NAME_WIDTH = RIGHT - LEFT - 230.0  # left of the title, number and date printed on the right
REFERENCE_WIDTH = RIGHT - LEFT - 12.0
TOTALS_ROW = 15.0
VAT_ROW = 11.0
INK = (0.12, 0.12, 0.14)
GREY = (0.42, 0.42, 0.46)
ACCENT = (0.09, 0.29, 0.52)
TINT = (0.92, 0.95, 0.98)
RULE = (0.80, 0.82, 0.86)
# reportlab's documented setting: Flate-compressed streams without an ASCII85 layer on top (25% larger).
rl_config.useA85 = 0


def draw_document(snapshot: DocumentSnapshot, xml: bytes | None) -> bytes:
    """The PDF/A-3b bytes of the snapshot with `xml` embedded as factur-x.xml (a plain PDF if xml is None)."""
    fonts.register_fonts()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1, invariant=1, initialFontName=fonts.REGULAR,
                    pdfVersion=(1, 7), lang=snapshot.languages[0])
    _draw_pages(canvas, snapshot)
    if xml is not None:
        make_pdfa3(canvas._doc, _document_info(snapshot), xml)
    canvas.save()
    return buffer.getvalue()


def _document_info(snapshot: DocumentSnapshot) -> DocumentInfo:
    kind = "Avoir" if snapshot.is_credit_note else "Facture"
    return DocumentInfo(
        title=f"{kind} {snapshot.number}",
        author=snapshot.seller.name,
        subject=f"{kind} {snapshot.number} - {snapshot.seller.name} - {snapshot.buyer.name}",
        issued=snapshot.issue_date,
    )


def _draw_pages(canvas: Canvas, snapshot: DocumentSnapshot) -> None:
    parties_height = _parties_height(snapshot)
    notes = note_lines(snapshot, RIGHT - LEFT)
    closing = _totals_height(snapshot) + 12 + block_height(notes)
    rows = table_rows(snapshot, DESCRIPTION_WIDTH)
    header = _table_header_height(snapshot)
    first_space = BODY_TOP - parties_height - header - BOTTOM
    pages = plan_pages(rows, first_space, BODY_TOP - header - BOTTOM, closing)
    for number, page_rows in enumerate(pages, start=1):
        page = PageWriter(canvas)
        _draw_page_header(page, snapshot, number, len(pages))
        y = BODY_TOP - parties_height if number == 1 else BODY_TOP
        if number == 1:
            _draw_parties(page, snapshot, BODY_TOP)
        if page_rows:
            y = _draw_table(page, snapshot, page_rows, y)
        if number == len(pages):
            y = _draw_totals(page, snapshot, y - 12)
            _draw_block(page, notes, LEFT, y - 12)
        else:
            page.text(label("continued", snapshot.languages), RIGHT, BOTTOM - 10, size=7.5, grey=True,
                      align="right")
        _draw_footer(page, snapshot)
        page.finish()


class PageWriter:
    """Collects a page's text into one PDF text object (far cheaper than one per string), drawn last so
    it sits above the tinted boxes; shapes go straight to the canvas."""

    def __init__(self, canvas: Canvas) -> None:
        self.canvas = canvas
        self._text = canvas.beginText()
        self._font: tuple[str, float] | None = None
        self._color: tuple[float, float, float] | None = None

    def text(self, text: str, x: float, y: float, *, size: float = 9.0, bold: bool = False,
             grey: bool = False, color: tuple[float, float, float] | None = None, align: str = "left") -> None:
        font = fonts.BOLD if bold else fonts.REGULAR
        text = fonts.printable(text, font)
        if (font, size) != self._font:
            self._text.setFont(font, size)
            self._font = (font, size)
        fill = color or (GREY if grey else INK)
        if fill != self._color:
            self._text.setFillColorRGB(*fill)
            self._color = fill
        if align != "left":
            width = stringWidth(text, font, size)
            x -= width if align == "right" else width / 2
        self._text.setTextOrigin(x, y)
        self._text.textOut(text)

    def finish(self) -> None:
        self.canvas.drawText(self._text)
        self.canvas.showPage()


def _draw_block(page: PageWriter, lines: Sequence[TextLine], x: float, top: float) -> float:
    """Draws lines downwards from `top`; returns the y below the block."""
    y = top
    for line in lines:
        y -= line.height
        page.text(line.text, x, y + 2, size=line.size, bold=line.bold, grey=line.grey)
    return y


def _document_title(snapshot: DocumentSnapshot) -> str:
    if snapshot.title:
        return snapshot.title
    return label("credit_note" if snapshot.is_credit_note else "invoice", snapshot.languages)


def _draw_page_header(page: PageWriter, snapshot: DocumentSnapshot, number: int, pages: int) -> None:
    if snapshot.logo:
        page.canvas.drawImage(ImageReader(io.BytesIO(snapshot.logo)), LEFT, TOP - 50, width=160, height=50,
                         preserveAspectRatio=True, anchor="sw", mask="auto")
    else:
        _draw_header_name(page, snapshot.seller.name)
    languages = snapshot.languages
    page.text(_document_title(snapshot), RIGHT, TOP - 18, size=18, bold=True, color=ACCENT, align="right")
    page.text(f"{label('number', languages)} {snapshot.number}", RIGHT, TOP - 34, size=10, bold=True,
          align="right")
    page.text(f"{label('issue_date', languages)} : {french_date(snapshot.issue_date)}", RIGHT, TOP - 47,
          align="right")
    page.text(f"{label('page', languages)} {number}/{pages}", RIGHT, TOP - 59, size=7.5, grey=True,
          align="right")
    page.canvas.setStrokeColorRGB(*RULE)
    page.canvas.setLineWidth(0.6)
    page.canvas.line(LEFT, TOP - 68, RIGHT, TOP - 68)


def _draw_header_name(page: PageWriter, name: str) -> None:
    """The seller's name left of the title and number: wrapped, smaller if it needs more than two lines."""
    for size in (15.0, 12.0, 10.0):
        lines = fit([TextLine(name, bold=True, size=size)], HEADER_NAME_WIDTH)
        if len(lines) <= 2:
            break
    for index, line in enumerate(lines[:3]):
        page.text(line.text, LEFT, TOP - 20 - index * line.height, size=line.size, bold=True, color=ACCENT)


def _right_column(snapshot: DocumentSnapshot) -> list[TextLine]:
    delivery = delivery_lines(snapshot.delivery_address, snapshot.languages, HALF)
    buyer = buyer_lines(snapshot.buyer, snapshot.languages, HALF)
    return buyer + ([TextLine("", size=7)] + delivery if delivery else [])


def _parties_height(snapshot: DocumentSnapshot) -> float:
    left = block_height(seller_lines(snapshot.seller, snapshot.languages, HALF))
    right = block_height(_right_column(snapshot))
    references = reference_lines(snapshot, REFERENCE_WIDTH)
    return max(left, right) + (block_height(references) + 14 if references else 0) + 14


def _draw_parties(page: PageWriter, snapshot: DocumentSnapshot, top: float) -> None:
    left = _draw_block(page, seller_lines(snapshot.seller, snapshot.languages, HALF), LEFT, top)
    right = _draw_block(page, _right_column(snapshot), LEFT + HALF + COLUMN_GAP, top)
    references = reference_lines(snapshot, REFERENCE_WIDTH)
    if references:
        y = min(left, right) - 8
        page.canvas.setFillColorRGB(*TINT)
        page.canvas.rect(LEFT, y - block_height(references) - 6, RIGHT - LEFT, block_height(references) + 6,
                    stroke=0, fill=1)
        _draw_block(page, references, LEFT + 6, y - 2)


COLUMNS = (
    ("description", LEFT + 4, "left"),
    ("quantity", QTY_X, "right"),
    ("unit_price", PRICE_X, "right"),
    ("vat_rate", RATE_X, "right"),
    ("net_amount", AMOUNT_X, "right"),
)


def _table_header_height(snapshot: DocumentSnapshot) -> float:
    return 26.0 if "en" in snapshot.languages else 18.0


def _draw_table_header(page: PageWriter, snapshot: DocumentSnapshot, top: float) -> float:
    height = _table_header_height(snapshot)
    page.canvas.setFillColorRGB(*ACCENT)
    page.canvas.rect(LEFT, top - height, RIGHT - LEFT, height, stroke=0, fill=1)
    for key, x, align in COLUMNS:
        page.text(label(key, ("fr",)), x, top - 12, size=8, bold=True, color=(1, 1, 1), align=align)
        if "en" in snapshot.languages:
            page.text(LABELS[key][1], x, top - 21, size=6.5, color=TINT, align=align)
    return top - height


def _draw_table(page: PageWriter, snapshot: DocumentSnapshot, rows: Sequence[TableRow], top: float) -> float:
    y = _draw_table_header(page, snapshot, top)
    page.canvas.setLineWidth(0.4)
    for row in rows:
        _draw_row(page, snapshot, row, y)
        y -= row.height
        page.canvas.setStrokeColorRGB(*RULE)
        page.canvas.line(LEFT, y, RIGHT, y)
    return y


def _rate_size(line) -> float:
    """Words (Autoliquidation...) in the narrow VAT column are set smaller than rates."""
    return 9.0 if line.vat_category == vat_categories.STANDARD else 8.0


def _draw_row(page: PageWriter, snapshot: DocumentSnapshot, row: TableRow, top: float) -> None:
    line = row.line
    baseline = top - LEADING + 1
    y = baseline
    for text in row.description:  # first, so extracted text reads description, then figures
        page.text(text, LEFT + 4, y)
        y -= LEADING
    if row.detail:
        page.text(row.detail, LEFT + 4, y + 2, size=7, grey=True)
    page.text(french_number(line.quantity), QTY_X, baseline, align="right")
    page.text(unit_price_text(line.unit_net_price), PRICE_X, baseline, align="right")
    page.text(vat_text(snapshot, line.vat_category, line.vat_rate), RATE_X, baseline, size=_rate_size(line),
              align="right")
    page.text(format_eur(line.net_amount), AMOUNT_X, baseline, align="right")


def _totals_height(snapshot: DocumentSnapshot) -> float:
    header = 2 * SMALL_LEADING if "en" in snapshot.languages else SMALL_LEADING
    vat_rows = header + len(snapshot.vat_breakdown) * VAT_ROW + 8
    return vat_rows + len(totals_lines(snapshot)) * TOTALS_ROW + (18 if paid_stamp(snapshot) else 0)


def _draw_vat_summary(page: PageWriter, snapshot: DocumentSnapshot, top: float) -> float:
    x0 = LEFT + HALF + COLUMN_GAP
    columns = (("vat_summary_rate", x0 + 4, "left"), ("vat_base", x0 + 160, "right"),
               ("vat_amount", RIGHT - 4, "right"))
    y = top - SMALL_LEADING
    for key, x, align in columns:
        page.text(label(key, ("fr",)), x, y, size=7, bold=True, grey=True, align=align)
        if "en" in snapshot.languages:
            page.text(LABELS[key][1], x, y - SMALL_LEADING + 1, size=6.5, grey=True, align=align)
    if "en" in snapshot.languages:
        y -= SMALL_LEADING
    for vat in snapshot.vat_breakdown:
        y -= VAT_ROW
        page.text(vat_text(snapshot, vat.category, vat.rate), x0 + 4, y, size=8.5)
        page.text(format_eur(vat.taxable_amount), x0 + 160, y, size=8.5, align="right")
        page.text(format_eur(vat.tax_amount), RIGHT - 4, y, size=8.5, align="right")
    return y - 8


def _draw_totals(page: PageWriter, snapshot: DocumentSnapshot, top: float) -> float:
    y = _draw_vat_summary(page, snapshot, top)
    x0 = LEFT + HALF + COLUMN_GAP
    for text, amount, emphasised in totals_lines(snapshot):
        if emphasised:
            page.canvas.setFillColorRGB(*TINT)
            page.canvas.rect(x0, y - TOTALS_ROW + 1, RIGHT - x0, TOTALS_ROW, stroke=0, fill=1)
        y -= TOTALS_ROW
        size = 10.5 if emphasised else 9
        page.text(text, x0 + 4, y + 4, size=size, bold=emphasised)
        page.text(amount, RIGHT - 4, y + 4, size=size, bold=emphasised, align="right")
    stamp = paid_stamp(snapshot)
    if stamp:
        y -= 18
        page.text(stamp, RIGHT - 4, y + 4, size=11, bold=True, color=(0.10, 0.50, 0.25),
              align="right")
    return y


def _draw_footer(page: PageWriter, snapshot: DocumentSnapshot) -> None:
    seller = snapshot.seller
    parts = [seller.name, seller.legal_information]
    if seller.vat_number:
        parts.append(f"{label('vat_number', ('fr',))} {seller.vat_number}")
    page.canvas.setStrokeColorRGB(*RULE)
    page.canvas.line(LEFT, 44, RIGHT, 44)
    lines = fit([TextLine(" · ".join(part for part in parts if part), size=7, grey=True)], RIGHT - LEFT)
    for index, line in enumerate(lines[:3]):
        page.text(line.text, PAGE_WIDTH / 2, 32 - index * line.height, size=7, grey=True, align="center")
