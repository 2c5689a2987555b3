"""The accountant's CSV: French Excel conventions on French pages (';', decimal comma, UTF-8 with BOM, French
headers and words), English ones on English pages; never an internal code where a word is meant."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest

from facturier.invoicing.tests.orders import issue_invoice, market_order, order_line, sales_order
from facturier.portal.tests.helpers import logged_in
from facturier.portal.tests.test_i18n import switched_to


@pytest.fixture
def invoice(seller_a):
    order = market_order("ORDER-CSV-1", [order_line("L1", "12.50", shipping="2.40", sku="SKU-1", title="Théière")])
    return issue_invoice(sales_order(seller_a, order))


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM: Excel then reads UTF-8
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


@pytest.mark.django_db
def test_the_lines_csv_in_french_conventions(seller_a, invoice):
    response = logged_in(seller_a).get("/factures/lignes.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    day = invoice.issue_date.strftime("%d/%m/%Y")
    assert rows(body(response)) == [
        ["Numéro", "Type", "Date d'émission", "Commande", "Acheteur", "Ligne", "Nature", "Désignation", "SKU", "EAN",
         "Quantité", "Prix unitaire HT", "Montant HT", "Catégorie de TVA", "Taux de TVA (%)", "Montant TTC"],
        ["FAC-000001", "Facture", day, "ORDER-CSV-1", "Zoë Martin", "1", "Marchandise", "Théière", "SKU-1", "",
         "1", "10,42", "10,42", "Taux normal ou réduit", "20,00", "12,50"],
        ["FAC-000001", "Facture", day, "ORDER-CSV-1", "Zoë Martin", "2", "Frais de port", "Frais de port", "", "",
         "1", "2,00", "2,00", "Taux normal ou réduit", "20,00", "2,40"],
    ]  # fmt: skip


@pytest.mark.django_db
def test_the_lines_csv_of_an_english_page_is_in_english(seller_a, invoice):
    client = switched_to(logged_in(seller_a), "en", "/factures/")
    assert rows(body(client.get("/factures/lignes.csv"))) == [
        ["Number", "Type", "Issue date", "Order", "Buyer", "Line", "Nature", "Description", "SKU", "EAN",
         "Quantity", "Unit price excl. VAT", "Amount excl. VAT", "VAT category", "VAT rate (%)", "Amount incl. VAT"],
        ["FAC-000001", "Invoice", invoice.issue_date.isoformat(), "ORDER-CSV-1", "Zoë Martin", "1", "Goods",
         "Théière", "SKU-1", "", "1", "10.42", "10.42", "Standard or reduced rate", "20.00", "12.50"],
        ["FAC-000001", "Invoice", invoice.issue_date.isoformat(), "ORDER-CSV-1", "Zoë Martin", "2", "Shipping",
         "Frais de port", "", "", "1", "2.00", "2.00", "Standard or reduced rate", "20.00", "2.40"],
    ]  # fmt: skip


@pytest.mark.django_db
def test_the_zip_index_speaks_words_in_the_page_language(seller_a, invoice):
    french = zipfile.ZipFile(io.BytesIO(body(logged_in(seller_a).get("/factures/archive.zip"))))
    header, row = rows(french.read("index.csv"))
    assert header == ["Fichier", "Numéro", "Type", "Date d'émission", "Commande", "Acheteur", "Total HT",
                      "Total TVA", "Total TTC", "Devise", "Facture d'origine", "État de l'e-mail",
                      "Dépôt marketplace", "Empreinte SHA-256"]
    assert row[1:13] == ["FAC-000001", "Facture", invoice.issue_date.strftime("%d/%m/%Y"), "ORDER-CSV-1",
                         "Zoë Martin", "12,42", "2,48", "14,90", "EUR", "", "En attente du document", "À envoyer"]
    client = switched_to(logged_in(seller_a), "en", "/factures/")
    english = zipfile.ZipFile(io.BytesIO(body(client.get("/factures/archive.zip"))))
    header, row = rows(english.read("index.csv"))
    assert header[:3] == ["File", "Number", "Type"]
    assert row[2:13] == ["Invoice", invoice.issue_date.isoformat(), "ORDER-CSV-1", "Zoë Martin", "12.42", "2.48",
                         "14.90", "EUR", "", "Waiting for the document", "To upload"]
