from django.contrib import admin

from facturier.invoicing.models import Invoice, InvoiceLine
from facturier.sales.admin import ReadOnlyAdmin


class LineInline(admin.TabularInline):
    model = InvoiceLine
    fields = ["position", "description", "quantity", "unit_net_price", "net_amount", "vat_rate", "gross_amount"]
    readonly_fields = fields
    can_delete = False
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdmin):
    """Issued documents are shown, never editable (corrections are credit notes)."""

    list_display = ["number", "kind", "seller", "order_reference", "buyer_name", "total_gross", "issue_date"]
    list_filter = ["kind", "upload_status"]
    search_fields = ["number", "order_reference", "buyer_name", "seller__legal_name"]
    inlines = [LineInline]
