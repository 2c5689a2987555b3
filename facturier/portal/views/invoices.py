"""Invoices and credit notes: the searchable list, the detail page, the PDF (inline and download), resend."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from facturier.core.errors import FacturierError
from facturier.invoicing import emails
from facturier.invoicing.finder import keyset_page, search
from facturier.invoicing.models import Invoice
from facturier.outbox import services as outbox
from facturier.outbox.models import OutgoingEmail
from facturier.portal.decorators import seller_required, seller_writable
from facturier.portal.forms.settings import InvoiceFilterForm, ResendForm
from facturier.sales.connection_status import marketplace_name
from facturier.sales.connections import label
from facturier.sales.not_invoiced import OrderFilters, not_invoiced

PAGE_SIZE = 50
ORDERS_SHOWN = 10  # orders not invoiced listed under a search (all of them on the orders page)


def seller_invoice(request: HttpRequest, pk: int) -> Invoice:
    return get_object_or_404(Invoice.objects.select_related("credited_invoice", "order"), pk=pk, seller=request.seller)


def matching_invoices(request: HttpRequest) -> tuple[InvoiceFilterForm, QuerySet[Invoice]]:
    """The filter form of the request and the seller's documents it selects (the list and its downloads)."""
    connections = [(connection.pk, label(connection)) for connection in request.seller.connections.all()]
    form = InvoiceFilterForm(request.GET or None, connections=connections)
    invoices = search(request.seller, form.filters())
    if connection_id := form.connection_id():
        invoices = invoices.filter(order__connection_id=connection_id)
    return form, invoices


@seller_required
def invoice_list_view(request: HttpRequest) -> HttpResponse:
    form, invoices = matching_invoices(request)
    filters = form.filters()
    page = keyset_page(invoices, request.GET.get("after", ""), PAGE_SIZE)
    statuses = outbox.status_for(emails.related_key(invoice) for invoice in page.rows)
    rows = [(invoice, statuses.get(emails.related_key(invoice))) for invoice in page.rows]
    query = request.GET.copy()
    query.pop("after", None)
    return render(request, "portal/invoices/list.html", {
        "form": form, "rows": rows, "next_cursor": page.next_cursor, "filter_query": query.urlencode(),
        "is_first_page": not request.GET.get("after"),
        "orders_not_invoiced": matching_orders_not_invoiced(request.seller, filters.query),
    })  # fmt: skip


def matching_orders_not_invoiced(seller, query: str) -> list:
    """A search also finds the orders that were not invoiced, shown with their reason."""
    if not query.strip():
        return []
    return list(not_invoiced(seller, OrderFilters(query=query))[:ORDERS_SHOWN])


@seller_required
def invoice_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = seller_invoice(request, pk)
    key = emails.related_key(invoice)
    connection = invoice.order.connection if invoice.order_id else None
    return render(request, "portal/invoices/detail.html", {
        "invoice": invoice,
        "marketplace": marketplace_name(connection) if connection else "",
        "lines": invoice.lines.all(),
        "history": outbox.history(key),
        "email_status": outbox.status_for([key]).get(key),
        "credit_notes": invoice.credit_notes.all(),
        "resend_form": ResendForm(),
    })  # fmt: skip


def pdf_response(invoice: Invoice, *, as_attachment: bool) -> FileResponse:
    if not invoice.pdf:
        raise Http404("PDF not rendered yet")
    return FileResponse(
        invoice.pdf.open("rb"), as_attachment=as_attachment, filename=f"{invoice.number}.pdf",
        content_type="application/pdf",
    )  # fmt: skip


@seller_required
@xframe_options_sameorigin
def invoice_pdf_view(request: HttpRequest, pk: int) -> FileResponse:
    return pdf_response(seller_invoice(request, pk), as_attachment=False)


@seller_required
def invoice_download_view(request: HttpRequest, pk: int) -> FileResponse:
    return pdf_response(seller_invoice(request, pk), as_attachment=True)


@require_POST
@seller_writable
def invoice_resend_view(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = seller_invoice(request, pk)
    form = ResendForm(request.POST)
    latest = OutgoingEmail.objects.filter(seller=request.seller, related_key=emails.related_key(invoice)).first()
    if not form.is_valid():
        messages.error(request, _("Adresse e-mail invalide."))
    elif latest is None:
        messages.error(request, _("Aucun e-mail n'a encore été préparé pour ce document."))
    elif not (form.cleaned_data["to"] or latest.to):
        messages.error(request, _("Cette commande n'a pas d'adresse e-mail : saisissez l'adresse de l'acheteur, "
                                  "puis renvoyez."))
    else:
        try:
            copy = emails.resend_document_email(invoice, latest, to=form.cleaned_data["to"] or None)
        except FacturierError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("E-mail renvoyé à %(to)s.") % {"to": copy.to})
    return redirect("portal:invoice_detail", pk=invoice.pk)
