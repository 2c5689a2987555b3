"""Mirakl servers that answer as the public OpenAPI allows but the simulator does not by default, over HTTP: OR11
without (or with a wrong) `total_count`, OR74 answering 201 or 204 without a body."""

from __future__ import annotations

import pytest

from facturier.marketplace.connectors import UploadState
from facturier.marketplace.errors import MarketplaceRequestError

from .test_mirakl import connect


@pytest.mark.parametrize(
    ("options", "page_size"),
    [
        ({"total_count": "absent", "page_cap": 7}, 100),  # fewer than asked, and nothing says how many there are
        ({"total_count": "page"}, 10),  # a count that is only the page's length
        ({"total_count": "absent"}, 5),  # pages full to the last one
    ],
)
def test_every_order_is_read_once_whatever_total_count_says(start_mirakl_simulator, options, page_size):
    simulator = start_mirakl_simulator(orders=25, **options)
    with connect(simulator, orders_page_size=page_size) as connector:
        seen = [order.order_id for order in connector.iter_orders()]

    assert len(seen) == 25 and len(set(seen)) == 25


@pytest.mark.parametrize("status", [201, 204])
def test_an_or74_answer_without_a_body_is_an_accepted_document(start_mirakl_simulator, status):
    simulator = start_mirakl_simulator(orders=12, upload_status=status)
    with connect(simulator) as connector:
        upload_id = connector.upload_invoice("MK-B2C-A", "MK-B2C-A.pdf", b"%PDF-1.7 invoice")
        again = connector.upload_invoice("MK-B2C-A", "MK-B2C-A.pdf", b"%PDF-1.7 invoice")

    assert connector.get_upload(upload_id).state == UploadState.ACCEPTED and again == upload_id
    [upload] = simulator.uploads("MK-B2C-A")
    assert (upload.file_name, upload.type_code, upload.content) == (
        "MK-B2C-A.pdf", "CUSTOMER_INVOICE", b"%PDF-1.7 invoice",
    )  # fmt: skip


def test_the_order_documents_part_is_sent_as_json(mirakl_simulator):
    with connect(mirakl_simulator) as connector:
        connector.upload_invoice("MK-B2C-A", "MK-B2C-A.pdf", b"%PDF-1.7 invoice")

    [upload] = mirakl_simulator.uploads("MK-B2C-A")
    assert upload.documents_type == "application/json"


def test_a_refusal_is_a_refusal_whatever_status_the_instance_answers_when_all_went_well(start_mirakl_simulator):
    simulator = start_mirakl_simulator(orders=12, upload_status=204)
    with connect(simulator) as connector, pytest.raises(MarketplaceRequestError) as refused:
        connector.upload_invoice("MK-B2C-A", "MK-B2C-A.exe", b"MZ")

    assert refused.value.message == (
        "Mirakl Démo refused the document MK-B2C-A.exe of order MK-B2C-A: "
        "MK-B2C-A.exe: This file type is not supported (file_name)"
    )
    assert simulator.uploads() == []
