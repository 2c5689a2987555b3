"""Pull a seller's orders and refunds from the marketplace into our tables, incrementally and idempotently.

The cursor only moves forward after a complete pass, never past the moment the pass began, and each read starts an
overlap before it, so an API failure mid-run loses nothing: the next run reads the same window again and the upserts
make that harmless. A refund list that cannot be read never fails the pass: the orders are read and invoiced, the
problem is said on the run, and the refunds cursor waits until every list was read.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from itertools import chain
from operator import attrgetter

from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Coalesce, Greatest
from django.utils.translation import gettext_noop

from facturier.accounts.models import MarketplaceConnection, Seller
from facturier.core.clock import now
from facturier.core.db import TRANSIENT_DB_ERRORS
from facturier.core.folding import search_text
from facturier.core.read_ahead import read_ahead
from facturier.core.stored_text import Message, Moment, message, stored, stored_lines
from facturier.marketplace.dto import MalformedOrder, MarketOrder, OrderState, RefundEvent
from facturier.marketplace.errors import (
    CredentialsRejected,
    MarketplaceError,
    MarketplaceUnavailable,
    OrderNotFound,
    RefundListFailed,
)
from facturier.sales import connection_status, runs
from facturier.sales.connections import active_connections, connector_for, label
from facturier.sales.eligibility import (
    Verdict,
    classify,
    content_digest,
    date_of_supply,
    storage_id,
)
from facturier.sales.models import RefundRecord, SalesOrder, SalesOrderLine, SyncRun
from facturier.sales.order_rows import (
    ORDER_COLUMN_NAMES,
    line_rows,
    order_columns,
    order_search_text,
    storable_lines,
)

logger = logging.getLogger(__name__)
# Cdiscount's own advice (legacy newsletter) is a window reaching at least 90 minutes back "in order not to forget
# any order" (fidelity #22): an order written late by the marketplace still falls in the next listing.
CURSOR_OVERLAP = timedelta(minutes=90)
INCREMENTAL = "incremental"  # the trigger of the light pass run every FACTURIER_INCREMENTAL_SYNC_EVERY seconds
# The first pass also reads a month before the backfill window, so the seller sees why those orders are left out.
FIRST_PASS_LOOKBACK = timedelta(days=30)
PAGE_SIZE = 100  # orders stored per transaction (the API's page size)
# Columns a later sync may refresh; seller, order_id and first_seen_at stay as first recorded.
MALFORMED_UPSERT_FIELDS = [
    "eligibility", "reason", "raw", "last_seen_at", "sync_notes", "unworkable_digest", "content_digest",
]  # fmt: skip
UPSERT_FIELDS = [
    *MALFORMED_UPSERT_FIELDS, *ORDER_COLUMN_NAMES, "shipped_at", "first_seen_shipped_at", "search_text",
]  # fmt: skip
# Invalid orders are fetched again one by one for this long after they were first seen, a few per pass.
REFETCH_INVALID_FOR = timedelta(days=30)
REFETCH_INVALID_PER_PASS = 100
GONE_NOTE = "gone"  # the kind of the sync note saying the marketplace no longer returns the order
EARLIEST = datetime.min.replace(tzinfo=UTC)
REFUND_FIELDS = ["order_id", "marketplace_order_id", "kind", "amount_gross", "line_ids", "reason", "refunded_at"]
OnEligible = Callable[[SyncRun, list[int]], None]
ThenIssue = Callable[[SyncRun, Callable[[], None]], None]


@dataclass
class PassResult:
    seen: int = 0
    eligible: int = 0
    malformed: int = 0
    newest: datetime | None = None
    # What the run's message says about the pass, a line each (core.stored_text: shown in the page's language).
    errors: list[Message | str] = field(default_factory=list)

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
    """Read each active connection's orders, then its refunds; the run's outcome (status, message). Counts go on
    `run`. A failing connection never stops the others: the run fails and its message names that connection.
    `client` (tests) stands in for every connection's connector."""
    connections = list(active_connections(seller))
    if not connections:
        return SyncRun.FAILED, stored(
            message(gettext_noop("Aucune connexion marketplace active : enregistrez ou corrigez vos identifiants."))
        )
    failures: list[Message] = []
    errors: list[Message | str] = []
    counts = {"orders_seen": 0, "orders_eligible": 0, "orders_malformed": 0, "refunds_seen": 0}
    for connection in connections:
        outcome = _pull_connection(
            seller, connection, client, partial(on_eligible, run) if on_eligible else None, heartbeat,
            refetch_invalid=run.trigger != INCREMENTAL,
        )  # fmt: skip
        if isinstance(outcome, Message):
            named = message(gettext_noop("%(connection)s : %(problem)s"), connection=label(connection), problem=outcome)
            failures.append(named if len(connections) > 1 else outcome)
            continue
        orders, refunds = outcome
        counts["orders_seen"] += orders.seen
        counts["orders_eligible"] += orders.eligible
        counts["orders_malformed"] += orders.malformed
        counts["refunds_seen"] += refunds.seen
        errors += orders.errors + refunds.errors
    for name, value in counts.items():
        setattr(run, name, value)
    return (SyncRun.FAILED if failures else SyncRun.SUCCEEDED), stored_lines([*failures, *errors])


