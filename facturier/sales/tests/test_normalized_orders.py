"""Issue #14 item 2: orders are stored as typed columns and lines, and invoicing reads those, never the payload.

Sales channel (marketplace-fidelity #32) and buyer e-mail (#46) are checked end to end: the simulator over HTTP
serves the variant, the sync stores it, the pipeline invoices (or not) and emails.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from facturier.core.stored_text import render
from facturier.invoicing.models import Invoice
from facturier.invoicing.tests.orders import ADDRESS, market_order, order_line, sales_order
from facturier.jobs.tests.passes import run_pass
from facturier.marketplace.dto import Address, OrderState
from facturier.portal.tests.helpers import logged_in
from facturier.sales.models import SalesOrder, SalesOrderLine, SyncRun
from facturier.sales.orders import load_orders
from facturier.simulator.variants import buyer_email_of, order_id_of, variant

RELAY = Address(first_name="Zoë", last_name="Martin", line1="Tabac de la Gare", postal_code="75011", city="Paris",
                country_code="FR", pickup_id="FR-123", pickup_name="Relais Gare")  # fmt: skip
BUYER = Address(first_name="Jean", last_name="Dupont", company_name="Atelier Dupont SARL",
                company_vat_number="FR40303265045", line1="8 rue de l'Égalité", postal_code="42000",
                city="Saint-Étienne", country_code="FR", email="jean@example.org")  # fmt: skip


@pytest.mark.django_db
def test_an_order_is_stored_in_typed_columns_and_lines_and_read_back_the_same(seller_a):
    placed = datetime(2026, 11, 18, 9, 0, tzinfo=UTC)
    order = market_order(
        "ORD-TYPED",
        [order_line("1", "12.50", quantity=2, shipping="3.90", sku="MUG", ean="3401758352767", title="Mug"),
         order_line("2", "30.00", status="Cancelled", fulfilled_by_marketplace=True)],
        placed=placed, billing=BUYER, delivery=RELAY, business=True, total_paid=Decimal("28.90"),
        buyer_emails=("jean@example.org", "zoe@relay.example"), seller_reference="REF-9",
    )  # fmt: skip

    row = sales_order(seller_a, order)

    assert (row.marketplace, row.state, row.status, row.sales_channel, row.currency, row.business_order) == (
        "octopia", OrderState.SHIPPED, "Shipped", "main", "EUR", True,
    )  # fmt: skip
    assert (row.placed_at, row.shipped_at, row.total_paid) == (placed, placed + timedelta(hours=4), Decimal("28.90"))
    assert (row.buyer_name, row.buyer_company, row.buyer_vat_number, row.buyer_siren) == (
        "Jean Dupont", "Atelier Dupont SARL", "FR40303265045", "303265045",
    )  # fmt: skip
    assert row.buyer_emails == ["jean@example.org", "zoe@relay.example"]
    assert (row.billing_city, row.delivery_line1, row.delivery_relay_id, row.delivery_relay_name) == (
        "Saint-Étienne", "Tabac de la Gare", "FR-123", "Relais Gare",
    )  # fmt: skip
    lines = SalesOrderLine.objects.filter(order=row).order_by("position")
    assert list(lines.values_list("position", "line_id", "sku", "quantity", "active", "fulfilled_by_marketplace")) == [
        (1, "1", "MUG", 2, True, False), (2, "2", "SKU-2", 1, False, True),
    ]  # fmt: skip
    with CaptureQueriesContext(connection) as queries:
        loaded = load_orders([row.pk])[row.pk]
    assert len(queries) == 2  # the rows, then all their lines
    assert loaded == order


@pytest.mark.django_db
def test_an_order_read_again_replaces_its_lines_until_it_is_invoiced(seller_a):
    row = sales_order(seller_a, market_order("ORD-AGAIN", [order_line("1", "10.00"), order_line("2", "5.00")]))
    sales_order(seller_a, market_order("ORD-AGAIN", [order_line("1", "10.00", status="Cancelled")]))
    assert list(row.lines.values_list("line_id", "active")) == [("1", False)]


@pytest.fixture
def sim(start_simulator):
    return start_simulator(seed=99, orders=1)  # the b2c scenario alone: shipped in France, to be invoiced


@pytest.mark.django_db(transaction=True)
def test_a_buyer_email_given_only_on_the_lines_shipping_address_gets_the_invoice(sim, connect_to_simulator):
    seller = connect_to_simulator(sim)
    email = buyer_email_of(sim.scenario_order("b2c"))
    sim.set_faults(email_on_lines_orders=1)

    run = run_pass(seller, "test")

    assert run.status == SyncRun.SUCCEEDED, render(run.message)
    (order,) = SalesOrder.objects.all()
    assert (order.eligibility, order.billing_email, order.buyer_emails) == (SalesOrder.ELIGIBLE, "", [email])
    invoice = Invoice.objects.get(order=order)
    assert invoice.buyer_email == email
    assert [message.to for message in mail.outbox] == [[email]]


@pytest.mark.django_db(transaction=True)
def test_an_order_of_another_channel_waits_with_its_reason_until_the_seller_opts_the_channel_in(
    sim, connect_to_simulator
):
    seller = connect_to_simulator(sim)
    sim.add_order(variant(sim, "SECOND0001"))
    sim.set_faults(other_channel_orders=1)  # one of the two, drawn with the seed
    (other_id,) = sim.state.fault_targets("98979")["other_channel"]
    (cdiscount_id,) = {"SECOND0001", order_id_of(sim.scenario_order("b2c"))} - {other_id}

    run_pass(seller, "test")

    other = SalesOrder.objects.get(order_id=other_id)
    assert (other.eligibility, other.sales_channel, other.sales_channel_name) == (
        SalesOrder.OTHER_CHANNEL, "OCTOBE", "Octopia Belgique",
    )  # fmt: skip
    assert render(other.reason) == (
        "Vendue sur le canal Octopia Belgique (OCTOBE) : seules les commandes passées sur Cdiscount même sont "
        "facturées. Pour facturer ce canal, ajoutez « OCTOBE » à « Autres canaux de vente à facturer » dans Réglages."
    )
    assert list(Invoice.objects.values_list("order__order_id", flat=True)) == [cdiscount_id]

    settings = {"invoice_prefix": "FAC-", "credit_note_prefix": "AV-", "default_vat_rate": "20",
                "upload_to_marketplace": "on", "extra_sales_channels": "octobe"}  # fmt: skip
    assert logged_in(seller).post("/reglages/", settings).status_code == 302
    seller.refresh_from_db()
    assert seller.extra_sales_channels == ["OCTOBE"]
    other.refresh_from_db()
    assert (other.eligibility, render(other.reason)) == (SalesOrder.ELIGIBLE, "")

    run_pass(seller, "test")

    assert sorted(Invoice.objects.values_list("order__order_id", flat=True)) == sorted([cdiscount_id, other_id])


@pytest.mark.django_db
def test_taking_a_channel_out_sends_its_orders_not_invoiced_back_to_waiting(seller_a):
    seller_a.extra_sales_channels = ["OCTOBE"]
    seller_a.save()
    order = market_order("ORD-BE", [order_line("1", "10.00")], sales_channel="OCTOBE", sales_channel_name="")
    assert sales_order(seller_a, order).eligibility == SalesOrder.ELIGIBLE

    settings = {"invoice_prefix": "FAC-", "credit_note_prefix": "AV-", "default_vat_rate": "20",
                "extra_sales_channels": ""}  # fmt: skip
    logged_in(seller_a).post("/reglages/", settings)
    seller_a.refresh_from_db()
    assert seller_a.extra_sales_channels is None

    row = SalesOrder.objects.get(order_id="ORD-BE")
    assert (row.eligibility, render(row.reason).split(" : ")[0]) == (
        SalesOrder.OTHER_CHANNEL, "Vendue sur le canal OCTOBE"
    )
    assert ADDRESS.email in row.buyer_emails
