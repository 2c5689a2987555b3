"""One number series across marketplaces (the default) or one per marketplace connection, fixed once a document of
the series exists; gapless under concurrent issuers, whichever choice is made while they run."""

from __future__ import annotations

import pytest

from facturier.accounts.models import MarketplaceConnection
from facturier.core.tests.threads import run_concurrently
from facturier.invoicing.issuing import issue_invoices
from facturier.invoicing.models import Invoice
from facturier.invoicing.series import NumberingRefused, choose_numbering
from facturier.invoicing.tests.orders import market_order, order_line, sales_order
from facturier.sales.models import SalesOrder


def link(seller, shop: str) -> MarketplaceConnection:
    return MarketplaceConnection.objects.create(
        seller=seller, marketplace="octopia", account_id=shop, credentials={"client_id": shop, "client_secret": "s"}
    )


def orders_of(seller, connection, count: int, start: int = 0) -> list[SalesOrder]:
    orders = [
        sales_order(seller, market_order(f"{connection.account_id}-{i}", [order_line("1", "10.00")]))
        for i in range(start, start + count)
    ]
    SalesOrder.objects.filter(pk__in=[order.pk for order in orders]).update(connection=connection)
    return list(SalesOrder.objects.filter(pk__in=[order.pk for order in orders]).order_by("pk"))


def numbers(connection) -> list[str]:
    documents = Invoice.objects.filter(order__connection=connection, kind=Invoice.KIND_INVOICE)
    return list(documents.order_by("sequence").values_list("number", flat=True))


@pytest.fixture
def no_rendering(monkeypatch):
    monkeypatch.setattr("facturier.invoicing.issuing._after_issue", lambda invoice_ids: None)


@pytest.mark.django_db
def test_by_default_one_series_runs_across_every_marketplace(seller_a, no_rendering):
    first, second = link(seller_a, "11111"), link(seller_a, "22222")

    issue_invoices(orders_of(seller_a, first, 2) + orders_of(seller_a, second, 2))
    issue_invoices(orders_of(seller_a, first, 1, start=2))

    assert numbers(first) == ["FAC-000001", "FAC-000002", "FAC-000005"]
    assert numbers(second) == ["FAC-000003", "FAC-000004"]


@pytest.mark.django_db
def test_per_marketplace_each_connection_numbers_its_invoices_with_its_prefix(seller_a, no_rendering):
    first, second = link(seller_a, "11111"), link(seller_a, "22222")
    choose_numbering(seller_a, per_marketplace=True, prefixes={first.pk: "CD-", second.pk: "FN-"})

    issue_invoices(orders_of(seller_a, first, 2) + orders_of(seller_a, second, 2))
    issue_invoices(orders_of(seller_a, first, 1, start=2))

    assert numbers(first) == ["FAC-CD-000001", "FAC-CD-000002", "FAC-CD-000003"]
    assert numbers(second) == ["FAC-FN-000001", "FAC-FN-000002"]


@pytest.mark.django_db
def test_a_connection_linked_after_the_choice_gets_a_prefix_of_its_own(seller_a, no_rendering):
    first = link(seller_a, "11111")
    choose_numbering(seller_a, per_marketplace=True, prefixes={first.pk: "CDIS-"})
    later = link(seller_a, "33333")

    issue_invoices(orders_of(seller_a, later, 1))

    later.refresh_from_db()
    assert later.number_prefix == f"CDIS{later.pk}-"  # the marketplace's letters and the connection's id
    assert numbers(later) == [f"FAC-CDIS{later.pk}-000001"]


