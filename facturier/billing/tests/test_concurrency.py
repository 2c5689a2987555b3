"""Two billing runs at once (a manual rerun while the schedule runs): row locks on PostgreSQL, serialised
IMMEDIATE transactions on SQLite."""

from datetime import date

import pytest

from facturier.billing.fee_invoices import run_monthly_billing
from facturier.billing.models import FeeInvoice
from facturier.billing.tests.helpers import french_seller, german_seller
from facturier.core.tests.threads import run_concurrently

pytestmark = [pytest.mark.django_db(transaction=True)]


def test_concurrent_runs_bill_each_seller_once_with_continuous_numbers(make_seller):
    sellers = [french_seller(make_seller), german_seller(make_seller), french_seller(make_seller)]
    reports, errors = run_concurrently(run_monthly_billing, [(date(2026, 10, 1),), (date(2026, 10, 1),)])

    assert errors == []
    assert sorted(FeeInvoice.objects.values_list("number", flat=True)) == ["FCT-000001", "FCT-000002",
                                                                          "FCT-000003"]
    assert sorted(FeeInvoice.objects.values_list("seller_id", flat=True)) == [seller.pk for seller in sellers]
    assert sum(report.issued for report in reports) == 3
    assert [len(report.errors) for report in reports] == [0, 0]
