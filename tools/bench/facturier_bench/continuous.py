"""`facturier bench continuous`: orders become shipped in the simulator at a steady rate while the incremental pass
runs every `interval` seconds; measures "shipped -> email received" latency.

The shipped moment is when the simulator marks the order shipped (its updatedAt moves then); the received moment
is when the benchmark's SMTP sink accepted the invoice's message (found by its Message-ID). The target is
p95 <= interval + 60 s: an order shipped just after a pass waits one interval, then a minute for issuing,
rendering and sending. The passes are started by this process as beat would, through `sync_seller_task`.

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

from facturier.simulator.server import SimulatorServer
from facturier.simulator.variants import awaiting_shipment, ship
from facturier_bench.end_to_end import create_bench_seller, finished, use_broker, wait_for_run
from facturier_bench.environment import BenchEnvironment
from facturier_bench.measure import percentile

SELLER = "98979"
GRACE_SECONDS = 60  # the target's allowance beyond one interval: issuing, rendering and sending


@dataclass
class ContinuousResult:
    interval: float
    rate_per_minute: float
    shipped: dict[str, float]  # order id -> when the simulator marked it shipped (time.time())
    received: dict[str, float]  # order id -> when the SMTP sink accepted its invoice email
    pass_seconds: list[float] = field(default_factory=list)
    pass_documents: int = 0
    backlog_documents: int = 0  # the first full pass: the simulator's orders at the start, as `facturier bench`
    backlog_seconds: float = 0.0

    @property
    def latencies(self) -> list[float]:
        return [self.received[order] - moment for order, moment in self.shipped.items() if order in self.received]

    @property
    def target(self) -> float:
        return self.interval + GRACE_SECONDS


def pending_orders(simulator: SimulatorServer, count: int) -> list[str]:
    """`count` new orders in preparation (copies of the b2c scenario order under new ids, bought yesterday): the
    feed ships them one by one."""
    return [awaiting_shipment(simulator, f"BENCH{index:06d}", SELLER) for index in range(count)]


class Feed(threading.Thread):
    """Ships the pending orders at a steady rate, recording when each was shipped."""

    def __init__(self, simulator: SimulatorServer, order_ids: list[str], rate_per_minute: float):
        super().__init__(name="bench-feed", daemon=True)
        self.simulator, self.order_ids, self.period = simulator, order_ids, 60.0 / rate_per_minute
        self.shipped: dict[str, float] = {}
        self.stop_event = threading.Event()

    def run(self) -> None:
        started = time.monotonic()
        for index, order_id in enumerate(self.order_ids):
            if self.stop_event.wait(max(0.0, started + index * self.period - time.monotonic())):
                return
            ship(self.simulator, order_id, SELLER)
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


def run_continuous(env: BenchEnvironment, *, minutes: float, rate: float, interval: float, say) -> ContinuousResult:
    from facturier.invoicing.models import Invoice
    from facturier.jobs.tasks import sync_seller_task
    from facturier.sales.sync import INCREMENTAL

    logging.getLogger("celery.app.trace").setLevel(logging.WARNING)  # a line per task would drown the report
    seller = create_bench_seller(env)
    use_broker("memory://", "celery", eager=True)
    order_ids = pending_orders(env.simulator, max(1, int(rate * minutes)))
    # The full pass first: the backlog is invoiced and the cursor set, as after a deployment's first sync.
    started = time.perf_counter()
    first = wait_for_run(sync_seller_task.delay(seller.pk, "bench").get())
    while not finished(first):
        time.sleep(0.2)
    backlog_seconds = time.perf_counter() - started
    say(f"first full pass done: {Invoice.objects.count()} documents in {backlog_seconds:.1f} s; feeding"
        f" {len(order_ids)} orders at {rate:g}/min for {minutes:g} min,"
        f" incremental pass every {interval:g} s")  # fmt: skip
    feed = Feed(env.simulator, order_ids, rate)
    result = ContinuousResult(interval, rate, feed.shipped, {}, backlog_documents=Invoice.objects.count(),
                              backlog_seconds=backlog_seconds)  # fmt: skip
    feed.start()
    deadline = time.monotonic() + minutes * 60 + interval + GRACE_SECONDS * 2
    next_pass = time.monotonic()
    try:
        while time.monotonic() < deadline:
            time.sleep(max(0.0, next_pass - time.monotonic()))
            next_pass += interval
            before, started = Invoice.objects.count(), time.perf_counter()
            sync_seller_task.delay(seller.pk, INCREMENTAL).get()
            result.pass_seconds.append(time.perf_counter() - started)
            result.pass_documents += Invoice.objects.count() - before
            received = received_by_order(env)
            if not feed.is_alive() and all(order in received for order in feed.shipped):
                break
    finally:
        feed.stop_event.set()
        feed.join(5)
    result.received = received_by_order(env)
    return result


def report_continuous(result: ContinuousResult, bare_rate: float, say) -> None:
    latencies = result.latencies
    p50, p95 = percentile(latencies, 0.5), percentile(latencies, 0.95)
    verdict = "met" if latencies and p95 <= result.target else "MISSED"
    say(f"incremental pass interval: {result.interval:g} s   feed: {result.rate_per_minute:g} orders shipped/min")
    say(f"orders shipped: {len(result.shipped)}   invoice emails received: {len(latencies)}"
        f"   passes: {len(result.pass_seconds)} (p50 {percentile(result.pass_seconds, 0.5):.2f} s,"
        f" max {max(result.pass_seconds, default=0):.2f} s)")  # fmt: skip
    say(f"shipped -> email received: p50 {p50:.1f} s   p95 {p95:.1f} s   target p95 <= interval + 60 s"
        f" = {result.target:g} s: {verdict}")  # fmt: skip
    backlog = result.backlog_documents / result.backlog_seconds if result.backlog_seconds else 0.0
    busy = sum(result.pass_seconds)
    light = result.pass_documents / busy if busy else 0.0
    say(f"bare page (same run): {bare_rate:.0f} docs/s")
    say(f"end-to-end, first full pass: {backlog:.1f} documents/s ({result.backlog_documents} in"
        f" {result.backlog_seconds:.1f} s) = {_ratio(backlog, bare_rate)} of the bare page")  # fmt: skip
    say(f"end-to-end, incremental passes: {light:.1f} documents/s ({result.pass_documents} in {busy:.1f} s of"
        f" passes, each pass's fixed cost included) = {_ratio(light, bare_rate)} of the bare page")  # fmt: skip


def _ratio(rate: float, bare_rate: float) -> str:
    return f"{rate / bare_rate:.2f}" if bare_rate else "n/a"
