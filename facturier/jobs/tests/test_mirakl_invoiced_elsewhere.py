"""An order the Mirakl operator invoiced itself gets no second invoice from us; an order we invoiced stays ours,
though our own upload sets the same `has_invoice` (through the pipeline, against the Mirakl simulator over HTTP)."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest
from django.utils import translation

from facturier.accounts.samples import mirakl_connection_fields
from facturier.core.stored_text import render
from facturier.invoicing.models import Invoice
from facturier.jobs.tests.passes import run_pass
from facturier.jobs.uploads import follow_uploads
from facturier.sales.models import RefundRecord, SalesOrder, SyncRun
from facturier.sales.not_invoiced import NEEDS_ACTION, counts_by_reason

FRENCH_REASON = (
    "La marketplace montre déjà une facture client pour cette commande, qui ne vient pas de Facturier (émise par la "
    "marketplace elle-même, ou déposée par vous) : Facturier n'en émet pas une seconde."
)
ENGLISH_REASON = (
    "The marketplace already shows a customer invoice for this order that did not come from Facturier (issued by "
    "the marketplace itself, or uploaded by you): Facturier does not issue a second one."
)


def mirakl_seller(make_seller, simulator):
    return make_seller(upload_to_marketplace=True, connection=mirakl_connection_fields(simulator.credentials()))


def documents_of(order_ids, kind=Invoice.KIND_INVOICE) -> list[str]:
    invoices = Invoice.objects.filter(kind=kind, order__order_id__in=order_ids)
    return sorted(invoices.values_list("order__order_id", flat=True))


@pytest.mark.django_db(transaction=True)
def test_the_operators_invoice_is_not_doubled_and_needs_nothing_of_the_seller(start_mirakl_simulator, make_seller):
    simulator = start_mirakl_simulator(orders=12)
    simulator.invoice_as_operator("MK-B2C-A")
    simulator.invoice_as_operator("MK-REFUND-A")
    seller = mirakl_seller(make_seller, simulator)

    run = run_pass(seller, "test")

    assert run.status == SyncRun.SUCCEEDED, run.message
    order = SalesOrder.objects.get(seller=seller, order_id="MK-B2C-A")
    assert order.eligibility == SalesOrder.INVOICED_ELSEWHERE
    assert render(order.reason) == FRENCH_REASON
    with translation.override("en"):
        assert render(order.reason) == ENGLISH_REASON
        assert str(order.get_eligibility_display()) == "Already invoiced on the marketplace"
    assert documents_of(["MK-B2C-A", "MK-REFUND-A"]) == []
    assert simulator.uploads("MK-B2C-A") == simulator.uploads("MK-REFUND-A") == []
    # The operator's invoice is credited by the operator: the refund paid back is not ours to credit.
    [refund] = RefundRecord.objects.filter(seller=seller, marketplace_order_id="MK-REFUND-A")
    assert refund.state == RefundRecord.IGNORED
    counts = counts_by_reason(seller)
    assert counts[SalesOrder.INVOICED_ELSEWHERE] == 2
    assert sum(counts.get(reason, 0) for reason in NEEDS_ACTION) == 0


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("serves_or72", [True, False])
def test_an_order_we_invoiced_stays_ours_when_read_again_with_has_invoice(
    start_mirakl_simulator, make_seller, serves_or72
):
    simulator = start_mirakl_simulator(orders=12, serves_or72=serves_or72)
    seller = mirakl_seller(make_seller, simulator)
    run_pass(seller, "test")
    follow_uploads()
    assert [upload.file_name for upload in simulator.uploads("MK-REFUND-A")] == [
        "MK-REFUND-A.pdf", "MK-REFUND-A-AV-000001.pdf",
    ]  # fmt: skip

    # The waiting refund is paid back: the order, its has_invoice set by our upload, is read again.
    httpx.post(f"{simulator.instance_url}/_simulator/orders/MK-REFUND-A/refund").raise_for_status()
    run = run_pass(seller, "test")

    assert run.status == SyncRun.SUCCEEDED, run.message
    order = SalesOrder.objects.get(seller=seller, order_id="MK-REFUND-A")
    assert (order.eligibility, order.reason) == (SalesOrder.ELIGIBLE, "")
    assert documents_of(["MK-REFUND-A"]) == ["MK-REFUND-A"]
    credit_notes = Invoice.objects.filter(kind=Invoice.KIND_CREDIT_NOTE, order=order).order_by("number")
    assert [note.total_gross for note in credit_notes] == [Decimal("20.00"), Decimal("39.80")]
    assert SalesOrder.objects.filter(seller=seller, eligibility=SalesOrder.INVOICED_ELSEWHERE).count() == 0
