"""Pull a seller's orders and refunds from the marketplace into our tables, incrementally and idempotently.

The cursor only moves forward after a complete pass, and each read starts an overlap before it, so an API
failure mid-run loses nothing: the next run reads the same window again and the upserts make that harmless.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction

from facturier.accounts.models import MarketplaceConnection, Seller
from facturier.core.clock import now
from facturier.marketplace.dto import MalformedOrder, MarketOrder, RefundEvent
from facturier.marketplace.errors import CredentialsRejected, MarketplaceError
from facturier.sales import connection_status
from facturier.sales.connector import client_for
from facturier.sales.eligibility import classify
from facturier.sales.models import RefundRecord, SalesOrder, SyncRun

logger = logging.getLogger(__name__)
CURSOR_OVERLAP = timedelta(hours=1)
# The first pass also reads a month before the backfill window, so the seller sees why those orders are left out.
FIRST_PASS_LOOKBACK = timedelta(days=30)


@dataclass
class PassResult:
    seen: int = 0
    eligible: int = 0
    malformed: int = 0
    newest: datetime | None = None
    errors: list[str] = field(default_factory=list)

    def saw(self, moment: datetime | None) -> None:
        if moment and (self.newest is None or moment > self.newest):
            self.newest = moment


def window_start(cursor: datetime | None, seller: Seller) -> datetime:
    return cursor - CURSOR_OVERLAP if cursor else seller.backfill_start - FIRST_PASS_LOOKBACK


def sync_seller(seller: Seller, *, trigger: str = "schedule", client=None) -> SyncRun:
    run = SyncRun.objects.create(seller=seller, trigger=trigger)
    connection = MarketplaceConnection.objects.get(seller=seller)
    client = client or client_for(connection)
    try:
        orders = pull_orders(seller, connection, client)
        refunds = pull_refunds(seller, connection, client)
    except CredentialsRejected as exc:
        connection_status.mark_rejected(connection, exc.message)
        return finish(run, SyncRun.FAILED, f"Identifiants refusés par la marketplace : {exc.message}")
    except MarketplaceError as exc:
        connection_status.mark_unavailable(connection, exc.message)
        return finish(run, SyncRun.FAILED, f"Marketplace indisponible, reprise au prochain passage : {exc.message}")
    connection_status.mark_ok(connection)
    run.orders_seen, run.orders_eligible, run.orders_malformed = orders.seen, orders.eligible, orders.malformed
    run.refunds_seen = refunds.seen
    return finish(run, SyncRun.SUCCEEDED, "\n".join(orders.errors + refunds.errors))


def finish(run: SyncRun, status: str, message: str) -> SyncRun:
    run.status, run.message, run.finished_at = status, message, now()
    run.save()
    return run


def pull_orders(seller: Seller, connection: MarketplaceConnection, client) -> PassResult:
    result = PassResult()
    for order in client.iter_orders(updated_at_min=window_start(connection.orders_cursor, seller)):
        result.seen += 1
        try:
            verdict = record_order(seller, order)
        except Exception as exc:  # one bad order never stops the others
            logger.exception("order could not be recorded", extra={"order_id": getattr(order, "order_id", "")})
            result.errors.append(f"{getattr(order, 'order_id', '?')} : {exc}")
            continue
        result.eligible += verdict == SalesOrder.ELIGIBLE
        result.malformed += verdict == SalesOrder.INVALID
        if isinstance(order, MarketOrder):
            result.saw(order.updated_at)
    if result.newest:
        MarketplaceConnection.objects.filter(pk=connection.pk).update(orders_cursor=result.newest)
    return result


def record_order(seller: Seller, order: MarketOrder | MalformedOrder) -> str:
    verdict = classify(order, backfill_start=seller.backfill_start)
    values = {
        "eligibility": verdict.eligibility,
        "reason": verdict.reason,
        "raw": dict(order.raw),
        "last_seen_at": now(),
    }
    if isinstance(order, MarketOrder):
        values.update(
            status=order.status,
            placed_at=order.purchased_at or order.created_at,
            shipped_at=order.shipped_at,
            marketplace_updated_at=order.updated_at,
        )
    with transaction.atomic():
        existing = SalesOrder.objects.select_for_update().filter(seller=seller, order_id=order.order_id).first()
        if existing is None:
            _create_order(seller, order.order_id, values)
        elif not existing.invoices.exists() or verdict.eligibility == SalesOrder.ELIGIBLE:
            # Once invoiced, an order keeps its data; later changes arrive as refunds (credit notes).
            SalesOrder.objects.filter(pk=existing.pk).update(**values)
    return verdict.eligibility


def _create_order(seller: Seller, order_id: str, values: dict) -> None:
    try:
        with transaction.atomic():
            SalesOrder.objects.create(seller=seller, order_id=order_id, **values)
    except IntegrityError:
        # A concurrent sync of the same seller created it a moment ago.
        SalesOrder.objects.filter(seller=seller, order_id=order_id).update(**values)


def pull_refunds(seller: Seller, connection: MarketplaceConnection, client) -> PassResult:
    result = PassResult()
    for refund in client.iter_refunds(updated_at_min=window_start(connection.refunds_cursor, seller)):
        result.seen += 1
        record_refund(seller, refund)
        result.saw(refund.created_at)
    if result.newest:
        MarketplaceConnection.objects.filter(pk=connection.pk).update(refunds_cursor=result.newest)
    return result


def record_refund(seller: Seller, refund: RefundEvent) -> None:
    order = SalesOrder.objects.filter(seller=seller, order_id=refund.order_id).first()
    try:
        with transaction.atomic():
            RefundRecord.objects.get_or_create(
                seller=seller,
                refund_id=refund.refund_id,
                defaults={
                    "order": order,
                    "marketplace_order_id": refund.order_id,
                    "kind": refund.kind,
                    "amount_gross": refund.amount_gross,
                    "line_ids": list(refund.line_ids),
                    "reason": refund.reason,
                    "refunded_at": refund.created_at,
                },
            )
    except IntegrityError:
        pass  # recorded by a concurrent sync
