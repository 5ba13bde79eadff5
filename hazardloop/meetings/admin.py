"""Meetings change only through the services, so the admin only reads them."""

from django.contrib import admin

from .models import Attendance, Meeting, MeetingDecision, MeetingPack, Minutes


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AttendanceInline(admin.TabularInline):
    model = Attendance
    fields = ("member_unit", "attended", "representative", "report", "reported_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyAdmin):
    list_display = ("number", "district", "year", "month", "scheduled_at", "status")
    list_filter = ("status", "year")
    search_fields = ("number", "place", "convener_name")
    inlines = [AttendanceInline]


@admin.register(MeetingPack)
class MeetingPackAdmin(ReadOnlyAdmin):
    list_display = ("meeting", "built_at", "built_by")


@admin.register(Minutes)
class MinutesAdmin(ReadOnlyAdmin):
    list_display = ("meeting", "recorded_at", "approved_at")


@admin.register(MeetingDecision)
class MeetingDecisionAdmin(ReadOnlyAdmin):
    list_display = ("meeting", "seq", "kind", "outcome", "recorded_at")
    list_filter = ("kind", "outcome")
