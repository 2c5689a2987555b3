"""Issue #14 item 5: a refund list that fails or answers another shape never fails the order sync.

The real client against the simulator over HTTP, the simulator serving each variant an outside fake of the public
API may answer on /order-commercial-gesture-requests or /order-cancellation-requests.
"""

from __future__ import annotations

import pytest

from facturier.accounts.models import MarketplaceConnection
from facturier.core.stored_text import render
from facturier.invoicing.models import Invoice
from facturier.jobs.tests.passes import run_pass
from facturier.sales.models import RefundRecord, SalesOrder, SyncRun
from facturier.simulator.tests.fixtures import make_client
from facturier.simulator.variants import first_line_id_of, order_id_of

ORDERS = 3  # the b2c, business and relay scenarios: the refunds under test are on the b2c and relay orders
GESTURES = "/order-commercial-gesture-requests"
CANCELLATIONS = "/order-cancellation-requests"


@pytest.fixture
def sim(start_simulator):
    return start_simulator(seed=99, orders=ORDERS)


@pytest.fixture
def seller(sim, connect_to_simulator):
    return connect_to_simulator(sim)


def full_pass(sim, seller, sleeps) -> SyncRun:
    return run_pass(seller, client=make_client(sim, sleep=sleeps))


def refunds_of_b2c_order(sim) -> dict[str, str]:
    """A commercial gesture and a cancellation of two shipped orders: {list: the refund_id it should record}."""
    order = sim.scenario_order("b2c")
    gesture = sim.add_refund(kind="commercial_gesture", orderId=order_id_of(sim.scenario_order("relay")), amount="5.00")
    cancellation = sim.add_refund(
        kind="cancellation", orderId=order_id_of(order), lineIds=[first_line_id_of(order)]
    )
    return {
        "gestures_fault": f"gesture:{gesture['id']}",
        "cancellations_fault": f"cancellation:{cancellation['cancellationRequestId']}",
    }


def eligible_ids() -> list[str]:
    return sorted(SalesOrder.objects.filter(eligibility=SalesOrder.ELIGIBLE).values_list("order_id", flat=True))


def invoiced_ids() -> list[str]:
    return sorted(Invoice.objects.filter(kind="invoice").values_list("order__order_id", flat=True))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fault", "answer", "endpoint", "said"),
    [
        ("gestures_fault", "404", GESTURES, "HTTP 404"),
        ("gestures_fault", "400", GESTURES, "HTTP 400"),
        ("gestures_fault", "403", GESTURES, "HTTP 403"),
        ("gestures_fault", "500", GESTURES, "aucune réponse utilisable après plusieurs essais"),
        ("gestures_fault", "shape", GESTURES, "une réponse d'une forme inattendue"),
        ("cancellations_fault", "404", CANCELLATIONS, "HTTP 404"),
        ("cancellations_fault", "400", CANCELLATIONS, "HTTP 400"),
        ("cancellations_fault", "403", CANCELLATIONS, "HTTP 403"),
        ("cancellations_fault", "500", CANCELLATIONS, "aucune réponse utilisable après plusieurs essais"),
        ("cancellations_fault", "shape", CANCELLATIONS, "une réponse d'une forme inattendue"),
    ],
)
def test_a_failing_refund_list_never_fails_the_orders_and_its_refund_comes_once_it_works(
    sim, seller, recorded_sleeps, fault, answer, endpoint, said
):
    expected = refunds_of_b2c_order(sim)
    sim.set_faults(**{fault: answer})

    run = full_pass(sim, seller, recorded_sleeps)

    assert run.status == SyncRun.SUCCEEDED, render(run.message)
    assert SalesOrder.objects.count() == ORDERS
    assert invoiced_ids() == eligible_ids() != []
    line = next(line for line in render(run.message).splitlines() if line.startswith("Remboursements non lus"))
    assert f"la marketplace a répondu {said} sur GET {endpoint}." in line
    assert "cette liste sera relue au prochain passage" in line
    connection = MarketplaceConnection.objects.get(seller=seller)
    assert connection.status == MarketplaceConnection.STATUS_OK
    assert connection.refunds_cursor is None  # the failed list is read again from the same point
    recorded = set(RefundRecord.objects.values_list("refund_id", flat=True))
    other = next(name for name in expected if name != fault)
    assert expected[other] in recorded and expected[fault] not in recorded  # each list stands on its own

    sim.set_faults(**{fault: ""})
    later = full_pass(sim, seller, recorded_sleeps)

    assert later.status == SyncRun.SUCCEEDED
    assert "Remboursements non lus" not in render(later.message)
    credited = RefundRecord.objects.filter(refund_id__in=expected.values(), state=RefundRecord.CREDITED)
    assert sorted(credited.values_list("refund_id", flat=True)) == sorted(expected.values())
    assert MarketplaceConnection.objects.get(seller=seller).refunds_cursor is not None
    assert invoiced_ids() == eligible_ids()  # each order invoiced once


@pytest.mark.django_db
def test_both_refund_lists_failing_still_invoice_every_order_and_say_both(sim, seller, recorded_sleeps):
    sim.set_faults(gestures_fault="404", cancellations_fault="403")

    run = full_pass(sim, seller, recorded_sleeps)

    assert run.status == SyncRun.SUCCEEDED
    problems = [line for line in render(run.message).splitlines() if line.startswith("Remboursements non lus")]
    assert [GESTURES in problems[0], CANCELLATIONS in problems[1]] == [True, True]
    assert invoiced_ids() == eligible_ids() != []
    assert MarketplaceConnection.objects.get(seller=seller).status == MarketplaceConnection.STATUS_OK


@pytest.mark.django_db
def test_a_refund_whose_status_is_not_understood_is_shown_on_the_run_never_dropped_silently(
    sim, seller, recorded_sleeps
):
    order_id = sim.scenario_order("b2c")["orderId"]
    odd = sim.add_refund(kind="commercial_gesture", orderId=order_id, amount="3.00", status="PartiallyRefunded")
    pending = sim.add_refund(kind="commercial_gesture", orderId=order_id, amount="4.00", status="Pending")
    cancellation = sim.add_refund(kind="cancellation", orderId=order_id, status="Mystery", lineIds=["1"])

    run = full_pass(sim, seller, recorded_sleeps)

    assert run.status == SyncRun.SUCCEEDED
    shown = [line for line in render(run.message).splitlines() if line.startswith("Remboursement non compris")]
    assert shown == [
        "Remboursement non compris, sans avoir : commercial gesture "
        f"{odd['id']} of order {order_id}: status 'PartiallyRefunded' not understood",
        "Remboursement non compris, sans avoir : cancellation "
        f"{cancellation['cancellationRequestId']} of order {order_id}: status 'Mystery' not understood",
    ]
    assert pending["id"] not in render(run.message)  # not accepted yet: nothing to say
    assert not RefundRecord.objects.filter(refund_id__in=[f"gesture:{odd['id']}", f"gesture:{pending['id']}"])
