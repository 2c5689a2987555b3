"""/metrics exposes the business counters from the database and the task latency from Celery signals."""

from __future__ import annotations

import pytest
from django.test import Client
from prometheus_client.parser import text_string_to_metric_families

from facturier.accounts.models import User
from facturier.invoicing.tests.orders import market_order, order_line, sales_order
from facturier.jobs.tasks import issue_orders_task
from facturier.portal.tests.helpers import logged_in
from facturier.sales.models import SyncRun


def samples(text: str) -> dict[tuple[str, tuple], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


TOKEN = "metrics-token-for-tests"


@pytest.fixture
def scraper(settings):
    settings.FACTURIER_METRICS_TOKEN = TOKEN
    return Client(HTTP_AUTHORIZATION=f"Bearer {TOKEN}")


@pytest.mark.django_db(transaction=True)
def test_metrics_count_documents_runs_emails_and_task_latency(scraper, seller_a):
    client = scraper
    # Task metrics live in the process for its whole life: compare with a reading taken before.
    before = samples(client.get("/metrics").content.decode())
    for number in (1, 2):
        order = sales_order(seller_a, market_order(f"ORDER-{number}", [order_line("L1", "12.00")]))
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


@pytest.mark.django_db
def test_metrics_need_the_scraper_token_or_a_staff_session(scraper, seller_a):
    refused = {
        "anonymous": Client().get("/metrics"),
        "wrong token": Client(HTTP_AUTHORIZATION="Bearer guess").get("/metrics"),
        "a seller": logged_in(seller_a).get("/metrics"),
    }
    assert {name: (response.status_code, response["WWW-Authenticate"]) for name, response in refused.items()} == {
        name: (401, 'Bearer realm="metrics"') for name in refused}
    assert all(b"facturier_" not in response.content for response in refused.values())
    assert scraper.get("/metrics").status_code == 200
    staff = User.objects.create_user("ops@example.com", "un-mot-de-passe-long", is_staff=True)
    operator = Client()
    operator.force_login(staff)
    assert operator.get("/metrics").status_code == 200


@pytest.mark.django_db
def test_without_a_configured_token_no_bearer_is_accepted(settings):
    settings.FACTURIER_METRICS_TOKEN = ""
    assert Client(HTTP_AUTHORIZATION="Bearer ").get("/metrics").status_code == 401