def _pull_connection(
    seller: Seller, connection: MarketplaceConnection, client, on_eligible, heartbeat, *, refetch_invalid: bool
) -> tuple[PassResult, PassResult] | Message:
    """One connection's orders and refunds, or why the marketplace stopped the pass (its status is updated)."""
    connector = client or connector_for(connection)
    try:
        orders = pull_orders(
            seller, connection, connector, on_eligible=on_eligible, heartbeat=heartbeat,
            refetch_invalid=refetch_invalid,
        )  # fmt: skip
        refunds = pull_refunds(seller, connection, connector, heartbeat=heartbeat)
    except CredentialsRejected as exc:
        refused = message(gettext_noop("Identifiants refusés par la marketplace : %(detail)s"), detail=exc.message)
        connection_status.mark_rejected(connection, refused)
        return refused
    except MarketplaceError as exc:
        unavailable = message(
            gettext_noop("Marketplace indisponible, reprise au prochain passage : %(detail)s"), detail=exc.message
        )
        connection_status.mark_unavailable(connection, unavailable)
        return unavailable
    finally:
        if client is None:
            connector.close()
    connection_status.mark_ok(connection)
    return orders, refunds


def finish(run: SyncRun, status: str, message: str) -> SyncRun:
    """Close the run; issuing started during the pass may have counted documents and errors on it already,
    so those columns are added to, never overwritten."""
    counts = ("orders_seen", "orders_eligible", "orders_malformed", "refunds_seen")
    runs.close_run(run, status, message, **{name: getattr(run, name) for name in counts})
    run.refresh_from_db()
    return run


def pull_orders(
    seller: Seller, connection: MarketplaceConnection, client, *, on_eligible=None, heartbeat=None,
    refetch_invalid: bool = True,
) -> PassResult:  # fmt: skip
    """Read the orders changed since the cursor (less the overlap) and store them page by page. The orders recorded
    invalid lately are then fetched again one by one, unless `refetch_invalid` is False (the incremental pass,
    which must cost one page when nothing changed; the twice-daily full pass does it)."""
    result = PassResult()
    read_at = now()  # the watermark: the cursor never moves past the moment the pass began
    windows = listing_windows(connection.orders_cursor, seller)
    listing = chain.from_iterable(client.iter_orders(updated_at_min=low, updated_at_max=high) for low, high in windows)
    for page in read_ahead(pages(listing)):
        store_page(seller, page, result, on_eligible, heartbeat, connection=connection)
    advance_cursor(connection, "orders_cursor", result.newest, read_at)
    if refetch_invalid:
        pages_again = pages(invalid_orders_again(seller, client, read_at, result.errors, connection=connection))
        for page in pages_again:
            store_page(seller, page, result, on_eligible, heartbeat, connection=connection)
    return result


def advance_cursor(connection: MarketplaceConnection, name: str, newest: datetime | None, read_at: datetime) -> None:
    """Move the cursor to the newest date read, never past `read_at`, the moment the pass began, whatever the data
    says: an item dated in the future (a clock or a data error), or updated while the pass was paging, would
    otherwise make every later listing start after items still to come. The next listing starts CURSOR_OVERLAP
    before it."""
    if newest:
        MarketplaceConnection.objects.filter(pk=connection.pk).update(**{name: min(newest, read_at)})


def store_page(
    seller: Seller, page: list, result: PassResult, on_eligible=None, heartbeat=None, *, connection=None
) -> None:
    verdicts = record_page(seller, page, result.errors)
    if connection is not None:
        tag_connection(seller, connection, list(verdicts))
    for order in page:
        result.seen += 1
        verdict = verdicts.get(storage_id(order.order_id))
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


