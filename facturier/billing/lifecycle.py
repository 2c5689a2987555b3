"""Subscription lifecycle: unsubscribe (read-only download window), then purge once the window has ended.

The purge keeps only what Facturier itself must keep: the seller row (status 'purged', its legal identity),
Facturier's own fee invoices and their files, the usage still to bill (frozen first) and the billing
mandate. It is crash-safe and rerunnable: the seller goes to 'purging' (usage frozen) in one transaction,
then the files are deleted (before the rows that name them), then the rows and the final 'purged' state go
in one transaction. A seller left in 'purging' by a crash is picked up again by the next run.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q, QuerySet

from facturier.accounts.models import AccountingSettings, ApiToken, MarketplaceConnection, Seller, SkuVatRate, User
from facturier.billing.models import FeeInvoice, FrozenUsage
from facturier.billing.usage import live_invoice_count, next_month
from facturier.core import clock
from facturier.invoicing.models import Invoice, InvoiceSeries
from facturier.outbox.models import OutgoingEmail
from facturier.sales.models import RefundRecord, SalesOrder, SyncRun

logger = logging.getLogger(__name__)


def download_deadline(unsubscribed_at: datetime) -> datetime:
    """Until when an unsubscribed seller's documents stay downloadable (the portal announces it beforehand)."""
    return unsubscribed_at + timedelta(days=settings.FACTURIER_DOWNLOAD_WINDOW_DAYS)


def unsubscribe(seller: Seller, *, at: datetime | None = None) -> Seller:
    """Stop the subscription now (or `at`): syncing stops, the portal stays readable for the download window."""
    moment = at or clock.now()
    with transaction.atomic():
        locked = Seller.objects.select_for_update().get(pk=seller.pk)
        if locked.status == Seller.STATUS_ACTIVE:
            Seller.objects.filter(pk=seller.pk).update(
                status=Seller.STATUS_UNSUBSCRIBED,
                unsubscribed_at=moment,
                download_until=download_deadline(moment),
            )
            # The marketplace account is free again: its owner may link it to another Facturier account.
            MarketplaceConnection.objects.filter(seller=seller).update(holds_account=False)
    seller.refresh_from_db()
    return seller


def purge_expired(*, now: datetime | None = None) -> int:
    """Purge every unsubscribed seller whose download window has ended (and resume interrupted purges)."""
    moment = now or clock.now()
    due = Seller.objects.filter(
        Q(status=Seller.STATUS_UNSUBSCRIBED, download_until__lte=moment) | Q(status=Seller.STATUS_PURGING)
    )
    purged = 0
    for seller_id in due.order_by("pk").values_list("pk", flat=True):
        if purge_seller(seller_id, now=moment):
            purged += 1
    return purged


def purge_seller(seller_id: int, *, now: datetime) -> bool:
    if not _start_purge(seller_id, now):
        return False
    _delete_files(seller_id)
    _delete_rows(seller_id, now)
    logger.info("seller purged", extra={"seller_id": seller_id})
    return True


def _start_purge(seller_id: int, moment: datetime) -> bool:
    with transaction.atomic():
        seller = Seller.objects.select_for_update().get(pk=seller_id)
        if seller.status == Seller.STATUS_PURGING:
            return True
        window_over = seller.download_until is not None and seller.download_until <= moment
        if seller.status != Seller.STATUS_UNSUBSCRIBED or not window_over:
            return False
        _freeze_usage(seller)
        Seller.objects.filter(pk=seller_id).update(status=Seller.STATUS_PURGING)
    return True


def subscribed_months(seller: Seller) -> list[date]:
    month = clock.paris_date(seller.registered_at).replace(day=1)
    last = clock.paris_date(seller.unsubscribed_at or clock.now()).replace(day=1)
    months = []
    while month <= last:
        months.append(month)
        month = next_month(month)
    return months


def _freeze_usage(seller: Seller) -> None:
    """Count, while the invoices still exist, every subscribed month not billed yet: billing needs it later."""
    billed = set(FeeInvoice.objects.filter(seller=seller).values_list("month", flat=True))
    billed |= set(FrozenUsage.objects.filter(seller=seller).values_list("month", flat=True))
    FrozenUsage.objects.bulk_create(
        FrozenUsage(seller=seller, month=month, invoice_count=live_invoice_count(seller, month))
        for month in subscribed_months(seller)
        if month not in billed
    )


def _delete_files(seller_id: int) -> None:
    names = [name for name in Invoice.objects.filter(seller_id=seller_id).values_list("pdf", flat=True) if name]
    logo = Seller.objects.values_list("logo", flat=True).get(pk=seller_id)
    for name in [*names, *([logo] if logo else [])]:
        default_storage.delete(name)
    _sweep(f"invoices/{seller_id}")  # files a crashed renderer stored without attaching them


def _sweep(directory: str) -> None:
    try:
        directories, files = default_storage.listdir(directory)
    except (FileNotFoundError, NotADirectoryError):
        return
    for name in files:
        default_storage.delete(f"{directory}/{name}")
    for name in directories:
        _sweep(f"{directory}/{name}")


def _delete_rows(seller_id: int, moment: datetime) -> None:
    with transaction.atomic():
        invoices = Invoice.objects.filter(seller_id=seller_id)
        # The immutable invoice querysets refuse delete(); the database triggers allow it while 'purging'.
        QuerySet.delete(invoices.filter(kind=Invoice.KIND_CREDIT_NOTE))
        QuerySet.delete(invoices)
        for model in (RefundRecord, SalesOrder, SyncRun, MarketplaceConnection, ApiToken, SkuVatRate,
                      OutgoingEmail, InvoiceSeries, AccountingSettings):
            model.objects.filter(seller_id=seller_id).delete()
        Seller.objects.filter(pk=seller_id).update(status=Seller.STATUS_PURGED, purged_at=moment, logo="")
        _deactivate_owner(seller_id)


def _deactivate_owner(seller_id: int) -> None:
    # The e-mail address stays: Facturier may still have to send (and collect) a last fee invoice.
    owner = User.objects.get(seller__pk=seller_id)
    owner.is_active = False
    owner.set_unusable_password()
    owner.save(update_fields=["is_active", "password"])
