"""Admin for the loop's reference data (levels, routing rules, calendar adjustments). Hazards and
their records change only through the services, so here they are read-only."""

from django.contrib import admin

from .models import (
    ExtensionRequest,
    GovernancePlan,
    Hazard,
    HazardAttachment,
    HazardEvent,
    HazardLevel,
    Notification,
    Rectification,
    RectificationNotice,
    ReInspection,
    ResumptionReview,
    RoutingRule,
    WorkdayOverride,
)


@admin.register(HazardLevel)
class HazardLevelAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "code",
        "legal_level",
        "default_time_limit",
        "time_limit_basis",
        "order",
        "active",
    )
    list_editable = ("order", "active")
    list_filter = ("legal_level", "active")

    def has_delete_permission(self, request, obj=None):
        # Hazards keep their level for ever; retire a level by switching it off.
        return False


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = ("priority", "industry_prefix", "category", "township", "member_unit", "active", "note")
    list_filter = ("active", "category", "member_unit")
    autocomplete_fields = ("township",)
    ordering = ("-priority", "id")


@admin.register(WorkdayOverride)
class WorkdayOverrideAdmin(admin.ModelAdmin):
    list_display = ("date", "is_working_day", "note")
    list_filter = ("is_working_day",)
    date_hierarchy = "date"
    search_fields = ("note",)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class HazardEventInline(admin.TabularInline):
    model = HazardEvent
    fields = ("seq", "at", "name", "from_state", "to_state", "actor", "note")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Hazard)
class HazardAdmin(ReadOnlyAdmin):
    list_display = ("number", "title", "enterprise", "level", "status", "member_unit", "deadline", "round")
    list_filter = ("status", "legal_level", "category", "listed_supervision", "halted")
    search_fields = ("number", "title", "enterprise__name")
    list_select_related = ("enterprise", "level", "member_unit")
    inlines = [HazardEventInline]


for model in (
    HazardAttachment,
    RectificationNotice,
    GovernancePlan,
    Rectification,
    ExtensionRequest,
    ReInspection,
    ResumptionReview,
    Notification,
):
    admin.site.register(model, ReadOnlyAdmin)
