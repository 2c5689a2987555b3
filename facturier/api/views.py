"""REST API v1: invoices (search, JSON, PDF, ZIP by filter), sync trigger, sync runs; scoped to the token's seller."""

from __future__ import annotations

from datetime import datetime

from django.http import FileResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from facturier.accounts.models import Seller
from facturier.api.serializers import (
    ErrorSerializer,
    InvoiceDetailSerializer,
    InvoiceFilterSerializer,
    InvoiceListParamsSerializer,
    InvoicePageSerializer,
    InvoiceSerializer,
    SyncRequestSerializer,
    SyncRunSerializer,
)
from facturier.core.clock import today_in_paris
from facturier.invoicing.archive import stream_zip
from facturier.invoicing.finder import keyset_page, search
from facturier.invoicing.models import Invoice
from facturier.jobs.tasks import sync_seller_task
from facturier.sales.models import SyncRun

UNAUTHORIZED = OpenApiResponse(ErrorSerializer, description="Missing, invalid or revoked token.")
NOT_FOUND = OpenApiResponse(ErrorSerializer, description="No such object for this seller.")


class PassthroughRenderer(BaseRenderer):
    """Lets content negotiation accept binary downloads; the response body is produced by the view."""

    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


class PdfRenderer(PassthroughRenderer):
    media_type, format = "application/pdf", "pdf"


class ZipRenderer(PassthroughRenderer):
    media_type, format = "application/zip", "zip"


def token_seller(request: Request) -> Seller:
    return request.auth.seller


def seller_invoice(request: Request, pk: int) -> Invoice:
    return get_object_or_404(Invoice.objects.select_related("credited_invoice"), pk=pk,
                             seller=token_seller(request))


class InvoiceListView(APIView):
    @extend_schema(operation_id="invoices_list", parameters=[InvoiceListParamsSerializer],
                   responses={200: InvoicePageSerializer, 400: ErrorSerializer, 401: UNAUTHORIZED},
                   summary="Search invoices and credit notes, newest first (keyset pagination).")
    def get(self, request: Request) -> Response:
        params = InvoiceListParamsSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        invoices = search(token_seller(request), params.to_filters())
        page = keyset_page(invoices, params.validated_data.get("after", ""), params.validated_data["page_size"])
        results = InvoiceSerializer(page.rows, many=True, context={"request": request}).data
        return Response({"results": results, "next_cursor": page.next_cursor})


class InvoiceDetailView(APIView):
    @extend_schema(operation_id="invoices_retrieve", responses={200: InvoiceDetailSerializer,
                                                                401: UNAUTHORIZED, 404: NOT_FOUND},
                   summary="One invoice or credit note with its lines and VAT breakdown.")
    def get(self, request: Request, pk: int) -> Response:
        invoice = seller_invoice(request, pk)
        return Response(InvoiceDetailSerializer(invoice, context={"request": request}).data)


class InvoicePdfView(APIView):
    renderer_classes = [PdfRenderer, JSONRenderer]

    @extend_schema(operation_id="invoices_pdf", responses={
        (200, "application/pdf"): OpenApiTypes.BINARY, 401: UNAUTHORIZED, 404: NOT_FOUND,
    }, summary="The PDF/A-3 (Factur-X) file of one document.")  # fmt: skip
    def get(self, request: Request, pk: int) -> FileResponse:
        invoice = seller_invoice(request, pk)
        if not invoice.pdf:
            raise NotFound("The PDF of this document is not rendered yet.")
        return FileResponse(invoice.pdf.open("rb"), as_attachment=True, filename=f"{invoice.number}.pdf",
                            content_type="application/pdf")


class InvoiceArchiveView(APIView):
    renderer_classes = [ZipRenderer, JSONRenderer]

    @extend_schema(operation_id="invoices_archive", parameters=[InvoiceFilterSerializer], responses={
        (200, "application/zip"): OpenApiTypes.BINARY, 400: ErrorSerializer, 401: UNAUTHORIZED,
    }, summary="A ZIP of every matching document's PDF, with index.csv, streamed.")  # fmt: skip
    def get(self, request: Request) -> StreamingHttpResponse:
        params = InvoiceFilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        invoices = search(token_seller(request), params.to_filters())
        response = StreamingHttpResponse(stream_zip(invoices), content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="factures-{today_in_paris():%Y%m%d}.zip"'
        return response


class SyncView(APIView):
    @extend_schema(operation_id="sync_create", request=None, responses={
        202: SyncRequestSerializer, 401: UNAUTHORIZED,
        409: OpenApiResponse(ErrorSerializer, description="Account read-only or registration incomplete."),
    }, summary="Start a synchronisation now (orders → invoices); follow it with /sync-runs/.")  # fmt: skip
    def post(self, request: Request) -> Response:
        seller = token_seller(request)
        if not seller.is_active:
            return Response({"detail": "The account is read-only since unsubscribing."}, status.HTTP_409_CONFLICT)
        if not seller.mandates.exists() or not seller.connections.exists():
            return Response({"detail": "Registration is incomplete (mandate or marketplace credentials)."},
                            status.HTTP_409_CONFLICT)
        sync_seller_task.delay_on_commit(seller.pk, "api")
        return Response({"status": "queued", "detail": "Synchronisation started."}, status.HTTP_202_ACCEPTED)


class SyncRunPagination(CursorPagination):
    ordering = ("-started_at", "-id")
    page_size = 50

    def decode_cursor(self, request):
        """A malformed cursor is the client's error (400 with a message), not a missing page nor a server error."""
        try:
            cursor = super().decode_cursor(request)
        except NotFound:
            cursor = None
            self.reject_cursor()
        if cursor is not None and cursor.position is not None and not is_datetime(cursor.position):
            self.reject_cursor()
        return cursor

    def reject_cursor(self):
        raise ValidationError({self.cursor_query_param: [self.invalid_cursor_message]})


def is_datetime(text: str) -> bool:
    try:
        datetime.fromisoformat(text)
    except ValueError:
        return False
    return True


class SyncRunListView(generics.ListAPIView):
    serializer_class = SyncRunSerializer
    pagination_class = SyncRunPagination

    def get_queryset(self):
        return SyncRun.objects.filter(seller=token_seller(self.request))

    @extend_schema(operation_id="sync_runs_list", summary="Synchronisation runs, newest first.",
                   responses={200: SyncRunSerializer(many=True), 400: ErrorSerializer, 401: UNAUTHORIZED})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class SyncRunDetailView(generics.RetrieveAPIView):
    serializer_class = SyncRunSerializer

    def get_queryset(self):
        return SyncRun.objects.filter(seller=token_seller(self.request))

    @extend_schema(operation_id="sync_runs_retrieve", summary="One synchronisation run.",
                   responses={200: SyncRunSerializer, 401: UNAUTHORIZED, 404: NOT_FOUND})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)
