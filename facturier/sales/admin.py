from django.contrib import admin

from facturier.sales.models import RefundRecord, SalesOrder, SyncRun


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SyncRun)
class SyncRunAdmin(ReadOnlyAdmin):
    list_display = [
        "seller",
        "trigger",
        "status",
        "started_at",
        "orders_seen",
        "invoices_issued",
        "credit_notes_issued",
    ]
    list_filter = ["status", "trigger"]
    search_fields = ["seller__legal_name", "message"]


@admin.register(SalesOrder)
class SalesOrderAdmin(ReadOnlyAdmin):
    list_display = ["order_id", "seller", "status", "eligibility", "placed_at", "reason"]
    list_filter = ["eligibility", "status"]
    search_fields = ["order_id", "seller__legal_name"]


@admin.register(RefundRecord)
class RefundRecordAdmin(ReadOnlyAdmin):
    list_display = ["refund_id", "seller", "marketplace_order_id", "kind", "amount_gross", "state"]
    list_filter = ["state", "kind"]
    search_fields = ["refund_id", "marketplace_order_id"]
