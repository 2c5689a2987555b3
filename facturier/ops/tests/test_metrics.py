"""/metrics exposes the business counters from the database and the task latency from Celery signals."""

from __future__ import annotations

import pytest
from prometheus_client.parser import text_string_to_metric_families

from facturier.invoicing.tests.orders import octopia_line, octopia_order, sales_order
from facturier.jobs.tasks import issue_orders_task
from facturier.sales.models import SyncRun


def samples(text: str) -> dict[tuple[str, tuple], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


@pytest.mark.django_db(transaction=True)
def test_metrics_count_documents_runs_emails_and_task_latency(client, seller_a):
    # Task metrics live in the process for its whole life: compare with a reading taken before.
    before = samples(client.get("/metrics").content.decode())
    for number in (1, 2):
        order = sales_order(seller_a, octopia_order(f"ORDER-{number}", [octopia_line("L1", "12.00")]))
        issue_orders_task.delay([order.pk]).get()
    SyncRun.objects.create(seller=seller_a, trigger="test", status=SyncRun.FAILED)

    response = client.get("/metrics")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    values = samples(response.content.decode())
    assert values[("facturier_documents_issued_total", (("kind", "invoice"),))] == 2
    assert values[("facturier_sync_runs_total", (("status", "failed"),))] == 1
    assert values[("facturier_emails_total", (("state", "sent"),))] == 2
    for key in (
        ("facturier_task_duration_seconds_count", (("task", "issue_orders_task"),)),
        ("facturier_task_duration_seconds_count", (("task", "render_invoices_task"),)),
        ("facturier_tasks_total", (("outcome", "success"), ("task", "deliver_emails_task"))),
    ):
        assert values[key] - before.get(key, 0) == 2, key
