"""Pull a seller's orders and refunds from the marketplace into our tables, incrementally and idempotently.

The cursor only moves forward after a complete pass, and each read starts an overlap before it, so an API
failure mid-run loses nothing: the next run reads the same window again and the upserts make that harmless.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from itertools import chain
from operator import attrgetter

from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import Exists, OuterRef

from facturier.accounts.models import MarketplaceConnection, Seller
from facturier.core.clock import now
from facturier.core.db import TRANSIENT_DB_ERRORS
from facturier.core.read_ahead import read_ahead
from facturier.marketplace.dto import MalformedOrder, MarketOrder, RefundEvent
from facturier.marketplace.errors import CredentialsRejected, MarketplaceError
from facturier.sales import connection_status, runs
from facturier.sales.connector import client_for
from facturier.sales.eligibility import classify
from facturier.sales.models import RefundRecord, SalesOrder, SyncRun

logger = logging.getLogger(__name__)
CURSOR_OVERLAP = timedelta(hours=1)
# The first pass also reads a month before the backfill window, so the seller sees why those orders are left out.
FIRST_PASS_LOOKBACK = timedelta(days=30)
PAGE_SIZE = 100  # orders stored per transaction (the API's page size)
# Columns a later sync may refresh; seller, order_id and first_seen_at stay as first recorded.
MALFORMED_UPSERT_FIELDS = ["eligibility", "reason", "raw", "last_seen_at"]
UPSERT_FIELDS = [*MALFORMED_UPSERT_FIELDS, "status", "placed_at", "shipped_at", "marketplace_updated_at"]
REFUND_FIELDS = ["order_id", "marketplace_order_id", "kind", "amount_gross", "line_ids", "reason", "refunded_at"]
OnEligible = Callable[[SyncRun, list[int]], None]
ThenIssue = Callable[[SyncRun, Callable[[], None]], None]


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


def listing_windows(cursor: datetime | None, seller: Seller) -> list[tuple[datetime, datetime | None]]:
    """The (updated at least, updated at most) bounds of each order listing of a pass, in reading order."""
    if cursor:
        return [(cursor - CURSOR_OVERLAP, None)]
    # A first pass reads the orders that may need an invoice first, so that issuing starts with its first page;
    # the month before the backfill window, read only to show the seller why those orders are left out, follows.
    # Both bounds are inclusive: an order updated on the boundary is read twice, which the upsert makes harmless.
    start = seller.backfill_start
    return [(start, None), (start - FIRST_PASS_LOOKBACK, start)]


def sync_seller(
    seller: Seller,
    *,
    trigger: str = "schedule",
    client=None,
    on_eligible: OnEligible | None = None,
    then: ThenIssue | None = None,
) -> SyncRun:
    """Pull the seller's orders and refunds. `on_eligible(run, order_pks)` is called after each page is stored
    with the page's orders that await their invoice, so issuing can start while later pages are read.
    `then(run, heartbeat)` is the rest of the pass (issuing in this process): the run is closed after it, so
    a pass killed while issuing never shows as succeeded.

    The run holds a lease renewed as pages are stored (runs.py); if the sweeper declared it interrupted in the
    meantime, this pass stops and returns it as it is."""
    run = runs.open_run(seller, trigger)
    heartbeat = partial(runs.renew_lease, run)
    try:
        status, message = _pull(run, seller, client, on_eligible, heartbeat)
        if then:
            then(run, heartbeat)
        finish(run, status, message)
    except runs.LeaseLost:
        logger.warning("sync run taken over after its lease expired", extra={"run_id": run.pk})
    except BaseException as error:
        runs.close_after_crash(run, error)
        raise
    run.refresh_from_db()
    return run


def _pull(run: SyncRun, seller: Seller, client, on_eligible: OnEligible | None, heartbeat) -> tuple[str, str]:
    """Read the orders, then the refunds; the run's outcome (status, message). Counts go on `run`."""
    connection = MarketplaceConnection.objects.get(seller=seller)
    client = client or client_for(connection)
    try:
        orders = pull_orders(
            seller, connection, client, on_eligible=partial(on_eligible, run) if on_eligible else None,
            heartbeat=heartbeat,
        )  # fmt: skip
        refunds = pull_refunds(seller, connection, client, heartbeat=heartbeat)
    except CredentialsRejected as exc:
        connection_status.mark_rejected(connection, exc.message)
        return SyncRun.FAILED, f"Identifiants refusés par la marketplace : {exc.message}"
    except MarketplaceError as exc:
        connection_status.mark_unavailable(connection, exc.message)
        return SyncRun.FAILED, f"Marketplace indisponible, reprise au prochain passage : {exc.message}"
    connection_status.mark_ok(connection)
    run.orders_seen, run.orders_eligible, run.orders_malformed = orders.seen, orders.eligible, orders.malformed
    run.refunds_seen = refunds.seen
    return SyncRun.SUCCEEDED, "\n".join(orders.errors + refunds.errors)


