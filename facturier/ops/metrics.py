"""`/metrics` for Prometheus: business counters read from the database, task metrics from Celery signals.

Business counters come from the tables (invoices, sync runs, e-mails), so they are exact whatever process
issued the document and survive restarts; they are cheap aggregate queries on indexed columns.
"""

from __future__ import annotations

import hmac
import os

from django.conf import settings
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

from facturier.ops import task_metrics


def grouped(queryset, field: str) -> list[tuple[str, int]]:
    rows = queryset.order_by().values(field).annotate(n=Count("pk")).values_list(field, "n")
    return sorted((str(key), count) for key, count in rows)


class BusinessCollector:
    """Counters of documents issued, sync runs and e-mail outcomes, straight from the database."""

    def collect(self):
        from facturier.invoicing.models import Invoice
        from facturier.outbox.models import OutgoingEmail
        from facturier.sales.models import SyncRun

        yield self.family("facturier_documents_issued", "Invoices and credit notes issued.", "kind",
                          grouped(Invoice.objects.all(), "kind"))
        yield self.family("facturier_sync_runs", "Marketplace sync runs, by status.", "status",
                          grouped(SyncRun.objects.all(), "status"))
        yield self.family("facturier_emails", "Outgoing e-mails, by current state.", "state",
                          grouped(OutgoingEmail.objects.all(), "state"))

    @staticmethod
    def family(name: str, documentation: str, label: str, rows: list[tuple[str, int]]) -> CounterMetricFamily:
        family = CounterMetricFamily(name, documentation, labels=[label])
        for value, count in rows:
            family.add_metric([value], count)
        return family


def build_registry() -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(BusinessCollector())
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(registry)
    else:
        registry.register(task_metrics.TASK_SECONDS)
        registry.register(task_metrics.TASKS)
    return registry


def may_read_metrics(request: HttpRequest) -> bool:
    """The totals span every seller: the scraper's bearer token (FACTURIER_METRICS_TOKEN) or a staff session."""
    token = settings.FACTURIER_METRICS_TOKEN
    presented = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(presented.encode(), f"Bearer {token}".encode()):
        return True
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and user.is_staff)


@never_cache
@require_GET
def metrics(request):
    if not may_read_metrics(request):
        response = HttpResponse("Authentication required.\n", status=401, content_type="text/plain")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(generate_latest(build_registry()), content_type=CONTENT_TYPE_LATEST)
