"""Monthly fee billing: one fee invoice per seller and month, numbered in Facturier's own gapless series.

Each seller is billed in its own transaction: the number is allocated from the locked counter row, the row
inserted and its e-mail queued (held) together, so a crash rolls everything back (the number included) and a
rerun bills exactly the sellers still missing. The unique (seller, month) constraint, re-checked under the
series lock, makes reruns and concurrent runs harmless.

Once issued, the fee invoices are rendered after commit by the path every document takes (billing.rendering ->
invoicing.rendering), which stores the file and then releases the held e-mail with it attached. A crash or a
rendering failure between the two leaves an issued fee invoice without its file: the rendering sweeper
(billing.tasks.render_missing_fee_invoices_task) or the next run of the month renders it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction

from facturier.accounts.models import Seller
from facturier.billing import fee_document
from facturier.billing.emails import queue_fee_email
from facturier.billing.models import BillingRun, FeeInvoice
from facturier.billing.rendering import render_fee_invoices
from facturier.billing.tiers import fee_for
from facturier.billing.usage import count_invoices, first_day, next_month, subscribed_sellers
from facturier.core.clock import now, paris_date, today_in_paris
from facturier.core.db import in_batches
from facturier.core.errors import FacturierError
from facturier.invoicing.numbering import allocate_sequence, format_number
from facturier.invoicing.rendering import RENDER_BATCH
from facturier.tax.fees import fee_amounts

logger = logging.getLogger(__name__)

SERIES_KEY = "facturier:fee"
NUMBER_PREFIX = "FCT-"

ISSUED = "issued"
ALREADY_BILLED = "already_billed"
PLANNED = "planned"
FAILED = "error"


class BillingError(FacturierError):
    pass


@dataclass(frozen=True)
class SellerBilling:
    seller_id: int
    seller_name: str
    outcome: str
    invoice_count: int | None = None
    tier_label: str = ""
    amount_excl_vat: Decimal | None = None
    total_incl_vat: Decimal | None = None
    number: str = ""
    error: str = ""


@dataclass(frozen=True)
class BillingReport:
    month: date
    dry_run: bool
    lines: tuple[SellerBilling, ...]
    run_id: int | None = None
    unrendered: int = 0  # issued fee invoices of the month still without their file (the sweeper renders them)

    def count(self, outcome: str) -> int:
        return sum(1 for line in self.lines if line.outcome == outcome)

    @property
    def issued(self) -> int:
        return self.count(ISSUED)

    @property
    def errors(self) -> tuple[SellerBilling, ...]:
        return tuple(line for line in self.lines if line.outcome == FAILED)


def run_monthly_billing(month: date, *, dry_run: bool = False) -> BillingReport:
    """Bill every seller subscribed at any time in `month` (first day); dry_run computes and writes nothing."""
    month = _checked_month(month, dry_run=dry_run)
    sellers = list(subscribed_sellers(month).select_related("owner"))
    if dry_run:
        return BillingReport(month, True, tuple(_planned(seller, month) for seller in sellers))
    run = BillingRun.objects.create(month=month, sellers_considered=len(sellers))
    lines = tuple(_bill_one(seller, month) for seller in sellers)
    report = BillingReport(month, False, lines, run.pk, unrendered=render_month(month))
    BillingRun.objects.filter(pk=run.pk).update(
        finished_at=now(),
        invoices_issued=report.issued,
        already_billed=report.count(ALREADY_BILLED),
        error_count=len(report.errors),
        errors=[{"seller_id": line.seller_id, "error": line.error} for line in report.errors],
    )
    return report


def _checked_month(month: date, *, dry_run: bool) -> date:
    if month.day != 1:
        raise BillingError(f"Le mois facturé se désigne par son premier jour, pas le {month:%d/%m/%Y}.")
    if not dry_run and next_month(month) > today_in_paris():
        raise BillingError(f"Le mois {month:%Y-%m} n'est pas terminé : il ne peut pas encore être facturé.")
    return first_day(month)


def _planned(seller: Seller, month: date) -> SellerBilling:
    existing = FeeInvoice.objects.filter(seller=seller, month=month).first()
    if existing:
        return _line_for(existing, ALREADY_BILLED)
    try:
        count = count_invoices(seller, month)
        tier = fee_for(count, month)
    except FacturierError as error:
        return SellerBilling(seller.pk, seller.legal_name, FAILED, error=error.message)
    amounts = fee_amounts(tier.amount_excl_vat, fee_document.fee_vat(seller))
    return SellerBilling(
        seller.pk, seller.legal_name, PLANNED, count, tier.label, amounts.excl_vat, amounts.total
    )


def _bill_one(seller: Seller, month: date) -> SellerBilling:
    try:
        fee, created = issue_fee_invoice(seller.pk, month)
    except Exception as error:  # one seller's failure must not stop the others; the rerun retries it
        logger.exception("fee invoice failed", extra={"seller_id": seller.pk, "month": f"{month:%Y-%m}"})
        message = error.message if isinstance(error, FacturierError) else f"{type(error).__name__}: {error}"
        return SellerBilling(seller.pk, seller.legal_name, FAILED, error=message)
    return _line_for(fee, ISSUED if created else ALREADY_BILLED)


def _line_for(fee: FeeInvoice, outcome: str) -> SellerBilling:
    return SellerBilling(
        seller_id=fee.seller_id,
        seller_name=fee.buyer_snapshot["name"],
        outcome=outcome,
        invoice_count=fee.invoice_count,
        tier_label=fee.tier_label,
        amount_excl_vat=fee.amount_excl_vat,
        total_incl_vat=fee.total_incl_vat,
        number=fee.number,
    )


def render_month(month: date) -> int:
    """Render the month's fee invoices still without their file (this run's, and any a crash left), after their
    issue committed; return how many are still without it (a rendering failure, logged)."""
    pending = list(FeeInvoice.objects.filter(month=month, pdf="").order_by("pk").values_list("pk", flat=True))
    rendered = sum(render_fee_invoices(batch) for batch in in_batches(pending, RENDER_BATCH))
    return len(pending) - rendered


def issue_fee_invoice(seller_id: int, month: date) -> tuple[FeeInvoice, bool]:
    """The seller's fee invoice for `month`, issued now unless it exists; (invoice, created). The document is
    rendered after commit (`render_month`, or the rendering sweeper)."""
    existing = FeeInvoice.objects.filter(seller_id=seller_id, month=month).first()
    if existing:
        return existing, False
    try:
        return _issue_locked(seller_id, month)
    except IntegrityError:
        return FeeInvoice.objects.get(seller_id=seller_id, month=month), False


def _issue_locked(seller_id: int, month: date) -> tuple[FeeInvoice, bool]:
    with transaction.atomic():
        # The seller lock orders billing against the purge, which freezes usage under the same lock.
        seller = Seller.objects.select_for_update().select_related("owner").get(pk=seller_id)
        sequence = allocate_sequence(SERIES_KEY)
        # Re-checked under the series lock: a concurrent run that committed first is seen here.
        existing = FeeInvoice.objects.filter(seller=seller, month=month).first()
        if existing:
            transaction.set_rollback(True)
            return existing, False
        fee = draft_fee_invoice(seller, month, sequence)
        fee.save()
        queue_fee_email(fee)
    return fee, True


def draft_fee_invoice(seller: Seller, month: date, sequence: int) -> FeeInvoice:
    moment = now()
    issue_date = paris_date(moment)
    count = count_invoices(seller, month)
    tier = fee_for(count, month)
    vat = fee_document.fee_vat(seller)
    amounts = fee_amounts(tier.amount_excl_vat, vat)
    return FeeInvoice(
        seller=seller,
        month=month,
        number=format_number(NUMBER_PREFIX, sequence),
        sequence=sequence,
        issued_at=moment,
        issue_date=issue_date,
        due_date=fee_document.due_date_for(issue_date),
        invoice_count=count,
        tier_label=tier.label,
        vat_case=vat.case,
        vat_rate=amounts.vat_rate,
        amount_excl_vat=amounts.excl_vat,
        vat_amount=amounts.vat,
        total_incl_vat=amounts.total,
        operator_snapshot=fee_document.operator_party().to_json(),
        buyer_snapshot=fee_document.buyer_party(seller, vat).to_json(),
        notes=fee_document.notes_for(vat.case),
    )
