"""`facturier bench continuous`: orders become shipped at a steady rate on each marketplace of the seller (Cdiscount
in the Octopia simulator, a Mirakl marketplace in the Mirakl simulator) while the incremental pass runs every
`interval` seconds; measures "shipped -> document delivered" latency per marketplace.

The shipped moment is when the simulator marks the order shipped (its update date moves then). Delivered means, for
Cdiscount, the invoice e-mail accepted by the benchmark's SMTP sink (found by its Message-ID); for Mirakl, where the
buyer finds the invoice in their marketplace account, the upload accepted by the Mirakl simulator (OR74), and the
e-mail to the order's address is reported beside it. The target is p95 <= interval + 60 s: an order shipped just
after a pass waits one interval, then a minute for issuing, rendering and sending; an upload waits for the next
run of the upload task too (beat's schedule, UPLOAD_EVERY). The passes and the upload task are started by this
process as beat would, through `sync_seller_task` and `follow_uploads_task`.

Alongside, the end-to-end rate as a ratio to the bare reportlab page measured on the same documents in the same run
(the yardstick of `facturier bench`): for the first full pass (the simulator's `--orders` at the start, the same
work as `facturier bench --workers 0`) and for the incremental passes (documents emailed divided by the time those
passes took; each pass syncs, issues, renders and sends inline, so its fixed cost weighs on a few documents).
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field

from facturier.simulator.mirakl.server import MiraklSimulatorServer
from facturier.simulator.server import SimulatorServer
from facturier.simulator.variants import awaiting_shipment, ship
from facturier_bench.end_to_end import create_bench_seller, finished, use_broker, wait_for_run
from facturier_bench.environment import BenchEnvironment
from facturier_bench.measure import percentile

SELLER = "98979"
MIRAKL_NAME = "Mirakl Démo"
GRACE_SECONDS = 60  # the target's allowance beyond one interval: issuing, rendering and sending
UPLOAD_EVERY = 60.0  # beat's schedule of follow_uploads_task (config/celery.py)


@dataclass
class MarketplaceLatency:
    """One marketplace's orders: when each was shipped and when its invoice was delivered (and e-mailed)."""

    name: str
    delivery: str  # what "delivered" means there
    shipped: dict[str, float]  # order id -> when the simulator marked it shipped (time.time())
    delivered: dict[str, float] = field(default_factory=dict)
    emailed: dict[str, float] | None = None  # beside the delivery, when it is not the e-mail
    allowance: float = 0.0  # beyond interval + GRACE_SECONDS: waiting for the task that delivers

    def latencies(self, moments: dict[str, float]) -> list[float]:
        return [moments[order] - shipped for order, shipped in self.shipped.items() if order in moments]


@dataclass
class ContinuousResult:
    interval: float
    rate_per_minute: float
    marketplaces: list[MarketplaceLatency]
    pass_seconds: list[float] = field(default_factory=list)
    pass_documents: int = 0
    backlog_documents: int = 0  # the first full pass: the simulators' orders at the start, as `facturier bench`
    backlog_seconds: float = 0.0

    def target(self, marketplace: MarketplaceLatency) -> float:
        return self.interval + GRACE_SECONDS + marketplace.allowance


def pending_orders(simulator: SimulatorServer, count: int) -> list[str]:
    """`count` new orders in preparation (copies of the b2c scenario order under new ids, bought yesterday): the
    feed ships them one by one."""
    return [awaiting_shipment(simulator, f"BENCH{index:06d}", SELLER) for index in range(count)]


def pending_mirakl_orders(simulator: MiraklSimulatorServer, count: int) -> list[str]:
    order_ids = [f"MKBENCH{index:06d}-A" for index in range(count)]
    for order_id in order_ids:
        simulator.add_awaiting_shipment(order_id)
    return order_ids


class Feed(threading.Thread):
    """Ships the pending orders at a steady rate, recording when each was shipped."""

    def __init__(self, ship_order, order_ids: list[str], rate_per_minute: float):
        super().__init__(name="bench-feed", daemon=True)
        self.ship_order, self.order_ids, self.period = ship_order, order_ids, 60.0 / rate_per_minute
        self.shipped: dict[str, float] = {}
        self.stop_event = threading.Event()

    def run(self) -> None:
        started = time.monotonic()
        for index, order_id in enumerate(self.order_ids):
            if self.stop_event.wait(max(0.0, started + index * self.period - time.monotonic())):
                return
            self.ship_order(order_id)
            self.shipped[order_id] = time.time()


