"""A seller on Cdiscount and on a Mirakl marketplace, through the whole pipeline against both simulators: one series
across both by default, or one per marketplace with its prefix for invoices and credit notes alike; the fee counts
every invoice of every marketplace."""

from __future__ import annotations

import pytest

from facturier.accounts.models import MarketplaceConnection
from facturier.accounts.samples import mirakl_connection_fields
from facturier.billing.usage import count_invoices
from facturier.core.clock import now, paris_date
from facturier.invoicing.models import Invoice
from facturier.invoicing.series import choose_numbering
from facturier.jobs.tests.passes import run_pass
from facturier.sales.models import SyncRun


@pytest.fixture
def seller_on_two_marketplaces(start_simulator, start_mirakl_simulator, connect_to_simulator):
    seller = connect_to_simulator(start_simulator(seed=42, orders=16))
    mirakl = start_mirakl_simulator(orders=8)
    MarketplaceConnection.objects.create(
        seller=seller, **mirakl_connection_fields({**mirakl.credentials(), "connection_name": "Fnac"})
    )
    return seller


def documents(seller, kind: str) -> dict[str, list[str]]:
    """{marketplace kind: the numbers of its documents in issue order}."""
    found: dict[str, list[str]] = {}
    rows = Invoice.objects.filter(seller=seller, kind=kind).order_by("issued_at", "sequence")
    for marketplace, number in rows.values_list("order__connection__marketplace", "number"):
        found.setdefault(marketplace, []).append(number)
    return found


def consecutive(prefix: str, count: int) -> list[str]:
    return [f"{prefix}{n:06d}" for n in range(1, count + 1)]


@pytest.mark.django_db(transaction=True)
def test_per_marketplace_numbering_gives_each_marketplace_its_own_series(seller_on_two_marketplaces):
    seller = seller_on_two_marketplaces
    octopia, mirakl = seller.connections.order_by("pk")
    choose_numbering(seller, per_marketplace=True, prefixes={octopia.pk: "CD-", mirakl.pk: "FNAC-"})

    assert run_pass(seller, "test").status == SyncRun.SUCCEEDED

    invoices = documents(seller, Invoice.KIND_INVOICE)
    assert sorted(invoices["octopia"]) == consecutive("FAC-CD-", len(invoices["octopia"]))
    assert sorted(invoices["mirakl"]) == consecutive("FAC-FNAC-", 5)  # the 5 eligible Mirakl scenario orders
    credit_notes = documents(seller, Invoice.KIND_CREDIT_NOTE)
    assert credit_notes["mirakl"] == ["AV-FNAC-000001"]
    assert sorted(credit_notes["octopia"]) == consecutive("AV-CD-", len(credit_notes["octopia"]))
    total = len(invoices["octopia"]) + len(invoices["mirakl"])
    assert count_invoices(seller, paris_date(now())) == total  # the fee counts every marketplace's invoices


@pytest.mark.django_db(transaction=True)
def test_by_default_both_marketplaces_share_one_series(seller_on_two_marketplaces):
    seller = seller_on_two_marketplaces

    assert run_pass(seller, "test").status == SyncRun.SUCCEEDED

    invoices = documents(seller, Invoice.KIND_INVOICE)
    assert len(invoices["mirakl"]) == 5 and invoices["octopia"]
    numbers = sorted(invoices["octopia"] + invoices["mirakl"])
    assert numbers == consecutive("FAC-", len(numbers))
    assert count_invoices(seller, paris_date(now())) == len(numbers)
