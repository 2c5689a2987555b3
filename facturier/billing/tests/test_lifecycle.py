from datetime import date, datetime, timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import DatabaseError, connection, transaction

from facturier.accounts.models import ApiToken, MarketplaceConnection, Seller, User
from facturier.billing import lifecycle
from facturier.billing.fee_invoices import run_monthly_billing
from facturier.billing.lifecycle import purge_expired, unsubscribe
from facturier.billing.models import FeeInvoice, FrozenUsage, ImmutableFeeInvoiceError
from facturier.billing.tests.helpers import french_seller, issue_credit_note, issue_invoices
from facturier.core.clock import PARIS
from facturier.invoicing.models import Invoice, InvoiceLine, InvoiceSeries
from facturier.outbox.models import EmailEvent, OutgoingEmail
from facturier.sales.models import RefundRecord, SalesOrder, SyncRun

AUGUST = date(2026, 8, 1)
SEPTEMBER = date(2026, 9, 1)
UNSUBSCRIBED_AT = datetime(2026, 9, 10, 12, 0, tzinfo=PARIS)
WINDOW_END = UNSUBSCRIBED_AT + timedelta(days=31)


def test_unsubscribe_opens_the_31_day_download_window_once(make_seller):
    seller = french_seller(make_seller)

    unsubscribe(seller, at=UNSUBSCRIBED_AT)
    unsubscribe(seller, at=UNSUBSCRIBED_AT + timedelta(days=3))

    seller.refresh_from_db()
    assert (seller.status, seller.unsubscribed_at, seller.download_until) == (
        "unsubscribed", UNSUBSCRIBED_AT, datetime(2026, 10, 11, 12, 0, tzinfo=PARIS)
    )


def _seller_with_data(make_seller) -> Seller:
    """A French seller with August and September invoices (files stored), a credit note and everything else."""
    seller = french_seller(make_seller, logo=default_storage.save("logos/alpha.png", ContentFile(b"\x89PNG")))
    names = [default_storage.save(f"invoices/{seller.pk}/2026/09/x{n}/FAC-{n}.pdf", ContentFile(b"%PDF-1.7"))
             for n in range(3)]
    issue_invoices(seller, 5, datetime(2026, 8, 5, 10, 0, tzinfo=PARIS))
    september = issue_invoices(seller, 3, datetime(2026, 9, 2, 10, 0, tzinfo=PARIS), pdf_names=names)
    InvoiceLine.objects.create(invoice=september[0], position=1, description="Lampe", quantity=1,
                               unit_net_price=10, net_amount=10, gross_amount=12, vat_category="S", vat_rate=20)
    RefundRecord.objects.create(seller=seller, order=september[0].order, marketplace_order_id="x",
                                         refund_id="R1", kind="return", amount_gross=12, refunded_at=UNSUBSCRIBED_AT)
    issue_credit_note(september[0], datetime(2026, 9, 5, 10, 0, tzinfo=PARIS))
    SyncRun.objects.create(seller=seller)
    MarketplaceConnection.objects.create(seller=seller, account_id="42",
                                         credentials={"client_id": "id", "client_secret": "secret"})
    ApiToken.objects.create(seller=seller, token_sha256="a" * 64, prefix="fct_abc")
    return seller


def test_purge_removes_the_sellers_data_and_files_but_keeps_fee_invoices(make_seller):
    seller = _seller_with_data(make_seller)
    other = french_seller(make_seller)
    issue_invoices(other, 2, datetime(2026, 9, 2, 10, 0, tzinfo=PARIS))
    run_monthly_billing(AUGUST)
    august_fee = FeeInvoice.objects.get(seller=seller)
    unsubscribe(seller, at=UNSUBSCRIBED_AT)
    invoice_files = list(Invoice.objects.filter(seller=seller).exclude(pdf="").values_list("pdf", flat=True))

    assert purge_expired(now=WINDOW_END) == 1

    seller.refresh_from_db()
    assert (seller.status, seller.purged_at, seller.logo.name) == ("purged", WINDOW_END, "")
    for model in (Invoice, SalesOrder, RefundRecord, SyncRun, MarketplaceConnection, ApiToken, OutgoingEmail,
                  InvoiceSeries):
        assert model.objects.filter(seller=seller).count() == 0, model.__name__
    assert InvoiceLine.objects.filter(invoice__seller=seller).count() == 0
    assert EmailEvent.objects.filter(email__seller=seller).count() == 0
    assert [default_storage.exists(name) for name in [*invoice_files, "logos/alpha.png"]] == [False] * 4
    assert list(FeeInvoice.objects.filter(seller=seller)) == [august_fee]
    assert default_storage.exists(august_fee.pdf.name)
    owner = User.objects.get(pk=seller.owner_id)
    assert (owner.is_active, owner.has_usable_password()) == (False, False)
    # The other seller keeps everything.
    assert Invoice.objects.filter(seller=other).count() == 2


