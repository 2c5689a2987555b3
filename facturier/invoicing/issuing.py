"""Issuing: one invoice per eligible order, numbered, frozen and queued for email in one transaction."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext_noop

from facturier.accounts.models import Seller
from facturier.core import vat_categories
from facturier.core.clock import now, paris_date
from facturier.core.db import TRANSIENT_DB_ERRORS
from facturier.core.folding import search_text
from facturier.core.stored_text import message
from facturier.documents.labels import FRENCH, FRENCH_AND_ENGLISH
from facturier.documents.snapshot import VatBreakdown
from facturier.invoicing import emails
from facturier.invoicing.drafting import SIREN_ADDRESS_SCHEME, InvoiceDraft, NotInvoiceable, build_draft
from facturier.invoicing.frozen import FrozenDocument, FrozenParty
from facturier.invoicing.models import Invoice, InvoiceLine
from facturier.invoicing.numbering import format_number, take_numbers
from facturier.invoicing.series import lock_document_series
from facturier.marketplace.dto import MarketOrder
from facturier.sales.connections import marketplace_names
from facturier.sales.models import SalesOrder
from facturier.sales.orders import load_orders
from facturier.tax.identifiers import siren_of_french_vat
from facturier.tax.regimes import vat_category_at

logger = logging.getLogger(__name__)
# Invoices issued together: one lock of the seller's series and one INSERT per table for the whole batch.
ISSUE_BATCH = 50
# Told (kind, how many) inside each issuing transaction: a counter kept there is true after any crash.
_on_issued: ContextVar[Callable[[str, int], None] | None] = ContextVar("on_issued", default=None)


@contextmanager
def counting_issued(on_issued: Callable[[str, int], None]) -> Iterator[None]:
    """Within this block, every document stored calls `on_issued(kind, count)` in the transaction that stores
    it (a context variable rather than a parameter threaded through every way of issuing a document)."""
    token = _on_issued.set(on_issued)
    try:
        yield
    finally:
        _on_issued.reset(token)


def seller_party(seller: Seller, vat_number: str) -> FrozenParty:
    """The seller as printed, plus the settings frozen with the document (débits option, reform mentions)."""
    siren = seller.siren or siren_of_french_vat(vat_number)
    french = seller.country.upper() == "FR" and bool(siren)
    return FrozenParty(
        name=seller.legal_name,
        address_lines=tuple(line for line in (seller.address_line1, seller.address_line2) if line),
        postal_code=seller.postal_code,
        city=seller.city,
        country_code=seller.country,
        vat_number=vat_number,
        siren=siren,
        siret=seller.siret,
        legal_form=seller.legal_form,
        share_capital=seller.share_capital,
        rcs_city=seller.rcs_city,
        trade_register=seller.trade_register,
        email=seller.support_email,
        electronic_address=siren if french else "",
        electronic_address_scheme=SIREN_ADDRESS_SCHEME if french else "",
        vat_on_debits=seller.vat_on_debits,
        reform_mentions=seller.reform_mentions_on(paris_date(now())),
    )


def breakdown_rows(draft: InvoiceDraft) -> tuple[VatBreakdown, ...]:
    regime = draft.regime
    exempt = regime.category not in vat_categories.CHARGED
    return tuple(
        VatBreakdown(
            category=vat_category_at(regime, total.rate),
            rate=total.rate,
            taxable_amount=total.taxable_amount,
            tax_amount=total.tax_amount,
            exemption_reason=regime.exemption_text if exempt else "",
            exemption_reason_code=regime.exemption_code if exempt else "",
        )
        for total in draft.allocation.totals
    )


def sku_rates(seller: Seller) -> dict[str, Decimal]:
    return dict(seller.sku_rates.values_list("key", "rate"))


@dataclass
class IssueBatch:
    issued: list[Invoice] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def issue_invoices(orders: list[SalesOrder]) -> IssueBatch:
    """Issue the invoices of many orders: per seller and connection, one lock of the series and one INSERT per table.

    An order that cannot be drafted is recorded with its reason and the others go on; if the database refuses
    the batch, each order is issued on its own so that only the faulty one is left out.
    """
    batch = IssueBatch()
    by_seller: dict[int, list[SalesOrder]] = {}
    for order in orders:
        by_seller.setdefault(order.seller_id, []).append(order)
    for seller_orders in by_seller.values():
        drafts = _drafts(seller_orders, batch.errors)
        # One series lock per connection: a seller numbering per marketplace has a series for each.
        by_connection: dict[int | None, list[tuple[SalesOrder, InvoiceDraft]]] = {}
        for order, draft in drafts:
            by_connection.setdefault(order.connection_id, []).append((order, draft))
        for connection_drafts in by_connection.values():
            _store_batch(seller_orders[0].seller, connection_drafts, batch)
    return batch


def draft_for(order: SalesOrder, market_order: MarketOrder, rates: dict[str, Decimal]) -> InvoiceDraft | None:
    """The content of the order's invoice; None (and the order marked with the reason) when it has none."""
    try:
        # The stored shipping date is the date of supply (sales.eligibility.date_of_supply).
        return build_draft(order.seller, market_order, rates, supplied_at=market_order.shipped_at)
    except NotInvoiceable as exc:
        _mark_not_invoiceable(order, SalesOrder.NOT_INVOICEABLE, exc.message)
        return None


