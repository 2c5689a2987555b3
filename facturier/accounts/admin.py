from django.contrib import admin

from facturier.accounts.models import BillingMandate, MarketplaceConnection, MarketplaceLinkRefusal, Seller, User


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = ["email", "is_active", "is_staff", "email_verified", "date_joined"]
    search_fields = ["email"]
    exclude = ["password"]


class ConnectionInline(admin.StackedInline):
    model = MarketplaceConnection
    # Credentials are never shown, even to the operator: only the connection's health.
    fields = ["marketplace", "status", "status_message", "status_changed_at", "holds_account", "orders_cursor",
              "refunds_cursor"]
    readonly_fields = fields
    can_delete = False
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False  # credentials are entered by the seller only


@admin.register(Seller)
class SellerAdmin(admin.ModelAdmin):
    list_display = ["legal_name", "country", "vat_number", "status", "registered_at", "download_until"]
    list_filter = ["status", "country", "oss_registered", "franchise_en_base"]
    search_fields = ["legal_name", "vat_number", "siren", "owner__email"]
    inlines = [ConnectionInline]


@admin.register(BillingMandate)
class BillingMandateAdmin(admin.ModelAdmin):
    list_display = ["seller", "version", "accepted_at", "ip_address"]
    readonly_fields = ["seller", "version", "text_sha256", "accepted_at", "accepted_by", "ip_address", "user_agent"]

    def has_add_permission(self, request):
        return False


@admin.register(MarketplaceLinkRefusal)
class MarketplaceLinkRefusalAdmin(admin.ModelAdmin):
    """Attempts to link a marketplace account another active seller holds: one shop, two Facturier accounts."""

    list_display = ["attempted_at", "seller", "holder", "marketplace", "ip_address"]
    list_filter = ["marketplace"]
    search_fields = ["seller__legal_name", "holder__legal_name", "seller__owner__email", "holder__owner__email"]
    readonly_fields = ["seller", "holder", "marketplace", "account_key", "attempted_at", "ip_address"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
