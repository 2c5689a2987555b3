"""Refunds after shipment and invoice uploads, client against simulator."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from facturier.marketplace.dto import InvoiceImport, RefundEvent
from facturier.marketplace.errors import OrderNotFound


def test_refunds_come_from_gestures_and_cancellations_after_shipment(simulator, simulator_client):
    gesture_order = simulator.scenario_order("gesture")
    cancelled_order = simulator.scenario_order("cancel-after-ship")
    gesture = simulator.state.sellers["98979"].gestures[0]
    cancellation = simulator.state.sellers["98979"].cancellations[0]

    refunds = list(simulator_client.iter_refunds())

    assert refunds == [
        RefundEvent(
            refund_id=f"gesture:{gesture['id']}",
            order_id=gesture_order["orderId"],
            kind="commercial_gesture",
            amount_gross=Decimal("15.00"),
            line_ids=(),
            created_at=datetime.fromisoformat(gesture_order["updatedAt"]) + timedelta(hours=12),
            reason="Carton abîmé à la livraison",
        ),
        RefundEvent(
            refund_id=f"cancellation:{cancellation['cancellationRequestId']}",
            order_id=cancelled_order["orderId"],
            kind="cancellation",
            amount_gross=Decimal("22.45"),  # line 2: 19.95 + its shipping 2.50
            line_ids=("2",),
            created_at=datetime.fromisoformat(cancelled_order["updatedAt"]) + timedelta(hours=20),
            reason="ClientRetraction",
        ),
    ]


def test_only_refunds_updated_since_the_cut_off_are_listed(simulator, simulator_client):
    order = simulator.scenario_order("b2c")
    gesture = simulator.add_refund(
        kind="commercial_gesture", orderId=order["orderId"], amount="4.99", reasonDetails="Geste"
    )

    created = datetime.fromisoformat(gesture["createdAt"])

    refunds = list(simulator_client.iter_refunds(updated_at_min=created))

    assert [(r.refund_id, r.amount_gross, r.reason) for r in refunds] == [
        (f"gesture:{gesture['id']}", Decimal("4.99"), "Geste")
    ]
    assert list(simulator_client.iter_refunds(updated_at_min=created + timedelta(seconds=1))) == []


def test_a_cancellation_before_shipment_is_not_a_refund(simulator, simulator_client):
    accepted = simulator.scenario_order("accepted")
    simulator.add_refund(kind="cancellation", orderId=accepted["orderId"], lineIds=["1"])
    whole = simulator.scenario_order("vat-rates")
    request = simulator.add_refund(kind="cancellation", orderId=whole["orderId"], shipping=True)

    refunds = [r for r in simulator_client.iter_refunds() if r.kind == "cancellation"]

    assert [(r.refund_id, r.order_id, r.amount_gross, r.line_ids) for r in refunds[1:]] == [
        (f"cancellation:{request['cancellationRequestId']}", whole["orderId"], whole["totalPrice"]["sellingPrice"], ())
    ]
    assert accepted["orderId"] not in {r.order_id for r in refunds}


def test_refused_gestures_are_ignored(simulator, simulator_client):
    order = simulator.scenario_order("b2c")
    simulator.add_refund(kind="commercial_gesture", orderId=order["orderId"], amount="3.00", status="Refused")

    assert [r.order_id for r in simulator_client.iter_refunds() if r.kind == "commercial_gesture"] == [
        simulator.scenario_order("gesture")["orderId"]
    ]


def test_gesture_cursor_pagination_reaches_every_page(simulator, simulator_client, monkeypatch):
    monkeypatch.setattr("facturier.marketplace.octopia.GESTURES_PAGE_LIMIT", 2)
    order = simulator.scenario_order("b2c")
    added = [
        simulator.add_refund(kind="commercial_gesture", orderId=order["orderId"], amount=f"{n}.00") for n in range(1, 5)
    ]

    gestures = [r for r in simulator_client.iter_refunds() if r.kind == "commercial_gesture"]

    assert len(gestures) == 5
    assert {r.refund_id for r in gestures} >= {f"gesture:{g['id']}" for g in added}
    assert simulator.api_requests == 3 + 1 + 1  # 3 gesture pages, 1 cancellation page, 1 order read


def test_upload_then_poll_until_success(simulator, simulator_client):
    order_id = simulator.scenario_order("b2c")["orderId"]
    pdf = b"%PDF-1.7\n% a tiny but real-looking PDF header\n"

    import_id = simulator_client.upload_invoice(order_id, f"{order_id}.pdf", pdf)

    assert simulator_client.get_invoice_import(import_id) == InvoiceImport(import_id, "Running", ())
    assert simulator_client.get_invoice_import(import_id) == InvoiceImport(import_id, "Success", ())
    [upload] = simulator.uploaded_invoices()
    assert (upload.order_id, upload.file_name, upload.content_type, upload.content) == (
        order_id, f"{order_id}.pdf", "application/pdf", pdf,
    )  # fmt: skip


def test_a_non_pdf_upload_fails_with_the_file_error(simulator, simulator_client):
    order_id = simulator.scenario_order("b2c")["orderId"]

    import_id = simulator_client.upload_invoice(order_id, "invoice.pdf", b"not a pdf")
    simulator_client.get_invoice_import(import_id)
    result = simulator_client.get_invoice_import(import_id)

    assert result == InvoiceImport(
        import_id, "Failure", ("invoice.pdf: InvalidFileFormat The file is not a PDF, a UBL 2.1 XML or a ZIP archive.",)
    )
    assert result.is_finished is True


def test_uploading_for_an_unknown_order_is_not_found(simulator_client):
    with pytest.raises(OrderNotFound) as caught:
        simulator_client.upload_invoice("NOPE", "NOPE.pdf", b"%PDF-1.7")

    assert caught.value.status_code == 404
    assert str(caught.value).startswith(
        "Octopia POST /orders/NOPE/invoice-documents failed: HTTP 404 Not Found: Not Found: Order NOPE was not found."
    )


def test_a_refund_text_with_a_nul_or_bytes_that_are_not_utf8_is_made_storable(simulator, simulator_client):
    order_id = simulator.scenario_order("gesture")["orderId"]
    simulator.add_refund(
        kind="commercial_gesture", orderId=order_id, amount="3.00", reasonDetails="Colis\x00ab\udce9m\udce9"
    )

    refund = list(simulator_client.iter_refunds())[1]

    assert (refund.amount_gross, refund.reason) == (Decimal("3.00"), "Colis\ufffdab\ufffdm\ufffd")
