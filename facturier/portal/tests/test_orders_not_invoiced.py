"""Orders not invoiced: grouped by reason (what needs the seller first), each reason saying what to do and where;
searchable (any part of the buyer, reference, SKU or title) and sortable; the order's own page; the dashboard
lists only what needs action and counts the expected exclusions; another seller's order is a 404."""

from __future__ import annotations

import dataclasses
import json
import random
from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse

from facturier.core.clock import now
from facturier.core.stored_text import render
from facturier.marketplace.parse import parse_order
from facturier.portal.tests.helpers import issue, logged_in
from facturier.sales.models import SalesOrder
from facturier.sales.not_invoiced import (
    NOT_INVOICED,
    OrderFilters,
    counts_by_reason,
    not_invoiced,
    order_search_condition,
)
from facturier.sales.sync import record_order
from facturier.simulator.catalog import PRODUCTS
from facturier.simulator.generator import LineSpec, OrderSpec, address, build_order
from facturier.simulator.wire import to_json


def record(seller, order_id: str, *, status="Shipped", days_ago=2.0, buyer=("Jeanne", "Martin"), country="FR",
           channel=None, product=1) -> SalesOrder:
    spec = OrderSpec(
        order_id=order_id, status=status, purchased_at=(now() - timedelta(days=days_ago)).replace(microsecond=0),
        lines=[LineSpec(PRODUCTS[product], quantity=1)],
        billing=address(buyer[0], buyer[1], "5 rue des Lilas", "75011", "Paris", country_code=country,
                        email=f"{buyer[0].lower()}@example.org"),
    )  # fmt: skip
    order = parse_order(json.loads(to_json(build_order(spec, "SELLER-1", random.Random(7)))))
    if channel:  # sold on another channel of the marketplace
        order = dataclasses.replace(order, sales_channel=channel, sales_channel_name=channel.title())
    record_order(seller, order)
    return SalesOrder.objects.get(seller=seller, order_id=order_id)


@pytest.fixture
def orders(settings, seller_a, seller_b) -> dict[str, SalesOrder]:
    settings.FACTURIER_BACKFILL_DAYS = 30
    made = {
        "waiting": record(seller_a, "2612010000WAIT", status="WaitingForShipmentAcceptation", buyer=("Zoé", "Dupont")),
        "old": record(seller_a, "2601010000OLD1", days_ago=200, buyer=("Paul", "Lefèvre")),
        "old2": record(seller_a, "2601010000OLD2", days_ago=190, buyer=("Léa", "Durand")),
        "channel": record(seller_a, "2612010000CHAN", channel="OCTOBE", buyer=("Hugo", "Dupontel"), product=5),
        "abroad": record(seller_a, "2612010000ABRD", country="DE", buyer=("Anna", "Schmidt")),
        "other": record(seller_b, "2612010000BBBB", channel="OCTOBE", buyer=("Zoé", "Dupont")),
    }  # fmt: skip
    assert {key: order.eligibility for key, order in made.items()} == {
        "waiting": SalesOrder.NOT_SHIPPED, "old": SalesOrder.BEFORE_BACKFILL, "old2": SalesOrder.BEFORE_BACKFILL,
        "channel": SalesOrder.OTHER_CHANNEL, "abroad": SalesOrder.OUTSIDE_FRANCE, "other": SalesOrder.OTHER_CHANNEL,
    }  # fmt: skip
    return made


@pytest.mark.django_db
def test_query_search_and_sort(seller_a, orders):
    assert counts_by_reason(seller_a) == {"not_shipped": 1, "before_backfill": 2, "other_channel": 1,
                                          "outside_france": 1}  # fmt: skip
    found = [order.order_id for order in not_invoiced(seller_a, OrderFilters(query="DUPONT"))]
    assert sorted(found) == ["2612010000CHAN", "2612010000WAIT"]  # Dupont and Dupontel, never seller B's
    assert [o.order_id for o in not_invoiced(seller_a, OrderFilters(query="lefevre"))] == ["2601010000OLD1"]
    assert [o.order_id for o in not_invoiced(seller_a, OrderFilters(query="ABRD"))] == ["2612010000ABRD"]
    sku = PRODUCTS[5].sku
    assert [o.order_id for o in not_invoiced(seller_a, OrderFilters(query=sku[2:].lower()))] == ["2612010000CHAN"]
    by_buyer = not_invoiced(seller_a, OrderFilters(eligibility=SalesOrder.BEFORE_BACKFILL, sort="buyer"))
    assert [order.buyer_name for order in by_buyer] == ["Léa Durand", "Paul Lefèvre"]
    by_ref = not_invoiced(seller_a, OrderFilters(sort="order"))
    assert [order.order_id for order in by_ref][:2] == ["2601010000OLD1", "2601010000OLD2"]


