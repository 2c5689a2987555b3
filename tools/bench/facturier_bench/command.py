"""`facturier bench --orders N [--workers W]`: the end-to-end benchmark (see tools/bench/facturier_bench/).

`facturier bench portal [--invoices N] [--zip Z] [--searches S]`: portal search and bulk ZIP on PostgreSQL.

`facturier bench ereporting [--invoices N]`: one month's flux 10.3 report of a seller with N documents (100,000).

`facturier bench continuous [--orders N] [--minutes M] [--rate R] [--interval S]`: after a first full pass over N
orders, R orders shipped per minute on each marketplace (Cdiscount, a Mirakl marketplace) for M minutes while the
incremental pass runs every S seconds, inline; prints "shipped -> document delivered" p50/p95 per marketplace and the
target.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from facturier_bench.continuous import report_continuous, run_continuous
from facturier_bench.documents import measure_documents
from facturier_bench.end_to_end import run_end_to_end
from facturier_bench.environment import start_environment
from facturier_bench.ereporting import report_ereporting, run_ereporting
from facturier_bench.measure import TaskTimings, p50_p95_ms, rate, read_task_timings
from facturier_bench.portal import report_portal, run_portal

STAGES = {
    "sync (whole pass)": "sync_seller_task",
    "issue": "issue_orders_task",
    "render+store+release": "render_invoices_task",
    "email": "deliver_emails_task",
}


class Command(BaseCommand):
    help = "Benchmark: simulator with N orders → invoices emailed, on a fresh database."
    requires_system_checks: list = []

    def add_arguments(self, parser) -> None:
        parser.add_argument("mode", nargs="?", default="end-to-end", choices=["end-to-end", "portal", "ereporting",
                                                                      "continuous"])
        parser.add_argument("--invoices", type=int, help="portal: invoices generated (1,000,000); ereporting: 100,000")
        parser.add_argument("--zip", type=int, default=10_000, help="portal: invoices in the bulk ZIP")
        parser.add_argument("--searches", type=int, default=300, help="portal: searches timed")
        parser.add_argument("--keep", action="store_true", help="portal: keep the generated database")
        parser.add_argument("--reuse", default="", help="portal: time again a database kept by --keep (its name)")
        parser.add_argument("--orders", type=int, default=500)
        parser.add_argument("--workers", type=int, default=2, help="0 = everything inline in this process")
        parser.add_argument("--sample", type=int, default=200, help="documents re-rendered for the ratios")
        parser.add_argument("--minutes", type=float, default=3.0, help="continuous: how long orders are shipped")
        parser.add_argument("--rate", type=float, default=20.0, help="continuous: orders shipped/min, per marketplace")
        parser.add_argument("--interval", type=float, default=30.0, help="continuous: seconds between passes")

    def handle(self, *args, mode: str, orders: int, workers: int, sample: int, **options) -> None:
        if mode == "ereporting":
            report_ereporting(run_ereporting(options["invoices"] or 100_000), self.stdout.write)
            return
        if mode == "portal":
            invoices = options["invoices"] or 1_000_000
            result = run_portal(
                invoices, options["zip"], options["searches"], keep=options["keep"], reuse=options["reuse"]
            )
            report_portal(result, self.stdout.write)
            return
        if mode == "continuous":
            self.continuous(orders, options["minutes"], options["rate"], options["interval"], sample)
            return
        env = start_environment(orders)
        try:
            result = run_end_to_end(env, workers)
            documents = measure_documents(sample)
        finally:
            env.stop()
        self.report(orders, workers, result, documents)

    def continuous(self, orders: int, minutes: float, per_minute: float, interval: float, sample: int) -> None:
        env = start_environment(orders, email_timestamps=True)
        try:
            result = run_continuous(env, minutes=minutes, rate=per_minute, interval=interval, say=self.stdout.write)
            documents = measure_documents(sample)
        finally:
            env.stop()
        self.stdout.write(f"database: {self.engine()}   tasks inline (eager), as beat + one worker would run them")
        report_continuous(result, rate(documents.bare), self.stdout.write)

    def report(self, orders, workers, result, documents) -> None:
        say = self.stdout.write
        say(f"orders: {orders}   workers: {workers}   database: {result.timings_dir and self.engine()}")
        say(f"documents issued: {result.documents}   emails received by SMTP: {result.emails_received}")
        say(f"end-to-end: {result.documents / result.seconds:.1f} invoices/s")
        timings = read_task_timings(result.timings_dir)
        say("per document (a batch task's time divided by its documents):")
        for stage, task in STAGES.items():
            stage_timings = timings.get(task, TaskTimings())
            say(f"  {stage:<22} {p50_p95_ms(stage_timings.per_document)}"
                f"   ({len(stage_timings.runs)} tasks, {stage_timings.documents} documents)")
        say(f"  {'render (sample)':<22} {p50_p95_ms(documents.render)}")
        say(f"  {'store (sample)':<22} {p50_p95_ms(documents.store)}")
        cpu = result.cpu
        others = cpu["machine"] - cpu["workers"] - cpu["bench"]
        say(f"CPU time during the run: {cpu['machine']:.1f} s on the machine = workers {cpu['workers']:.1f} s"
            f" + bench process (simulator, SMTP sink, polling) {cpu['bench']:.1f} s"
            f" + others (PostgreSQL, Redis, …) {others:.1f} s;"
            f" {cpu['machine'] * 1000 / max(result.documents, 1):.1f} ms per document")
        workers = {name: kib for name, kib in result.peak_rss_kib.items() if name != "bench"}
        if workers:
            say(f"peak memory, Facturier's worker processes: {sum(workers.values()) / 1024:.0f} MiB in {len(workers)}"
                f" (largest {max(workers.values()) / 1024:.0f} MiB)")
        say(f"peak memory, benchmark process (simulator holding every order, SMTP sink; inline tasks when W = 0):"
            f" {result.peak_rss_kib['bench'] / 1024:.0f} MiB")
        ours, naive, bare = rate(documents.render), rate(documents.naive), rate(documents.bare)
        end_to_end = result.documents / result.seconds
        say(f"render+embed: {ours:.0f} docs/s   naive baseline: {naive:.0f} docs/s   bare page: {bare:.0f} docs/s")
        say(f"ratios: render+embed / naive = {ours / naive:.2f}x   render+embed / bare page = {ours / bare:.2f}x"
            f"   end-to-end / bare page = {end_to_end / bare:.3f}x")

    @staticmethod
    def engine() -> str:
        from django.db import connection

        return connection.vendor
