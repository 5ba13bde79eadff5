"""Admin for the registry's reference data. Enterprises are registered through the pages and the
import (which call the services), so here they are read-only apart from a link to their file."""

from django import forms
from django.contrib import admin
from django.db.models import F
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from . import rules
from .models import (
    Enterprise,
    Expert,
    ExpertCertificate,
    ExpertConflict,
    ExpertSpecialty,
    Industry,
    MemberUnit,
    MemberUnitDuty,
    Provider,
    Region,
)


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "kind", "parent", "valid_from", "valid_to")
    list_filter = ("level", "kind")
    search_fields = ("code", "name")
    autocomplete_fields = ("parent",)
    ordering = ("code",)


@admin.register(Industry)
class IndustryAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "parent", "specialty")
    list_filter = ("specialty",)
    search_fields = ("code", "name")
    autocomplete_fields = ("parent",)
    ordering = ("code",)


class MemberUnitDutyInline(admin.TabularInline):
    model = MemberUnitDuty
    extra = 1


@admin.register(MemberUnit)
class MemberUnitAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "committee_office", "district", "duty_count")
    list_filter = ("kind", "district")
    search_fields = ("name",)
    autocomplete_fields = ("district",)
    inlines = [MemberUnitDutyInline]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("district").prefetch_related("duties")

    @admin.display(description=_("职责数"))
    def duty_count(self, obj):
        return len(obj.duties.all())


class CreditCodeFormMixin:
    """Admin forms hold 统一社会信用代码 to the same check-digit rule as the services."""

    def clean_credit_code(self):
        code = rules.normalise_uscc(self.cleaned_data["credit_code"])
        message = rules.credit_code_error(code)
        if message:
            raise forms.ValidationError(message)
        return code


class ProviderAdminForm(CreditCodeFormMixin, forms.ModelForm):
    class Meta:
        model = Provider
        fields = (
            "name",
            "credit_code",
            "status",
            "qualifications",
            "equipment",
            "office_area_m2",
            "staff_count",
            "address",
            "contact",
            "contact_phone",
            "major_violation_date",
        )


class ExpertInline(admin.TabularInline):
    model = Expert
    fields = ("name", "title", "full_time", "active")
    extra = 0
    show_change_link = True


class VersionBumpMixin:
    """An admin save is an edit too: it moves the record's version on, so a page or API client
    holding the copy from before is refused instead of overwriting it (ADR 0035)."""

    def save_model(self, request, obj, form, change):
        if change:
            obj.version = F("version") + 1
        super().save_model(request, obj, form, change)
        if change:
            obj.refresh_from_db(fields=["version"])


@admin.register(Provider)
class ProviderAdmin(VersionBumpMixin, admin.ModelAdmin):
    form = ProviderAdminForm
    list_display = ("name", "credit_code", "status", "staff_count", "contact", "contact_phone", "page_link")
    list_filter = ("status",)
    search_fields = ("name", "credit_code")
    inlines = [ExpertInline]

    @admin.display(description=_("页面"))
    def page_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>', reverse("registry:provider_detail", args=[obj.pk]), _("查看")
        )

    def view_on_site(self, obj):
        return reverse("registry:provider_detail", args=[obj.pk])


class ExpertSpecialtyInline(admin.TabularInline):
    model = ExpertSpecialty
    extra = 1


class ExpertCertificateInline(admin.TabularInline):
    model = ExpertCertificate
    extra = 1


class ExpertConflictInline(admin.TabularInline):
    model = ExpertConflict
    extra = 1
    autocomplete_fields = ("enterprise",)


@admin.register(Expert)
class ExpertAdmin(VersionBumpMixin, admin.ModelAdmin):
    list_display = ("name", "provider", "title", "specialty_list", "full_time", "active")
    list_filter = ("active", "full_time", "provider", "specialty_rows__specialty")
    search_fields = ("name", "=id_number")  # encrypted at rest: exact id number only
    autocomplete_fields = ("provider",)
    inlines = [ExpertSpecialtyInline, ExpertCertificateInline, ExpertConflictInline]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("provider").prefetch_related("specialty_rows")

    @admin.display(description=_("专业"))
    def specialty_list(self, obj):
        return "、".join(obj.specialty_labels())

    def view_on_site(self, obj):
        return reverse("registry:expert_detail", args=[obj.pk])


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    """Read-mostly: size and the high-risk flag are derived by the services, which an admin form
    would bypass. Corrections go through the enterprise pages or an import."""

    list_display = ("name", "credit_code", "township", "industry", "size", "high_risk", "status", "file_link")
    list_filter = ("high_risk", "size", "status", "township")
    search_fields = ("name", "credit_code", "address")
    list_select_related = ("township", "industry")
    show_full_result_count = False

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        # Hazards, contracts and visits hang off an enterprise; closing it is a status change.
        return False

    @admin.display(description=_("一企一档"))
    def file_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>', reverse("registry:enterprise_detail", args=[obj.pk]), _("打开档案")
        )

    def view_on_site(self, obj):
        return reverse("registry:enterprise_detail", args=[obj.pk])