def finish(run: SyncRun, status: str, message: str) -> SyncRun:
    """Close the run; issuing started during the pass may have counted documents and errors on it already,
    so those columns are added to, never overwritten."""
    counts = ("orders_seen", "orders_eligible", "orders_malformed", "refunds_seen")
    runs.close_run(run, status, message, **{name: getattr(run, name) for name in counts})
    run.refresh_from_db()
    return run


def pull_orders(
    seller: Seller, connection: MarketplaceConnection, client, *, on_eligible=None, heartbeat=None
) -> PassResult:
    result = PassResult()
    windows = listing_windows(connection.orders_cursor, seller)
    listing = chain.from_iterable(client.iter_orders(updated_at_min=low, updated_at_max=high) for low, high in windows)
    for page in read_ahead(pages(listing)):
        verdicts = record_page(seller, page, result.errors)
        for order in page:
            result.seen += 1
            verdict = verdicts.get(order.order_id)
            result.eligible += verdict == SalesOrder.ELIGIBLE
            result.malformed += verdict == SalesOrder.INVALID
            if verdict and isinstance(order, MarketOrder):
                result.saw(order.updated_at)
        if on_eligible:
            awaiting = awaiting_invoice(seller, [oid for oid, v in verdicts.items() if v == SalesOrder.ELIGIBLE])
            if awaiting:
                on_eligible(awaiting)
        if heartbeat:
            heartbeat()
    if result.newest:
        MarketplaceConnection.objects.filter(pk=connection.pk).update(orders_cursor=result.newest)
    return result


def pages(orders: Iterable, size: int = PAGE_SIZE) -> Iterator[list]:
    page: list = []
    for order in orders:
        page.append(order)
        if len(page) == size:
            yield page
            page = []
    if page:
        yield page


def awaiting_invoice(seller: Seller, order_ids: list[str]) -> list[int]:
    if not order_ids:
        return []
    eligible = SalesOrder.objects.filter(seller=seller, order_id__in=order_ids, eligibility=SalesOrder.ELIGIBLE)
    documents = SalesOrder._meta.get_field("invoices").related_model  # invoicing sits above sales: no import
    awaiting = eligible.filter(~Exists(documents.objects.filter(order=OuterRef("pk"))))
    return list(awaiting.order_by("placed_at", "pk").values_list("pk", flat=True))


def record_page(seller: Seller, orders: list, errors: list[str]) -> dict[str, str]:
    """Store a page of orders in one transaction; return each recorded order's eligibility.

    An order whose verdict cannot be worked out is reported and the others go on; if the database refuses the
    page, each order is stored on its own so that only the faulty one is left out.
    """
    rows: dict[str, SalesOrder] = {}
    for order in orders:
        try:
            rows[order.order_id] = SalesOrder(seller=seller, order_id=order.order_id, **order_values(seller, order))
        except Exception as exc:  # one bad order never stops the others
            _report("order", getattr(order, "order_id", "?"), exc, errors)
    try:
        _upsert(seller, rows, malformed={order.order_id for order in orders if isinstance(order, MalformedOrder)})
    except TRANSIENT_DB_ERRORS:
        raise
    except DatabaseError:
        logger.exception("page of orders refused by the database, storing one by one", extra={"seller": seller.pk})
        storable = [order for order in orders if order.order_id in rows]
        return _record_each(storable, partial(record_order, seller), "order", attrgetter("order_id"), errors)
    return {order_id: row.eligibility for order_id, row in rows.items()}


def _report(kind: str, key: str, exc: Exception, errors: list[str]) -> None:
    logger.exception("%s could not be recorded", kind, extra={f"{kind}_id": key})
    errors.append(f"{key} : {exc}")


def _record_each(items: list, record: Callable, kind: str, key: Callable, errors: list[str]) -> dict:
    """Store each item on its own, once the database refused their page: only a faulty one is left out (and
    reported); return what `record` gave for each item stored, by key."""
    results = {}
    for item in items:
        try:
            results[key(item)] = record(item)
        except Exception as exc:  # one bad item never stops the others
            _report(kind, key(item), exc, errors)
    return results


