from datetime import date, datetime
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from facturier.billing.fee_invoices import run_monthly_billing
from facturier.billing.models import BillingRun, FeeInvoice
from facturier.billing.tasks import monthly_billing_task
from facturier.billing.tests.helpers import french_seller, issue_invoices
from facturier.billing.tiers import projected_fee
from facturier.billing.usage import InvalidMonth, month_bounds, next_month, parse_month, previous_month
from facturier.core.clock import PARIS, today_in_paris


@pytest.mark.parametrize(
    ("text", "month"), [("2026-10", date(2026, 10, 1)), (" 2027-01 ", date(2027, 1, 1)), ("2026-12", date(2026, 12, 1))]
)
def test_parse_month(text, month):
    assert parse_month(text) == month


@pytest.mark.parametrize("text", ["2026-00", "2026-13", "26-10", "2026/10", "", "1999-12"])
def test_parse_month_rejects(text):
    with pytest.raises(InvalidMonth, match="format attendu AAAA-MM"):
        parse_month(text)


def test_month_arithmetic_and_paris_bounds():
    assert (previous_month(date(2027, 1, 1)), next_month(date(2026, 12, 1))) == (date(2026, 12, 1), date(2027, 1, 1))
    start, end = month_bounds(date(2026, 10, 1))
    assert (start.isoformat(), end.isoformat()) == ("2026-10-01T00:00:00+02:00", "2026-11-01T00:00:00+01:00")


def test_projected_fee_counts_this_months_invoices_so_far(make_seller):
    seller = french_seller(make_seller)
    issue_invoices(seller, 101, month_bounds(today_in_paris())[0])
    issue_invoices(seller, 3, datetime(2026, 1, 20, 10, 0, tzinfo=PARIS))

    projection = projected_fee(seller, today_in_paris())

    assert (projection.month, projection.invoice_count) == (today_in_paris().replace(day=1), 101)
    assert (projection.tier.label, projection.tier.amount_excl_vat) == ("101-200", Decimal("19.99"))


def test_the_monthly_task_bills_the_month_that_just_ended(make_seller):
    seller = french_seller(make_seller)

    assert monthly_billing_task() == 1

    fee = FeeInvoice.objects.get(seller=seller)
    assert fee.month == previous_month(today_in_paris())
    assert BillingRun.objects.get().month == fee.month


def test_admin_lists_and_searches_fee_invoices_read_only(make_seller, client):
    seller = french_seller(make_seller, legal_name="Alpha SAS")
    french_seller(make_seller, legal_name="Beta SARL")
    run_monthly_billing(date(2026, 10, 1))
    operator = get_user_model().objects.create_superuser("ops@facturier.example", "pw-ops-123456")
    client.force_login(operator)
    fee = FeeInvoice.objects.get(seller=seller)

    listing = client.get(reverse("admin:billing_feeinvoice_changelist"), {"q": "Alpha"})
    detail = client.get(reverse("admin:billing_feeinvoice_change", args=[fee.pk]))
    post = client.post(reverse("admin:billing_feeinvoice_change", args=[fee.pk]), {"tier_label": "x"})

    assert listing.status_code == 200
    assert [row.number for row in listing.context["cl"].result_list] == [fee.number]
    assert detail.status_code == 200 and b"Save" not in detail.content
    assert post.status_code == 403
    assert client.get(reverse("admin:billing_feeinvoice_add")).status_code == 403
    assert client.get(reverse("admin:billing_feeinvoice_delete", args=[fee.pk])).status_code == 403
    assert client.get(reverse("admin:billing_billingrun_changelist")).status_code == 200
