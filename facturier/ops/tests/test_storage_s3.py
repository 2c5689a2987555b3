"""Documents go through Django's storage API: with FACTURIER_STORAGE=s3 they land in an S3 bucket.

The S3 server is real (moto in server mode on 127.0.0.1), spoken to over HTTP by django-storages/boto3.
"""

from __future__ import annotations

import boto3
import pytest
from django.core.files.storage import default_storage
from moto.server import ThreadedMotoServer

from facturier.documents.validation import check_pdfa, extract_facturx_xml
from facturier.invoicing.models import Invoice
from facturier.invoicing.tests.orders import market_order, order_line, sales_order
from facturier.jobs.tasks import issue_orders_task
from facturier.outbox.models import OutgoingEmail

BUCKET = "facturier-test"
CREDENTIALS = {"access_key": "testing-key", "secret_key": "testing-secret", "region_name": "eu-west-3"}


@pytest.fixture
def s3_endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3_storage(s3_endpoint, settings):
    boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        aws_access_key_id=CREDENTIALS["access_key"],
        aws_secret_access_key=CREDENTIALS["secret_key"],
        region_name=CREDENTIALS["region_name"],
    ).create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": CREDENTIALS["region_name"]})
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": s3_endpoint,
                "default_acl": None,
                "file_overwrite": False,
                **CREDENTIALS,
            },
        },
    }
    return s3_endpoint


def bucket_keys(endpoint: str) -> list[str]:
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=CREDENTIALS["access_key"],
        aws_secret_access_key=CREDENTIALS["secret_key"],
        region_name=CREDENTIALS["region_name"],
    )
    return sorted(item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []))


@pytest.mark.django_db(transaction=True)
def test_an_issued_invoice_is_rendered_into_the_bucket_and_read_back(s3_storage, seller_a):
    order = sales_order(seller_a, market_order("ORDER-S3", [order_line("L1", "36.00")]))

    assert issue_orders_task.delay([order.pk]).get() == 1
    invoice = Invoice.objects.get(order=order)

    assert default_storage.__class__.__name__ == "S3Storage"
    assert bucket_keys(s3_storage) == [invoice.pdf.name]
    assert invoice.pdf.name.startswith(f"invoices/{seller_a.pk}/") and invoice.pdf.name.endswith("FAC-000001.pdf")
    with default_storage.open(invoice.pdf.name, "rb") as stored:
        pdf = stored.read()
    assert check_pdfa(pdf) == []
    assert b"FAC-000001" in extract_facturx_xml(pdf)
    email = OutgoingEmail.objects.get(related_key=f"invoice:{invoice.pk}")
    assert email.state == OutgoingEmail.STATE_SENT
    assert email.attachments[0]["storage_name"] == invoice.pdf.name