def _drafts(orders: list[SalesOrder], errors: list[str]) -> list[tuple[SalesOrder, InvoiceDraft]]:
    invoiced = set(
        Invoice.objects.filter(order__in=orders, kind=Invoice.KIND_INVOICE).values_list("order_id", flat=True)
    )
    # An order recorded invalid (its data unreadable, or issuing failed on it) waits for the marketplace's next copy.
    invalid = set(
        SalesOrder.objects.filter(pk__in=[order.pk for order in orders], eligibility=SalesOrder.INVALID).values_list(
            "pk", flat=True
        )
    )
    rates = sku_rates(orders[0].seller)
    normalized = load_orders(order.pk for order in orders if order.pk not in invoiced | invalid)
    drafts = []
    for order in orders:
        if order.pk in invoiced or order.pk in invalid:
            continue
        try:
            draft = draft_for(order, normalized[order.pk], rates)
        except Exception as exc:  # a defect on one order is recorded and never blocks the others
            logger.exception("invoice could not be drafted", extra={"order_id": order.order_id})
            _mark_unworkable(order, exc)
            errors.append(f"{order.order_id} : {exc}")
            continue
        if draft is not None:
            drafts.append((order, draft))
    return drafts


def _store_batch(seller: Seller, drafts: list[tuple[SalesOrder, InvoiceDraft]], batch: IssueBatch) -> None:
    """Store the invoices of orders read through one connection."""
    orders = [order for order, _draft in drafts]
    connection_id = orders[0].connection_id
    names = marketplace_names(orders)
    documents = [(_invoice_fields(order, draft, names[order.pk]), _draft_lines(draft)) for order, draft in drafts]
    try:
        batch.issued += persist_documents(
            seller, Invoice.KIND_INVOICE, documents, already_issued=_issued_among(orders), connection_id=connection_id
        )
    except TRANSIENT_DB_ERRORS:
        raise
    except Exception:  # the whole batch was rolled back: issue one by one, so only the faulty order is left out
        logger.exception("invoice batch refused, issuing one by one", extra={"seller_id": seller.pk})
        for order, document in zip(orders, documents, strict=True):
            try:
                batch.issued += persist_documents(
                    seller,
                    Invoice.KIND_INVOICE,
                    [document],
                    already_issued=_issued_among([order]),
                    connection_id=connection_id,
                )
            except TRANSIENT_DB_ERRORS:
                raise
            except Exception as exc:
                logger.exception("invoice could not be stored", extra={"order_id": order.order_id})
                _mark_unworkable(order, exc)
                batch.errors.append(f"{order.order_id} : {exc}")


def _issued_among(orders: list[SalesOrder]) -> Callable[[range], set[int]]:
    """For persist_documents: the positions in `orders` of the orders that have their invoice already."""

    def already_issued(indexes: range) -> set[int]:
        positions = {orders[i].pk: i for i in indexes}
        found = Invoice.objects.filter(order_id__in=list(positions), kind=Invoice.KIND_INVOICE)
        return {positions[order_id] for order_id in found.values_list("order_id", flat=True)}

    return already_issued


def _mark_not_invoiceable(order: SalesOrder, eligibility: str, reason: str, unworkable_digest: str = "") -> None:
    SalesOrder.objects.filter(pk=order.pk).update(
        eligibility=eligibility, reason=reason, unworkable_digest=unworkable_digest
    )
    logger.info("order not invoiceable", extra={"order_id": order.order_id, "reason": reason})


def _mark_unworkable(order: SalesOrder, exc: Exception) -> None:
    """Issuing failed on this order alone, for what it contains: it leaves the eligible state with the reason,
    shown on the order (a later sync reads it again, see sales.sync.invalid_orders_again)."""
    reason = message(
        gettext_noop(
            "La facture n'a pas pu être établie : erreur interne « %(error)s ». Elle sera tentée à nouveau dès que "
            "la marketplace enverra d'autres données pour cette commande."
        ),
        error=str(exc),
    ).stored()
    digest = SalesOrder.objects.filter(pk=order.pk).values_list("content_digest", flat=True).first() or ""
    _mark_not_invoiceable(order, SalesOrder.INVALID, reason, unworkable_digest=digest)


def _invoice_fields(order: SalesOrder, draft: InvoiceDraft, marketplace_name: str) -> dict:
    seller = order.seller
    allocation = draft.allocation
    return {
        "order": order,
        "marketplace_name": marketplace_name,
        "delivery_date": supply_date(order, draft),
        "payment_date": draft.payment_date or (paris_date(order.placed_at) if order.placed_at else None),
        "language": FRENCH_AND_ENGLISH if seller.english_translation else FRENCH,
        "vat_case": draft.regime.case,
        **FrozenDocument(
            seller=seller_party(seller, draft.seller_vat_number),
            buyer=draft.buyer,
            delivery=draft.delivery,
            vat_breakdown=breakdown_rows(draft),
        ).to_fields(),
        "notes": list(draft.notes),
        "total_net": allocation.total_net,
        "total_vat": allocation.total_vat,
        "total_gross": allocation.total_gross,
        "amount_paid": allocation.total_gross,
    }


