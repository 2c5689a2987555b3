"""Fidelity #23 through the whole pass: orders updated while the listing is paged cost no other order its invoice."""

from __future__ import annotations

import pytest

from facturier.invoicing.models import Invoice
from facturier.jobs.tests.passes import run_pass
from facturier.sales.models import SalesOrder, SyncRun
from facturier.simulator.faults import FaultConfig
from facturier.simulator.tests.fixtures import make_client

ORDERS = 40


@pytest.mark.django_db
def test_every_eligible_order_is_invoiced_once_though_orders_change_under_the_pages(
    start_simulator, connect_to_simulator
):
    sim = start_simulator(seed=99, orders=ORDERS, faults=FaultConfig(update_while_paging=2))
    seller = connect_to_simulator(sim)

    run = run_pass(seller, client=make_client(sim, orders_page_size=10))

    assert run.status == SyncRun.SUCCEEDED, run.message
    assert len(sim.state.updated_while_paging) >= 6
    assert sorted(SalesOrder.objects.values_list("order_id", flat=True)) == sorted(o["orderId"] for o in sim.orders())
    eligible = sorted(SalesOrder.objects.filter(eligibility=SalesOrder.ELIGIBLE).values_list("order_id", flat=True))
    invoiced = list(Invoice.objects.filter(kind=Invoice.KIND_INVOICE).values_list("order__order_id", flat=True))
    assert sorted(invoiced) == eligible != []  # each once
