"""The sync stores a page of orders per transaction and hands each page's orders awaiting their invoice on at
once, so issuing starts while later pages are read; an invoiced order keeps the data it was invoiced with."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from django.db import connection

from facturier.invoicing.tests.orders import issue_invoice, malformed_order, market_order, order_line, sales_order
from facturier.sales.models import SalesOrder, SalesOrderLine, SyncRun
from facturier.sales.sync import record_page, sync_seller
from facturier.simulator.tests.fixtures import make_client

ORDERS = 250  # three pages of 100, 100 and 50


@pytest.mark.django_db
def test_each_stored_page_hands_on_exactly_its_orders_awaiting_an_invoice(start_simulator, connect_to_simulator):
    sim = start_simulator(seed=5, orders=ORDERS)
    seller = connect_to_simulator(sim)
    handed: list[list[int]] = []

    run = sync_seller(seller, client=make_client(sim), on_eligible=lambda run, pks: handed.append(pks))

    assert run.status == SyncRun.SUCCEEDED
    assert (run.orders_seen, SalesOrder.objects.count()) == (ORDERS, ORDERS)
    assert len(handed) == 2  # the third page holds only orders of the month before the backfill window
    eligible = SalesOrder.objects.filter(eligibility=SalesOrder.ELIGIBLE)
    assert sorted(pk for page in handed for pk in page) == sorted(eligible.values_list("pk", flat=True))
    assert run.orders_eligible == eligible.count()


@pytest.mark.django_db
def test_a_page_updates_orders_not_invoiced_and_leaves_invoiced_ones_as_they_were(seller_a):
    invoiced = sales_order(seller_a, market_order("ORD-1", [order_line("1", "20.00")]))
    waiting = sales_order(seller_a, market_order("ORD-2", [order_line("1", "30.00")]))
    issue_invoice(invoiced)
    cancelled_later = [
        market_order(order_id, [order_line("1", "20.00", status="Cancelled")], status="Cancelled")
        for order_id in ("ORD-1", "ORD-2")
    ]
    new = market_order("ORD-3", [order_line("1", "15.00")])
    errors: list = []

    verdicts = record_page(seller_a, [*cancelled_later, new], errors)

    assert verdicts == {"ORD-1": "cancelled", "ORD-2": "cancelled", "ORD-3": "eligible"}
    assert errors == []
    rows = {order.order_id: order for order in SalesOrder.objects.all()}
    assert (rows["ORD-1"].eligibility, rows["ORD-1"].status) == (SalesOrder.ELIGIBLE, "Shipped")
    assert lines_of("ORD-1") == [("1", "Shipped", True, Decimal("20.00"))]
    assert lines_of("ORD-2") == [("1", "Cancelled", False, Decimal("20.00"))]
    assert lines_of("ORD-3") == [("1", "Shipped", True, Decimal("15.00"))]
    assert (rows["ORD-2"].eligibility, rows["ORD-2"].status) == (SalesOrder.CANCELLED, "Cancelled")
    assert rows["ORD-2"].pk == waiting.pk
    assert (rows["ORD-3"].eligibility, rows["ORD-3"].status) == (SalesOrder.ELIGIBLE, "Shipped")


def lines_of(order_id: str) -> list[tuple]:
    lines = SalesOrderLine.objects.filter(order__order_id=order_id).order_by("position")
    return list(lines.values_list("line_id", "status", "active", "unit_price_gross"))


@pytest.mark.django_db
def test_a_malformed_order_seen_again_keeps_what_was_known_of_it(seller_a):
    good = market_order("ORD-9", [order_line("1", "20.00")])
    record_page(seller_a, [good], [])
    placed_at = SalesOrder.objects.get(order_id="ORD-9").placed_at

    bad_price = malformed_order("ORD-9", "Ligne 1, prix unitaire : « abc » n'est pas un nombre.")
    verdicts = record_page(seller_a, [bad_price], [])

    order = SalesOrder.objects.get(order_id="ORD-9")
    assert verdicts == {"ORD-9": SalesOrder.INVALID}
    assert (order.eligibility, order.status, order.placed_at) == (SalesOrder.INVALID, "Shipped", placed_at)
    assert order.reason == "Ligne 1, prix unitaire : « abc » n'est pas un nombre."
    assert lines_of("ORD-9") == [("1", "Shipped", True, Decimal("20.00"))]


@pytest.mark.django_db
def test_a_first_pass_reads_the_backfill_window_before_the_month_shown_for_information(
    start_simulator, connect_to_simulator
):
    sim = start_simulator(seed=5, orders=ORDERS)
    seller = connect_to_simulator(sim)
    start = seller.backfill_start
    older_stored_when_handed: list[int] = []

    def handed(_run, _pks) -> None:
        older_stored_when_handed.append(SalesOrder.objects.filter(marketplace_updated_at__lt=start).count())

    sync_seller(seller, client=make_client(sim), on_eligible=handed)

    # Pages run across the two listings: the second page ends with the first 31 orders of the older month.
    assert older_stored_when_handed == [0, 31]
    assert SalesOrder.objects.filter(marketplace_updated_at__lt=start).count() == 81
    assert SalesOrder.objects.count() == ORDERS


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite stores a NUL character; PostgreSQL refuses it")
def test_an_order_the_database_refuses_is_reported_and_the_rest_of_its_page_is_stored(seller_a):
    good = market_order("ORD-1", [order_line("1", "20.00")])
    # The Octopia parser repairs a NUL character (issue #13); an order built otherwise can still carry one.
    refused = replace(market_order("ORD-2", [order_line("1", "30.00")]), status="Ship\x00ped")
    errors: list = []

    verdicts = record_page(seller_a, [good, refused], errors)

    assert verdicts == {"ORD-1": SalesOrder.ELIGIBLE}
    assert list(SalesOrder.objects.values_list("order_id", flat=True)) == ["ORD-1"]
    assert len(errors) == 1
    assert str(errors[0]).startswith("ORD-2 : ")
    assert "NUL" in str(errors[0])