def supply_date(order: SalesOrder, draft: InvoiceDraft):
    """The date of supply (BT-72), never empty: the stored shipping date (sync's rule), else what the order's
    data says, else the issue date (nothing at all is known)."""
    if order.shipped_at is not None:
        return paris_date(order.shipped_at)
    return draft.delivery_date or paris_date(now())


def _draft_lines(draft: InvoiceDraft) -> list[dict]:
    return [_line_fields(line, vat_category_at(draft.regime, line.net.rate)) for line in draft.lines]


def persist_document(
    seller: Seller, kind: str, fields: dict, lines: list[dict], *, duplicate, connection_id: int | None
) -> Invoice:
    """Number, store and queue one document atomically; `duplicate` finds the one that may exist already."""
    issued = persist_documents(
        seller,
        kind,
        [(fields, lines)],
        already_issued=lambda _indexes: {0} if duplicate.exists() else set(),
        connection_id=connection_id,
    )
    return issued[0] if issued else duplicate.get()


def persist_documents(
    seller: Seller,
    kind: str,
    documents: list[tuple[dict, list[dict]]],
    *,
    already_issued: Callable[[range], set[int]],
    connection_id: int | None,
) -> list[Invoice]:
    """Number, store and queue documents of one series atomically; return those stored.

    The series is the seller's, or the connection's when the seller numbers per marketplace (invoicing.series).
    `already_issued(indexes)` names the documents that exist already; it runs under the series lock, so a
    concurrent issuer that committed first is seen there and nothing is issued twice.
    """
    moment = now()
    with transaction.atomic():
        chosen, series = lock_document_series(seller.pk, kind, connection_id)
        # Re-checked under the series lock: a concurrent issuer that committed first is seen here.
        skipped = already_issued(range(len(documents)))
        kept = [document for index, document in enumerate(documents) if index not in skipped]
        if not kept:
            return []
        first = take_numbers(series, len(kept))
        invoices = [
            _new_document(seller, kind, chosen.key, first + offset, chosen.prefix, fields, moment)
            for offset, (fields, _lines) in enumerate(kept)
        ]
        for invoice, (_fields, lines) in zip(invoices, kept, strict=True):
            invoice.search_text = invoice_search_text(invoice, lines)
        Invoice.objects.bulk_create(invoices)
        InvoiceLine.objects.bulk_create(
            InvoiceLine(invoice=invoice, position=position, **line)
            for invoice, (_fields, lines) in zip(invoices, kept, strict=True)
            for position, line in enumerate(lines, start=1)
        )
        emails.queue_document_emails(invoices)
        if on_issued := _on_issued.get():
            on_issued(kind, len(invoices))
        _after_issue([invoice.pk for invoice in invoices])
    return invoices


def _new_document(seller, kind, key, sequence, prefix, fields, moment) -> Invoice:
    return Invoice(
        seller=seller,
        kind=kind,
        number=format_number(prefix, sequence),
        sequence=sequence,
        series_key=key,
        issued_at=moment,
        issue_date=paris_date(moment),
        order_reference=fields["order"].order_id,
        buyer_name=fields["buyer_snapshot"]["name"][:200],
        buyer_email=fields["buyer_snapshot"].get("email", "")[:254],
        # Credit notes too: the upload leaves with the seller those the order's marketplace does not take.
        upload_status=Invoice.UPLOAD_PENDING if seller.upload_to_marketplace else Invoice.UPLOAD_DISABLED,
        **fields,
    )


def invoice_search_text(invoice: Invoice, lines) -> str:
    buyer = invoice.buyer_snapshot or {}
    return search_text([
        invoice.number, invoice.order_reference, invoice.buyer_name, invoice.buyer_email,
        buyer.get("name", ""), buyer.get("contact_name", ""), buyer.get("email", ""),
        *(line.get("sku", "") for line in lines), *(line.get("description", "") for line in lines),
    ])  # fmt: skip


def _line_fields(line, category: str) -> dict:
    return {
        "kind": line.kind,
        "description": line.description[:500],
        "sku": line.sku[:100],
        "ean": line.ean[:20],
        "marketplace_line_id": line.key if line.kind == InvoiceLine.KIND_GOODS else "",
        "quantity": line.quantity,
        "unit_net_price": line.net.unit_net_price,
        "net_amount": line.net.net_amount,
        "gross_amount": line.net.gross_amount,
        "vat_category": category,
        "vat_rate": line.net.rate,
        "rate_source": line.rate_source or None,
    }


def _after_issue(invoice_ids: list[int]) -> None:
    """Render the documents once the transaction that issues them commits."""
    from facturier.invoicing.tasks import render_invoices_task

    render_invoices_task.delay_on_commit(invoice_ids)
