from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.core.files.storage import default_storage

from facturier.billing import fee_invoices
from facturier.billing.fee_invoices import BillingError, run_monthly_billing
from facturier.billing.lifecycle import unsubscribe
from facturier.billing.models import BillingRun, FeeInvoice
from facturier.billing.tests.helpers import french_seller, german_seller, issue_credit_note, issue_invoices
from facturier.core.clock import PARIS, today_in_paris
from facturier.invoicing.models import InvoiceSeries
from facturier.outbox.models import OutgoingEmail

SEPTEMBER = date(2026, 9, 1)
OCTOBER = date(2026, 10, 1)
IN_OCTOBER = datetime(2026, 10, 14, 9, 0, tzinfo=PARIS)


def fees_on_disk() -> list[str]:
    found = []

    def walk(directory: str) -> None:
        directories, files = default_storage.listdir(directory)
        found.extend(f"{directory}/{name}" for name in files)
        for name in directories:
            walk(f"{directory}/{name}")

    if default_storage.exists("fees"):
        walk("fees")
    return sorted(found)


@pytest.mark.parametrize(
    ("count", "tier", "excl_vat", "vat", "total"),
    [
        (0, "0-100", "9.99", "2.00", "11.99"),
        (100, "0-100", "9.99", "2.00", "11.99"),
        (101, "101-200", "19.99", "4.00", "23.99"),
        (200, "101-200", "19.99", "4.00", "23.99"),
        (201, "201-300", "29.99", "6.00", "35.99"),
        (300, "201-300", "29.99", "6.00", "35.99"),
        (301, "301+", "39.99", "8.00", "47.99"),
    ],
)
def test_french_seller_pays_the_tier_of_its_invoice_count_plus_20_percent(
    make_seller, count, tier, excl_vat, vat, total
):
    seller = french_seller(make_seller)
    issue_invoices(seller, count, IN_OCTOBER)

    report = run_monthly_billing(OCTOBER)

    fee = FeeInvoice.objects.get(seller=seller)
    assert (fee.number, fee.month, fee.invoice_count, fee.tier_label) == ("FCT-000001", OCTOBER, count, tier)
    assert (fee.vat_case, fee.vat_rate) == ("domestic", Decimal("20.00"))
    assert (fee.amount_excl_vat, fee.vat_amount, fee.total_incl_vat) == (Decimal(excl_vat), Decimal(vat),
                                                                         Decimal(total))
    assert [(line.outcome, line.number) for line in report.lines] == [("issued", "FCT-000001")]


def test_amounts_are_computed_not_copied(make_seller):
    seller = french_seller(make_seller)
    issue_invoices(seller, 7, IN_OCTOBER)

    run_monthly_billing(OCTOBER)

    fee = FeeInvoice.objects.get(seller=seller)
    assert fee.vat_amount == (fee.amount_excl_vat * Decimal("0.20")).quantize(Decimal("0.01"))
    assert fee.total_incl_vat == fee.amount_excl_vat + fee.vat_amount == Decimal("11.99")


def test_paris_month_boundaries_and_credit_notes(make_seller):
    seller = french_seller(make_seller)
    issue_invoices(seller, 1, datetime(2026, 9, 30, 21, 59, tzinfo=UTC))  # 23:59 in Paris: September
    october = issue_invoices(seller, 1, datetime(2026, 9, 30, 22, 0, tzinfo=UTC))  # 00:00 in Paris: October
    issue_invoices(seller, 1, datetime(2026, 10, 31, 22, 59, tzinfo=UTC))  # 23:59 in Paris (CET): October
    issue_invoices(seller, 1, datetime(2026, 10, 31, 23, 0, tzinfo=UTC))  # 00:00 in Paris: November
    issue_credit_note(october[0], IN_OCTOBER)

    run_monthly_billing(OCTOBER)

    assert FeeInvoice.objects.get(seller=seller).invoice_count == 2