def tag_connection(seller: Seller, connection: MarketplaceConnection, order_ids: list[str]) -> None:
    """The stored orders were read through this connection: their invoices are uploaded there."""
    if not order_ids:
        return
    with transaction.atomic():
        # Locked in order_id order first, like the page upsert: a bare UPDATE locks rows in scan order and
        # deadlocks against a concurrent sync of the same seller.
        retagged = list(
            SalesOrder.objects.select_for_update()
            .filter(seller=seller, order_id__in=order_ids)
            .exclude(connection=connection)
            .order_by("order_id")
            .values_list("pk", flat=True)
        )
        if retagged:
            SalesOrder.objects.filter(pk__in=retagged).update(connection=connection)


def invalid_orders_again(
    seller: Seller,
    client,
    read_at: datetime,
    errors: list[Message | str],
    *,
    connection: MarketplaceConnection | None = None,
) -> Iterator[MarketOrder | MalformedOrder]:
    """The orders recorded invalid lately, fetched again one by one: a marketplace that fixes an order does not
    always touch its update date, so the listing alone would leave it invalid for good. Bounded: the orders
    first seen in the last REFETCH_INVALID_FOR, at most REFETCH_INVALID_PER_PASS per pass, least recently seen or
    tried first (each attempt is recorded, so an order the marketplace no longer returns does not take the first
    places on every pass); those the listing of this pass read (seen since `read_at`) are not fetched twice."""
    candidates = (
        SalesOrder.objects.filter(
            seller=seller,
            eligibility=SalesOrder.INVALID,
            first_seen_at__gte=now() - REFETCH_INVALID_FOR,
            last_seen_at__lt=read_at,
        )
        .filter(Q(connection=connection) | Q(connection__isnull=True) if connection else Q())
        .exclude(order_id="")
        .order_by(Greatest("last_seen_at", Coalesce("refetched_at", "last_seen_at")), "pk")
        .values_list("pk", "order_id", "full_order_id")[:REFETCH_INVALID_PER_PASS]
    )
    for pk, order_id, full_order_id in list(candidates):
        SalesOrder.objects.filter(pk=pk).update(refetched_at=now())
        try:
            yield client.get_order(full_order_id or order_id)
        except (CredentialsRejected, MarketplaceUnavailable):
            raise
        except MarketplaceError as exc:  # gone or refused: the order keeps its reason, the others go on
            logger.warning("invalid order could not be fetched again", extra={"order_id": order_id})
            errors.append(item_problem(order_id, exc.message))
            if isinstance(exc, OrderNotFound):
                note_gone(pk)


def note_gone(pk: int) -> None:
    """Say on the order that the marketplace no longer returns it; one such note, the latest, is kept."""
    moment = now()
    text = message(
        gettext_noop(
            "La marketplace ne renvoie plus cette commande (dernier essai le %(moment)s) ; elle garde la raison de "
            "sa dernière lecture."
        ),
        moment=_moment(moment),
    )
    note = {"at": moment.isoformat(), "kind": GONE_NOTE, "note": text.stored()}
    with transaction.atomic():
        order = SalesOrder.objects.select_for_update().only("sync_notes").get(pk=pk)
        order.sync_notes = [*without_gone_note(order.sync_notes), note]
        order.save(update_fields=["sync_notes"])


def without_gone_note(notes: list[dict]) -> list[dict]:
    return [note for note in notes if not (isinstance(note, dict) and note.get("kind") == GONE_NOTE)]


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


def record_page(seller: Seller, orders: list, errors: list[Message | str]) -> dict[str, str]:
    """Store a page of orders in one transaction; return each recorded order's eligibility, by storage_id.

    An order whose verdict cannot be worked out is reported and the others go on; if the database refuses the
    page, each order is stored on its own so that only the faulty one is left out.
    """
    orders, notes = newest_copies(orders, errors)
    failures: list[Message | str] = []
    try:
        verdicts = _upsert(seller, orders, notes, failures)
    except TRANSIENT_DB_ERRORS:
        raise
    except DatabaseError:
        logger.exception("page of orders refused by the database, storing one by one", extra={"seller": seller.pk})
        record = partial(_record_order_with_notes, seller, notes)
        return _record_each(orders, record, "order", lambda order: storage_id(order.order_id), errors)
    errors.extend(failures)
    return verdicts


