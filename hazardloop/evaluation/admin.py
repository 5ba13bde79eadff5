"""Read-mostly admin views for the administrator; all changes go through the pages' services."""

from django.contrib import admin

from .models import FindingsExpectation, Kpi, PaymentAdjustment, PaymentRule, Rating, Scorecard


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Kpi)
class KpiAdmin(ReadOnlyAdmin):
    list_display = ["code", "weight", "target", "zero_at", "updated_at"]


@admin.register(FindingsExpectation)
class FindingsExpectationAdmin(ReadOnlyAdmin):
    list_display = ["enterprise_class", "per_visit"]


@admin.register(Rating)
class RatingAdmin(ReadOnlyAdmin):
    list_display = ["inspection", "kind", "score", "rated_by", "rated_at"]
    list_filter = ["kind", "score"]


@admin.register(Scorecard)
class ScorecardAdmin(ReadOnlyAdmin):
    list_display = ["provider", "contract", "period_kind", "period_start", "status", "total"]
    list_filter = ["period_kind", "status"]


@admin.register(PaymentRule)
class PaymentRuleAdmin(ReadOnlyAdmin):
    list_display = ["contract", "full_score", "deduct_per_point", "floor_score", "floor_share"]


@admin.register(PaymentAdjustment)
class PaymentAdjustmentAdmin(ReadOnlyAdmin):
    list_display = [
        "milestone",
        "scorecard",
        "score",
        "share",
        "original_amount",
        "adjusted_amount",
        "applied_at",
    ]