@pytest.mark.django_db
def test_the_choice_and_a_used_prefix_are_fixed_once_a_document_exists(seller_a, no_rendering):
    first, second = link(seller_a, "11111"), link(seller_a, "22222")
    choose_numbering(seller_a, per_marketplace=True, prefixes={first.pk: "CD-", second.pk: "FN-"})
    choose_numbering(seller_a, per_marketplace=True, prefixes={first.pk: "CDS-"})  # no document yet: allowed
    issue_invoices(orders_of(seller_a, first, 1))

    with pytest.raises(NumberingRefused) as refused:
        choose_numbering(seller_a, per_marketplace=False, prefixes={})
    assert refused.value.errors == {
        "numbering_per_marketplace": "Le choix de la numérotation est définitif depuis l'émission de votre première "
        "facture."
    }
    with pytest.raises(NumberingRefused) as refused:
        choose_numbering(seller_a, per_marketplace=True, prefixes={first.pk: "XX-"})
    assert refused.value.errors == {
        first.pk: "Le préfixe « CDS- » est définitif : des documents portent déjà des numéros de cette série."
    }
    choose_numbering(seller_a, per_marketplace=True, prefixes={second.pk: "FNAC-"})  # its series is still empty
    assert dict(seller_a.connections.values_list("pk", "number_prefix")) == {first.pk: "CDS-", second.pk: "FNAC-"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("prefix", "problem"),
    [
        ("FN 1-", "Préfixe « FN 1- » : seuls les lettres, chiffres et les caractères + - _ / sont permis."),
        ("FN1", "Préfixe « FN1 » : il doit finir par une lettre ou par l'un des caractères + - _ /."),
        ("F" * 12 + "-", f"Préfixe « {'F' * 12}- » trop long : 11 caractères au plus avec vos préfixes de factures et "
                   "d'avoirs."),  # fmt: skip
        ("cd-", "Préfixe « cd- » déjà pris par une autre marketplace."),
    ],
)
def test_a_prefix_is_refused_unless_usable_in_a_number_and_distinct(seller_a, prefix, problem):
    seller_a.invoice_prefix, seller_a.credit_note_prefix = "FACTURES-BOUTIQUE-", "AV-"  # 35 - 6 - 18 = 11 left
    seller_a.save()
    first, second = link(seller_a, "11111"), link(seller_a, "22222")

    with pytest.raises(NumberingRefused) as refused:
        choose_numbering(seller_a, per_marketplace=True, prefixes={first.pk: "CD-", second.pk: prefix})

    assert refused.value.errors == {second.pk: problem}
    assert seller_a.connections.exclude(number_prefix="").count() == 0


@pytest.mark.django_db
def test_two_prefixes_whose_invoice_and_credit_note_numbers_would_meet_are_refused(seller_a):
    seller_a.invoice_prefix, seller_a.credit_note_prefix = "F", "FA"
    seller_a.save()
    first, second = link(seller_a, "11111"), link(seller_a, "22222")

    with pytest.raises(NumberingRefused) as refused:  # invoices F+AX- and credit notes FA+X- are both FAX-…
        choose_numbering(seller_a, per_marketplace=True, prefixes={first.pk: "AX-", second.pk: "X-"})

    assert set(refused.value.errors) == {first.pk, second.pk}


@pytest.mark.django_db(transaction=True)
def test_concurrent_issuers_and_a_change_of_choice_leave_every_series_gapless(seller_a, no_rendering):
    first, second = link(seller_a, "11111"), link(seller_a, "22222")
    choose_numbering(seller_a, per_marketplace=True, prefixes={first.pk: "CD-", second.pk: "FN-"})
    orders = orders_of(seller_a, first, 15) + orders_of(seller_a, second, 15)

    def issue_or_switch(pk: int | None):
        if pk is None:  # a seller switching back to one series while the first invoices are being issued
            try:
                choose_numbering(seller_a, per_marketplace=False, prefixes={})
            except NumberingRefused:
                return "refused"
            return "switched"
        return issue_invoices([SalesOrder.objects.get(pk=pk)]).errors

    results, raised = run_concurrently(issue_or_switch, [(order.pk,) for order in orders] + [(None,)])

    assert raised == [] and [result for result in results if isinstance(result, list) and result] == []
    seller_a.refresh_from_db()
    by_series: dict[str, list[int]] = {}
    for key, sequence in Invoice.objects.order_by("sequence").values_list("series_key", "sequence"):
        by_series.setdefault(key, []).append(sequence)
    if "switched" in results:  # the switch came first: every invoice in the one series
        assert not seller_a.numbering_per_marketplace
        assert by_series == {f"seller:{seller_a.pk}:invoice": list(range(1, 31))}
    else:
        assert seller_a.numbering_per_marketplace
        assert by_series == {
            f"seller:{seller_a.pk}:invoice:connection:{first.pk}": list(range(1, 16)),
            f"seller:{seller_a.pk}:invoice:connection:{second.pk}": list(range(1, 16)),
        }
