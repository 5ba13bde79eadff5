"""Enforcement records change only through the services, so the admin shows them read-only."""

from django.contrib import admin

from .models import EnforcementAction


@admin.register(EnforcementAction)
class EnforcementActionAdmin(admin.ModelAdmin):
    list_display = ("document_number", "decided_on", "member_unit", "enterprise", "kind", "status")
    list_filter = ("kind", "status", "member_unit")
    search_fields = ("document_number", "enterprise__name")
    date_hierarchy = "decided_on"
    raw_id_fields = ("enterprise", "hazards")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
