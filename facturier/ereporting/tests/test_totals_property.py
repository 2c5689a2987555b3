"""Property: whatever the invoices and credit notes, the report's totals per day and per rate are the documents'
own totals (their VAT breakdown), to the cent, and the report passes the official XSD and schematron."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from facturier.ereporting.calendar import period_of
from facturier.ereporting.reports import prepare_report
from facturier.ereporting.tests.documents import issue, reform_seller

pytestmark = pytest.mark.django_db
PERIOD = period_of(date(2027, 11, 1), "normal_quarterly")
FRENCH_RATES = ["20", "10", "5.5", "2.1", "0"]

lines = st.lists(
    st.tuples(st.integers(1, 200_000).map(lambda cents: str(Decimal(cents) / 100)), st.sampled_from(FRENCH_RATES)),
    min_size=1,
    max_size=4,
)
documents = st.lists(st.tuples(st.integers(0, 29), st.booleans(), lines), min_size=1, max_size=12)


def expected_totals(issued) -> dict[tuple[str, Decimal], list[Decimal]]:
    totals: dict = defaultdict(lambda: [Decimal("0"), Decimal("0")])
    for document in issued:
        sign = -1 if document.is_credit_note else 1
        for row in document.vat_breakdown:
            amounts = totals[(document.issue_date.strftime("%Y%m%d"), Decimal(row["rate"]))]
            amounts[0] += sign * Decimal(row["taxable_amount"])
            amounts[1] += sign * Decimal(row["tax_amount"])
    return {key: value for key, value in totals.items() if any(value)}


def reported_totals(xml: str) -> dict[tuple[str, Decimal], list[Decimal]]:
    totals = {}
    for block in etree.fromstring(xml.encode()).iterfind("TransactionsReport/Transactions"):
        day = block.findtext("Date")
        subtotals = block.findall("TaxSubtotal")
        taxable = sum(Decimal(s.findtext("TaxableAmount")) for s in subtotals)
        assert Decimal(block.findtext("TaxExclusiveAmount")) == taxable
        assert Decimal(block.findtext("TaxTotal")) == sum(Decimal(s.findtext("TaxTotal")) for s in subtotals)
        for subtotal in subtotals:
            key = (day, Decimal(subtotal.findtext("TaxPercent")))
            assert key not in totals
            totals[key] = [Decimal(subtotal.findtext("TaxableAmount")), Decimal(subtotal.findtext("TaxTotal"))]
    return totals


@pytest.fixture
def seller(make_seller):
    return reform_seller(make_seller)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(documents)
def test_report_totals_equal_document_totals_per_day_and_rate(seller, drawn):
    with transaction.atomic():
        issued = [
            issue(seller, PERIOD.start + timedelta(days=offset), document_lines, credit_note=credit)
            for offset, credit, document_lines in drawn
        ]
        expected = expected_totals(issued)
        report = prepare_report(seller, PERIOD)
        if not expected:
            assert report is None
        else:
            assert report.errors == []
            assert reported_totals(report.xml) == expected
        transaction.set_rollback(True)