def newest_copies(orders: list, errors: list[Message | str]) -> tuple[list, dict[str, list[dict]]]:
    """The page with one copy of each order, the most recently updated; each differing copy left out is noted
    (on the run's message and in the order's sync_notes, with the copy's data)."""
    kept: dict[str, MarketOrder | MalformedOrder] = {}
    notes: dict[str, list[dict]] = {}
    for order in orders:
        key = storage_id(order.order_id)
        other = kept.get(key)
        if other is not None and other == order:
            continue
        if other is not None:
            newer, older = (order, other) if _updated_at(order) >= _updated_at(other) else (other, order)
            note = duplicate_note(order.order_id, newer, older)
            errors.append(note["note"])  # the stored message, one line
            notes.setdefault(key, []).append(note)
            order = newer
        kept[key] = order
    return list(kept.values()), notes


def _updated_at(order: MarketOrder | MalformedOrder) -> datetime:
    return getattr(order, "updated_at", None) or EARLIEST


def duplicate_note(order_id: str, kept: MarketOrder | MalformedOrder, discarded: MarketOrder | MalformedOrder) -> dict:
    text = message(
        gettext_noop(
            "%(order)s : reçue 2 fois dans la même page avec des contenus différents ; gardé la version mise à jour "
            "le plus récemment (%(kept)s), écarté celle du %(discarded)s."
        ),
        order=order_id, kept=_moment(_updated_at(kept)), discarded=_moment(_updated_at(discarded)),
    )  # fmt: skip
    return {"at": now().isoformat(), "note": text.stored(), "discarded": dict(discarded.raw)}


def _moment(moment: datetime) -> Moment | Message:
    return Moment(moment, seconds=True) if moment != EARLIEST else message(gettext_noop("date inconnue"))


def item_problem(key: str, detail: str) -> Message:
    """A run's line about one order or refund: its id and the error, quoted as it was raised."""
    return message(gettext_noop("%(item)s : %(detail)s"), item=key, detail=detail)


def _report(kind: str, key: str, exc: Exception, errors: list[Message | str]) -> None:
    logger.exception("%s could not be recorded", kind, extra={f"{kind}_id": key})
    errors.append(item_problem(key, str(exc)))


def _record_each(items: list, record: Callable, kind: str, key: Callable, errors: list[Message | str]) -> dict:
    """Store each item on its own, once the database refused their page: only a faulty one is left out (and
    reported); return what `record` gave for each item stored, by key."""
    results = {}
    for item in items:
        try:
            results[key(item)] = record(item)
        except Exception as exc:  # one bad item never stops the others
            _report(kind, key(item), exc, errors)
    return results


def _upsert(
    seller: Seller, orders: list, notes: dict[str, list[dict]], failures: list[Message | str]
) -> dict[str, str]:
    with transaction.atomic():
        existing = _lock_existing(seller, orders)
        invoiced = set(
            SalesOrder.objects.filter(pk__in=[row.pk for row in existing.values()], invoices__isnull=False).values_list(
                "order_id", flat=True
            )
        )
        rows, normalized = _page_rows(seller, orders, existing, notes, failures)
        # Once invoiced, an order keeps its data; later changes arrive as refunds (credit notes).
        writable = [
            row for key, row in sorted(rows.items()) if key not in invoiced or row.eligibility == SalesOrder.ELIGIBLE
        ]
        _write_rows(writable, normalized)
        replace_lines(seller, {row.order_id: normalized[row.order_id] for row in writable
                               if row.order_id in normalized and row.order_id not in invoiced})  # fmt: skip
    return {key: row.eligibility for key, row in rows.items()}


def _lock_existing(seller: Seller, orders: list) -> dict[str, SalesOrder]:
    """The page's stored rows, locked so an order cannot be invoiced between the check and the write. Locks (and
    writes) go in order_id order: two syncs of one seller wait for each other instead of deadlocking."""
    keys = sorted(storage_id(order.order_id) for order in orders)
    return {
        row.order_id: row
        for row in SalesOrder.objects.select_for_update()
        .filter(seller=seller, order_id__in=keys)
        .order_by("order_id")
        .only("pk", "order_id", "first_seen_shipped_at", "sync_notes", "reason", "unworkable_digest")
    }


def _page_rows(
    seller: Seller, orders: list, existing: dict[str, SalesOrder], notes: dict[str, list[dict]], failures: list
) -> tuple[dict[str, SalesOrder], dict[str, MarketOrder]]:
    """The rows to write, by storage id, and the normalized orders among them (a malformed one has none)."""
    rows: dict[str, SalesOrder] = {}
    normalized: dict[str, MarketOrder] = {}
    for order in orders:
        key = storage_id(order.order_id)
        try:
            values = order_values(seller, order, existing.get(key), notes.get(key, []))
        except Exception as exc:  # one bad order never stops the others
            _report("order", order.order_id or "?", exc, failures)
            continue
        rows[key] = SalesOrder(seller=seller, order_id=key, **values)
        if isinstance(order, MarketOrder):
            normalized[key] = order
    return rows, normalized


