"""Issued invoices: a book (ISBN EAN) the seller set no rate for goes out at its reduced rate, in France and for a
seller charging its home state's VAT; the line records where its rate came from (issue #15 item 4)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from facturier.invoicing.tests.orders import issue_invoice, market_order, order_line, sales_order

ISBN = "9782070612758"
BELGIAN = {
    "country": "BE", "vat_number": "BE0477472701", "fr_vat_number": "", "siren": "", "rcs_city": "",
    "trade_register": "RPM Bruxelles 0477.472.701", "legal_form": "SRL", "address_line1": "Rue Neuve 1",
    "postal_code": "1000", "city": "Bruxelles",
}  # fmt: skip


def book_and_lamp(seller):
    raw = market_order("ORD-BOOK", [
        order_line("1", "7.60", sku="LIVRE-PP", ean=ISBN, title="Le Petit Prince"),
        order_line("2", "32.50", sku="LAMPE", ean="3401758352767", title="Lampe de bureau"),
    ])  # fmt: skip
    return issue_invoice(sales_order(seller, raw))


def rates(invoice) -> list[tuple]:
    return list(invoice.lines.values_list("description", "vat_rate", "rate_source", "net_amount"))


@pytest.mark.django_db
def test_a_french_seller_s_book_goes_out_at_5_5_inferred_from_its_isbn(seller_a):
    invoice = book_and_lamp(seller_a)

    assert rates(invoice) == [
        ("Le Petit Prince", Decimal("5.50"), "inferred", Decimal("7.20")),
        ("Lampe de bureau", Decimal("20.00"), "default", Decimal("27.08")),
    ]


@pytest.mark.django_db
def test_the_seller_s_own_sku_rate_wins_over_the_inference(seller_a):
    seller_a.sku_rates.create(key="LIVRE-PP", rate=Decimal("20"))

    invoice = book_and_lamp(seller_a)

    assert rates(invoice)[0] == ("Le Petit Prince", Decimal("20.00"), "sku", Decimal("6.33"))


@pytest.mark.django_db
def test_a_belgian_seller_charging_belgian_vat_puts_books_at_6(make_seller):
    seller = make_seller(**BELGIAN)

    invoice = book_and_lamp(seller)

    assert invoice.vat_case == "A_HOME_STATE"
    assert rates(invoice) == [
        ("Le Petit Prince", Decimal("6.00"), "inferred", Decimal("7.17")),
        ("Lampe de bureau", Decimal("21.00"), "default", Decimal("26.86")),
    ]


CZECH = {
    **BELGIAN, "country": "CZ", "vat_number": "CZ25123891", "trade_register": "Městský soud v Praze C 123456",
    "legal_form": "s.r.o.", "address_line1": "Václavské náměstí 1", "postal_code": "11000", "city": "Praha",
}  # fmt: skip


@pytest.mark.django_db
def test_a_zero_rated_book_is_category_z_and_the_document_passes_en16931(make_seller):
    from facturier.documents.facturx import build_facturx_xml
    from facturier.documents.validation import errors_only, validate_en16931
    from facturier.invoicing.snapshot import to_snapshot
    from facturier.invoicing.tests.orders import render_invoice

    invoice = book_and_lamp(make_seller(**CZECH))

    assert list(invoice.lines.values_list("vat_rate", "vat_category")) == [
        (Decimal("0.00"), "Z"), (Decimal("21.00"), "S"),
    ]
    assert sorted((row["category"], row["rate"]) for row in invoice.vat_breakdown) == [("S", "21"), ("Z", "0")]
    rendered = render_invoice(invoice.pk)
    assert errors_only(validate_en16931(build_facturx_xml(to_snapshot(rendered)))) == []
