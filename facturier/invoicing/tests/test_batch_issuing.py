"""Issuing in batches: one series lock per batch, numbers in the batch's order, nothing issued twice, and a
defect on one order never costs the others their invoice."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from facturier.invoicing import issuing
from facturier.invoicing.issuing import issue_invoices
from facturier.invoicing.models import Invoice, InvoiceLine
from facturier.invoicing.tests.orders import issue_invoice, malformed_order, market_order, order_line, sales_order
from facturier.outbox.models import EmailEvent, OutgoingEmail
from facturier.sales.models import SalesOrder

BAD_PRICE = "Ligne 1, prix unitaire : « abc » n'est pas un nombre."


@pytest.fixture(autouse=True)
def no_rendering(monkeypatch):
    rendered: list[list[int]] = []
    monkeypatch.setattr("facturier.invoicing.issuing._after_issue", rendered.append)
    return rendered


def make_orders(seller, count: int, prefix: str = "ORD") -> list[SalesOrder]:
    return [
        sales_order(seller, market_order(f"{prefix}-{n}", [order_line("1", f"{10 + n}.00")])) for n in range(count)
    ]


def numbers_by_order() -> list[tuple[str, str]]:
    return list(Invoice.objects.order_by("sequence").values_list("order_reference", "number"))


@pytest.mark.django_db(transaction=True)
def test_a_batch_is_numbered_in_its_order_and_skips_orders_issued_or_not_invoiceable(seller_a, no_rendering):
    orders = make_orders(seller_a, 5)
    malformed = sales_order(seller_a, malformed_order("ORD-BAD", BAD_PRICE))
    issue_invoice(orders[2])  # already issued before the batch: FAC-000001

    batch = issue_invoices([orders[0], malformed, orders[1], orders[2], orders[3], orders[4]])

    assert [invoice.number for invoice in batch.issued] == ["FAC-000002", "FAC-000003", "FAC-000004", "FAC-000005"]
    assert batch.errors == []
    assert numbers_by_order() == [
        ("ORD-2", "FAC-000001"),
        ("ORD-0", "FAC-000002"),
        ("ORD-1", "FAC-000003"),
        ("ORD-3", "FAC-000004"),
        ("ORD-4", "FAC-000005"),
    ]
    malformed.refresh_from_db()
    assert malformed.eligibility == SalesOrder.INVALID
    assert malformed.reason == BAD_PRICE
    assert [line.gross_amount for line in InvoiceLine.objects.filter(invoice__order__order_id="ORD-3")] == [
        Invoice.objects.get(order_reference="ORD-3").total_gross
    ]
    held = OutgoingEmail.objects.filter(state=OutgoingEmail.STATE_HELD).order_by("pk")
    assert [email.related_key for email in held] == [f"invoice:{invoice.pk}" for invoice in
                                                     Invoice.objects.order_by("sequence")]
    assert EmailEvent.objects.filter(kind=EmailEvent.KIND_HELD).count() == 5
    assert no_rendering[-1] == [invoice.pk for invoice in batch.issued]


@pytest.mark.django_db(transaction=True)
def test_the_series_is_locked_and_bumped_once_for_the_whole_batch(seller_a):
    orders = make_orders(seller_a, 20)

    with CaptureQueriesContext(connection) as queries:
        batch = issue_invoices(orders)

    assert len(batch.issued) == 20
    counter_bumps = [q["sql"] for q in queries if q["sql"].startswith('UPDATE "invoicing_invoiceseries"')]
    invoice_inserts = [q["sql"] for q in queries if q["sql"].startswith('INSERT INTO "invoicing_invoice" ')]
    assert (len(counter_bumps), len(invoice_inserts)) == (1, 1)
    assert seller_a.series.get(key=f"seller:{seller_a.pk}:invoice").next_number == 21


@pytest.mark.django_db(transaction=True)
def test_a_batch_issued_twice_issues_nothing_the_second_time(seller_a):
    orders = make_orders(seller_a, 3)

    first, second = issue_invoices(orders), issue_invoices(orders)

    assert (len(first.issued), len(second.issued)) == (3, 0)
    assert Invoice.objects.count() == OutgoingEmail.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_an_order_that_breaks_the_batch_is_left_out_alone_and_the_others_are_numbered_without_gap(
    seller_a, monkeypatch
):
    orders = make_orders(seller_a, 4)
    real_new_document = issuing._new_document

    def refuse_order_2(seller, kind, key, sequence, prefix, fields, moment):
        if fields["order"].order_id == "ORD-2":
            raise ValueError("montant illisible")
        return real_new_document(seller, kind, key, sequence, prefix, fields, moment)

    monkeypatch.setattr(issuing, "_new_document", refuse_order_2)
    batch = issue_invoices(orders)

    assert batch.errors == ["ORD-2 : montant illisible"]
    assert numbers_by_order() == [("ORD-0", "FAC-000001"), ("ORD-1", "FAC-000002"), ("ORD-3", "FAC-000003")]
    assert OutgoingEmail.objects.count() == 3