def test_seller_in_another_member_state_with_a_valid_vat_number_is_invoiced_under_reverse_charge(make_seller):
    seller = german_seller(make_seller)
    issue_invoices(seller, 150, IN_OCTOBER)

    run_monthly_billing(OCTOBER)

    fee = FeeInvoice.objects.get(seller=seller)
    assert (fee.vat_case, fee.vat_rate, fee.tier_label) == ("reverse_charge", Decimal("0.00"), "101-200")
    assert (fee.amount_excl_vat, fee.vat_amount, fee.total_incl_vat) == (Decimal("19.99"), Decimal("0.00"),
                                                                         Decimal("19.99"))
    assert fee.buyer_snapshot["vat_number"] == "DE136695976"
    assert fee.operator_snapshot["vat_number"] == "FR88100000009"
    assert "Autoliquidation - reverse charge, art. 196 Directive 2006/112/CE" in fee.notes


@pytest.mark.parametrize("_case, vat_number", [("no number", ""), ("invalid check digits", "DE136695977")])
def test_eu_seller_without_a_valid_vat_number_pays_french_vat(make_seller, _case, vat_number):
    seller = german_seller(make_seller, vat_number=vat_number)

    run_monthly_billing(OCTOBER)

    fee = FeeInvoice.objects.get(seller=seller)
    assert (fee.vat_case, fee.vat_rate) == ("fr_vat_no_number", Decimal("20.00"))
    assert (fee.amount_excl_vat, fee.vat_amount, fee.total_incl_vat) == (Decimal("9.99"), Decimal("2.00"),
                                                                         Decimal("11.99"))
    assert fee.buyer_snapshot["vat_number"] == ""


def test_a_seller_unsubscribed_mid_month_is_billed_for_that_month_and_never_after(make_seller):
    seller = french_seller(make_seller)
    issue_invoices(seller, 120, datetime(2026, 9, 3, 10, 0, tzinfo=PARIS))
    unsubscribe(seller, at=datetime(2026, 9, 16, 12, 0, tzinfo=PARIS))

    september = run_monthly_billing(SEPTEMBER)
    october = run_monthly_billing(OCTOBER)

    assert [(line.seller_id, line.invoice_count, line.outcome) for line in september.lines] == [
        (seller.pk, 120, "issued")
    ]
    assert october.lines == ()
    assert list(FeeInvoice.objects.values_list("month", "tier_label")) == [(SEPTEMBER, "101-200")]


def test_sellers_registered_after_the_month_are_not_billed(make_seller):
    make_seller(registered_at=datetime(2026, 11, 1, 0, 0, tzinfo=PARIS))
    last_day_seller = make_seller(registered_at=datetime(2026, 10, 31, 23, 59, tzinfo=PARIS))

    report = run_monthly_billing(OCTOBER)

    assert [line.seller_id for line in report.lines] == [last_day_seller.pk]


def test_a_rerun_issues_nothing(make_seller):
    first, second = french_seller(make_seller), german_seller(make_seller)

    run_monthly_billing(OCTOBER)
    rerun = run_monthly_billing(OCTOBER)

    assert [(line.seller_id, line.outcome, line.number) for line in rerun.lines] == [
        (first.pk, "already_billed", "FCT-000001"),
        (second.pk, "already_billed", "FCT-000002"),
    ]
    assert FeeInvoice.objects.count() == 2
    assert InvoiceSeries.objects.get(key="facturier:fee").next_number == 3
    assert OutgoingEmail.objects.filter(related_key__startswith="fee:").count() == 2
    assert list(BillingRun.objects.order_by("pk").values_list("invoices_issued", "already_billed", "error_count")) == [
        (2, 0, 0),
        (0, 2, 0),
    ]


def _fail_for(monkeypatch, name: str, buyer_name: str, error: BaseException):
    """Make fee_invoices.<name> raise for this buyer only (a failure in the middle of a run)."""
    real = getattr(fee_invoices, name)

    def failing(fee):
        if fee.buyer_snapshot["name"] == buyer_name:
            raise error
        return real(fee)

    monkeypatch.setattr(fee_invoices, name, failing)