def _upsert(seller: Seller, rows: dict[str, SalesOrder], *, malformed: set[str]) -> None:
    with transaction.atomic():
        # The existing rows are locked, so an order cannot be invoiced between the check and the write. Locks and
        # writes go in order_id order: two syncs of one seller wait for each other instead of deadlocking.
        existing = dict(
            SalesOrder.objects.select_for_update()
            .filter(seller=seller, order_id__in=list(rows))
            .order_by("order_id")
            .values_list("order_id", "pk")
        )
        invoiced = set(
            SalesOrder.objects.filter(pk__in=list(existing.values()), invoices__isnull=False).values_list(
                "order_id", flat=True
            )
        )
        # Once invoiced, an order keeps its data; later changes arrive as refunds (credit notes).
        writable = [
            row for order_id, row in sorted(rows.items())
            if order_id not in invoiced or row.eligibility == SalesOrder.ELIGIBLE
        ]
        # A malformed order has no dates or status to offer: what was known of it before is kept.
        for fields, is_malformed in ((UPSERT_FIELDS, False), (MALFORMED_UPSERT_FIELDS, True)):
            group = [row for row in writable if (row.order_id in malformed) == is_malformed]
            if group:
                SalesOrder.objects.bulk_create(
                    group, update_conflicts=True, unique_fields=["seller", "order_id"], update_fields=fields
                )


def order_values(seller: Seller, order: MarketOrder | MalformedOrder) -> dict:
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
    return values


def record_order(seller: Seller, order: MarketOrder | MalformedOrder) -> str:
    values = order_values(seller, order)
    with transaction.atomic():
        existing = SalesOrder.objects.select_for_update().filter(seller=seller, order_id=order.order_id).first()
        if existing is None:
            _create_order(seller, order.order_id, values)
        elif not existing.invoices.exists() or values["eligibility"] == SalesOrder.ELIGIBLE:
            # Once invoiced, an order keeps its data; later changes arrive as refunds (credit notes).
            SalesOrder.objects.filter(pk=existing.pk).update(**values)
    return values["eligibility"]


def _create_order(seller: Seller, order_id: str, values: dict) -> None:
    try:
        with transaction.atomic():
            SalesOrder.objects.create(seller=seller, order_id=order_id, **values)
    except IntegrityError:
        # A concurrent sync of the same seller created it a moment ago.
        SalesOrder.objects.filter(seller=seller, order_id=order_id).update(**values)


def pull_refunds(seller: Seller, connection: MarketplaceConnection, client, *, heartbeat=None) -> PassResult:
    result = PassResult()
    listing = client.iter_refunds(updated_at_min=window_start(connection.refunds_cursor, seller))
    for page in read_ahead(pages(listing)):
        record_refunds(seller, page, result.errors)
        for refund in page:
            result.seen += 1
            result.saw(refund.created_at)
        if heartbeat:
            heartbeat()
    if result.newest:
        MarketplaceConnection.objects.filter(pk=connection.pk).update(refunds_cursor=result.newest)
    return result


def record_refunds(seller: Seller, refunds: list[RefundEvent], errors: list[str]) -> None:
    """Store a page of refunds with one INSERT; a refund recorded before is left as it was.

    If the database refuses the page, each refund is stored on its own so that only the faulty one is left out.
    """
    wanted = {refund.order_id for refund in refunds}
    orders = dict(SalesOrder.objects.filter(seller=seller, order_id__in=wanted).values_list("order_id", "pk"))
    rows = [_refund_row(seller, refund, orders.get(refund.order_id)) for refund in refunds]
    try:
        with transaction.atomic():
            RefundRecord.objects.bulk_create(rows, ignore_conflicts=True)
    except TRANSIENT_DB_ERRORS:
        raise
    except DatabaseError:
        logger.exception("page of refunds refused by the database, storing one by one", extra={"seller": seller.pk})
        _record_each(refunds, partial(record_refund, seller), "refund", attrgetter("refund_id"), errors)


def _refund_row(seller: Seller, refund: RefundEvent, order_pk: int | None) -> RefundRecord:
    return RefundRecord(
        seller=seller,
        refund_id=refund.refund_id,
        order_id=order_pk,
        marketplace_order_id=refund.order_id,
        kind=refund.kind,
        amount_gross=refund.amount_gross,
        line_ids=list(refund.line_ids),
        reason=refund.reason,
        refunded_at=refund.created_at,
    )


def record_refund(seller: Seller, refund: RefundEvent) -> None:
    order_pk = SalesOrder.objects.filter(seller=seller, order_id=refund.order_id).values_list("pk", flat=True).first()
    row = _refund_row(seller, refund, order_pk)
    defaults = {name: getattr(row, name) for name in REFUND_FIELDS}
    try:
        with transaction.atomic():
            RefundRecord.objects.get_or_create(seller=seller, refund_id=refund.refund_id, defaults=defaults)
    except IntegrityError:
        pass  # recorded by a concurrent sync
