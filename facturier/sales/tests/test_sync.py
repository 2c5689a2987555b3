"""Issue #3 acceptance: the real client against the real simulator over HTTP, for each fault mode."""

from __future__ import annotations

import pytest

from facturier.core.tests.threads import run_concurrently
from facturier.invoicing.models import Invoice
from facturier.jobs.tests.passes import run_pass
from facturier.marketplace.transport import RetryPolicy
from facturier.sales.models import SalesOrder, SyncRun
from facturier.sales.sync import sync_seller
from facturier.simulator.faults import FaultConfig
from facturier.simulator.server import SimulatorServer
from facturier.simulator.tests.fixtures import make_client
from facturier.simulator.variants import order_id_of

ORDERS = 16  # the scenario orders, one page: the faults under test need no more


@pytest.fixture
def sim(start_simulator):
    return start_simulator(seed=99, orders=ORDERS)


@pytest.fixture
def seller(sim, connect_to_simulator):
    return connect_to_simulator(sim)


def invoiced_order_ids() -> list[str]:
    return sorted(Invoice.objects.filter(kind="invoice").values_list("order__order_id", flat=True))


def expected_invoiced(sim: SimulatorServer) -> list[str]:
    """What a fault-free run invoices, computed by a reference run on a fresh simulator with the same seed."""
    return sorted(SalesOrder.objects.filter(eligibility=SalesOrder.ELIGIBLE).values_list("order_id", flat=True))


@pytest.mark.django_db
def test_a_clean_run_records_every_order_with_a_reason(sim, seller):
    run = sync_seller(seller, client=make_client(sim))

    assert run.status == SyncRun.SUCCEEDED
    assert SalesOrder.objects.count() == ORDERS
    assert run.orders_seen == ORDERS
    unexplained = SalesOrder.objects.exclude(eligibility=SalesOrder.ELIGIBLE).filter(reason="")
    assert list(unexplained) == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "_case, faults, expected_sleeps",
    [
        ("5xx twice then fine", {"error_5xx_next": 2}, 2),
        ("429 burst with Retry-After", {"burst_429": 3, "retry_after": "1"}, 3),
        ("a timeout", {"timeout_next": 1, "timeout_seconds": 3.0}, 1),
        ("token expires mid-run", {"token_expire_after_calls": 2}, 0),
    ],
)
def test_transient_faults_are_retried_and_the_run_completes(
    sim, seller, recorded_sleeps, _case, faults, expected_sleeps
):
    sim.set_faults(**faults)

    run = sync_seller(seller, client=make_client(sim, sleep=recorded_sleeps))

    assert run.status == SyncRun.SUCCEEDED, run.message
    assert SalesOrder.objects.count() == ORDERS
    assert len(recorded_sleeps) == expected_sleeps
    if "retry_after" in faults:
        assert recorded_sleeps == [1.0, 1.0, 1.0]


@pytest.mark.django_db
def test_malformed_orders_are_recorded_and_never_stop_the_others(sim, seller):
    sim.set_faults(malformed_orders=3)

    run = sync_seller(seller, client=make_client(sim))

    assert run.status == SyncRun.SUCCEEDED
    invalid = SalesOrder.objects.filter(eligibility=SalesOrder.INVALID)
    assert invalid.count() == 3
    assert all(order.reason for order in invalid)
    assert SalesOrder.objects.count() == ORDERS


@pytest.mark.django_db
def test_an_api_failure_mid_run_loses_nothing_and_the_next_run_completes(sim, seller, recorded_sleeps):
    reference = SimulatorServer("127.0.0.1", 0, seed=99, orders=ORDERS, faults=FaultConfig())
    expected = sorted(order_id_of(order) for order in reference.orders("98979"))
    sim.set_faults(error_5xx_next=1000)

    # The retries' waits are recorded, not slept: the pass gives up after the policy's attempts all the same.
    failed = run_pass(seller, "test", client=make_client(sim, sleep=recorded_sleeps))
    assert failed.status == SyncRun.FAILED
    assert "indisponible" in failed.message
    assert len(recorded_sleeps) == RetryPolicy().max_attempts - 1
    assert Invoice.objects.count() == 0

    sim.set_faults(error_5xx_next=0)
    completed = run_pass(seller, "test", client=make_client(sim, sleep=recorded_sleeps))

    assert completed.status == SyncRun.SUCCEEDED
    assert sorted(SalesOrder.objects.values_list("order_id", flat=True)) == expected
    eligible = sorted(SalesOrder.objects.filter(eligibility=SalesOrder.ELIGIBLE).values_list("order_id", flat=True))
    assert invoiced_order_ids() == eligible


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_syncs_of_one_seller_create_each_invoice_once(sim, seller, monkeypatch):
    monkeypatch.setattr("facturier.invoicing.issuing._after_issue", lambda invoice_id: None)
    _, errors = run_concurrently(run_pass, [(seller,)] * 20)

    assert errors == []
    eligible = sorted(SalesOrder.objects.filter(eligibility=SalesOrder.ELIGIBLE).values_list("order_id", flat=True))
    assert invoiced_order_ids() == eligible
    numbers = sorted(Invoice.objects.filter(kind="invoice").values_list("sequence", flat=True))
    assert numbers == list(range(1, len(eligible) + 1))
