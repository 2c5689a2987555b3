"""Read-only operator view of the outbox: the history is evidence, only services change it."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from facturier.outbox.models import EmailEvent, OutgoingEmail


class EmailEventInline(admin.TabularInline):
    model = EmailEvent
    fields = ("created_at", "kind", "detail")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(admin.ModelAdmin):
    list_display = ("created_at", "seller", "related_key", "to", "subject", "state", "attempts", "sent_at")
    list_filter = ("state",)
    search_fields = ("to", "subject", "state", "message_id", "related_key")
    list_select_related = ("seller",)
    date_hierarchy = "created_at"
    inlines = [EmailEventInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
