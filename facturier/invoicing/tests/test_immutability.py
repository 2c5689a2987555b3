from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction

from facturier.invoicing.models import ImmutableDocumentError, Invoice, InvoiceLine
from facturier.invoicing.tests.orders import issue_invoice, market_order, order_line, sales_order


@pytest.fixture
def invoice(seller_a):
    return issue_invoice(sales_order(seller_a, market_order("ORD-9", [order_line("1", "30.00")])))


@pytest.mark.django_db
def test_the_model_refuses_edits_and_deletion(invoice):
    invoice.total_gross = Decimal("1.00")
    with pytest.raises(ImmutableDocumentError):
        invoice.save()
    with pytest.raises(ImmutableDocumentError):
        invoice.delete()
    with pytest.raises(ImmutableDocumentError):
        Invoice.objects.filter(pk=invoice.pk).update(number="X-1")
    with pytest.raises(ImmutableDocumentError):
        Invoice.objects.filter(pk=invoice.pk).delete()
    with pytest.raises(ImmutableDocumentError):
        InvoiceLine.objects.filter(invoice=invoice).update(net_amount=Decimal("0"))
    assert Invoice.objects.get(pk=invoice.pk).total_gross == Decimal("30.00")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "_case, statement",
    [
        ("rewrite total", "UPDATE invoicing_invoice SET total_gross = 1 WHERE id = %s"),
        ("rewrite number", "UPDATE invoicing_invoice SET number = 'FAC-999999' WHERE id = %s"),
        ("rewrite the payment date", "UPDATE invoicing_invoice SET payment_date = '2020-01-01' WHERE id = %s"),
        ("rewrite the marketplace", "UPDATE invoicing_invoice SET marketplace_name = 'Fnac' WHERE id = %s"),
        ("delete invoice", "DELETE FROM invoicing_invoice WHERE id = %s"),
        ("rewrite a line", "UPDATE invoicing_invoiceline SET net_amount = 0 WHERE invoice_id = %s"),
        ("delete a line", "DELETE FROM invoicing_invoiceline WHERE invoice_id = %s"),
    ],
)
def test_the_database_refuses_raw_sql_that_rewrites_an_issued_document(invoice, _case, statement):
    with pytest.raises(DatabaseError, match="immutable"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, [invoice.pk])
    assert Invoice.objects.get(pk=invoice.pk).number == "FAC-000001"
    assert InvoiceLine.objects.filter(invoice=invoice).count() == 1


@pytest.mark.django_db
def test_the_pdf_is_attached_once_and_never_replaced(invoice):
    assert Invoice.objects.filter(pk=invoice.pk).update(pdf="invoices/a.pdf", pdf_sha256="a" * 64) == 1
    with pytest.raises(DatabaseError, match="immutable"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE invoicing_invoice SET pdf = 'invoices/b.pdf' WHERE id = %s", [invoice.pk])
    assert Invoice.objects.get(pk=invoice.pk).pdf.name == "invoices/a.pdf"
