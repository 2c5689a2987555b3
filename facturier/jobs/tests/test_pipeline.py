"""The whole loop against the real simulators over HTTP, for each marketplace connector (Octopia and Mirakl):
sync → issue → render → email, exactly once."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.core import mail

from facturier.accounts.models import MarketplaceConnection
from facturier.accounts.samples import mirakl_connection_fields
from facturier.documents.validation import check_pdfa, errors_only, extract_facturx_xml, validate_en16931, validate_xsd
from facturier.invoicing.models import Invoice
from facturier.jobs.tests.conftest import SCENARIO_ORDERS
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
ELIGIBLE = sorted(ref for ref, verdict in SCENARIO_ELIGIBILITY.items() if verdict == SalesOrder.ELIGIBLE)  # Octopia's
# The Mirakl simulator's scenarios (facturier/simulator/mirakl/scenarios.py), by order id: Mirakl orders carry the
# seller's reference REF-<order id>.
MIRAKL_SCENARIO_ELIGIBILITY = {
    "REF-MK-B2C-A": SalesOrder.ELIGIBLE,
    "REF-MK-BUSINESS-A": SalesOrder.ELIGIBLE,
    "REF-MK-MULTIRATE-A": SalesOrder.ELIGIBLE,
    "REF-MK-REFUND-A": SalesOrder.ELIGIBLE,
    "REF-MK-CANCEL-A": SalesOrder.ELIGIBLE,
    "REF-MK-ABROAD-A": SalesOrder.OUTSIDE_FRANCE,
    "REF-MK-NOTSHIPPED-A": SalesOrder.NOT_SHIPPED,
    "REF-MK-CANCELLED-A": SalesOrder.CANCELLED,
    "REF-MK-TAXEXCL-A": SalesOrder.ELIGIBLE,
    "REF-MK-PROMO-A": SalesOrder.ELIGIBLE,
}


@dataclass
class Marketplace:
    kind: str
    simulator: object
    seller: object
    verdicts: dict[str, str]  # seller reference -> eligibility
    wrong_credentials: dict[str, str]  # credentials the marketplace refuses

    @property
    def eligible(self) -> list[str]:
        return sorted(ref for ref, verdict in self.verdicts.items() if verdict == SalesOrder.ELIGIBLE)


@pytest.fixture(params=["octopia", "mirakl"])
def marketplace(request, start_simulator, start_mirakl_simulator, connect_to_simulator, make_seller):
    if request.param == "octopia":
        simulator = start_simulator(seed=42, orders=SCENARIO_ORDERS)
        seller = connect_to_simulator(simulator)
        return Marketplace("octopia", simulator, seller, SCENARIO_ELIGIBILITY, {"client_secret": "wrong-secret"})
    simulator = start_mirakl_simulator(orders=len(MIRAKL_SCENARIO_ELIGIBILITY))
    seller = make_seller(connection=mirakl_connection_fields(simulator.credentials()))
    return Marketplace("mirakl", simulator, seller, MIRAKL_SCENARIO_ELIGIBILITY, {"api_key": "wrong-key"})


def references(queryset) -> list[str]:
    return sorted(order.seller_reference for order in queryset)


@pytest.mark.django_db(transaction=True)
def test_every_eligible_order_is_invoiced_rendered_and_emailed_once(marketplace):
    run = run_pass(marketplace.seller, "test")

    assert run.status == SyncRun.SUCCEEDED, run.message
    verdicts = {order.seller_reference: order.eligibility for order in SalesOrder.objects.all()}
    assert verdicts == marketplace.verdicts
    invoiced = Invoice.objects.filter(kind=Invoice.KIND_INVOICE).select_related("order")
    eligible = marketplace.eligible
    assert sorted(invoice.order.seller_reference for invoice in invoiced) == eligible
    assert [i.number for i in invoiced.order_by("sequence")] == [f"FAC-{n:06d}" for n in range(1, len(eligible) + 1)]
    for invoice in Invoice.objects.all():
        pdf = invoice.pdf.read()
        assert check_pdfa(pdf) == []
        assert invoice.number.encode() in extract_facturx_xml(pdf)
    sent_to = Counter(message.to[0] for message in mail.outbox)
    assert sum(sent_to.values()) == Invoice.objects.exclude(buyer_email="").count()
    if marketplace.kind == "octopia":
        no_email = Invoice.objects.get(order__seller_reference="SIM-no-email")
        assert OutgoingEmail.objects.get(related_key=f"invoice:{no_email.pk}").state == "failed"
        return
    # Mirakl gives only its anonymised relay, which reaches the buyer: every document is emailed there.
    assert sorted(sent_to) == sorted(
        f"{ref.removeprefix('REF-').lower()}@customer-notification.mirakl.example" for ref in eligible
    )
    for invoice in invoiced:  # what the buyer paid, to the cent (TAX_EXCLUDED and promotions included)
        assert invoice.total_gross == invoice.order.total_paid.quantize(Decimal("0.01")), invoice.order.order_id
    taxes_excluded = invoiced.get(order__order_id="MK-TAXEXCL-A")
    assert (taxes_excluded.total_net, taxes_excluded.total_vat, taxes_excluded.total_gross) == (
        Decimal("153.34"), Decimal("30.67"), Decimal("184.01"),
    )  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_refunds_after_shipping_become_credit_notes_referencing_the_invoice(marketplace):
    run_pass(marketplace.seller, "test")
    if marketplace.kind == "mirakl":
        assert_mirakl_credit_notes()
        return

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
def test_running_the_sync_again_creates_no_invoice_and_sends_no_email(marketplace):
    run_pass(marketplace.seller, "test")
    invoices, emails = Invoice.objects.count(), len(mail.outbox)
    assert invoices > 0

    second = run_pass(marketplace.seller, "test")

    assert second.status == SyncRun.SUCCEEDED
    assert (second.invoices_issued, second.credit_notes_issued) == (0, 0)
    assert Invoice.objects.count() == invoices
    assert len(mail.outbox) == emails


@pytest.mark.django_db(transaction=True)
def test_rejected_credentials_mark_the_connection_and_email_the_seller_once(marketplace):
    connection = marketplace.seller.connections.get()
    connection.credentials = {**connection.credentials, **marketplace.wrong_credentials}
    connection.save()

    first = run_pass(marketplace.seller, "test")
    second = run_pass(marketplace.seller, "test")

    assert (first.status, second.status) == (SyncRun.FAILED, SyncRun.FAILED)
    connection = MarketplaceConnection.objects.get(seller=marketplace.seller)
    assert connection.status == MarketplaceConnection.STATUS_REJECTED
    notices = OutgoingEmail.objects.filter(related_key=f"connection:{connection.pk}")
    assert notices.count() == 1
    assert Invoice.objects.count() == 0


def assert_mirakl_credit_notes() -> None:
    """MK-REFUND-A: a 20.00 € refund paid back on the drill (20 %, its taxes 3.33 as Mirakl gives them) becomes one
    credit note; the kettle's refund still WAITING_REFUND gets none yet."""
    [note] = Invoice.objects.filter(kind=Invoice.KIND_CREDIT_NOTE)
    assert note.order.order_id == note.credited_invoice.order.order_id == "MK-REFUND-A"
    assert (note.total_net, note.total_vat, note.total_gross) == (Decimal("16.67"), Decimal("3.33"), Decimal("20.00"))
    assert list(note.lines.values_list("vat_rate", flat=True)) == [Decimal("20.00")]
    xml = extract_facturx_xml(note.pdf.read())
    assert validate_xsd(xml) == []
    assert errors_only(validate_en16931(xml)) == []
    assert list(RefundRecord.objects.values_list("refund_id", "state")) == [("refund:R-RF-1", RefundRecord.CREDITED)]
