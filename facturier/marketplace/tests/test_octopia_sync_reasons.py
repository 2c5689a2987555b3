"""The reasons the Octopia connector gives for what it cannot read name Octopia's fields (the seller can quote them
to Octopia's support), end to end: simulator over HTTP, sync, database, in the seller's language."""

from __future__ import annotations

import pytest
from django.utils import translation

from facturier.core.stored_text import render
from facturier.sales.models import SalesOrder
from facturier.sales.sync import sync_seller
from facturier.simulator.tests.fixtures import make_client
from facturier.simulator.variants import variant

ORDERS = 40


@pytest.fixture
def sim(start_simulator):
    return start_simulator(seed=99, orders=ORDERS)


@pytest.fixture
def seller(sim, connect_to_simulator):
    return connect_to_simulator(sim)


@pytest.mark.django_db
def test_unreadable_fields_are_refused_with_a_reason_in_the_sellers_language(sim, seller):
    sim.add_order(variant(sim, "BADPRICE01", unit_price="abc"))
    sim.add_order(variant(sim, "BADQTY0001", quantity="two"))
    sim.add_order(variant(sim, "BADDATE001", placed_at="yesterday"))
    sim.add_order(variant(sim, "NOPRICE001", unit_price=None))
    broken = ["BADPRICE01", "BADQTY0001", "BADDATE001", "NOPRICE001"]

    sync_seller(seller, client=make_client(sim))
    stored = dict(SalesOrder.objects.filter(order_id__in=broken).values_list("order_id", "reason"))
    french = {order_id: render(reason) for order_id, reason in stored.items()}
    with translation.override("en"):
        english = {order_id: render(reason) for order_id, reason in stored.items()}

    assert french == {
        "BADPRICE01": "Ligne 1, prix unitaire (sellingPrice.unitSalesPrice) : « abc » n'est pas un nombre.",
        "BADQTY0001": "Ligne 1, quantité (quantity) : « two » n'est pas un nombre entier positif ou nul.",
        "BADDATE001": "Date de commande (purchasedAt) : « yesterday » n'est pas une date ISO-8601.",
        "NOPRICE001": "Ligne 1, prix unitaire (sellingPrice.unitSalesPrice) : valeur absente.",
    }
    assert english == {
        "BADPRICE01": "Line 1, unit price (sellingPrice.unitSalesPrice): “abc” is not a number.",
        "BADQTY0001": "Line 1, quantity (quantity): “two” is not a whole number of zero or more.",
        "BADDATE001": "Order date (purchasedAt): “yesterday” is not an ISO-8601 date.",
        "NOPRICE001": "Line 1, unit price (sellingPrice.unitSalesPrice): missing.",
    }


@pytest.mark.django_db
def test_damaged_texts_are_located_by_their_octopia_path(sim, seller):
    sim.set_faults(non_utf8_orders=1)
    (damaged_id,) = sim.state.fault_targets("98979")["non_utf8"]
    sim.add_order(variant(sim, "NULCHAR001", billing_last_name="Mar\u0000tin"))

    sync_seller(seller, client=make_client(sim))

    stored = SalesOrder.objects.filter(order_id__in=[damaged_id, "NULCHAR001"]).values_list("order_id", "reason")
    assert {order_id: render(reason) for order_id, reason in stored} == {
        damaged_id: "Texte abîmé reçu de la marketplace (octets qui ne sont pas de l'UTF-8 dans "
        "lines[0].offer.productTitle), remplacé par « \ufffd » pour l'enregistrement. La commande sera relue aux "
        "prochaines synchronisations.",
        "NULCHAR001": "Texte abîmé reçu de la marketplace (caractère NUL dans billingAddress.lastName), "
        "remplacé par « \ufffd » pour l'enregistrement. La commande sera relue aux prochaines synchronisations.",
    }
