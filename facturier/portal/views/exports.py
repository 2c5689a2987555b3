"""Bulk downloads: a ZIP of a selection or of every match of the filters, the lines CSV, the full export."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from facturier.core.clock import today_in_paris
from facturier.invoicing.archive import csv_chunks, csv_wording, line_rows, stream_zip
from facturier.invoicing.models import Invoice
from facturier.portal.decorators import seller_required
from facturier.portal.views.invoices import matching_invoices

MAX_SELECTION = 5000


def zip_response(chunks, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(chunks, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
@seller_required
def archive_view(request: HttpRequest) -> StreamingHttpResponse:
    _form, invoices = matching_invoices(request)
    return zip_response(stream_zip(invoices), f"factures-{today_in_paris():%Y%m%d}.zip")


@require_POST
@seller_required
def selection_archive_view(request: HttpRequest) -> HttpResponse:
    ids = [int(value) for value in request.POST.getlist("ids") if value.isdigit()][:MAX_SELECTION]
    if not ids:
        messages.error(request, _("Cochez au moins un document."))
        return redirect("portal:invoice_list")
    invoices = Invoice.objects.filter(seller=request.seller, pk__in=ids).order_by("-issued_at", "-id")
    return zip_response(stream_zip(invoices), f"selection-{today_in_paris():%Y%m%d}.zip")


@require_GET
@seller_required
def lines_csv_view(request: HttpRequest) -> StreamingHttpResponse:
    _form, invoices = matching_invoices(request)
    wording = csv_wording()
    response = StreamingHttpResponse(csv_chunks(wording.line_headers, line_rows(invoices, wording), wording),
                                     content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="lignes-{today_in_paris():%Y%m%d}.csv"'
    return response


@require_GET
@seller_required
def full_export_view(request: HttpRequest) -> StreamingHttpResponse:
    invoices = Invoice.objects.filter(seller=request.seller).order_by("-issued_at", "-id")
    return zip_response(stream_zip(invoices, with_lines=True), f"export-complet-{today_in_paris():%Y%m%d}.zip")
