from django.contrib import admin

from .models import ActivationCode


@admin.register(ActivationCode)
class ActivationCodeAdmin(admin.ModelAdmin):
    """Read only: codes are issued and used through the services, never typed in here."""

    list_display = ("enterprise", "issued_at", "expires_at", "used_at", "revoked_at", "reason")
    list_select_related = ("enterprise",)
    search_fields = ("enterprise__name", "enterprise__credit_code")
    exclude = ("digest", "code")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
