"""Documents left as a process killed at a given moment leaves them (for the recovery tests)."""

from __future__ import annotations

from facturier.invoicing import rendering
from facturier.invoicing.issuing import issue_invoices
from facturier.invoicing.models import Invoice
from facturier.invoicing.tests.orders import market_order, order_line, sales_order
from facturier.outbox.models import OutgoingEmail


def issued_unrendered(seller, order_id: str, price: str, monkeypatch) -> Invoice:
    """An invoice issued and committed by a worker that died before rendering it."""
    with monkeypatch.context() as patch:
        patch.setattr("facturier.invoicing.issuing._after_issue", lambda ids: None)
        return issue_invoices([sales_order(seller, market_order(order_id, [order_line("1", price)]))]).issued[0]


def killed_between_attaching_and_releasing(seller, order_id: str, monkeypatch) -> Invoice:
    """An invoice whose PDF was rendered, stored and attached by a worker that died before releasing the
    buyer's email: the email is still held."""
    invoice = issued_unrendered(seller, order_id, "24.00", monkeypatch)
    rendering._attach(rendering.store_documents([invoice]))
    invoice.refresh_from_db()
    assert invoice.pdf and OutgoingEmail.objects.get(related_key=f"invoice:{invoice.pk}").state == "held"
    return invoice