def test_a_seller_failing_mid_run_is_recorded_and_billed_once_by_the_rerun(make_seller, monkeypatch):
    sellers = [french_seller(make_seller, legal_name=name) for name in ("Alpha SAS", "Bravo SAS", "Charlie SAS")]
    real_count = fee_invoices.count_invoices

    def count_failing_for_bravo(seller, month):
        if seller.legal_name == "Bravo SAS":
            raise RuntimeError("database hiccup")
        return real_count(seller, month)

    monkeypatch.setattr(fee_invoices, "count_invoices", count_failing_for_bravo)
    first = run_monthly_billing(OCTOBER)
    monkeypatch.undo()
    second = run_monthly_billing(OCTOBER)

    assert [(line.outcome, line.number, line.error) for line in first.lines] == [
        ("issued", "FCT-000001", ""),
        ("error", "", "RuntimeError: database hiccup"),
        ("issued", "FCT-000002", ""),
    ]
    assert BillingRun.objects.get(pk=first.run_id).errors == [
        {"seller_id": sellers[1].pk, "error": "RuntimeError: database hiccup"}
    ]
    assert [line.outcome for line in second.lines] == ["already_billed", "issued", "already_billed"]
    numbers = dict(FeeInvoice.objects.values_list("seller__legal_name", "number"))
    assert numbers == {"Alpha SAS": "FCT-000001", "Bravo SAS": "FCT-000003", "Charlie SAS": "FCT-000002"}
    assert len(fees_on_disk()) == 3


def test_a_crash_mid_run_rolls_back_that_seller_and_the_rerun_bills_each_seller_once(make_seller, monkeypatch):
    for name in ("Alpha SAS", "Bravo SAS", "Charlie SAS"):
        french_seller(make_seller, legal_name=name)
    # The process dies after Bravo's row is inserted, before its transaction commits.
    _fail_for(monkeypatch, "queue_fee_email", "Bravo SAS", SystemExit(137))

    with pytest.raises(SystemExit):
        run_monthly_billing(OCTOBER)
    monkeypatch.undo()
    crashed = BillingRun.objects.get()
    assert list(FeeInvoice.objects.values_list("number", flat=True)) == ["FCT-000001"]
    assert len(fees_on_disk()) == 0  # documents are rendered after their issue commits
    run_monthly_billing(OCTOBER)

    assert crashed.finished_at is None
    numbers = dict(FeeInvoice.objects.values_list("seller__legal_name", "number"))
    assert numbers == {"Alpha SAS": "FCT-000001", "Bravo SAS": "FCT-000002", "Charlie SAS": "FCT-000003"}
    assert OutgoingEmail.objects.filter(related_key__startswith="fee:").count() == 3
    assert len(fees_on_disk()) == 3


def test_a_month_not_over_or_not_a_first_day_is_refused(make_seller):
    french_seller(make_seller)

    with pytest.raises(BillingError, match="n'est pas terminé"):
        run_monthly_billing(today_in_paris().replace(day=1))
    with pytest.raises(BillingError, match="premier jour"):
        run_monthly_billing(date(2026, 10, 2))
    assert (FeeInvoice.objects.count(), BillingRun.objects.count()) == (0, 0)


def test_the_fee_email_goes_to_the_seller_with_the_pdf_attached(make_seller, django_capture_on_commit_callbacks):
    from django.core import mail

    seller = french_seller(make_seller, email="gerant@alpha.example")
    issue_invoices(seller, 42, IN_OCTOBER)

    with django_capture_on_commit_callbacks(execute=True):
        run_monthly_billing(OCTOBER)

    fee = FeeInvoice.objects.get()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["gerant@alpha.example"]
    assert message.subject == "Votre facture Facturier FCT-000001 – octobre 2026"
    assert "42 (palier 0-100)" in message.body
    assert "Total à payer : 11,99\u00a0€" in message.body
    with fee.pdf.open("rb") as handle:
        assert message.attachments[0][1] == handle.read()
    assert message.attachments[0][0] == fee.pdf.name.rsplit("/", 1)[-1] == "FCT-000001.pdf"
