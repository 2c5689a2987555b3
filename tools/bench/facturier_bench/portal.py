"""`facturier bench portal`: the portal's search and bulk ZIP on a PostgreSQL database of N invoices.

Times exactly what the portal and the API run: `finder.search` + `finder.keyset_page` for a page of 50, and
`archive.stream_zip` drained into a counting sink (no bytes kept), with the peak RSS of this process.
"""

from __future__ import annotations

import random
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import psycopg
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Count

from facturier.accounts.models import Seller
from facturier.invoicing.archive import stream_zip
from facturier.invoicing.finder import InvoiceFilters, keyset_page, search
from facturier.invoicing.models import Invoice
from facturier.portal.views.invoices import ORDERS_SHOWN
from facturier.sales.not_invoiced import OrderFilters, not_invoiced
from facturier_bench.environment import fresh_database, override, point_default_database
from facturier_bench.measure import p50_p95_ms
from facturier_bench.portal_data import FIRST_NAMES, LAST_NAMES, PERIOD_END, SELLERS, Dataset, generate

SQLITE_REFUSAL = (
    "bench portal needs PostgreSQL (it measures PostgreSQL indexes on a million rows): "
    "set DATABASE_URL=postgres://user@host:port/db"
)
PAGE_SIZE = 50
SEARCH_KINDS = [
    "number prefix", "order-ref prefix", "buyer prefix", "name substring", "exact amount", "date range", "kind",
    "email status", "no filter", "keyset page",
]  # fmt: skip


@dataclass
class ZipRun:
    invoices: int
    seconds: float
    bytes_out: int
    rss_before_kib: int
    rss_after_kib: int
    peak_kib: int

    @property
    def rate(self) -> float:
        return self.invoices / self.seconds if self.seconds else 0.0


@dataclass
class PortalResult:
    dataset: Dataset
    generation_seconds: float
    database: str = ""  # named when kept, for --reuse
    search_seconds: dict[str, list[float]] = field(default_factory=dict)
    search_rows: dict[str, list[int]] = field(default_factory=dict)
    zips: list[ZipRun] = field(default_factory=list)


def require_postgresql() -> None:
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        raise CommandError(SQLITE_REFUSAL)


