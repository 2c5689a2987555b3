"""The whole loop against the real simulator over HTTP: sync → issue → render → email, exactly once."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest
from django.core import mail

from facturier.accounts.models import MarketplaceConnection
from facturier.documents.validation import check_pdfa, errors_only, extract_facturx_xml, validate_en16931, validate_xsd
from facturier.invoicing.models import Invoice
from facturier.jobs.tests.passes import run_pass
from facturier.outbox.models import OutgoingEmail
from facturier.sales.models import RefundRecord, SalesOrder, SyncRun

SCENARIO_ELIGIBILITY = {
    "SIM-b2c": SalesOrder.ELIGIBLE,
    "SIM-business": SalesOrder.ELIGIBLE,
    "SIM-relay": SalesOrder.ELIGIBLE,
    "SIM-partial-cancel": SalesOrder.ELIGIBLE,
    "SIM-fulfillment": SalesOrder.ELIGIBLE,
    "SIM-ship-be": SalesOrder.OUTSIDE_FRANCE,
    "SIM-ship-de": SalesOrder.OUTSIDE_FRANCE,
    "SIM-gesture": SalesOrder.ELIGIBLE,
    "SIM-cancel-after-ship": SalesOrder.ELIGIBLE,
    "SIM-vat-rates": SalesOrder.ELIGIBLE,
    "SIM-non-ascii": SalesOrder.ELIGIBLE,
    "SIM-old": SalesOrder.BEFORE_BACKFILL,
    "SIM-accepted": SalesOrder.NOT_SHIPPED,
    "SIM-in-preparation": SalesOrder.NOT_SHIPPED,
    "SIM-cancelled": SalesOrder.CANCELLED,
    "SIM-no-email": SalesOrder.ELIGIBLE,
}
ELIGIBLE = sorted(ref for ref, verdict in SCENARIO_ELIGIBILITY.items() if verdict == SalesOrder.ELIGIBLE)


def references(queryset) -> list[str]:
    return sorted(order.seller_reference for order in queryset)


@pytest.mark.django_db(transaction=True)
def test_every_eligible_order_is_invoiced_rendered_and_emailed_once(simulated_seller):
    run = run_pass(simulated_seller, "test")

    assert run.status == SyncRun.SUCCEEDED, run.message
    verdicts = {order.seller_reference: order.eligibility for order in SalesOrder.objects.all()}
    assert verdicts == SCENARIO_ELIGIBILITY
    invoiced = Invoice.objects.filter(kind=Invoice.KIND_INVOICE).select_related("order")
    assert sorted(invoice.order.seller_reference for invoice in invoiced) == ELIGIBLE
    assert [i.number for i in invoiced.order_by("sequence")] == [f"FAC-{n:06d}" for n in range(1, len(ELIGIBLE) + 1)]
    for invoice in Invoice.objects.all():
        pdf = invoice.pdf.read()
        assert check_pdfa(pdf) == []
        assert invoice.number.encode() in extract_facturx_xml(pdf)
    sent_to = Counter(message.to[0] for message in mail.outbox)
    assert sum(sent_to.values()) == Invoice.objects.exclude(buyer_email="").count()
    no_email = Invoice.objects.get(order__seller_reference="SIM-no-email")
    assert OutgoingEmail.objects.get(related_key=f"invoice:{no_email.pk}").state == "failed"


@pytest.mark.django_db(transaction=True)
def test_refunds_after_shipping_become_credit_notes_referencing_the_invoice(simulated_seller):
    run_pass(simulated_seller, "test")

    gesture = Invoice.objects.get(kind=Invoice.KIND_CREDIT_NOTE, order__seller_reference="SIM-gesture")
    assert gesture.total_gross == Decimal("15.00")
    assert gesture.credited_invoice.order_id == gesture.order_id
    assert gesture.number == "AV-000001" or gesture.number == "AV-000002"
    assert gesture.notes[0].startswith("Geste commercial – avoir sur la facture n° FAC-")
    assert list(gesture.lines.values_list("net_amount", "gross_amount", "vat_rate")) == [
        (Decimal("12.50"), Decimal("15.00"), Decimal("20.00"))
    ]
    assert gesture.lines.get().description.startswith("Geste commercial – Aspirateur balai sans fil")
    # The book (its EAN is an ISBN: 5.5 %) and its 2.50 shipping are cancelled; the coffee maker is not touched.
    cancellation = Invoice.objects.get(kind=Invoice.KIND_CREDIT_NOTE, order__seller_reference="SIM-cancel-after-ship")
    assert list(cancellation.lines.values_list("description", "net_amount", "gross_amount", "vat_rate")) == [
        ("Annulation – Cuisine végétarienne : 200 recettes", Decimal("18.91"), Decimal("19.95"), Decimal("5.50")),
        ("Annulation – Frais de port (TVA 5,5 %)", Decimal("2.37"), Decimal("2.50"), Decimal("5.50")),
    ]
    assert (cancellation.total_net, cancellation.total_vat, cancellation.total_gross) == (
        Decimal("21.28"), Decimal("1.17"), Decimal("22.45"),
    )  # fmt: skip
    xml = extract_facturx_xml(cancellation.pdf.read())
    assert validate_xsd(xml) == []
    assert errors_only(validate_en16931(xml)) == []
    assert set(RefundRecord.objects.values_list("state", flat=True)) == {RefundRecord.CREDITED}


@pytest.mark.django_db(transaction=True)
def test_running_the_sync_again_creates_no_invoice_and_sends_no_email(simulated_seller):
    run_pass(simulated_seller, "test")
    invoices, emails = Invoice.objects.count(), len(mail.outbox)

    second = run_pass(simulated_seller, "test")

    assert second.status == SyncRun.SUCCEEDED
    assert (second.invoices_issued, second.credit_notes_issued) == (0, 0)
    assert Invoice.objects.count() == invoices
    assert len(mail.outbox) == emails


@pytest.mark.django_db(transaction=True)
def test_rejected_credentials_mark_the_connection_and_email_the_seller_once(simulated_seller):
    connection = simulated_seller.connections.get()
    connection.credentials = {**connection.credentials, "client_secret": "wrong-secret"}
    connection.save()

    first = run_pass(simulated_seller, "test")
    second = run_pass(simulated_seller, "test")

    assert (first.status, second.status) == (SyncRun.FAILED, SyncRun.FAILED)
    connection = MarketplaceConnection.objects.get(seller=simulated_seller)
    assert connection.status == MarketplaceConnection.STATUS_REJECTED
    notices = OutgoingEmail.objects.filter(related_key=f"connection:{connection.pk}")
    assert notices.count() == 1
    assert Invoice.objects.count() == 0
