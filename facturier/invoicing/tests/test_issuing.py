from decimal import Decimal

import pytest

from facturier.invoicing.models import Invoice, InvoiceLine
from facturier.invoicing.tests.orders import issue_invoice, malformed_order, market_order, order_line, sales_order
from facturier.outbox.models import OutgoingEmail
from facturier.sales.models import SalesOrder


@pytest.fixture
def two_rate_order(seller_a):
    seller_a.sku_rates.create(key="BOOK-1", rate=Decimal("5.5"))
    raw = market_order("ORD-1", [
        order_line("1", "59.99", sku="HEADSET", title="Casque audio", shipping="4.99"),
        order_line("2", "12.00", quantity=2, sku="BOOK-1", title="Livre de poche"),
    ])
    return sales_order(seller_a, raw)


@pytest.mark.django_db
def test_it_issues_an_invoice_whose_total_equals_what_the_buyer_paid(two_rate_order):
    invoice = issue_invoice(two_rate_order)

    assert invoice.number == "FAC-000001"
    assert invoice.total_gross == Decimal("88.98")
    assert invoice.amount_paid == Decimal("88.98")
    assert invoice.total_net + invoice.total_vat == Decimal("88.98")
    assert [(b["rate"], b["taxable_amount"], b["tax_amount"]) for b in invoice.vat_breakdown] == [
        ("20.00", "52.96", "10.59"), ("5.50", "24.10", "1.33"),
    ]
    # Shipping takes the goods' rates, split pro rata by gross (4.99 -> 3.56 at 20 %, 1.43 at 5.5 %).
    lines = list(invoice.lines.values_list("description", "unit_net_price", "net_amount", "gross_amount", "vat_rate"))
    assert lines == [
        ("Casque audio", Decimal("49.9900"), Decimal("49.99"), Decimal("59.99"), Decimal("20.00")),
        ("Livre de poche", Decimal("11.3700"), Decimal("22.74"), Decimal("24.00"), Decimal("5.50")),
        ("Frais de port (TVA 20 %)", Decimal("2.9700"), Decimal("2.97"), Decimal("3.56"), Decimal("20.00")),
        ("Frais de port (TVA 5,5 %)", Decimal("1.3600"), Decimal("1.36"), Decimal("1.43"), Decimal("5.50")),
    ]
    assert invoice.order_reference == "ORD-1"
    assert invoice.buyer_snapshot["name"] == "Zoë Martin"


@pytest.mark.django_db
def test_it_issues_one_invoice_per_order_and_queues_one_email(two_rate_order):
    first = issue_invoice(two_rate_order)
    second = issue_invoice(two_rate_order)

    assert first.pk == second.pk
    assert Invoice.objects.count() == 1
    assert OutgoingEmail.objects.filter(related_key=f"invoice:{first.pk}").count() == 1


@pytest.mark.django_db
def test_an_order_the_seller_cannot_invoice_keeps_its_reason(make_seller):
    seller = make_seller(country="DE", vat_number="DE136695976", fr_vat_number="", siren="", rcs_city="")
    raw = market_order("ORD-FULFIL", [order_line("1", "10.00", fulfilled_by_marketplace=True)])
    order = sales_order(seller, raw)

    assert issue_invoice(order) is None
    order.refresh_from_db()
    assert order.eligibility == SalesOrder.NOT_INVOICEABLE
    assert "français" in order.reason.lower() or "france" in order.reason.lower()
    assert Invoice.objects.count() == 0


@pytest.mark.django_db
def test_a_malformed_order_is_recorded_with_the_reason(seller_a):
    raw = malformed_order("ORD-BAD", "Ligne 1, prix unitaire : « abc » n'est pas un nombre.")
    order = sales_order(seller_a, raw)

    assert issue_invoice(order) is None
    order.refresh_from_db()
    assert order.eligibility == SalesOrder.INVALID
    assert order.reason == "Ligne 1, prix unitaire : « abc » n'est pas un nombre."
    assert InvoiceLine.objects.count() == 0
