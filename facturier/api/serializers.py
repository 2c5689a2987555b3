"""API representations of invoices, their lines, sync runs and the search filters."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.reverse import reverse

from facturier.core.stored_text import render
from facturier.invoicing.finder import EMAIL_STATUS_CHOICES, InvoiceFilters, decode_cursor
from facturier.invoicing.models import Invoice, InvoiceLine
from facturier.sales.models import SyncRun


class PresentDateField(serializers.DateField):
    """A date parameter sent empty is malformed (400), not silently ignored as DRF does with form input."""

    def get_value(self, dictionary):
        return dictionary.get(self.field_name, serializers.empty)


class InvoiceFilterSerializer(serializers.Serializer):
    # An empty value means "no filter" (as DRF reads any empty optional query parameter); the schema says so.
    q = serializers.CharField(required=False, allow_blank=True, max_length=100,
                              help_text="Prefix of the number, order reference or buyer name, or an exact amount.")
    date_from = PresentDateField(required=False, help_text="Issued on or after (YYYY-MM-DD).")
    date_to = PresentDateField(required=False, help_text="Issued on or before (YYYY-MM-DD).")
    kind = serializers.ChoiceField(choices=Invoice.KIND_CHOICES, required=False, allow_blank=True)
    email_status = serializers.ChoiceField(choices=EMAIL_STATUS_CHOICES, required=False, allow_blank=True)
    upload_status = serializers.ChoiceField(choices=Invoice.UPLOAD_CHOICES, required=False, allow_blank=True)

    def to_filters(self) -> InvoiceFilters:
        data = self.validated_data
        return InvoiceFilters(
            query=data.get("q", ""), date_from=data.get("date_from"), date_to=data.get("date_to"),
            kind=data.get("kind", ""), email_status=data.get("email_status", ""),
            upload_status=data.get("upload_status", ""),
        )  # fmt: skip


class InvoiceListParamsSerializer(InvoiceFilterSerializer):
    after = serializers.CharField(required=False, allow_blank=True, max_length=80,
                                  help_text="Cursor returned as `next_cursor` by the previous page.")
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=200, default=50)

    def validate_after(self, value: str) -> str:
        if value and decode_cursor(value) is None:
            raise serializers.ValidationError(_("Curseur non valide : reprenez la valeur next_cursor de la page "
                                                "précédente."))
        return value


class InvoiceLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = InvoiceLine
        fields = ["position", "kind", "description", "sku", "ean", "quantity", "unit_net_price", "net_amount",
                  "gross_amount", "vat_category", "vat_rate"]


class InvoiceSerializer(serializers.ModelSerializer):
    credited_invoice_number = serializers.SerializerMethodField()
    pdf_url = serializers.SerializerMethodField()

    class Meta:
        model = Invoice
        fields = ["id", "number", "kind", "issue_date", "issued_at", "order_reference", "buyer_name",
                  "buyer_email", "currency", "total_net", "total_vat", "total_gross", "upload_status",
                  "credited_invoice_number", "pdf_sha256", "pdf_url"]

    def get_credited_invoice_number(self, invoice: Invoice) -> str | None:
        return invoice.credited_invoice.number if invoice.credited_invoice_id else None

    def get_pdf_url(self, invoice: Invoice) -> str | None:
        if not invoice.pdf:
            return None
        return reverse("api:invoice_pdf", args=[invoice.pk], request=self.context.get("request"))


class InvoiceDetailSerializer(InvoiceSerializer):
    lines = InvoiceLineSerializer(many=True, read_only=True)
    vat_breakdown = serializers.JSONField(read_only=True)
    seller = serializers.JSONField(source="seller_snapshot", read_only=True)
    buyer = serializers.JSONField(source="buyer_snapshot", read_only=True)

    class Meta(InvoiceSerializer.Meta):
        fields = [*InvoiceSerializer.Meta.fields, "delivery_date", "vat_case", "seller", "buyer", "vat_breakdown",
                  "lines"]


class InvoicePageSerializer(serializers.Serializer):
    results = InvoiceSerializer(many=True)
    next_cursor = serializers.CharField(allow_blank=True, help_text="Pass as `after` for the next page; empty at "
                                                                    "the end.")


class StoredTextField(serializers.CharField):
    """A stored seller-facing text (core.stored_text) in the language of the request."""

    def to_representation(self, value: str) -> str:
        return render(value)


class SyncRunSerializer(serializers.ModelSerializer):
    message = StoredTextField(read_only=True)

    class Meta:
        model = SyncRun
        fields = ["id", "trigger", "status", "started_at", "finished_at", "orders_seen", "orders_eligible",
                  "orders_malformed", "refunds_seen", "invoices_issued", "credit_notes_issued", "message"]


class SyncRequestSerializer(serializers.Serializer):
    status = serializers.CharField(help_text="Always `queued`.")
    detail = serializers.CharField()


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
