"""What goes on the page, measured before anything is drawn (so "page x/y" is known on page 1).

Blocks are lists of TextLine; table rows carry their wrapped description and height; plan_pages splits the
rows over pages and keeps room for the totals and notes on the last one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth

from facturier.core import vat_categories
from facturier.core.money import format_eur
from facturier.documents import fonts
from facturier.documents.labels import (
    country_name,
    exemption_word,
    french_date,
    label,
    operation_category_text,
    vat_rate_text,
)
from facturier.documents.snapshot import DocumentLine, DocumentSnapshot, Party

LEADING = 11.0
SMALL_LEADING = 9.0
ROW_PADDING = 6.0


@dataclass(frozen=True)
class TextLine:
    text: str
    bold: bool = False
    size: float = 9.0
    grey: bool = False

    @property
    def height(self) -> float:
        return round(self.size * 1.25, 2)


@dataclass(frozen=True)
class TableRow:
    line: DocumentLine
    description: tuple[str, ...]
    detail: str

    @property
    def height(self) -> float:
        return len(self.description) * LEADING + (SMALL_LEADING if self.detail else 0) + ROW_PADDING


def block_height(lines: Sequence[TextLine]) -> float:
    return sum(line.height for line in lines)


def wrap(text: str, width: float, *, bold: bool = False, size: float = 9.0) -> list[str]:
    font = fonts.BOLD if bold else fonts.REGULAR
    text = fonts.printable(text, font)
    if stringWidth(text, font, size) <= width:  # most lines: one measure instead of one per word
        return [text]
    lines = simpleSplit(text, font, size, width) or [""]
    return [part for line in lines for part in _break_long_word(line, font, size, width)]


def _break_long_word(line: str, font: str, size: float, width: float) -> list[str]:
    """A word wider than the column (an e-mail address, a reference) is cut where the column ends."""
    if stringWidth(line, font, size) <= width:
        return [line]
    parts = [""]
    for char in line:
        if parts[-1] and stringWidth(parts[-1] + char, font, size) > width:
            parts.append("")
        parts[-1] += char
    return parts


def fit(lines: Sequence[TextLine], width: float) -> list[TextLine]:
    """Each line wrapped to `width`, so that no text runs into the next column."""
    fitted = []
    for line in lines:
        parts = wrap(line.text, width, bold=line.bold, size=line.size) if line.text else [""]
        fitted += [TextLine(part, bold=line.bold, size=line.size, grey=line.grey) for part in parts]
    return fitted


def _address(party: Party) -> list[TextLine]:
    lines = [TextLine(text) for text in party.address_lines]
    lines.append(TextLine(f"{party.postal_code} {party.city}".strip()))
    lines.append(TextLine(country_name(party.country_code)))
    return lines


def seller_lines(party: Party, languages: tuple[str, ...], width: float) -> list[TextLine]:
    lines = [TextLine(label("seller", languages).upper(), bold=True, size=7.5, grey=True)]
    lines.append(TextLine(party.name, bold=True, size=10))
    lines += _address(party)
    if party.legal_information:
        lines.append(TextLine(party.legal_information, size=8))
    if party.siret:
        lines.append(TextLine(f"{label('siret', languages)} : {party.siret}", size=8))
    elif party.siren and not party.rcs_city:
        lines.append(TextLine(f"{label('siren', languages)} : {party.siren}", size=8))
    if party.vat_number:
        lines.append(TextLine(f"{label('vat_number', languages)} : {party.vat_number}", size=8))
    if party.email:
        lines.append(TextLine(party.email, size=8))
    return fit(lines, width)


def buyer_lines(party: Party, languages: tuple[str, ...], width: float) -> list[TextLine]:
    lines = [TextLine(label("buyer", languages).upper(), bold=True, size=7.5, grey=True)]
    lines.append(TextLine(party.name, bold=True, size=10))
    if party.contact_name:
        lines.append(TextLine(f"{label('attention', languages)} : {party.contact_name}"))
    lines += _address(party)
    if party.siren:
        lines.append(TextLine(f"{label('siren', languages)} : {party.siren}", size=8))
    if party.vat_number:
        lines.append(TextLine(f"{label('vat_number', languages)} : {party.vat_number}", size=8))
    return fit(lines, width)


def delivery_lines(place: Party | None, languages: tuple[str, ...], width: float) -> list[TextLine]:
    if place is None:
        return []
    lines = [TextLine(label("delivery_address", languages).upper(), bold=True, size=7.5, grey=True)]
    lines.append(TextLine(place.name, bold=True))
    return fit(lines + _address(place), width)


def reference_lines(snapshot: DocumentSnapshot, width: float) -> list[TextLine]:
    languages = snapshot.languages
    lines: list[TextLine] = []
    if snapshot.is_credit_note and snapshot.preceding_invoice_number:
        text = f"{label('credit_note_for', languages)} {snapshot.preceding_invoice_number}"
        if snapshot.preceding_invoice_date is not None:
            text += f" {label('of_date', languages)} {french_date(snapshot.preceding_invoice_date)}"
        lines.append(TextLine(text, bold=True, size=10))
    pairs = [
        ("order_reference", snapshot.order_reference),
        ("delivery_date", french_date(snapshot.supply_date)),
        ("billing_period", snapshot.billing_period and " – ".join(map(french_date, snapshot.billing_period))),
        ("operation_category", operation_category_text(snapshot.operation_category, languages)),
        ("due_date", snapshot.due_date and french_date(snapshot.due_date)),
        ("payment_terms", snapshot.payment_terms),
    ]
    lines += [TextLine(f"{label(key, languages)} : {value}") for key, value in pairs if value]
    return fit(lines, width)


def table_rows(snapshot: DocumentSnapshot, description_width: float) -> list[TableRow]:
    rows = []
    for line in snapshot.lines:
        details = [f"Réf. {line.sku}" if line.sku else "", f"EAN {line.ean}" if line.ean else ""]
        detail = " · ".join(part for part in details if part)
        rows.append(TableRow(line, tuple(wrap(line.description, description_width)), detail))
    return rows


def note_lines(snapshot: DocumentSnapshot, width: float) -> list[TextLine]:
    texts = list(snapshot.notes)
    texts += [text for text in snapshot.exemption_texts if text not in texts]
    reverse_charge = exemption_word(vat_categories.REVERSE_CHARGE, "")
    if any(vat.category == vat_categories.REVERSE_CHARGE for vat in snapshot.vat_breakdown) and not any(
        reverse_charge in text for text in texts
    ):
        texts.append(reverse_charge)  # 242 nonies A 13°: the exact word must be printed
    ctc = snapshot.ctc_fr
    if ctc is not None:
        texts += [ctc.late_penalty_note, ctc.recovery_indemnity_note, ctc.discount_note]
    if snapshot.vat_on_debits and snapshot.vat_on_debits_mention and snapshot.vat_on_debits_mention not in texts:
        texts.append(snapshot.vat_on_debits_mention)
    lines = []
    for text in texts:
        lines += [TextLine(part, size=8) for part in wrap(text, width, size=8)]
    if lines:
        lines.insert(0, TextLine(label("notes", snapshot.languages).upper(), bold=True, size=7.5, grey=True))
    return lines


def totals_lines(snapshot: DocumentSnapshot) -> list[tuple[str, str, bool]]:
    """(label, amount, emphasised) rows of the totals box."""
    languages = snapshot.languages
    rows = [
        (label("total_net", languages), format_eur(snapshot.total_net), False),
        (label("total_vat", languages), format_eur(snapshot.total_vat), False),
        (label("total_gross", languages), format_eur(snapshot.total_gross), True),
    ]
    if snapshot.amount_paid:
        key = "amount_refunded" if snapshot.is_credit_note else "amount_paid"
        rows.append((label(key, languages), format_eur(snapshot.amount_paid), False))
    if not snapshot.is_credit_note or snapshot.amount_due:
        rows.append((label("amount_due", languages), format_eur(snapshot.amount_due), False))
    return rows


def vat_text(snapshot: DocumentSnapshot, category: str, rate: Decimal) -> str:
    """'20 %' for taxed lines; a word ('Autoliquidation', 'Exonération', 'Non applicable') instead of the
    EN 16931 category letter otherwise (the legal reference is printed in full among the mentions)."""
    codes = [vat.exemption_reason_code for vat in snapshot.vat_breakdown if vat.category == category]
    return exemption_word(category, codes[0] if codes else "") or vat_rate_text(rate)


def paid_stamp(snapshot: DocumentSnapshot) -> str:
    """'Payée le 18/11/2026' when settled; '' otherwise."""
    if not snapshot.is_paid:
        return ""
    key = "refunded" if snapshot.is_credit_note else "paid"
    stamp = label(key, snapshot.languages)
    if snapshot.payment_date is not None:
        stamp += f" {label('on', snapshot.languages)} {french_date(snapshot.payment_date)}"
    return stamp


def plan_pages(rows: Sequence[TableRow], first_space: float, other_space: float,
               closing_height: float) -> list[list[TableRow]]:
    """Split rows over pages; the last page also needs closing_height for totals and notes."""
    pages: list[list[TableRow]] = [[]]
    space = first_space
    for row in rows:
        if row.height > space and pages[-1]:
            pages.append([])
            space = other_space
        pages[-1].append(row)
        space -= row.height
    if closing_height > space:
        # Carry the last row over so the totals never stand alone on the final page.
        pages.append([pages[-1].pop()] if len(pages[-1]) > 1 else [])
    return pages