@pytest.mark.django_db
def test_orders_page_groups_by_reason_with_what_to_do(seller_a, orders):
    client = logged_in(seller_a)
    html = client.get(reverse("portal:orders")).content.decode()
    # What needs action comes first, with a link to where it is fixed; then the expected exclusions.
    sections = [html.index(f'id="reason-{reason}"') for reason in
                ("other_channel", "not_shipped", "before_backfill", "outside_france")]  # fmt: skip
    assert sections == sorted(sections)
    assert reverse("portal:settings") + "#id_extra_sales_channels" in html
    assert "Rien à faire : elle sera facturée à son expédition." in html
    assert reverse("portal:order_detail", args=[orders["waiting"].pk]) in html
    assert "2612010000BBBB" not in html

    searched = client.get(reverse("portal:orders"), {"q": "dupont", "sort": "order"}).content.decode()
    assert "2612010000WAIT" in searched and "2612010000CHAN" in searched and "2601010000OLD1" not in searched
    one_reason = client.get(reverse("portal:orders"), {"reason": "before_backfill"}).content.decode()
    assert "2601010000OLD1" in one_reason and "2612010000WAIT" not in one_reason


@pytest.mark.django_db
def test_order_page_and_isolation(seller_a, seller_b, orders):
    client = logged_in(seller_a)
    page = client.get(reverse("portal:order_detail", args=[orders["channel"].pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Hugo Dupontel" in html and PRODUCTS[5].sku in html and render(orders["channel"].reason) in html
    assert reverse("portal:settings") + "#id_extra_sales_channels" in html
    assert client.get(reverse("portal:order_detail", args=[orders["other"].pk])).status_code == 404
    assert logged_in(seller_b).get(reverse("portal:order_detail", args=[orders["waiting"].pk])).status_code == 404


@pytest.mark.django_db
def test_dashboard_lists_what_needs_action_and_counts_the_rest(seller_a, orders):
    html = logged_in(seller_a).get(reverse("portal:dashboard")).content.decode()
    assert "Commandes à régler : 1" in html
    needing = html[html.index('id="orders-needing-action"'):]
    needing = needing[: needing.index("</ul>")]
    assert "2612010000CHAN" in needing and "2612010000WAIT" not in needing and "2601010000OLD1" not in needing
    expected = html[html.index('id="expected-exclusions"'):]
    expected = expected[: expected.index("</p>")]
    assert "Passée avant la période de reprise (2)" in expected
    assert "Pas encore expédiée (1)" in expected and "Livrée hors de France (1)" in expected


@pytest.mark.django_db
def test_invoice_search_also_finds_orders_not_invoiced(seller_a, orders):
    invoice = issue(seller_a, render=False, buyer=("Marc", "Dupontier"))
    html = logged_in(seller_a).get(reverse("portal:invoice_list"), {"q": "dupont"}).content.decode()
    assert invoice.number in html
    block = html[html.index('id="orders-not-invoiced"'):]
    assert "2612010000WAIT" in block and "Pas encore expédiée" in block and "2612010000CHAN" in block
    assert "2612010000BBBB" not in html


@pytest.mark.django_db
def test_reasons_and_advice_in_english(seller_a, orders):
    from facturier.portal.tests.test_i18n import switched_to

    client = switched_to(logged_in(seller_a), "en", reverse("portal:orders"))
    html = client.get(reverse("portal:orders")).content.decode()
    assert "Nothing to do: it will be invoiced when it ships." in html
    assert "Choose the invoiced channels" in html
    dashboard = client.get(reverse("portal:dashboard")).content.decode()
    assert "Orders to sort out: 1" in dashboard and "Not invoiced, as expected:" in dashboard


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigram index is PostgreSQL's (pg_trgm)")
def test_the_text_search_of_orders_not_invoiced_can_use_their_partial_trigram_index(seller_a, orders):
    """The index holds only the orders not invoiced (sales 0015): the search's conditions must imply its predicate,
    or PostgreSQL could not use it and would recheck the text of every order holding the fragment's trigrams.
    On a few rows the other indexes are cheaper: the plan is asked for without the seller, with the (seller,
    eligibility) index dropped inside the test's transaction and sequential scans off."""
    conditions = SalesOrder.objects.filter(eligibility__in=NOT_INVOICED).filter(order_search_condition("dupont"))
    with connection.cursor() as cursor:
        for index in SalesOrder._meta.indexes:
            cursor.execute(f'DROP INDEX "{index.name}"')
        cursor.execute("SET LOCAL enable_seqscan = off")
        sql, params = conditions.values_list("order_id").query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "salesorder_search_trgm_not_invoiced" in plan
    found = not_invoiced(seller_a, OrderFilters(query="dupont")).values_list("order_id", flat=True)
    assert sorted(found) == ["2612010000CHAN", "2612010000WAIT"]
