"""Credit notes credit what was refunded: a cancellation or a return its own lines (and their shipping) at their
own rates, an amount-only gesture pro rata over the invoice; totals to the cent, XML valid (issue #15 item 3)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone
from lxml import etree

from facturier.documents.facturx import build_facturx_xml
from facturier.documents.render import render_document
from facturier.documents.validation import errors_only, validate_en16931, validate_xsd
from facturier.invoicing.credit_notes import issue_credit_note
from facturier.invoicing.snapshot import to_snapshot
from facturier.invoicing.tests.orders import issue_invoice, market_order, order_line, sales_order
from facturier.invoicing.tests.test_legal_mentions import pdf_text
from facturier.sales.models import RefundRecord

COFFEE_MAKER = "Cafetière italienne inox 6 tasses"
BOOK = "Cuisine végétarienne : 200 recettes"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"


@pytest.fixture
def book_and_coffee_maker_invoice(seller_a):
    """24.90 + 3.90 shipping at 20 %, 19.95 + 2.50 shipping at 5.5 % (the simulator's cancel-after-ship order)."""
    seller_a.sku_rates.create(key="BOOK-9791034", rate=Decimal("5.5"))
    raw = market_order("ORD-CANCEL", [
        order_line("1", "24.90", sku="STD-CAFE-014", title=COFFEE_MAKER, shipping="3.90"),
        order_line("2", "19.95", sku="BOOK-9791034", title=BOOK, shipping="2.50"),
    ])
    return issue_invoice(sales_order(seller_a, raw))


@pytest.fixture
def returned_units_invoice(seller_a):
    raw = market_order("ORD-RETURN", [
        order_line("1", "12.00", quantity=3, sku="STD-MUG", title="Mug émaillé", shipping="4.80"),
        order_line("2", "30.00", sku="STD-LAMP", title="Lampe de bureau"),
    ])
    return issue_invoice(sales_order(seller_a, raw))


def refund(invoice, kind: str, amount: str, line_ids: list[str], refund_id: str = "r1") -> RefundRecord:
    return RefundRecord.objects.create(
        seller=invoice.seller, order=invoice.order, marketplace_order_id=invoice.order.order_id,
        refund_id=refund_id, kind=kind, amount_gross=Decimal(amount), line_ids=line_ids, refunded_at=timezone.now(),
    )  # fmt: skip


def credited(credit_note) -> list[tuple]:
    return list(credit_note.lines.values_list("description", "quantity", "net_amount", "gross_amount", "vat_rate"))


def breakdown(document) -> list[tuple[str, str, str]]:
    return [(row["rate"], row["taxable_amount"], row["tax_amount"]) for row in document.vat_breakdown]


def assert_valid_xml(credit_note) -> None:
    xml = build_facturx_xml(to_snapshot(credit_note))
    assert validate_xsd(xml) == []
    assert errors_only(validate_en16931(xml)) == []


@pytest.mark.django_db
def test_cancelling_the_book_credits_the_book_and_its_shipping_at_5_5_only(book_and_coffee_maker_invoice):
    invoice = book_and_coffee_maker_invoice
    assert breakdown(invoice) == [("20.00", "23.71", "4.74"), ("5.50", "21.61", "1.19")]

    credit_note = issue_credit_note(refund(invoice, "cancellation", "22.45", ["2"]))

    assert credited(credit_note) == [
        (f"Annulation – {BOOK}", Decimal("1.000"), Decimal("18.91"), Decimal("19.95"), Decimal("5.50")),
        ("Annulation – Frais de port (TVA 5,5 %)", Decimal("1.000"), Decimal("2.37"), Decimal("2.50"), Decimal("5.50")),
    ]
    assert breakdown(credit_note) == [("5.50", "21.28", "1.17")]
    assert (credit_note.total_net, credit_note.total_vat, credit_note.total_gross) == (
        Decimal("21.28"), Decimal("1.17"), Decimal("22.45"),
    )
    assert_valid_xml(credit_note)


@pytest.mark.django_db
def test_an_amount_only_gesture_is_spread_pro_rata_over_the_invoice_rates(book_and_coffee_maker_invoice):
    invoice = book_and_coffee_maker_invoice

    credit_note = issue_credit_note(refund(invoice, "commercial_gesture", "10.00", []))

    # 10.00 x each line's share of the 51.25 invoice: 4.86 + 3.89 + 0.69 + 0.56.
    assert credited(credit_note) == [
        (f"Geste commercial – {COFFEE_MAKER}", Decimal("1.000"), Decimal("4.05"), Decimal("4.86"), Decimal("20.00")),
        (f"Geste commercial – {BOOK}", Decimal("1.000"), Decimal("3.69"), Decimal("3.89"), Decimal("5.50")),
        ("Geste commercial – Frais de port (TVA 20 %)", Decimal("1.000"), Decimal("0.58"), Decimal("0.69"),
         Decimal("20.00")),
        ("Geste commercial – Frais de port (TVA 5,5 %)", Decimal("1.000"), Decimal("0.53"), Decimal("0.56"),
         Decimal("5.50")),
    ]  # fmt: skip
    assert breakdown(credit_note) == [("20.00", "4.63", "0.92"), ("5.50", "4.22", "0.23")]
    assert credit_note.total_gross == Decimal("10.00")
    assert_valid_xml(credit_note)


@pytest.mark.django_db
def test_a_partial_return_credits_the_returned_units_of_that_line_only(returned_units_invoice):
    invoice = returned_units_invoice

    credit_note = issue_credit_note(refund(invoice, "return", "24.00", ["1"]))

    assert credited(credit_note) == [
        ("Retour – Mug émaillé", Decimal("2.000"), Decimal("20.00"), Decimal("24.00"), Decimal("20.00")),
    ]
    assert credit_note.total_gross == Decimal("24.00")
    assert_valid_xml(credit_note)


@pytest.mark.django_db
def test_a_refund_that_is_not_whole_units_credits_exactly_its_amount_on_that_line(returned_units_invoice):
    invoice = returned_units_invoice

    credit_note = issue_credit_note(refund(invoice, "return", "7.50", ["2"]))

    assert credited(credit_note) == [
        ("Retour – Lampe de bureau", Decimal("1.000"), Decimal("6.25"), Decimal("7.50"), Decimal("20.00")),
    ]
    assert credit_note.total_gross == Decimal("7.50")


@pytest.mark.django_db
def test_a_second_return_credits_what_remains_of_the_line(returned_units_invoice):
    invoice = returned_units_invoice
    issue_credit_note(refund(invoice, "return", "12.00", ["1"], refund_id="r1"))

    second = issue_credit_note(refund(invoice, "return", "28.80", ["1"], refund_id="r2"))

    assert credited(second) == [
        ("Retour – Mug émaillé", Decimal("2.000"), Decimal("20.00"), Decimal("24.00"), Decimal("20.00")),
        ("Retour – Frais de port", Decimal("1.000"), Decimal("4.00"), Decimal("4.80"), Decimal("20.00")),
    ]
    assert second.total_gross == Decimal("28.80")


@pytest.mark.django_db
def test_a_refund_of_lines_that_are_not_on_the_invoice_is_set_aside_with_its_reason(returned_units_invoice):
    record = refund(returned_units_invoice, "cancellation", "5.00", ["9"])

    assert issue_credit_note(record) is None

    record.refresh_from_db()
    assert record.state == RefundRecord.IGNORED
    assert record.state_reason == "Ligne(s) 9 absente(s) de la facture FAC-000001."


@pytest.mark.django_db
def test_a_cancellation_larger_than_its_lines_and_shipping_is_set_aside(returned_units_invoice):
    record = refund(returned_units_invoice, "cancellation", "40.00", ["2"])

    assert issue_credit_note(record) is None

    record.refresh_from_db()
    assert record.state == RefundRecord.IGNORED
    assert record.state_reason == (
        "Remboursement de 40,00\u00a0€ supérieur au reste des lignes remboursées et de leurs frais de port "
        "(facture FAC-000001)."
    )


@pytest.mark.django_db
def test_a_whole_order_cancellation_without_shipping_credits_the_goods_not_the_shipping(book_and_coffee_maker_invoice):
    invoice = book_and_coffee_maker_invoice

    credit_note = issue_credit_note(refund(invoice, "cancellation", "44.85", []))

    assert credited(credit_note) == [
        (f"Annulation – {COFFEE_MAKER}", Decimal("1.000"), Decimal("20.75"), Decimal("24.90"), Decimal("20.00")),
        (f"Annulation – {BOOK}", Decimal("1.000"), Decimal("18.91"), Decimal("19.95"), Decimal("5.50")),
    ]
    assert credit_note.total_gross == Decimal("44.85")


@pytest.mark.django_db
def test_a_bilingual_credit_note_says_what_it_gives_back_in_french_and_english(make_seller):
    seller = make_seller(english_translation=True)
    raw = market_order("ORD-BILINGUAL", [order_line("1", "30.00", sku="STD-LAMP", title="Lampe de bureau")])
    invoice = issue_invoice(sales_order(seller, raw))

    credit_note = issue_credit_note(refund(invoice, "cancellation", "30.00", ["1"]))

    assert credited(credit_note) == [
        ("Annulation / Cancellation – Lampe de bureau", Decimal("1.000"), Decimal("25.00"), Decimal("30.00"),
         Decimal("20.00")),
    ]  # fmt: skip
    day = invoice.issue_date.strftime("%d/%m/%Y")
    assert credit_note.notes[0] == (
        f"Annulation – avoir sur la facture n° {invoice.number} du {day}. / "
        f"Cancellation – credit note for invoice No. {invoice.number} of {day}."
    )
    document = render_document(to_snapshot(credit_note))
    names = etree.fromstring(document.xml).xpath(
        "//ram:IncludedSupplyChainTradeLineItem/ram:SpecifiedTradeProduct/ram:Name",
        namespaces={"ram": RAM},
    )
    assert [name.text for name in names] == ["Annulation / Cancellation – Lampe de bureau"]
    assert "Annulation / Cancellation – Lampe de bureau" in pdf_text(document.pdf)
    assert_valid_xml(credit_note)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "printed"),
    [("return", "Retour / Return"), ("commercial_gesture", "Geste commercial / Commercial gesture"),
     ("other", "Remboursement / Refund")],
)  # fmt: skip
def test_every_refund_kind_is_named_in_both_languages(make_seller, kind, printed):
    seller = make_seller(english_translation=True)
    raw = market_order("ORD-KINDS", [order_line("1", "30.00", sku="STD-LAMP", title="Lampe de bureau")])
    invoice = issue_invoice(sales_order(seller, raw))

    credit_note = issue_credit_note(refund(invoice, kind, "30.00", ["1"]))

    assert [line.description for line in credit_note.lines.all()] == [f"{printed} – Lampe de bureau"]
