"""Operator back office for Facturier's own billing: everything read-only (issued documents never change)."""

from __future__ import annotations

from django.contrib import admin

from facturier.billing.models import BillingRun, FeeInvoice, FrozenUsage


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(FeeInvoice)
class FeeInvoiceAdmin(ReadOnlyAdmin):
    list_display = ("number", "seller", "month", "invoice_count", "tier_label", "vat_case", "amount_excl_vat",
                    "total_incl_vat", "issue_date", "due_date")
    list_filter = ("month", "vat_case", "tier_label")
    search_fields = ("number", "seller__legal_name", "seller__siren", "seller__vat_number", "seller__owner__email")
    date_hierarchy = "issued_at"
    list_select_related = ("seller",)


@admin.register(BillingRun)
class BillingRunAdmin(ReadOnlyAdmin):
    list_display = ("month", "started_at", "finished_at", "sellers_considered", "invoices_issued",
                    "already_billed", "error_count")
    list_filter = ("month",)
    search_fields = ("errors",)


@admin.register(FrozenUsage)
class FrozenUsageAdmin(ReadOnlyAdmin):
    list_display = ("seller", "month", "invoice_count", "frozen_at")
    search_fields = ("seller__legal_name",)
    list_select_related = ("seller",)