def _write_rows(writable: list[SalesOrder], normalized: dict[str, MarketOrder]) -> None:
    # A malformed order has no dates or status to offer: what was known of it before is kept.
    for fields, is_malformed in ((UPSERT_FIELDS, False), (MALFORMED_UPSERT_FIELDS, True)):
        group = [row for row in writable if (row.order_id not in normalized) == is_malformed]
        if group:
            SalesOrder.objects.bulk_create(
                group, update_conflicts=True, unique_fields=["seller", "order_id"], update_fields=fields
            )


def replace_lines(seller: Seller, orders: dict[str, MarketOrder]) -> None:
    """The lines of these orders (by storage_id) become those read now: one DELETE and one INSERT for the page.
    An order whose amounts do not fit the columns (a data error, refused by classify) keeps no lines."""
    if not orders:
        return
    pks = dict(SalesOrder.objects.filter(seller=seller, order_id__in=list(orders)).values_list("order_id", "pk"))
    SalesOrderLine.objects.filter(order_id__in=list(pks.values())).delete()
    SalesOrderLine.objects.bulk_create(
        SalesOrderLine(order_id=pks[key], **line)
        for key, order in sorted(orders.items())
        if key in pks and storable_lines(order)
        for line in line_rows(order)
    )


def order_values(
    seller: Seller, order: MarketOrder | MalformedOrder, known: SalesOrder | None = None, notes: Iterable[dict] = ()
) -> dict:
    """The columns of the order's row; `known` is the row as stored before (its history is carried over)."""
    digest = content_digest(order)
    verdict, unworkable = still_unworkable(known, digest) or (
        classify(order, backfill_start=seller.backfill_start, extra_channels=seller.extra_sales_channels or []),
        "",
    )
    values = {
        "eligibility": verdict.eligibility,
        "reason": verdict.reason,
        "raw": dict(order.raw),  # kept for audit, never read back
        "last_seen_at": now(),
        # Read again: a note saying the marketplace no longer returned it is out of date.
        "sync_notes": [*without_gone_note(known.sync_notes if known else []), *notes],
        "unworkable_digest": unworkable,
        "content_digest": digest,
    }
    if isinstance(order, MarketOrder):
        first_seen_shipped = known.first_seen_shipped_at if known else None
        if first_seen_shipped is None and order.state in OrderState.GONE_OUT:
            first_seen_shipped = values["last_seen_at"]
        values.update(
            order_columns(order),
            shipped_at=date_of_supply(order, first_seen_shipped),
            first_seen_shipped_at=first_seen_shipped,
            search_text=order_search_text(order),
        )
    elif known is None:
        # A malformed order is found by its reference; an older row keeps what was known of it.
        values["search_text"] = search_text([order.order_id])
    return values


def still_unworkable(known: SalesOrder | None, digest: str) -> tuple[Verdict, str] | None:
    """Issuing failed on this very content before: the order stays invalid with that reason (and its digest)
    until the marketplace sends something else for it, rather than going back to eligible and failing again."""
    if known is None or not known.unworkable_digest or known.unworkable_digest != digest:
        return None
    return Verdict(SalesOrder.INVALID, known.reason), known.unworkable_digest


def _record_order_with_notes(seller: Seller, notes: dict[str, list[dict]], order: MarketOrder | MalformedOrder) -> str:
    return record_order(seller, order, notes.get(storage_id(order.order_id), []))


def record_order(seller: Seller, order: MarketOrder | MalformedOrder, notes: Iterable[dict] = ()) -> str:
    """Store one order (the sync stores pages with record_page); return its eligibility."""
    key = storage_id(order.order_id)
    with transaction.atomic():
        existing = SalesOrder.objects.select_for_update().filter(seller=seller, order_id=key).first()
        values = order_values(seller, order, existing, notes)
        invoiced = existing is not None and existing.invoices.exists()
        if existing is None:
            _create_order(seller, key, values)
        elif not invoiced or values["eligibility"] == SalesOrder.ELIGIBLE:
            # Once invoiced, an order keeps its data; later changes arrive as refunds (credit notes).
            SalesOrder.objects.filter(pk=existing.pk).update(**values)
        if isinstance(order, MarketOrder) and not invoiced:
            replace_lines(seller, {key: order})
    return values["eligibility"]


