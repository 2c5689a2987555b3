"""Orders the marketplace already shows invoiced (`has_invoice`): by the operator or the seller, not by us (OR72)."""

from __future__ import annotations

import httpx

from facturier.marketplace.mirakl import is_ours
from facturier.marketplace.tests.test_mirakl import by_id, connect


def invoiced_elsewhere(connector) -> list[str]:
    return sorted(order.order_id for order in connector.iter_orders() if order.invoiced_elsewhere)


def test_an_order_the_operator_invoiced_is_read_as_invoiced_elsewhere(mirakl_simulator):
    mirakl_simulator.invoice_as_operator("MK-B2C-A")
    with connect(mirakl_simulator) as connector:
        assert invoiced_elsewhere(connector) == ["MK-B2C-A"]
        assert connector.get_order("MK-B2C-A").invoiced_elsewhere is True
        assert connector.get_order("MK-PROMO-A").invoiced_elsewhere is False


def test_the_operator_invoice_control_is_served_over_http(mirakl_simulator):
    answer = httpx.post(f"{mirakl_simulator.instance_url}/_simulator/orders/MK-TAXEXCL-A/operator-invoice")
    assert answer.json() == {"order_id": "MK-TAXEXCL-A", "done": "operator-invoice"}
    with connect(mirakl_simulator) as connector:
        assert invoiced_elsewhere(connector) == ["MK-TAXEXCL-A"]


def test_our_own_invoice_and_credit_note_set_has_invoice_but_the_order_stays_ours(mirakl_simulator):
    with connect(mirakl_simulator) as connector:
        connector.upload_invoice("MK-B2C-A", "MK-B2C-A.pdf", b"%PDF-1.7 invoice")
        connector.upload_credit_note("MK-REFUND-A", "MK-REFUND-A-AV-000001.pdf", b"%PDF-1.7 credit note")
        wire = httpx.get(f"{mirakl_simulator.instance_url}/api/orders", params={"order_ids": "MK-B2C-A,MK-REFUND-A"},
                         headers={"Authorization": mirakl_simulator.credentials()["api_key"]}).json()  # fmt: skip
        orders = by_id(connector.iter_orders())

        assert [order["has_invoice"] for order in wire["orders"]] == [True, True]
        assert (orders["MK-B2C-A"].invoiced_elsewhere, orders["MK-REFUND-A"].invoiced_elsewhere) == (False, False)
        assert connector.get_order("MK-B2C-A").invoiced_elsewhere is False


def test_a_customer_invoice_the_seller_put_there_is_not_ours(mirakl_simulator):
    with connect(mirakl_simulator) as connector:
        connector.client.upload_document("MK-PROMO-A", "facture-2026-0042.pdf", b"%PDF-1.7 the seller's own")
        connector.upload_invoice("MK-B2C-A", "MK-B2C-A.pdf", b"%PDF-1.7 invoice")

        assert invoiced_elsewhere(connector) == ["MK-PROMO-A"]


def test_without_or72_has_invoice_stands(start_mirakl_simulator):
    simulator = start_mirakl_simulator(orders=10, serves_or72=False)
    simulator.invoice_as_operator("MK-B2C-A")
    with connect(simulator) as connector:
        connector.upload_invoice("MK-PROMO-A", "MK-PROMO-A.pdf", b"%PDF-1.7 invoice")

        # Our books keep MK-PROMO-A ours (its invoice is stored): the sync never reopens an invoiced order.
        assert invoiced_elsewhere(connector) == ["MK-B2C-A", "MK-PROMO-A"]


def test_our_file_names_are_the_order_id_then_pdf_or_a_dash_and_a_number():
    assert [is_ours("MK-1", name) for name in ("MK-1.pdf", "MK-1-AV-000001.pdf", "MK-10.pdf", "MK-1.txt")] == [
        True, True, False, False,
    ]  # fmt: skip
    assert is_ours("Commande é/1", "Commande_e_1.pdf") is True
