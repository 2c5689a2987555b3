"""Text search pages: the bounded index walk and its fallback to the set of matches return exactly the rows,
order and cursors of the single query they replace, for selective and broad prefixes, page after page."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from facturier.invoicing import finder
from facturier.invoicing.finder import InvoiceFilters, keyset_page, search, search_condition
from facturier.invoicing.models import Invoice
from facturier.outbox.models import OutgoingEmail
from facturier.portal.tests.helpers import issue

# Oldest first, as the pipeline issues them: order references (yymmddHHMMT…) grow with issued_at.
DAYS_AGO = [25, 25, 25, 20, 15, 12, 9, 6, 5, 4, 3, 2]
BUYERS = [("Jeanne", "Martin"), ("Paul", "Durand"), ("Zoé", "Martin")]


@pytest.fixture
def invoices(settings, seller_a, seller_b) -> list[Invoice]:
    settings.FACTURIER_BACKFILL_DAYS = 60  # orders up to 25 days old are invoiced
    issued = [
        issue(seller_a, render=False, buyer=BUYERS[index % 3], unit_price=Decimal(10 + index), days_ago=days)
        for index, days in enumerate(DAYS_AGO)
    ]
    issue(seller_b, render=False, days_ago=25)  # same prefixes, another seller: never listed
    issue(seller_b, render=False, days_ago=2)
    return issued


def single_query_page(seller, query: str, cursor: str, size: int) -> finder.Page:
    """The page as one query computed it before the bounded walk (a plain queryset takes that path)."""
    plain = Invoice.objects.filter(seller=seller).filter(search_condition(query)).order_by("-issued_at", "-id")
    return keyset_page(plain, cursor, size)


def all_pages(seller, filters: InvoiceFilters, size: int) -> tuple[list[finder.Page], list[int]]:
    pages, queries, cursor = [], [], ""
    while True:
        with CaptureQueriesContext(connection) as captured:
            page = keyset_page(search(seller, filters), cursor, size)
        pages.append(page)
        queries.append(len(captured.captured_queries))
        if not page.next_cursor:
            return pages, queries
        cursor = page.next_cursor


def queries_for(invoices: list[Invoice]) -> dict[str, str]:
    oldest, newest = invoices[0], invoices[-1]
    return {
        "selective old prefix": oldest.order_reference[:6],  # the day of the three oldest orders
        "one order": invoices[4].order_reference,
        "broad prefix": newest.order_reference[:2],  # the year: every order
        "number prefix": "fac-00000",
        "buyer prefix": "zoé",
        "amount": "11,00",
        "no match": "Inconnu",
    }


@pytest.mark.django_db
@pytest.mark.parametrize("window", [1, 4, 1000])
@pytest.mark.parametrize("size", [1, 2, 5])
def test_search_pages_match_the_single_query(seller_a, invoices, monkeypatch, window, size):
    monkeypatch.setattr(finder, "SEARCH_WINDOW", window)
    for case, query in queries_for(invoices).items():
        pages, _queries = all_pages(seller_a, InvoiceFilters(query=query), size)
        cursor, expected = "", []
        for _page in pages:
            expected.append(single_query_page(seller_a, query, cursor, size))
            cursor = expected[-1].next_cursor
        assert [[row.pk for row in page.rows] for page in pages] == [
            [row.pk for row in page.rows] for page in expected
        ], case
        assert [page.next_cursor for page in pages] == [page.next_cursor for page in expected], case


@pytest.mark.django_db
def test_selective_prefix_falls_back_to_the_matches_broad_prefix_stays_in_the_window(
    seller_a, invoices, monkeypatch
):
    monkeypatch.setattr(finder, "SEARCH_WINDOW", 4)
    queries = queries_for(invoices)
    oldest_three = [invoice.pk for invoice in reversed(invoices[:3])]

    pages, per_page = all_pages(seller_a, InvoiceFilters(query=queries["selective old prefix"]), 2)
    assert [[row.pk for row in page.rows] for page in pages] == [oldest_three[:2], oldest_three[2:]]
    assert per_page == [2, 2]  # the 4 newest invoices hold no match: the set of matches answers

    pages, per_page = all_pages(seller_a, InvoiceFilters(query=queries["broad prefix"]), 2)
    newest_first = [invoice.pk for invoice in reversed(invoices)]
    assert [row.pk for page in pages for row in page.rows] == newest_first
    assert [len(page.rows) for page in pages] == [2, 2, 2, 2, 2, 2]
    assert per_page == [1, 1, 1, 1, 1, 2]  # the window fills every page but the last (4 invoices left)


@pytest.mark.django_db
def test_text_search_with_email_status_and_dates(seller_a, invoices, monkeypatch):
    monkeypatch.setattr(finder, "SEARCH_WINDOW", 2)
    old = invoices[:3]
    for invoice in old[1:]:
        OutgoingEmail.objects.filter(related_key=f"invoice:{invoice.pk}").update(state=OutgoingEmail.STATE_BOUNCED)
    prefix = old[0].order_reference[:6]
    bounced = keyset_page(search(seller_a, InvoiceFilters(query=prefix, email_status="bounced")), "", 5)
    assert [row.pk for row in bounced.rows] == [old[2].pk, old[1].pk]
    assert [row.email_state for row in bounced.rows] == ["bounced", "bounced"]
    dated = InvoiceFilters(query=prefix, date_from=old[0].issue_date, date_to=old[0].issue_date)
    assert [row.pk for row in keyset_page(search(seller_a, dated), "", 5).rows] == [
        invoice.pk for invoice in reversed(old)
    ]



@pytest.mark.django_db
def test_a_search_page_never_asks_the_planner(seller_a, invoices):
    with CaptureQueriesContext(connection) as captured:
        keyset_page(search(seller_a, InvoiceFilters(query="fac")), "", 3)
    statements = [query["sql"].lstrip().upper() for query in captured.captured_queries]
    assert statements and not [sql for sql in statements if sql.startswith("EXPLAIN")]