def _create_order(seller: Seller, order_id: str, values: dict) -> None:
    try:
        with transaction.atomic():
            SalesOrder.objects.create(seller=seller, order_id=order_id, **values)
    except IntegrityError:
        # A concurrent sync of the same seller created it a moment ago.
        SalesOrder.objects.filter(seller=seller, order_id=order_id).update(**values)


def pull_refunds(seller: Seller, connection: MarketplaceConnection, client, *, heartbeat=None) -> PassResult:
    """Read each refund list of the client on its own. A list that cannot be read (any HTTP error, a 403 included,
    or a body of another shape) is said on the run's message and read again next pass: it never fails the pass,
    never stops the other list, never marks the credentials rejected. The one refunds cursor moves only when every
    list was read (the list read fine is read again next time; refunds are recorded once by their id)."""
    result = PassResult()
    read_at = now()
    updated_at_min = window_start(connection.refunds_cursor, seller)
    all_read = True
    for refund_list in client.refund_lists:
        skipped: list[str] = []  # the items of the list not understood, said on the run
        try:
            listing = client.iter_refunds(updated_at_min=updated_at_min, refund_list=refund_list, problems=skipped)
            for page in read_ahead(pages(listing)):
                store_refund_page(seller, page, result, heartbeat)
        except RefundListFailed as exc:
            logger.warning("refund list unreadable", extra={"seller": seller.pk, "endpoint": exc.endpoint})
            result.errors.append(refund_list_problem(exc))
            all_read = False
        result.errors.extend(
            message(gettext_noop("Remboursement non compris, sans avoir : %(detail)s"), detail=item) for item in skipped
        )
    if all_read:
        advance_cursor(connection, "refunds_cursor", result.newest, read_at)
    return result


def store_refund_page(seller: Seller, page: list[RefundEvent], result: PassResult, heartbeat=None) -> None:
    record_refunds(seller, page, result.errors)
    for refund in page:
        result.seen += 1
        result.saw(refund.created_at)
    if heartbeat:
        heartbeat()


def refund_list_problem(exc: RefundListFailed) -> Message:
    """The run's line for a refund list that could not be read, in plain words, naming the endpoint and status."""
    answer: Message | str
    if exc.status_code:
        answer = f"HTTP {exc.status_code}"
    elif isinstance(exc.__cause__, MarketplaceUnavailable):
        answer = message(gettext_noop("aucune réponse utilisable après plusieurs essais"))
    else:
        answer = message(gettext_noop("une réponse d'une forme inattendue"))
    return message(
        gettext_noop(
            "Remboursements non lus : la marketplace a répondu %(answer)s sur GET %(endpoint)s. Les commandes sont "
            "lues et facturées ; cette liste sera relue au prochain passage. (Détail : %(detail)s)"
        ),
        answer=answer, endpoint=exc.endpoint, detail=exc.message,
    )  # fmt: skip


def record_refunds(seller: Seller, refunds: list[RefundEvent], errors: list[Message | str]) -> None:
    """Store a page of refunds with one INSERT; a refund recorded before is left as it was.

    If the database refuses the page, each refund is stored on its own so that only the faulty one is left out.
    """
    wanted = {storage_id(refund.order_id) for refund in refunds}
    orders = dict(SalesOrder.objects.filter(seller=seller, order_id__in=wanted).values_list("order_id", "pk"))
    rows = [_refund_row(seller, refund, orders.get(storage_id(refund.order_id))) for refund in refunds]
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
        marketplace_order_id=storage_id(refund.order_id),  # the order's key, as in SalesOrder
        kind=refund.kind,
        amount_gross=refund.amount_gross,
        line_ids=list(refund.line_ids),
        reason=refund.reason,
        refunded_at=refund.created_at,
    )


def record_refund(seller: Seller, refund: RefundEvent) -> None:
    order_id = storage_id(refund.order_id)
    order_pk = SalesOrder.objects.filter(seller=seller, order_id=order_id).values_list("pk", flat=True).first()
    row = _refund_row(seller, refund, order_pk)
    defaults = {name: getattr(row, name) for name in REFUND_FIELDS}
    try:
        with transaction.atomic():
            RefundRecord.objects.get_or_create(seller=seller, refund_id=refund.refund_id, defaults=defaults)
    except IntegrityError:
        pass  # recorded by a concurrent sync
