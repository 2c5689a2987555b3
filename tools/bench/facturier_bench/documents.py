"""Render, store, naive baseline and bare page measured on the same documents the run issued."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from facturier.documents.render import render_document
from facturier.invoicing.models import Invoice
from facturier.invoicing.snapshot import to_snapshot
from facturier_bench.baseline import bare_page, naive_render
from facturier_bench.measure import timed


@dataclass
class DocumentTimings:
    render: list[float]
    store: list[float]
    naive: list[float]
    bare: list[float]


def measure_documents(sample: int) -> DocumentTimings:
    timings = DocumentTimings([], [], [], [])
    invoices = Invoice.objects.select_related("seller", "credited_invoice").order_by("pk")[:sample]
    for invoice in invoices:
        snapshot = to_snapshot(invoice, logo=None)
        document, seconds = timed(render_document, snapshot)
        timings.render.append(seconds)
        name = f"bench/{invoice.pk}/{document.filename}"
        _, seconds = timed(default_storage.save, name, ContentFile(document.pdf))
        timings.store.append(seconds)
        timings.naive.append(timed(naive_render, snapshot)[1])
        timings.bare.append(timed(bare_page, snapshot)[1])
    return timings
