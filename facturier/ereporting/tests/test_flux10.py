from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from lxml import etree

from facturier.ereporting import flux10
from facturier.ereporting.calendar import period_of
from facturier.ereporting.models import EReport
from facturier.ereporting.reports import prepare_report
from facturier.ereporting.tests.documents import issue, reform_seller

pytestmark = pytest.mark.django_db
NOVEMBER = period_of(date(2027, 11, 3), "normal_quarterly")


def texts(report: EReport, path: str) -> list[str]:
    return [node.text for node in etree.fromstring(report.xml.encode()).iterfind(path)]


def test_the_reference_basket_gives_the_validated_sample_blocks(make_seller):
    seller = reform_seller(make_seller)
    issue(seller, date(2027, 11, 3), [("59.99", "20"), ("24.00", "5.5")])

    report = prepare_report(seller, NOVEMBER)

    assert report.status == EReport.STATUS_DOWNLOAD  # valid, no PA connected
    assert report.errors == []
    assert report.type_code == "IN"
    assert report.report_id == "TX-123456782-20271101-20271130-01"
    assert texts(report, "TransactionsReport/Transactions/CategoryCode") == ["TLB1"]
    assert texts(report, "TransactionsReport/Transactions/TaxExclusiveAmount") == ["72.74"]
    assert texts(report, "TransactionsReport/Transactions/TaxTotal") == ["11.25"]
    assert texts(report, "TransactionsReport/Transactions/TaxSubtotal/TaxPercent") == ["20", "5.5"]
    assert texts(report, "TransactionsReport/Transactions/TaxSubtotal/TaxableAmount") == ["49.99", "22.75"]
    assert texts(report, "ReportDocument/Issuer/Id") == ["123456782"]
    assert texts(report, "ReportDocument/Sender/Id") == ["0042"]
    assert flux10.validate(report.xml.encode()) == []


def test_credit_notes_count_on_their_own_day_and_b2b_or_foreign_vat_stays_out(make_seller):
    seller = reform_seller(make_seller)
    issue(seller, date(2027, 11, 3), [("120.00", "20")])
    issue(seller, date(2027, 11, 9), [("60.00", "20")], credit_note=True)
    issue(seller, date(2027, 11, 9), [("12.00", "20")], buyer_vat="FR40303265045")  # B2B: e-invoicing
    issue(seller, date(2027, 11, 9), [("30.00", "19")], vat_case="A_HOME_STATE")  # origin VAT
    issue(seller, date(2027, 11, 9), [("30.00", "20")], vat_case="B_OSS")  # OSS: off by default

    report = prepare_report(seller, NOVEMBER)

    assert texts(report, "TransactionsReport/Transactions/Date") == ["20271103", "20271109"]
    assert texts(report, "TransactionsReport/Transactions/TaxExclusiveAmount") == ["100.00", "-50.00"]
    assert texts(report, "TransactionsReport/Transactions/TaxTotal") == ["20.00", "-10.00"]
    assert report.errors == []


def test_oss_sales_are_reported_when_the_seller_opts_in(make_seller):
    seller = reform_seller(make_seller)
    seller.reform.report_oss_sales = True
    seller.reform.save()
    issue(seller, date(2027, 11, 9), [("30.00", "20")], vat_case="B_OSS")

    report = prepare_report(seller, NOVEMBER)

    assert texts(report, "TransactionsReport/Transactions/TaxExclusiveAmount") == ["25.00"]


def test_an_invalid_report_is_kept_with_its_errors_and_never_pending(make_seller):
    seller = reform_seller(make_seller, pa_code="42")  # not a 4-character PA code
    issue(seller, date(2027, 11, 3), [("12.00", "20")])

    report = prepare_report(seller, NOVEMBER)

    assert report.status == EReport.STATUS_INVALID
    assert report.errors == ["Code à 4 caractères de votre plateforme agréée manquant (émetteur du flux 10)."]


def test_a_non_french_rate_fails_the_official_schematron(make_seller):
    seller = reform_seller(make_seller)
    issue(seller, date(2027, 11, 3), [("11.90", "19")])

    report = prepare_report(seller, NOVEMBER)

    assert report.status == EReport.STATUS_INVALID
    assert len(report.errors) == 1
    assert report.errors[0].startswith("[G1.24] Le taux de TVA des transactions n'est pas dans la liste autorisée.")


def test_unchanged_period_keeps_its_report_and_a_late_document_after_sending_gives_re(make_seller):
    seller = reform_seller(make_seller)
    issue(seller, date(2027, 11, 3), [("12.00", "20")])
    first = prepare_report(seller, NOVEMBER)
    assert prepare_report(seller, NOVEMBER).pk == first.pk

    EReport.objects.filter(pk=first.pk).update(status=EReport.STATUS_ACCEPTED)
    issue(seller, date(2027, 11, 20), [("24.00", "20")])
    second = prepare_report(seller, NOVEMBER)

    assert (second.sequence, second.type_code, second.status) == (2, "RE", EReport.STATUS_DOWNLOAD)
    assert second.taxable_total == Decimal("30.00")
    assert second.errors == []


def test_a_period_without_b2c_sales_has_no_report(make_seller):
    seller = reform_seller(make_seller)
    assert prepare_report(seller, NOVEMBER) is None