def run_portal(
    invoices: int, zip_size: int, searches: int, *, keep: bool = False, reuse: str = ""
) -> PortalResult:
    """`reuse`: the name of a database an earlier `--keep` run left, timed again without generating it (so the
    generation can run while the machine is busy and the timing when it is quiet)."""
    require_postgresql()
    previous_name = settings.DATABASES["default"]["NAME"]
    media_root = Path(tempfile.mkdtemp(prefix="facturier-bench-portal-"))
    override(MEDIA_ROOT=media_root, STORAGES={**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": media_root}}})
    if reuse:
        point_default_database(reuse)
    else:
        fresh_database()
    bench_name = settings.DATABASES["default"]["NAME"]
    try:
        started = time.perf_counter()
        dataset = existing_dataset() if reuse else generate(invoices)
        result = PortalResult(dataset, 0.0 if reuse else time.perf_counter() - started, bench_name if keep else "")
        attach_shared_pdf(dataset, max(zip_size, min(1000, zip_size)))
        time_searches(result, searches)
        small = min(1000, zip_size)
        result.zips = [time_zip(dataset, small), time_zip(dataset, zip_size)]
        return result
    finally:
        point_default_database(previous_name)
        shutil.rmtree(media_root, ignore_errors=True)
        if not keep and not reuse:
            drop_database(bench_name)


def drop_database(name: str) -> None:
    current = settings.DATABASES["default"]
    server = f"{current['USER'] or 'postgres'}@{current['HOST'] or '127.0.0.1'}:{current['PORT'] or 5432}"
    with psycopg.connect(f"postgresql://{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def newest(dataset: Dataset):
    return Invoice.objects.filter(seller=dataset.big_seller).order_by("-issued_at", "-id")


def existing_dataset() -> Dataset:
    """The dataset of a kept database: the seller with the most invoices is the searched one."""
    counts = Invoice.objects.values("seller").annotate(n=Count("id")).order_by("-n")
    big = counts[0]
    return Dataset(
        big_seller=Seller.objects.get(pk=big["seller"]), invoices=Invoice.objects.count(), big_invoices=big["n"]
    )


def attach_shared_pdf(dataset: Dataset, count: int) -> None:
    """One real rendered PDF (the newest invoice's), stored in this run's media folder and shared by the `count`
    newest invoices.

    The immutability trigger allows this UPDATE only for an invoice with no PDF yet; a reused database has them
    already, so the same file name is written again instead.
    """
    from facturier.documents.render import render_document
    from facturier.invoicing.snapshot import to_snapshot

    template = newest(dataset).select_related("seller").first()
    document = render_document(to_snapshot(template, logo=None))
    if template.pdf:
        default_storage.save(template.pdf.name, ContentFile(document.pdf))
        return
    name = default_storage.save("invoices/bench-shared.pdf", ContentFile(document.pdf))
    ids = list(newest(dataset).values_list("pk", flat=True)[:count])
    Invoice.objects.filter(pk__in=ids).update(pdf=name, pdf_sha256=document.sha256)


def zip_subset(dataset: Dataset, count: int):
    """The `count` newest invoices as the portal exports them: a search narrowed to an issue moment onwards."""
    threshold = newest(dataset).values_list("issued_at", flat=True)[count - 1]
    return search(dataset.big_seller, InvoiceFilters()).filter(issued_at__gte=threshold)


def rss_kib(field_name: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field_name + ":"):
            return int(line.split()[1])
    return 0


def reset_peak_rss() -> None:
    # Writing 5 to clear_refs resets VmHWM (Linux ≥ 4.0), so each ZIP run reports its own peak.
    Path("/proc/self/clear_refs").write_text("5")


def time_zip(dataset: Dataset, count: int) -> ZipRun:
    invoices = zip_subset(dataset, count)
    reset_peak_rss()
    before = rss_kib("VmRSS")
    started = time.perf_counter()
    written = sum(len(chunk) for chunk in stream_zip(invoices))
    seconds = time.perf_counter() - started
    return ZipRun(count, seconds, written, before, rss_kib("VmRSS"), rss_kib("VmHWM"))


def time_searches(result: PortalResult, searches: int) -> None:
    rng = random.Random(7)
    seller = result.dataset.big_seller
    for index in range(searches):
        kind = SEARCH_KINDS[index % len(SEARCH_KINDS)]
        filters, cursor = search_input(kind, result.dataset, rng)  # prepared outside the timed part
        started = time.perf_counter()
        rows = len(keyset_page(search(seller, filters), cursor, PAGE_SIZE).rows)
        if filters.query:  # the invoice list also shows the orders not invoiced that the text finds
            len(not_invoiced(seller, OrderFilters(query=filters.query))[:ORDERS_SHOWN])
        result.search_seconds.setdefault(kind, []).append(time.perf_counter() - started)
        result.search_rows.setdefault(kind, []).append(rows)


def search_input(kind: str, dataset: Dataset, rng: random.Random) -> tuple[InvoiceFilters, str]:
    if kind == "keyset page":
        return InvoiceFilters(), deep_cursor(dataset, rng)
    return filters_for(kind, rng.randint(1, dataset.big_invoices), rng), ""


def deep_cursor(dataset: Dataset, rng: random.Random) -> str:
    """A cursor as the portal hands it out (`next_cursor`), at a random depth of the big seller's list."""
    offset = rng.randint(PAGE_SIZE, dataset.big_invoices - 1 - PAGE_SIZE)  # a full page always follows
    moment, pk = newest(dataset).values_list("issued_at", "pk")[offset]
    return f"{moment.isoformat()}_{pk}"


def filters_for(kind: str, g: int, rng: random.Random) -> InvoiceFilters:
    if kind == "number prefix":
        return InvoiceFilters(query=f"fac-{g:06d}"[: rng.randint(7, 10)])
    if kind == "order-ref prefix":
        return InvoiceFilters(query=f"26{g:010d}"[: rng.randint(8, 12)])
    if kind == "buyer prefix":
        return InvoiceFilters(query=rng.choice(FIRST_NAMES)[:4].lower() if g % 2 else rng.choice(LAST_NAMES))
    if kind == "name substring":
        # A piece from inside a first or last name, typed without its accents or capitals ("upon", "lefevr").
        name = rng.choice(FIRST_NAMES + LAST_NAMES)
        start = rng.randint(1, max(1, len(name) - 3))
        return InvoiceFilters(query=name[start : start + rng.randint(3, 5)].lower().replace("é", "e"))
    if kind == "exact amount":
        amount = Decimal((g * 7919) % 49900 + 100) / 100  # the generator's formula: it always exists
        return InvoiceFilters(query=f"{amount:.2f}".replace(".", ","))
    if kind == "date range":
        start = PERIOD_END.date() - timedelta(days=rng.randint(7, 360))
        return InvoiceFilters(date_from=start, date_to=start + timedelta(days=rng.choice([1, 7, 31])))
    if kind == "kind":
        return InvoiceFilters(kind=rng.choice([Invoice.KIND_CREDIT_NOTE, Invoice.KIND_INVOICE]))
    if kind == "email status":
        return InvoiceFilters(email_status=rng.choice(["failed", "bounced", "retrying", "sent"]))
    return InvoiceFilters()


def report_portal(result: PortalResult, say: Callable[[str], None]) -> None:
    dataset = result.dataset
    say(f"database: PostgreSQL {server_version()}   invoices: {dataset.invoices}   sellers: {SELLERS}"
        f"   big seller: {dataset.big_invoices} invoices")
    say(f"data generation: {result.generation_seconds:.1f} s (orders, invoices, lines, e-mails, ANALYZE)")
    if result.database:
        say(f"database kept: {result.database} (time it again with --reuse {result.database})")
    everything: list[float] = []
    say(f"search (page of {PAGE_SIZE}, big seller), {sum(map(len, result.search_seconds.values()))} searches:")
    for kind, seconds in result.search_seconds.items():
        everything.extend(seconds)
        rows = result.search_rows[kind]
        say(f"  {kind:<18} {p50_p95_ms(seconds)}   ({len(seconds)} searches, {min(rows)}-{max(rows)} rows)")
    say(f"  {'overall':<18} {p50_p95_ms(everything)}")
    for run in result.zips:
        say(f"zip {run.invoices:>6} invoices: {run.rate:7.0f} invoices/s   {run.seconds:6.2f} s"
            f"   {run.bytes_out / 2**20:7.1f} MiB out   RSS before {run.rss_before_kib / 1024:.0f} MiB"
            f"   after {run.rss_after_kib / 1024:.0f} MiB   peak {run.peak_kib / 1024:.0f} MiB")


def server_version() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return cursor.fetchone()[0]