def received_by_order(env: BenchEnvironment) -> dict[str, float]:
    """{order id: when the sink accepted its invoice email}, through the outbox's Message-IDs."""
    from facturier.invoicing.email_keys import KEY_PREFIX
    from facturier.invoicing.models import Invoice
    from facturier.outbox.models import OutgoingEmail

    timestamps = dict(env.sink.timestamps or {})
    emails = OutgoingEmail.objects.filter(related_key__startswith=KEY_PREFIX, message_id__in=list(timestamps))
    by_invoice = {int(key.removeprefix(KEY_PREFIX)): timestamps[mid] for key, mid in emails.values_list(
        "related_key", "message_id")}  # fmt: skip
    orders = Invoice.objects.filter(pk__in=list(by_invoice), kind=Invoice.KIND_INVOICE)
    return {order_id: by_invoice[pk] for pk, order_id in orders.values_list("pk", "order__order_id")}


def uploaded_by_order(simulator: MiraklSimulatorServer) -> dict[str, float]:
    """{order id: when the Mirakl simulator accepted its invoice (OR74, CUSTOMER_INVOICE)}."""
    accepted = {}
    for upload in simulator.uploads():
        if upload.type_code == "CUSTOMER_INVOICE":
            accepted.setdefault(upload.order_id, upload.accepted_at)
    return accepted


def link_mirakl(seller, simulator: MiraklSimulatorServer) -> None:
    from facturier.accounts.models import MarketplaceConnection
    from facturier.accounts.samples import mirakl_connection_fields

    credentials = {**simulator.credentials(), "connection_name": MIRAKL_NAME}
    MarketplaceConnection.objects.create(seller=seller, **mirakl_connection_fields(credentials))
    seller.upload_to_marketplace = True  # on Mirakl the upload is the delivery
    seller.save(update_fields=["upload_to_marketplace"])


def run_continuous(env: BenchEnvironment, *, minutes: float, rate: float, interval: float, say) -> ContinuousResult:
    from facturier.invoicing.models import Invoice
    from facturier.jobs.tasks import follow_uploads_task, sync_seller_task

    logging.getLogger("celery.app.trace").setLevel(logging.WARNING)  # a line per task would drown the report
    mirakl = MiraklSimulatorServer("127.0.0.1", 0, seed=7, orders=20)
    mirakl.start()
    try:
        seller = create_bench_seller(env)
        link_mirakl(seller, mirakl)
        use_broker("memory://", "celery", eager=True)
        count = max(1, int(rate * minutes))
        octopia_ids, mirakl_ids = pending_orders(env.simulator, count), pending_mirakl_orders(mirakl, count)
        # The full pass first: the backlog is invoiced and the cursors set, as after a deployment's first sync.
        started = time.perf_counter()
        first = wait_for_run(sync_seller_task.delay(seller.pk, "bench").get())
        while not finished(first):
            time.sleep(0.2)
        follow_uploads_task.delay().get()
        backlog_seconds = time.perf_counter() - started
        say(f"first full pass done: {Invoice.objects.count()} documents in {backlog_seconds:.1f} s; feeding"
            f" {count} orders per marketplace at {rate:g}/min each for {minutes:g} min,"
            f" incremental pass every {interval:g} s, uploads every {UPLOAD_EVERY:g} s")  # fmt: skip
        feeds = [
            Feed(lambda order_id: ship(env.simulator, order_id, SELLER), octopia_ids, rate),
            Feed(mirakl.ship, mirakl_ids, rate),
        ]
        cdiscount = MarketplaceLatency("Cdiscount", "email received", feeds[0].shipped)
        on_mirakl = MarketplaceLatency(MIRAKL_NAME, "upload accepted", feeds[1].shipped, emailed={},
                                       allowance=UPLOAD_EVERY)  # fmt: skip
        result = ContinuousResult(interval, rate, [cdiscount, on_mirakl], backlog_documents=Invoice.objects.count(),
                                  backlog_seconds=backlog_seconds)  # fmt: skip
        _feed_and_pass(feeds, seller, result, minutes, lambda: _collect(env, mirakl, cdiscount, on_mirakl))
        _collect(env, mirakl, cdiscount, on_mirakl)
        return result
    finally:
        mirakl.stop()


