from django.contrib import admin

from .models import AuditAnchor, AuditEvent


class ReadOnlyAdmin(admin.ModelAdmin):
    """The log is written by services only; the admin may look, never touch."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("seq", "timestamp", "event_type", "actor_display", "target_repr", "ip_address")
    list_filter = ("event_type",)
    search_fields = ("actor_display", "target_repr", "target_id")
    # Counting millions of rows on every page is what makes admin lists slow.
    show_full_result_count = False

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)


@admin.register(AuditAnchor)
class AuditAnchorAdmin(ReadOnlyAdmin):
    list_display = ("seq", "hash", "cutoff", "purged_count", "created_at")
