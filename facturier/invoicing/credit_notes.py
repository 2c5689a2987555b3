"""Credit notes (CGI 289 I-5): money given back after invoicing is documented by a credit note that refers to
the original invoice's number and date; the invoice itself is never touched.

Which lines a credit note credits:
- a cancellation or a return (or any refund naming the marketplace line ids) credits exactly those lines (all
  the goods lines when it names none: the whole order) at their own rates, and what was refunded beyond them
  (their shipping) on the shipping of the same rates; fewer units of a line are credited as that many units
  when the amount is a whole number of them, otherwise exactly the amount on that line's rate
  (`tax.refund_lines`);
- only an amount-only refund (a commercial gesture naming no line) is spread pro rata over every line, so
  over the invoice's rates (`tax.allocation.allocate_refund`).
Each credit-note line says what happened (cancellation, return, commercial gesture) and on which original
line; the credit note's total incl. VAT is exactly the amount refunded.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from django.db import IntegrityError

from facturier.core.money import format_eur
from facturier.documents.labels import LABELS, document_languages, label
from facturier.documents.snapshot import VatBreakdown
from facturier.invoicing.frozen import FrozenDocument
from facturier.invoicing.issuing import persist_document, seller_party
from facturier.invoicing.models import Invoice, InvoiceLine
from facturier.sales.models import RefundRecord, SalesOrder
from facturier.tax.allocation import Allocation, AllocationError, NetLine, allocate_refund, allocate_refund_parts
from facturier.tax.refund_lines import split_line_refund

REFUND_KINDS = frozenset({"commercial_gesture", "cancellation", "return"})
# Refunds that give back goods: naming no line, they are about the whole order (goods first, then shipping).
WHOLE_ORDER_KINDS = frozenset({"cancellation", "return"})


def _key(position: int) -> str:
    return f"L{position}"


def invoice_allocation(invoice: Invoice) -> Allocation:
    lines = tuple(
        NetLine(
            _key(line.position), line.quantity, line.vat_rate, line.net_amount, line.unit_net_price, line.gross_amount
        )
        for line in invoice.lines.all()
    )
    return Allocation(
        lines=lines,
        totals=(),
        total_net=invoice.total_net,
        total_vat=invoice.total_vat,
        total_gross=invoice.total_gross,
    )


def previous_allocations(invoice: Invoice) -> list[Allocation]:
    allocations = []
    for credit_note in invoice.credit_notes.prefetch_related("lines"):
        lines = tuple(
            NetLine(
                _key(line.credited_position),
                line.quantity,
                line.vat_rate,
                line.net_amount,
                line.unit_net_price,
                line.gross_amount,
            )
            for line in credit_note.lines.all()
        )
        allocations.append(Allocation(lines, (), credit_note.total_net, credit_note.total_vat, credit_note.total_gross))
    return allocations


def refunded_keys(invoice: Invoice, refund: RefundRecord) -> list[str] | None:
    """Keys of the goods lines the refund is about: those it names, every one for a whole-order cancellation
    or return; None for an amount-only refund (a commercial gesture naming no line)."""
    goods = [line for line in invoice.lines.all() if line.kind == InvoiceLine.KIND_GOODS]
    if not refund.line_ids:
        return [_key(line.position) for line in goods] if refund.kind in WHOLE_ORDER_KINDS else None
    wanted = {str(line_id) for line_id in refund.line_ids}
    return [_key(line.position) for line in goods if line.marketplace_line_id in wanted]


def _settle(refund: RefundRecord, state: str, reason: str = "") -> None:
    RefundRecord.objects.filter(pk=refund.pk).update(state=state, state_reason=reason)


def issue_credit_note(refund: RefundRecord) -> Invoice | None:
    """The credit note of this refund, issued now unless it exists; None while it cannot (reason recorded)."""
    order = (
        refund.order or SalesOrder.objects.filter(seller=refund.seller, order_id=refund.marketplace_order_id).first()
    )
    invoice = Invoice.objects.filter(order=order, kind=Invoice.KIND_INVOICE).first() if order else None
    if invoice is None:
        if order is None or order.eligibility != SalesOrder.ELIGIBLE:
            _settle(refund, RefundRecord.IGNORED, "Commande jamais facturée : aucun avoir n'est dû.")
        return None
    keys = refunded_keys(invoice, refund)
    if keys == []:
        lines = ", ".join(str(line_id) for line_id in refund.line_ids)
        _settle(refund, RefundRecord.IGNORED, f"Ligne(s) {lines} absente(s) de la facture {invoice.number}.")
        return None
    try:
        allocation = _refund_allocation(invoice, refund, keys)
    except AllocationError:
        what = "des lignes remboursées et de leurs frais de port" if keys else "de la facture"
        _settle(
            refund,
            RefundRecord.IGNORED,
            f"Remboursement de {format_eur(refund.amount_gross)} supérieur au reste {what} "
            f"(facture {invoice.number}).",
        )
        return None
    try:
        credit_note = _store(invoice, refund, allocation)
    except IntegrityError:
        credit_note = Invoice.objects.get(refund=refund)
    _settle(refund, RefundRecord.CREDITED)
    return credit_note


def _refund_allocation(invoice: Invoice, refund: RefundRecord, keys: list[str] | None) -> Allocation:
    original = invoice_allocation(invoice)
    previous = previous_allocations(invoice)
    if keys is None:
        return allocate_refund(original, refund.amount_gross, None, previous_refunds=previous)
    shipping = [_key(line.position) for line in invoice.lines.all() if line.kind == InvoiceLine.KIND_SHIPPING]
    split = split_line_refund(original, refund.amount_gross, keys, shipping, previous_refunds=previous)
    return allocate_refund_parts(original, split.parts, quantities=split.quantities, previous_refunds=previous)


def _store(invoice: Invoice, refund: RefundRecord, allocation: Allocation) -> Invoice:
    originals = {_key(line.position): line for line in invoice.lines.all()}
    frozen = FrozenDocument.of(invoice)
    fields = {
        "order": invoice.order,
        "refund": refund,
        "credited_invoice": invoice,
        "marketplace_name": invoice.marketplace_name,
        "delivery_date": invoice.delivery_date,
        "language": invoice.language,
        "vat_case": invoice.vat_case,
        **replace(
            frozen,
            seller=seller_party(invoice.seller, frozen.seller.vat_number),
            vat_breakdown=_breakdown(frozen.vat_breakdown, allocation),
        ).to_fields(),
        "notes": [_reference_note(invoice, refund), *invoice.notes],
        "total_net": allocation.total_net,
        "total_vat": allocation.total_vat,
        "total_gross": allocation.total_gross,
        "amount_paid": allocation.total_gross,
    }
    what = label(_refund_label_key(refund), document_languages(invoice.language))
    lines = [_line(originals[net.key], net, what) for net in allocation.lines]
    duplicate = Invoice.objects.filter(refund=refund)
    # In its invoice's marketplace series when the seller numbers per marketplace.
    return persist_document(
        invoice.seller, Invoice.KIND_CREDIT_NOTE, fields, lines, duplicate=duplicate,
        connection_id=invoice.order.connection_id,
    )  # fmt: skip


def _refund_label_key(refund: RefundRecord) -> str:
    return f"refund_{refund.kind}" if refund.kind in REFUND_KINDS else "refund"


def _reference_note(invoice: Invoice, refund: RefundRecord) -> str:
    french, english = LABELS[_refund_label_key(refund)]
    day = _fr_date(invoice.issue_date)
    note = f"{french} – avoir sur la facture n° {invoice.number} du {day}."
    if "en" in document_languages(invoice.language):
        note += f" / {english} – credit note for invoice No. {invoice.number} of {day}."
    return note


def _fr_date(day: date) -> str:
    return f"{day:%d/%m/%Y}"


def _breakdown(invoiced: tuple[VatBreakdown, ...], allocation: Allocation) -> tuple[VatBreakdown, ...]:
    """The credited amounts per rate, with the category and exemption of the invoice's row at that rate."""
    template = {row.rate: row for row in invoiced}
    return tuple(
        replace(
            template[total.rate], rate=total.rate, taxable_amount=total.taxable_amount, tax_amount=total.tax_amount
        )
        for total in allocation.totals
    )


def _line(original: InvoiceLine, net: NetLine, what: str) -> dict:
    return {
        "kind": original.kind,
        "description": f"{what} – {original.description}"[:500],
        "sku": original.sku,
        "ean": original.ean,
        "marketplace_line_id": original.marketplace_line_id,
        "credited_position": original.position,
        "quantity": net.quantity,
        "unit_net_price": net.unit_net_price,
        "net_amount": net.net_amount,
        "gross_amount": net.gross_amount,
        "vat_category": original.vat_category,
        "vat_rate": net.rate,
    }
