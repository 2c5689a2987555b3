"""Migration 0010 adds the marketplace's name to documents already issued: they get "Cdiscount", the name they were
printed with, and the column is frozen like the others."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from facturier.core.tests.migrations import latest, migrate
from facturier.invoicing.models import Invoice
from facturier.invoicing.tests.orders import issue_invoice, market_order, order_line, sales_order

BEFORE = [("invoicing", "0009_search_text")]
AFTER = [("invoicing", "0010_invoice_marketplace_name")]


@pytest.mark.django_db(transaction=True)
def test_documents_issued_before_get_cdiscount_and_keep_it(seller_a):
    invoice = issue_invoice(sales_order(seller_a, market_order("ORD-OLD", [order_line("1", "30.00")])))
    try:
        migrate(BEFORE)
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM invoicing_invoice")
            assert cursor.fetchone() == (1,)
        migrate(AFTER)

        assert Invoice.objects.get(pk=invoice.pk).marketplace_name == "Cdiscount"
        statement = "UPDATE invoicing_invoice SET marketplace_name = 'Fnac' WHERE id = %s"
        with pytest.raises(DatabaseError, match="immutable"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, [invoice.pk])
    finally:
        migrate(latest())
