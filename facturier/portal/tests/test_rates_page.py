"""The rates page: which rate each product went out at and why, and the one-step correction for future
invoices (issue #15 item 4)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from facturier.accounts.models import SkuVatRate
from facturier.invoicing.tests.orders import issue_invoice, market_order, order_line, sales_order
from facturier.portal.tests.helpers import logged_in

ISBN = "9782070612758"
URL = "/reglages/taux-appliques/"


def invoice_book_and_lamp(seller, order_id: str = "ORD-BOOK"):
    raw = market_order(order_id, [
        order_line("1", "7.60", sku="LIVRE-PP", ean=ISBN, title="Le Petit Prince"),
        order_line("2", "32.50", sku="LAMPE", ean="3401758352767", title="Lampe de bureau"),
    ])  # fmt: skip
    return issue_invoice(sales_order(seller, raw))


def shown(row) -> tuple:
    return (row.sku, row.ean, row.title, row.rate, row.source, row.lines, row.recorded_rate)


@pytest.mark.django_db
def test_the_page_lists_each_product_with_its_rate_and_where_it_came_from(seller_a):
    invoice_book_and_lamp(seller_a)

    response = logged_in(seller_a).get(URL)

    assert response.status_code == 200
    assert [shown(row) for row in response.context["rows"]] == [
        ("LAMPE", "3401758352767", "Lampe de bureau", Decimal("20.00"), "Taux par défaut", 1, None),
        ("LIVRE-PP", ISBN, "Le Petit Prince", Decimal("5.50"), "Déduit : livre (EAN ISBN)", 1, None),
    ]
    html = response.content.decode()
    assert "Déduit : livre (EAN ISBN)" in html
    assert (
        "Les factures déjà émises ne sont jamais modifiées : sur demande à notre support, nous les corrigeons "
        "par un avoir suivi d'une nouvelle facture au bon taux."
    ) in html


@pytest.mark.django_db
def test_a_correction_applies_to_the_next_invoices_only(seller_a):
    first = invoice_book_and_lamp(seller_a, "ORD-1")

    response = logged_in(seller_a).post(URL, {"key": "LAMPE", "rate": "5.5"})

    assert response["Location"] == URL
    assert list(SkuVatRate.objects.filter(seller=seller_a).values_list("key", "rate")) == [("LAMPE", Decimal("5.50"))]
    second = invoice_book_and_lamp(seller_a, "ORD-2")
    assert first.lines.get(sku="LAMPE").vat_rate == Decimal("20.00")
    assert (second.lines.get(sku="LAMPE").vat_rate, second.lines.get(sku="LAMPE").rate_source) == (
        Decimal("5.50"), "sku",
    )  # fmt: skip
    rows = [shown(row) for row in logged_in(seller_a).get(URL).context["rows"] if row.sku == "LAMPE"]
    assert rows == [
        ("LAMPE", "3401758352767", "Lampe de bureau", Decimal("5.50"), "Votre taux pour ce SKU", 1, Decimal("5.50")),
        ("LAMPE", "3401758352767", "Lampe de bureau", Decimal("20.00"), "Taux par défaut", 1, Decimal("5.50")),
    ]


@pytest.mark.django_db
def test_a_rate_the_seller_cannot_use_is_refused_with_a_clear_error(seller_a):
    response = logged_in(seller_a).post(URL, {"key": "LAMPE", "rate": "6"})

    assert response.status_code == 200
    assert response.context["form"].errors["rate"] == ["Taux « 6 » non autorisé pour vos ventes."]
    assert not SkuVatRate.objects.filter(seller=seller_a).exists()


@pytest.mark.django_db
def test_a_belgian_seller_charging_belgian_vat_is_offered_belgian_rates(make_seller):
    seller = make_seller(country="BE", vat_number="BE0477472701", fr_vat_number="", siren="", rcs_city="")

    response = logged_in(seller).post(URL, {"key": "LIVRE-PP", "rate": "6"})

    assert response.status_code == 302
    assert SkuVatRate.objects.get(seller=seller).rate == Decimal("6.00")
    assert logged_in(seller).get(URL).context["allowed"] == (Decimal("21"), Decimal("6"))


@pytest.mark.django_db
def test_another_seller_s_products_are_not_shown(seller_a, seller_b):
    invoice_book_and_lamp(seller_a)

    assert logged_in(seller_b).get(URL).context["rows"] == []


@pytest.mark.django_db
def test_the_page_reads_in_english(seller_a):
    invoice_book_and_lamp(seller_a)
    client = logged_in(seller_a)
    client.cookies["django_language"] = "en"

    html = client.get(URL).content.decode()

    assert "VAT rates applied to your products" in html
    assert "Inferred: book (ISBN EAN)" in html
    assert "a credit note followed by a new invoice at the right rate" in html