def test_a_purged_seller_is_billed_for_its_last_month_from_the_usage_frozen_at_purge(make_seller):
    seller = _seller_with_data(make_seller)
    unsubscribe(seller, at=UNSUBSCRIBED_AT)
    purge_expired(now=WINDOW_END)

    report = run_monthly_billing(SEPTEMBER)

    assert list(FrozenUsage.objects.filter(seller=seller).values_list("month", "invoice_count")) == [
        (date(2026, 1, 1), 0), (date(2026, 2, 1), 0), (date(2026, 3, 1), 0), (date(2026, 4, 1), 0),
        (date(2026, 5, 1), 0), (date(2026, 6, 1), 0), (date(2026, 7, 1), 0), (AUGUST, 5), (SEPTEMBER, 3),
    ]
    assert [(line.invoice_count, line.outcome) for line in report.lines] == [(3, "issued")]
    fee = FeeInvoice.objects.get(seller=seller, month=SEPTEMBER)
    assert (fee.buyer_snapshot["name"], fee.buyer_snapshot["siren"]) == (seller.legal_name, "123456782")


def test_purge_of_a_seller_still_within_its_window_does_nothing(make_seller):
    seller = _seller_with_data(make_seller)
    active = french_seller(make_seller)
    unsubscribe(seller, at=UNSUBSCRIBED_AT)

    assert purge_expired(now=WINDOW_END - timedelta(seconds=1)) == 0

    seller.refresh_from_db()
    active.refresh_from_db()
    assert (seller.status, seller.purged_at, active.status) == ("unsubscribed", None, "active")
    assert Invoice.objects.filter(seller=seller).count() == 9
    assert SalesOrder.objects.filter(seller=seller).count() == 8
    assert FrozenUsage.objects.count() == 0
    assert default_storage.exists("logos/alpha.png")


def test_an_interrupted_purge_is_finished_by_the_next_run(make_seller, monkeypatch):
    seller = _seller_with_data(make_seller)
    unsubscribe(seller, at=UNSUBSCRIBED_AT)

    def crash(seller_id, moment):
        raise SystemExit(137)

    monkeypatch.setattr(lifecycle, "_delete_rows", crash)
    with pytest.raises(SystemExit):
        purge_expired(now=WINDOW_END)
    monkeypatch.undo()
    seller.refresh_from_db()
    assert (seller.status, Invoice.objects.filter(seller=seller).count()) == ("purging", 9)
    frozen_before = list(FrozenUsage.objects.values_list("month", "invoice_count"))

    assert purge_expired(now=WINDOW_END + timedelta(days=1)) == 1

    seller.refresh_from_db()
    assert (seller.status, Invoice.objects.filter(seller=seller).count()) == ("purged", 0)
    assert list(FrozenUsage.objects.values_list("month", "invoice_count")) == frozen_before
    assert purge_expired(now=WINDOW_END + timedelta(days=2)) == 0


def test_fee_invoices_are_immutable_in_code_and_in_the_database(make_seller):
    seller = french_seller(make_seller)
    run_monthly_billing(SEPTEMBER)
    fee = FeeInvoice.objects.get(seller=seller)

    with pytest.raises(ImmutableFeeInvoiceError):
        fee.save()
    with pytest.raises(ImmutableFeeInvoiceError):
        fee.delete()
    with pytest.raises(ImmutableFeeInvoiceError):
        FeeInvoice.objects.filter(pk=fee.pk).update(total_incl_vat=0)
    with pytest.raises(ImmutableFeeInvoiceError):
        FeeInvoice.objects.all().delete()
    for statement in ("UPDATE billing_feeinvoice SET total_incl_vat = 0", "DELETE FROM billing_feeinvoice"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
    assert FeeInvoice.objects.get().total_incl_vat == fee.total_incl_vat
