"""A third marketplace needs only its backend and one settings entry: nothing in invoicing/, documents/, outbox/,
billing/, sales/, jobs/ or the portal changes (issue #17). Place Test (place.py) is linked from the portal's
connection form beside a Cdiscount account, and its orders go the whole way: verdicts, one series, documents that
name it, the buyer's email, invoice and credit note uploaded to their order, the invoice list's marketplace filter,
the fee's count and the FEC's customer sub-account."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail

from facturier.accounts.accounting import SalesAccounts
from facturier.accounts.models import MarketplaceConnection
from facturier.billing.usage import count_invoices
from facturier.core.clock import now
from facturier.documents.validation import check_pdfa, errors_only, extract_facturx_xml, validate_en16931, validate_xsd
from facturier.invoicing import fec
from facturier.invoicing.models import Invoice
from facturier.invoicing.series import choose_numbering
from facturier.jobs.tests.passes import run_pass
from facturier.jobs.uploads import follow_uploads
from facturier.marketplace.dto import Address, MalformedOrder, MarketOrder, OrderLine, OrderState, RefundEvent
from facturier.portal.tests.helpers import logged_in
from facturier.sales.models import SalesOrder

from . import place

pytestmark = pytest.mark.django_db

TOKEN = "jeton-de-test-place"  # noqa: S105 - the test shop's token
SHOP = "PT-SHOP-7"


def _order(order_id: str, *, state: str = OrderState.SHIPPED, country: str = "FR", company: str = "",
           vat_number: str = "", lines: tuple[OrderLine, ...], total: Decimal) -> MarketOrder:  # fmt: skip
    moment = now() - timedelta(days=1)
    address = Address(first_name="Zoë", last_name="Martin", company_name=company, company_vat_number=vat_number,
                      line1="3 rue des Lilas", postal_code="69003" if country == "FR" else "1000",
                      city="Lyon" if country == "FR" else "Bruxelles", country_code=country)  # fmt: skip
    return MarketOrder(
        marketplace=place.KIND, order_id=order_id, state=state, status=state, business_order=bool(company),
        placed_at=moment - timedelta(days=1), updated_at=moment, shipped_at=moment, currency="EUR",
        billing_address=address, delivery_address=address, buyer_emails=(f"{order_id.lower()}@acheteur.example",),
        lines=lines, total_paid=total,
    )  # fmt: skip


def _line(line_id: str, title: str, quantity: int, unit: str, shipping: str = "0") -> OrderLine:
    return OrderLine(
        line_id=line_id, quantity=quantity, title=title, sku=f"SKU-{line_id}", unit_price_gross=Decimal(unit),
        shipping_gross=Decimal(shipping), tax_rate=Decimal("20"),
    )  # fmt: skip


def place_orders() -> list[MarketOrder | MalformedOrder]:
    lamp = _line("L1", "Lampe de bureau", 2, "24.99", shipping="4.99")
    desk = _line("L2", "Bureau en chêne", 1, "120.00")
    return [
        _order("PT-1", lines=(lamp,), total=Decimal("54.97")),
        _order("PT-2", company="Atelier Dupont SARL", vat_number="FR40732829320", lines=(desk,),
               total=Decimal("120.00")),  # fmt: skip
        _order("PT-3", country="BE", lines=(lamp,), total=Decimal("54.97")),
        _order("PT-4", state=OrderState.CANCELLED, lines=(lamp,), total=Decimal("54.97")),
        _order("PT-5", state=OrderState.AWAITING_SHIPMENT, lines=(desk,), total=Decimal("120.00")),
        MalformedOrder("PT-6", reason="Place Test: the order has no lines", raw={"id": "PT-6"}, marketplace=place.KIND),
    ]


VERDICTS = {
    "PT-1": SalesOrder.ELIGIBLE,
    "PT-2": SalesOrder.ELIGIBLE,
    "PT-3": SalesOrder.OUTSIDE_FRANCE,
    "PT-4": SalesOrder.CANCELLED,
    "PT-5": SalesOrder.NOT_SHIPPED,
    "PT-6": SalesOrder.INVALID,
}


@pytest.fixture
def shop(settings):
    settings.FACTURIER_MARKETPLACE_BACKENDS = {**settings.FACTURIER_MARKETPLACE_BACKENDS, place.KIND: place.DOTTED_PATH}
    gesture = RefundEvent(refund_id="gesture:PT-1-G1", order_id="PT-1", kind="commercial_gesture",
                          amount_gross=Decimal("10.00"), line_ids=(), created_at=now() - timedelta(hours=1),
                          reason="Rayure sur le pied")  # fmt: skip
    yield place.open_shop(SHOP, place.Shop(token=TOKEN, orders=place_orders(), refunds=[gesture]))
    place.close_shops()


@pytest.fixture
def seller(start_simulator, connect_to_simulator):
    """A Cdiscount seller (the simulator's shop) about to link Place Test."""
    return connect_to_simulator(start_simulator(seed=3, orders=4), upload_to_marketplace=True)


def link_through_the_portal(client) -> MarketplaceConnection:
    form = client.get(f"/marketplace/?marketplace={place.KIND}").content.decode()
    assert "Relier un compte Place Test" in form
    assert 'id="id_account_id"' in form and 'type="password" name="token"' in form
    response = client.post("/marketplace/", {"marketplace": place.KIND, "account_id": SHOP, "token": TOKEN})
    assert response.status_code == 302, response.content.decode()
    return MarketplaceConnection.objects.get(marketplace=place.KIND)


def pdf_of(document: Invoice) -> bytes:
    with document.pdf.open("rb") as pdf:
        return pdf.read()


def place_documents(kind: str):
    return Invoice.objects.filter(kind=kind, order__connection__marketplace=place.KIND).order_by("sequence")


def test_a_third_marketplace_is_linked_and_invoiced_the_whole_way(shop, seller):
    client = logged_in(seller)
    connection = link_through_the_portal(client)
    tested = client.post(f"/marketplace/{connection.pk}/tester/", follow=True).content.decode()
    assert "Connexion à Place Test réussie (commandes visibles : 6)." in tested

    run_pass(seller, "test")

    place_orders_seen = SalesOrder.objects.filter(connection=connection)
    assert dict(place_orders_seen.values_list("order_id", "eligibility")) == VERDICTS
    invoices = place_documents(Invoice.KIND_INVOICE)
    assert [(i.order.order_id, i.total_gross, i.marketplace_name) for i in invoices] == [
        ("PT-1", Decimal("54.97"), "Place Test"), ("PT-2", Decimal("120.00"), "Place Test"),
    ]  # fmt: skip
    numbers = sorted(Invoice.objects.filter(kind=Invoice.KIND_INVOICE).values_list("number", flat=True))
    assert numbers == [f"FAC-{n:06d}" for n in range(1, len(numbers) + 1)]  # one series with Cdiscount's
    for document in Invoice.objects.filter(order__connection=connection):
        pdf = pdf_of(document)
        assert check_pdfa(pdf) == []
        xml = extract_facturx_xml(pdf)
        assert validate_xsd(xml) == [] and errors_only(validate_en16931(xml)) == []
    business = invoices.get(order__order_id="PT-2")
    assert "Payée sur Place Test le " in extract_facturx_xml(pdf_of(business)).decode()

    first = invoices.get(order__order_id="PT-1")
    [note] = place_documents(Invoice.KIND_CREDIT_NOTE)
    assert [message.subject for message in mail.outbox if message.to == ["pt-1@acheteur.example"]] == [
        f"Votre facture {first.number} – commande Place Test PT-1",
        f"Votre avoir {note.number} – commande Place Test PT-1",
    ]  # fmt: skip
    assert (note.credited_invoice, note.total_gross, note.marketplace_name) == (first, Decimal("10.00"), "Place Test")
    for _poll in range(3):
        follow_uploads()
    assert sorted((upload.order_id, upload.content) for upload in shop.uploads) == sorted([
        ("PT-1", pdf_of(first)), ("PT-2", pdf_of(business)), ("PT-1", pdf_of(note)),
    ])  # fmt: skip
    assert set(Invoice.objects.filter(order__connection=connection).values_list("upload_status", flat=True)) == {
        Invoice.UPLOAD_SUCCESS
    }

    listed = client.get(f"/factures/?marketplace={connection.pk}").content.decode()
    assert all(document.number in listed for document in Invoice.objects.filter(order__connection=connection))
    assert not any(
        document.number in listed for document in Invoice.objects.exclude(order__connection=connection)
    )
    assert count_invoices(seller, now().date()) == len(numbers)
    period = fec.Period(now().date().replace(day=1), now().date())
    auxiliaries = {line.auxiliary.number for line in fec.fec_lines(seller, period, SalesAccounts()) if line.auxiliary}
    assert auxiliaries == {"CDISCOUNT", "PLACETEST"}


def test_a_third_marketplace_may_have_its_own_series(shop, seller):
    connection = link_through_the_portal(logged_in(seller))
    choose_numbering(seller, per_marketplace=True, prefixes={connection.pk: "PT-"})

    run_pass(seller, "test")

    assert list(place_documents(Invoice.KIND_INVOICE).values_list("number", flat=True)) == [
        "FAC-PT-000001", "FAC-PT-000002",
    ]  # fmt: skip
    assert list(place_documents(Invoice.KIND_CREDIT_NOTE).values_list("number", flat=True)) == ["AV-PT-000001"]