def _collect(env, mirakl, cdiscount: MarketplaceLatency, on_mirakl: MarketplaceLatency) -> bool:
    """Read what was delivered so far; True once every shipped order of both marketplaces was."""
    emails = received_by_order(env)
    cdiscount.delivered = {order: moment for order, moment in emails.items() if order in cdiscount.shipped}
    on_mirakl.emailed = {order: moment for order, moment in emails.items() if order in on_mirakl.shipped}
    on_mirakl.delivered = {order: at for order, at in uploaded_by_order(mirakl).items() if order in on_mirakl.shipped}
    return all(set(m.shipped) <= set(m.delivered) for m in (cdiscount, on_mirakl))


def _feed_and_pass(feeds: list[Feed], seller, result: ContinuousResult, minutes: float, all_delivered) -> None:
    """Ship orders while running the incremental pass every interval and the upload task on beat's schedule."""
    from facturier.invoicing.models import Invoice
    from facturier.jobs.tasks import follow_uploads_task, sync_seller_task
    from facturier.sales.sync import INCREMENTAL

    for feed in feeds:
        feed.start()
    deadline = time.monotonic() + minutes * 60 + result.interval + UPLOAD_EVERY + GRACE_SECONDS * 2
    next_pass = next_upload = time.monotonic()
    try:
        while time.monotonic() < deadline:
            time.sleep(max(0.0, min(next_pass, next_upload) - time.monotonic()))
            if time.monotonic() >= next_upload:
                next_upload += UPLOAD_EVERY
                follow_uploads_task.delay().get()
            if time.monotonic() >= next_pass:
                next_pass += result.interval
                before, started = Invoice.objects.count(), time.perf_counter()
                sync_seller_task.delay(seller.pk, INCREMENTAL).get()
                result.pass_seconds.append(time.perf_counter() - started)
                result.pass_documents += Invoice.objects.count() - before
            if not any(feed.is_alive() for feed in feeds) and all_delivered():
                break
    finally:
        for feed in feeds:
            feed.stop_event.set()
            feed.join(5)


def report_continuous(result: ContinuousResult, bare_rate: float, say) -> None:
    say(f"incremental pass interval: {result.interval:g} s   feed: {result.rate_per_minute:g} orders shipped/min"
        f" per marketplace   passes: {len(result.pass_seconds)} (p50 {percentile(result.pass_seconds, 0.5):.2f} s,"
        f" max {max(result.pass_seconds, default=0):.2f} s)")  # fmt: skip
    for marketplace in result.marketplaces:
        latencies = marketplace.latencies(marketplace.delivered)
        target = result.target(marketplace)
        verdict = "met" if latencies and percentile(latencies, 0.95) <= target else "MISSED"
        waits = f" + upload every {marketplace.allowance:g} s" if marketplace.allowance else ""
        say(f"{marketplace.name}: {len(latencies)} of {len(marketplace.shipped)} shipped orders delivered;"
            f" shipped -> {marketplace.delivery}: {_p50_p95(latencies)}   target p95 <= interval + 60 s{waits}"
            f" = {target:g} s: {verdict}")  # fmt: skip
        if marketplace.emailed is not None:
            emailed = marketplace.latencies(marketplace.emailed)
            say(f"{marketplace.name}: shipped -> email received ({len(emailed)} orders with an address):"
                f" {_p50_p95(emailed)}")  # fmt: skip
    backlog = result.backlog_documents / result.backlog_seconds if result.backlog_seconds else 0.0
    busy = sum(result.pass_seconds)
    light = result.pass_documents / busy if busy else 0.0
    say(f"bare page (same run): {bare_rate:.0f} docs/s")
    say(f"end-to-end, first full pass: {backlog:.1f} documents/s ({result.backlog_documents} in"
        f" {result.backlog_seconds:.1f} s) = {_ratio(backlog, bare_rate)} of the bare page")  # fmt: skip
    say(f"end-to-end, incremental passes: {light:.1f} documents/s ({result.pass_documents} in {busy:.1f} s of"
        f" passes, each pass's fixed cost included) = {_ratio(light, bare_rate)} of the bare page")  # fmt: skip


def _p50_p95(latencies: list[float]) -> str:
    if not latencies:
        return "none"
    return f"p50 {percentile(latencies, 0.5):.1f} s   p95 {percentile(latencies, 0.95):.1f} s"


def _ratio(rate: float, bare_rate: float) -> str:
    return f"{rate / bare_rate:.2f}" if bare_rate else "n/a"
