"""The rendering task retries what a lost database connection interrupts, and nothing else."""

from __future__ import annotations

import pytest
from django.db import OperationalError

from facturier.invoicing import rendering
from facturier.invoicing.tasks import render_invoices_task
from facturier.invoicing.tests.orders import issue_invoice, market_order, order_line, sales_order


@pytest.mark.django_db(transaction=True)
def test_the_render_task_retries_after_a_lost_database_connection(seller_a, monkeypatch):
    invoice = issue_invoice(sales_order(seller_a, market_order("ORD-R", [order_line("1", "12.00")])))
    real_render = rendering.render_invoices
    calls: list[list[int]] = []

    def connection_lost_once(invoice_ids: list[int]) -> int:
        calls.append(invoice_ids)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real_render(invoice_ids)

    monkeypatch.setattr(rendering, "render_invoices", connection_lost_once)

    assert render_invoices_task.apply(args=([invoice.pk],), throw=False).get() == 1
    assert calls == [[invoice.pk], [invoice.pk]]
