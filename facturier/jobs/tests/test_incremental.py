"""Issue #14 item 6: a light incremental pass per seller every 15 minutes, within the API's limits (one cached token
for every pass and process; a pass finding nothing new costs one page of orders and one call per refund list)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import caches

from config.celery import app, incremental_schedule
from facturier.accounts.models import MarketplaceConnection
from facturier.invoicing.models import Invoice
from facturier.jobs.tasks import incremental_sync_all_sellers_task, sync_seller_task
from facturier.jobs.tests.passes import run_pass
from facturier.marketplace.auth import PROCESS_TOKEN_CACHE, token_cache_key
from facturier.marketplace.octopia import format_datetime
from facturier.sales import runs
from facturier.sales.models import SalesOrder, SyncRun
from facturier.sales.sync import INCREMENTAL

ORDERS = 40
NOTHING_NEW = ["/orders", "/order-commercial-gesture-requests", "/order-cancellation-requests"]


@pytest.fixture
def sim(start_simulator):
    return start_simulator(seed=99, orders=ORDERS)


@pytest.fixture
def seller(sim, connect_to_simulator):
    return connect_to_simulator(sim)


def a_pass(seller, trigger: str) -> SyncRun:
    """A pass as the task runs it (the client built from the seller's connection), issuing in this process."""
    return run_pass(seller, trigger)


def test_the_incremental_pass_is_in_the_one_beat_schedule_every_15_minutes_by_default(settings):
    app.loader.import_default_modules()
    entry = app.conf.beat_schedule["incremental-sync-all-sellers"]

    assert (entry["task"], entry["schedule"]) == ("facturier.jobs.tasks.incremental_sync_all_sellers_task", 900.0)
    assert incremental_schedule(30) == {"incremental-sync-all-sellers": {**entry, "schedule": 30.0}}
    assert incremental_schedule(0) == {}


@pytest.mark.django_db
def test_an_incremental_pass_that_finds_nothing_new_costs_one_page_and_one_call_per_refund_list(sim, seller, settings):
    sim.set_faults(malformed_orders=1)  # an invalid order: the full pass fetches it again, the light one does not
    full = a_pass(seller, "schedule")
    assert full.status == SyncRun.SUCCEEDED
    assert SalesOrder.objects.filter(eligibility=SalesOrder.INVALID).count() == 1
    cursor = MarketplaceConnection.objects.get(seller=seller).orders_cursor
    tokens, since = sim.token_requests, len(sim.requests())
    PROCESS_TOKEN_CACHE.clear()  # as in another worker process: the token comes from the shared cache

    light = a_pass(seller, INCREMENTAL)

    assert light.status == SyncRun.SUCCEEDED, light.message
    served = sim.requests(since)
    assert [path for _method, path, _query in served] == NOTHING_NEW
    assert served[0][2]["updatedAtMin"] == format_datetime(cursor - timedelta(minutes=90))  # the overlap
    assert sim.token_requests == tokens == 1
    key = token_cache_key(sim.auth_url, sim.credentials("98979")["client_id"])
    assert caches[settings.FACTURIER_TOKEN_CACHE].get(key) == PROCESS_TOKEN_CACHE.get(key) is not None


@pytest.mark.django_db
def test_an_order_shipped_since_the_last_pass_is_invoiced_by_the_next_incremental_pass(sim, seller):
    a_pass(seller, "schedule")
    accepted = sim.scenario_order("accepted")["orderId"]
    assert not Invoice.objects.filter(order__order_id=accepted).exists()
    sim.set_order_status(accepted, "Shipped")
    since = len(sim.requests())

    light = a_pass(seller, INCREMENTAL)

    assert light.status == SyncRun.SUCCEEDED
    assert Invoice.objects.filter(order__order_id=accepted, kind=Invoice.KIND_INVOICE).count() == 1
    assert [path for _method, path, _query in sim.requests(since)] == NOTHING_NEW


@pytest.mark.django_db
def test_an_incremental_pass_never_runs_beside_another_pass_of_the_same_seller(sim, seller):
    running = runs.open_run(seller, "schedule")

    assert incremental_sync_all_sellers_task.apply().get() == 0
    assert sync_seller_task.apply(args=(seller.pk, INCREMENTAL)).get() == 0
    assert list(SyncRun.objects.values_list("pk", flat=True)) == [running.pk]

    runs.close_run(running, SyncRun.SUCCEEDED, "")
    assert incremental_sync_all_sellers_task.apply().get() == 1
    started = sync_seller_task.apply(args=(seller.pk, INCREMENTAL)).get()
    assert SyncRun.objects.get(pk=started).trigger == INCREMENTAL
